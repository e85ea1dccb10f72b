"""Signed caller tokens (JWT, HS256) and the caller of the current request.

The gateway mints user tokens after login; services mint service tokens when they call a peer or act on an
event. Every service verifies the token and enforces roles and ownership itself.
"""

from __future__ import annotations

import contextvars
import time
from dataclasses import dataclass, field

import jwt

from services.core.errors import PermissionDenied, Unauthenticated
from services.core.i18n import t

ISSUER = "crm"
ROLES = ("sales", "service_agent", "marketing", "manager", "admin", "auditor")
DEFAULT_TTL_SECONDS = 3600


@dataclass(frozen=True)
class Caller:
    tenant_id: str
    subject: str  # user id, or service name for service callers
    kind: str  # "user" or "service"
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_service(self) -> bool:
        return self.kind == "service"

    def has_any_role(self, *roles: str) -> bool:
        return self.is_service or bool(self.roles.intersection(roles))

    def may_read_owned(self, owner_id: str, *see_all_roles: str) -> bool:
        """Record-level read rule (R-SEC-2): the record's owner, or a caller whose role sees every record."""
        return (bool(owner_id) and owner_id == self.subject) or self.has_any_role(*see_all_roles)

    def require_role(self, *roles: str) -> None:
        if not self.has_any_role(*roles):
            raise PermissionDenied(t("requires one of the roles: {roles}", roles=", ".join(roles)))


def mint_token(
    key: str,
    *,
    tenant_id: str,
    subject: str,
    kind: str = "user",
    roles: tuple[str, ...] | list[str] = (),
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
) -> str:
    if kind not in ("user", "service"):
        raise ValueError(f"unknown caller kind {kind!r}")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": subject,
        "tenant": tenant_id,
        "kind": kind,
        "roles": sorted(roles),
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, key, algorithm="HS256")


def verify_token(key: str, token: str) -> Caller:
    try:
        claims = jwt.decode(
            token, key, algorithms=["HS256"], issuer=ISSUER, options={"require": ["exp", "sub", "iss"]}
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated(t("caller token has expired")) from None
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated(t("invalid caller token: {reason}", reason=str(exc))) from None
    tenant = claims.get("tenant")
    if not isinstance(tenant, str) or not tenant:
        raise Unauthenticated(t("caller token carries no tenant"))
    return Caller(
        tenant_id=tenant,
        subject=claims["sub"],
        kind=claims.get("kind", "user"),
        roles=frozenset(claims.get("roles", [])),
    )


_current_caller: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("crm_caller", default=None)


def current_caller() -> Caller:
    caller = _current_caller.get()
    if caller is None:
        raise Unauthenticated(t("no caller token"))
    return caller


def set_caller(caller: Caller | None) -> contextvars.Token:
    return _current_caller.set(caller)


def reset_caller(token: contextvars.Token) -> None:
    _current_caller.reset(token)
