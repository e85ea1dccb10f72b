"""Domain errors. The gRPC layer maps them to status codes; callers never see a stack trace."""

from __future__ import annotations

import re
from dataclasses import dataclass

import grpc

from services.core.i18n import Text, t


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str | Text


class DomainError(Exception):
    """`message` is shown to callers: write it with services.core.i18n.t so it can be translated."""

    code: grpc.StatusCode = grpc.StatusCode.UNKNOWN

    def __init__(self, message: str | Text):
        super().__init__(str(message))
        self.message = message


class InvalidArgument(DomainError):
    code = grpc.StatusCode.INVALID_ARGUMENT

    def __init__(self, violations: list[FieldViolation] | FieldViolation, message: str | Text | None = None):
        self.violations = [violations] if isinstance(violations, FieldViolation) else list(violations)
        summary = "; ".join(f"{v.field}: {v.description}" for v in self.violations)
        super().__init__(message or t("invalid request: {summary}", summary=summary))


class NotFound(DomainError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(DomainError):
    code = grpc.StatusCode.ALREADY_EXISTS


class FailedPrecondition(DomainError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class PermissionDenied(DomainError):
    code = grpc.StatusCode.PERMISSION_DENIED


class ResourceExhausted(DomainError):
    """A quota or rate limit was hit; the caller may retry later."""

    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class Unauthenticated(DomainError):
    code = grpc.StatusCode.UNAUTHENTICATED


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9(][0-9 ()\-]{4,30}$")


class Validator:
    """Collects every field violation of a request before failing, so a caller fixes all of them at once."""

    def __init__(self) -> None:
        self.violations: list[FieldViolation] = []

    def check(self, condition: bool, field: str, description: str | Text) -> bool:
        if not condition:
            self.violations.append(FieldViolation(field, description))
        return condition

    def require(self, value: str, field: str, max_length: int | None = None) -> bool:
        if not self.check(bool(value and value.strip()), field, t("is required")):
            return False
        return self.at_most(value, field, max_length) if max_length is not None else True

    def at_most(self, value: str, field: str, max_length: int) -> bool:
        """An optional text's length limit (characters, not bytes)."""
        return self.check(len(value) <= max_length, field, t("must be at most {max} characters", max=max_length))

    def email(self, value: str, field: str = "email") -> bool:
        """A person's e-mail address (stripped), as every service accepts it: something@domain.tld, at most 254."""
        return self.check(len(value) <= 254 and bool(EMAIL.match(value)), field, t("is not an e-mail address"))

    def phone(self, value: str, field: str = "phone") -> bool:
        """A phone number (stripped): digits with an optional +, spaces, brackets and dashes, 5 to 31 characters."""
        return self.check(bool(PHONE.match(value)), field, t("is not a phone number"))

    def raise_if_any(self) -> None:
        if self.violations:
            raise InvalidArgument(self.violations)
