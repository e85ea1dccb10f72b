"""The REST API: JSON over the services' gRPC APIs, transcoded from the protobuf contracts (ADR 0017).

One generic view serves every route of routes.ROUTES: path, query and body become the request message, the
call goes out as the authenticated principal (Backends attaches its caller token and language), the reply comes
back as proto3 JSON. Errors are RFC 9457 problem details everywhere under /api; every POST honours an
Idempotency-Key; every principal has a rate limit. /openapi.json is generated from the same descriptors, and
/api/docs shows it with Swagger UI (served from the swagger-ui-bundle package, so it works offline).
"""

from __future__ import annotations

import math
import os
import time

import grpc
from flask import Blueprint, Flask, Response, current_app, g, jsonify, request, send_from_directory
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFError, CSRFProtect
from google.protobuf import message_factory
from werkzeug.exceptions import HTTPException

from services.core.i18n import t
from services.gateway.principal import current_principal
from services.gateway.problems import problem_response, rpc_problem, unauthenticated_problem
from services.gateway.rest import idempotency, transcode
from services.gateway.rest.admin import admin_blueprint
from services.gateway.rest.openapi import document
from services.gateway.rest.problems import Problem
from services.gateway.rest.routes import ROUTES, Route

API_PREFIX = "/api/"
DEFAULT_RATE_LIMIT = "600 per minute"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _rate_limit_key() -> str:
    principal = current_principal()
    if principal is None:
        return f"address:{request.remote_addr}"
    return f"{principal.tenant_id}:{principal.kind}:{principal.subject}"


def _view(route: Route):  # noqa: ANN202
    request_class = message_factory.GetMessageClass(route.method.input_type)

    def view(**path_values: str) -> Response:
        message = transcode.request_message(route, path_values, request_class)

        def call() -> Response:
            try:
                reply = getattr(current_app.extensions["crm.backends"](route.service), route.rpc)(message)
            except grpc.RpcError as error:
                return rpc_problem(error)
            response = jsonify(transcode.reply_json(reply))
            response.status_code = route.status
            link = transcode.next_link(reply)
            if link:
                response.headers["Link"] = link
            return response

        key = request.headers.get(idempotency.HEADER)
        if route.http_method == "POST" and key is not None:
            return idempotency.once(current_app.extensions["crm.database"], current_principal(), key, call)
        return call()

    view.__name__ = f"{route.service}_{route.rpc}"
    return view


def _require_principal(csrf: CSRFProtect):  # noqa: ANN202
    def check() -> Response | None:
        principal = current_principal()
        if principal is None or g.get("api_key_rejected"):
            return unauthenticated_problem()
        if principal.kind == "user" and request.method not in SAFE_METHODS:
            csrf.protect()  # a browser session: the page's X-CSRFToken header must come along
        return None

    return check


def _no_store(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")  # customer data stays out of caches
    return response


def register(app: Flask, *, csrf: CSRFProtect, limiter: Limiter) -> None:
    app.config.setdefault("API_RATE_LIMIT", os.environ.get("CRM_API_RATE_LIMIT", DEFAULT_RATE_LIMIT))
    api = Blueprint("rest", __name__)
    for route in ROUTES:
        api.add_url_rule(route.flask_rule, endpoint=f"{route.service}_{route.rpc}", view_func=_view(route),
                         methods=[route.http_method])
    # One budget per principal across the whole API; read per request, so it may change without a restart.
    rate_limit = limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="rest-api",
                                      key_func=_rate_limit_key)
    for blueprint in (api, admin_blueprint()):
        csrf.exempt(blueprint)  # API keys carry no cookies; browser sessions are checked in _require_principal
        blueprint.before_request(_require_principal(csrf))
        blueprint.after_request(_no_store)
        rate_limit(blueprint)
        app.register_blueprint(blueprint)
    app.register_blueprint(_docs())  # public and not rate-limited: it describes the API, it holds no data
    _install_error_handlers(app, limiter)


def _docs() -> Blueprint:
    docs = Blueprint("rest_docs", __name__)

    @docs.get("/openapi.json")
    def openapi() -> Response:
        return jsonify(document())

    @docs.get("/api/docs")
    def docs_page() -> Response:
        return current_app.send_static_file("api_docs.html")

    @docs.get("/api/docs/assets/<path:name>")
    def docs_asset(name: str) -> Response:
        import swagger_ui_bundle

        return send_from_directory(swagger_ui_bundle.swagger_ui_path, name)

    return docs


def _install_error_handlers(app: Flask, limiter: Limiter) -> None:
    """Problem details for every error under /api; the rest of the site keeps Flask's pages."""

    @app.errorhandler(Problem)
    def problems(error: Problem) -> Response:
        return error.response()

    @app.errorhandler(HTTPException)
    def http_errors(error: HTTPException):  # noqa: ANN202
        if not request.path.startswith(API_PREFIX):
            return error
        status = error.code or 500
        headers = {}
        if status == 429:
            limit = limiter.current_limit
            retry = math.ceil(limit.reset_at - time.time()) if limit is not None else 60
            headers["Retry-After"] = str(max(retry, 1))
            return problem_response(429, t("too many requests; try again in {seconds} seconds",
                                           seconds=headers["Retry-After"]), headers=headers)
        if status == 405:
            headers["Allow"] = ", ".join(sorted(error.valid_methods or []))
        return problem_response(status, _HTTP_DETAILS.get(status, ""), headers=headers)

    @app.errorhandler(CSRFError)
    def csrf_errors(error: CSRFError):  # noqa: ANN202
        if request.path.startswith(API_PREFIX):
            return problem_response(403, t("a console session must send the X-CSRFToken header of its page"))
        return error


_HTTP_DETAILS = {
    400: t("the request is malformed"),
    404: t("no such resource"),
    405: t("this resource does not allow this method"),
    413: t("the request body is too large"),
    415: t("send the request body as application/json"),
    500: t("something went wrong on our side; it was logged"),
}

