"""RFC 9457 problem details for everything under /api (gRPC errors: services/gateway/problems.py)."""

from __future__ import annotations

from http import HTTPStatus

import grpc
from flask import Response, jsonify

from services.core.errors import DomainError, InvalidArgument
from services.core.i18n import Text, localize, t
from services.gateway.principal import current_locale
from services.gateway.problems import HTTP_STATUS, field_violations, http_status_of, message_of

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """Raised anywhere in a REST view; answered as problem+json."""

    def __init__(self, status: int, detail: str | Text = "", errors: list[tuple[str, str | Text]] = ()):
        super().__init__(str(detail))
        self.status, self.detail, self.errors = status, detail, list(errors)

    def response(self) -> Response:
        return problem_response(self.status, self.detail, self.errors)


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


def domain_problem(error: DomainError) -> Response:
    """A domain error raised in the gateway itself (the admin endpoints), like the services' over gRPC."""
    status = HTTP_STATUS.get(error.code, 500)
    if status >= 500:
        raise error
    violations = error.violations if isinstance(error, InvalidArgument) else []
    return problem_response(status, error.message, [(v.field, v.description) for v in violations])


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


UNAVAILABLE = t("The service is unavailable; try again later.")
