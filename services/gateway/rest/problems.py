"""Problems raised inside REST views and domain errors of the gateway's own endpoints (the builders live in
services/gateway/problems.py)."""

from __future__ import annotations

from flask import Response

from services.core.errors import DomainError, InvalidArgument
from services.core.i18n import Text
from services.gateway.problems import HTTP_STATUS, problem_response


class Problem(Exception):
    """Raised anywhere in a REST view; answered as problem+json."""

    def __init__(self, status: int, detail: str | Text = "", errors: list[tuple[str, str | Text]] = ()):
        super().__init__(str(detail))
        self.status, self.detail, self.errors = status, detail, list(errors)

    def response(self) -> Response:
        return problem_response(self.status, self.detail, self.errors)


def domain_problem(error: DomainError) -> Response:
    """A domain error raised in the gateway itself (the admin endpoints), like the services' over gRPC."""
    status = HTTP_STATUS.get(error.code, 500)
    if status >= 500:
        raise error
    violations = error.violations if isinstance(error, InvalidArgument) else []
    return problem_response(status, error.message, [(v.field, v.description) for v in violations])
