"""gRPC errors as HTTP answers: RFC 9457 problem details, with the field violations carried over."""

from __future__ import annotations

import grpc
from flask import Response, jsonify
from google.rpc import error_details_pb2
from grpc_status import rpc_status

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


def problem(error: grpc.RpcError) -> Response:
    status = http_status_of(error)
    body = {"type": "about:blank", "title": error.code().name.replace("_", " ").capitalize(), "status": status,
            "detail": message_of(error) if status < 500 else "the service is unavailable; try again later"}
    violations = field_violations(error)
    if violations:
        body["errors"] = violations
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    if status == 429:
        response.headers["Retry-After"] = "60"
    return response
