"""RFC 9457 problem details: the one way the gateway answers an error as JSON (REST API, public forms, console
polls). gRPC errors keep the service's translated message, its field violations and the status name (`code`)."""

from __future__ import annotations

from http import HTTPStatus

import grpc
from flask import Response, jsonify
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services.core.i18n import Text, localize, t
from services.gateway.principal import current_locale

PROBLEM_JSON = "application/problem+json"

HTTP_STATUS = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.UNAVAILABLE: 503,
}

UNAVAILABLE = t("The service is unavailable; try again later.")


def field_violations(error: grpc.RpcError) -> list[dict[str, str]]:
    """Each violation in the caller's language (the service translated it for the accept-language we sent)."""
    bad_request = _detail(error, error_details_pb2.BadRequest)
    if bad_request is None:
        return []
    return [{"field": v.field, "message": v.localized_message.message or v.description}
            for v in bad_request.field_violations]


def message_of(error: grpc.RpcError) -> str:
    localized = _detail(error, error_details_pb2.LocalizedMessage)
    return localized.message if localized is not None else (error.details() or "")


def _detail(error: grpc.RpcError, kind):  # noqa: ANN001, ANN202
    status = rpc_status.from_call(error)
    for detail in status.details if status else []:
        if detail.Is(kind.DESCRIPTOR):
            found = kind()
            detail.Unpack(found)
            return found
    return None


def http_status_of(error: grpc.RpcError) -> int:
    return HTTP_STATUS.get(error.code(), 500)


def problem_response(status: int, detail: str | Text = "", errors: list[tuple[str, str | Text]] = (),
                     headers: dict[str, str] | None = None, **extra: object) -> Response:
    """`type` is about:blank, so `title` is the status's reason phrase; `detail` and each field violation's
    message are in the caller's language."""
    locale = current_locale()
    body: dict = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, **extra}
    if detail:
        body["detail"] = localize(detail, locale)
    if errors:
        body["errors"] = [{"field": field, "message": localize(message, locale)} for field, message in errors]
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    response.headers.update(headers or {})
    return response


def rpc_problem(error: grpc.RpcError) -> Response:
    """A service's refusal: its (already translated) message and field violations, and the gRPC status name as
    the `code` extension member. Server-side failures say nothing about their cause."""
    status = http_status_of(error)
    if status >= 500:
        return problem_response(status, UNAVAILABLE, code=error.code().name,
                                headers={"Retry-After": "1"} if status == 503 else None)
    violations = [(v["field"], v["message"]) for v in field_violations(error)]
    return problem_response(status, message_of(error), violations, code=error.code().name,
                            headers={"Retry-After": "60"} if status == 429 else None)


def unauthenticated_problem() -> Response:
    return problem_response(401, t("log in, or present an API key"),
                            headers={"WWW-Authenticate": 'Bearer realm="crm"'})
