"""The REST API: JSON over the services' gRPC APIs, transcoded from the protobuf contracts (ADR 0017).

One generic view serves every route of routes.ROUTES: path, query and body become the request message
(google.protobuf.json_format), the call goes out as the authenticated principal, the reply comes back as proto3
JSON. Errors are RFC 9457 problem details everywhere under /api; creates accept an Idempotency-Key; every
principal has a rate limit.
"""

from __future__ import annotations

import json
import os
from urllib.parse import urlencode

import grpc
from flask import Blueprint, Flask, Response, current_app, g, jsonify, request, send_from_directory, url_for
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFError, CSRFProtect
from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import FieldDescriptor
from werkzeug.exceptions import HTTPException, InternalServerError

from services.gateway import idempotency
from services.gateway.principal import current_principal, unauthenticated_problem
from services.gateway.problems import problem
from services.gateway.rest.openapi import document
from services.gateway.rest.routes import PAGE_ALIASES, ROUTES, Route, method_of

API_PREFIX = "/api/"
DEFAULT_RATE_LIMIT = "600 per minute"
_TRUE = {"true", "1", "yes"}


def problem_response(status: int, title: str, detail: str = "", **extra: object) -> Response:
    response = jsonify(type="about:blank", title=title, status=status, **({"detail": detail} if detail else {}),
                       **extra)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _principal_key() -> str:
    principal = current_principal()
    if principal is None:
        return f"anonymous:{request.remote_addr}"
    return f"{principal.tenant_id}:{principal.kind}:{principal.subject}"


def _coerce(field: FieldDescriptor, raw: str) -> object:
    """A query-string value as the JSON value ParseDict expects for this field."""
    if field.type == FieldDescriptor.TYPE_BOOL:
        return raw.lower() in _TRUE
    if field.cpp_type in (FieldDescriptor.CPPTYPE_INT32, FieldDescriptor.CPPTYPE_UINT32):
        return int(raw)
    if field.cpp_type in (FieldDescriptor.CPPTYPE_DOUBLE, FieldDescriptor.CPPTYPE_FLOAT):
        return float(raw)
    return raw  # strings, enums by name, 64-bit integers (strings in proto3 JSON)


def _set(data: dict, dotted: str, value: object) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[leaf] = value


def _request_data(route: Route, path_values: dict[str, str]) -> dict:
    method = method_of(route)
    if route.body:
        if request.content_length and request.mimetype != "application/json":
            raise _Problem(415, "Unsupported media type", "send application/json")
        data = request.get_json(silent=True) if request.content_length else {}
        if not isinstance(data, dict):
            raise _Problem(400, "Bad request", "the body must be a JSON object")
    else:
        data = {}
        fields = route.query_fields(method.input_type)
        for name in request.args:
            field = fields.get(name)
            if field is None:
                raise _Problem(400, "Bad request", f"unknown query parameter {name!r}",
                               errors=[{"field": name, "message": "is not a parameter of this resource"}])
            values = request.args.getlist(name)
            try:
                coerced = [_coerce(field, value) for value in values]
            except ValueError:
                raise _Problem(400, "Bad request", f"{name} must be a number",
                               errors=[{"field": name, "message": "must be a number"}]) from None
            repeated = field.is_repeated
            _set(data, PAGE_ALIASES.get(name, name), coerced if repeated else coerced[-1])
    for name, value in path_values.items():
        data[name] = value
    return data


class _Problem(Exception):
    def __init__(self, status: int, title: str, detail: str = "", **extra: object):
        super().__init__(detail)
        self.response = problem_response(status, title, detail, **extra)


def _next_link(route: Route, reply_dict: dict) -> str | None:
    token = (reply_dict.get("page") or {}).get("next_page_token")
    if not token:
        return None
    query = {key: value for key, value in request.args.items() if key != "page_token"}
    query["page_token"] = token
    return f'<{request.base_url}?{urlencode(query)}>; rel="next"'


def _view(route: Route):  # noqa: ANN202
    method = method_of(route)
    request_class = message_factory.GetMessageClass(method.input_type)

    def view(**path_values: str):  # noqa: ANN202
        try:
            data = _request_data(route, path_values)
            message = json_format.ParseDict(data, request_class(), ignore_unknown_fields=False)
        except _Problem as failed:
            return failed.response
        except json_format.ParseError as error:
            return problem_response(400, "Bad request", str(error))

        def call() -> Response:
            try:
                reply = getattr(current_app.extensions["crm.backends"](route.service), route.rpc)(message)
            except grpc.RpcError as error:
                return problem(error)
            body = json_format.MessageToDict(reply, preserving_proto_field_name=True)
            response = jsonify(body)
            response.status_code = route.success
            link = _next_link(route, body)
            if link:
                response.headers["Link"] = link
            return response

        key = request.headers.get("Idempotency-Key")
        if route.http_method == "POST" and key:
            return idempotency.once(current_app.extensions["crm.database"], current_principal(), key, call)
        return call()

    view.__name__ = f"{route.service}_{route.rpc}"
    return view


def register(app: Flask, *, csrf: CSRFProtect, limiter: Limiter) -> None:
    api = Blueprint("rest", __name__)
    csrf.exempt(api)  # API keys carry no cookies; browser sessions are checked in require_principal
    rate_limit = os.environ.get("CRM_API_RATE_LIMIT", DEFAULT_RATE_LIMIT)

    @api.before_request
    def require_principal():  # noqa: ANN202
        if request.endpoint in ("rest.openapi", "rest.docs", "rest.docs_asset"):
            return None
        principal = current_principal()
        if principal is None or g.get("api_key_rejected"):
            return unauthenticated_problem()
        if principal.kind == "user" and request.method not in ("GET", "HEAD", "OPTIONS"):
            csrf.protect()  # a browser session: the page's X-CSRFToken header must come along
        return None

    for route in ROUTES:
        api.add_url_rule(route.flask_rule, endpoint=f"{route.service}_{route.rpc}", view_func=_view(route),
                         methods=[route.http_method])

    @api.get("/openapi.json")
    def openapi():  # noqa: ANN202
        return jsonify(_document())

    @api.get("/api/docs")
    def docs():  # noqa: ANN202
        return current_app.send_static_file("api_docs.html")

    @api.get("/api/docs/assets/<path:name>")
    def docs_asset(name: str):  # noqa: ANN202
        import swagger_ui_bundle

        return send_from_directory(swagger_ui_bundle.swagger_ui_path, name)

    limiter.limit(rate_limit, key_func=_principal_key, exempt_when=lambda: request.endpoint in (
        "rest.openapi", "rest.docs", "rest.docs_asset"))(api)
    app.register_blueprint(api)

    @app.errorhandler(HTTPException)
    def http_errors(error: HTTPException):  # noqa: ANN202
        if not request.path.startswith(API_PREFIX):
            return error
        response = problem_response(error.code or 500, error.name,
                                    error.description if (error.code or 500) < 500 else "")
        if error.code == 429:
            response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(CSRFError)
    def csrf_errors(error: CSRFError):  # noqa: ANN202
        if request.path.startswith(API_PREFIX):
            return problem_response(403, "Forbidden", "send the X-CSRFToken header of the console page")
        return error

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # noqa: ANN202
        if isinstance(error, HTTPException):
            return http_errors(error)
        current_app.logger.exception("unexpected error on %s", request.path)
        if request.path.startswith(API_PREFIX):
            return problem_response(500, "Internal server error", "the error was logged; try again later")
        return InternalServerError()


_DOCUMENT: dict | None = None


def _document() -> dict:
    global _DOCUMENT
    if _DOCUMENT is None:
        _DOCUMENT = json.loads(json.dumps(document(url_for("index", _external=False))))
    return _DOCUMENT
