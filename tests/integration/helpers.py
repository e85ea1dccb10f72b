"""Small helpers for integration tests: tokens, stubs, waiting for eventual consistency."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import TypeVar

import grpc

from services.core.auth import mint_token
from tests.integration.conftest import TOKEN_KEY, Cluster

T = TypeVar("T")


def new_tenant() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


def stub(cluster: Cluster, service: str, stub_class: type[T], *, tenant: str, roles: tuple[str, ...] = ("manager",),
         subject: str = "tester") -> T:
    token = mint_token(TOKEN_KEY, tenant_id=tenant, subject=subject, roles=roles)
    channel = grpc.intercept_channel(
        grpc.insecure_channel(f"127.0.0.1:{cluster.ports[service]}"), _Bearer(token)
    )
    return stub_class(channel)


class _Bearer(grpc.UnaryUnaryClientInterceptor):
    def __init__(self, token: str):
        self.token = token

    def intercept_unary_unary(self, continuation, details, request):  # noqa: ANN001, ANN201
        metadata = [*(details.metadata or []), ("authorization", f"Bearer {self.token}")]
        return continuation(details._replace(metadata=metadata, timeout=details.timeout or 10), request)


def eventually(check: Callable[[], T], *, timeout: float = 60, interval: float = 0.2, what: str = "condition") -> T:
    """Poll `check` until it returns a truthy value; fail with the last value seen."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout}s (last: {last!r})")
