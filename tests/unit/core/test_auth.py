"""Caller tokens: HS256 JWTs carrying tenant, subject, kind and roles."""

from __future__ import annotations

import time

import jwt
import pytest

from services.core.auth import (
    Caller,
    current_caller,
    mint_token,
    reset_caller,
    set_caller,
    verify_token,
)
from services.core.errors import PermissionDenied, Unauthenticated

KEY = "a" * 40
OTHER_KEY = "b" * 40


def test_mint_verify_round_trip():
    token = mint_token(KEY, tenant_id="t1", subject="u7", roles=["sales", "manager"])

    caller = verify_token(KEY, token)

    assert caller == Caller(tenant_id="t1", subject="u7", kind="user", roles=frozenset({"sales", "manager"}))
    assert not caller.is_service


def test_service_token_round_trip():
    caller = verify_token(KEY, mint_token(KEY, tenant_id="t2", subject="identity", kind="service"))
    assert caller.is_service and caller.tenant_id == "t2" and caller.subject == "identity"


def test_expired_token_is_rejected():
    token = mint_token(KEY, tenant_id="t1", subject="u1", ttl_seconds=-5)
    with pytest.raises(Unauthenticated, match="expired"):
        verify_token(KEY, token)


def test_token_signed_with_another_key_is_rejected():
    token = mint_token(OTHER_KEY, tenant_id="t1", subject="u1", roles=["admin"])
    with pytest.raises(Unauthenticated, match="invalid"):
        verify_token(KEY, token)


@pytest.mark.parametrize("garbage", ["", "not-a-jwt", "a.b.c"])
def test_garbage_is_rejected(garbage):
    with pytest.raises(Unauthenticated):
        verify_token(KEY, garbage)


def _claims(**overrides):
    now = int(time.time())
    claims = {"iss": "crm", "sub": "u1", "tenant": "t1", "kind": "user", "roles": [], "iat": now, "exp": now + 60}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.mark.parametrize("tenant", [None, "", 42])
def test_token_without_tenant_is_rejected(tenant):
    token = jwt.encode(_claims(tenant=tenant), KEY, algorithm="HS256")
    with pytest.raises(Unauthenticated, match="tenant"):
        verify_token(KEY, token)


def test_token_of_another_issuer_or_without_expiry_is_rejected():
    with pytest.raises(Unauthenticated):
        verify_token(KEY, jwt.encode(_claims(iss="someone-else"), KEY, algorithm="HS256"))
    with pytest.raises(Unauthenticated):
        verify_token(KEY, jwt.encode(_claims(exp=None), KEY, algorithm="HS256"))


def test_unsigned_token_is_rejected():
    token = jwt.encode(_claims(roles=["admin"]), None, algorithm="none")
    with pytest.raises(Unauthenticated):
        verify_token(KEY, token)


def test_unknown_role_or_kind_is_rejected_at_mint():
    with pytest.raises(ValueError, match="superuser"):
        mint_token(KEY, tenant_id="t1", subject="u1", roles=["sales", "superuser"])
    with pytest.raises(ValueError, match="robot"):
        mint_token(KEY, tenant_id="t1", subject="u1", kind="robot")


def test_require_role():
    rep = Caller("t1", "u1", "user", frozenset({"sales"}))
    rep.require_role("sales", "manager")
    with pytest.raises(PermissionDenied, match="manager"):
        rep.require_role("manager", "admin")
    with pytest.raises(PermissionDenied):
        Caller("t1", "u1", "user").require_role("sales")
    # Services act on behalf of the platform (event handlers, peer calls) and pass role checks.
    Caller("t1", "leads", "service").require_role("admin")


def test_current_caller_is_context_local():
    with pytest.raises(Unauthenticated):
        current_caller()
    caller = Caller("t1", "u1", "user")
    reset_token = set_caller(caller)
    try:
        assert current_caller() is caller
    finally:
        reset_caller(reset_token)
    with pytest.raises(Unauthenticated):
        current_caller()
