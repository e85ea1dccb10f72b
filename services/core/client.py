"""Calling a peer service: a channel with a retry policy, a deadline on every call, the caller token attached.

    leads = connect("leads", LeadsServiceStub, settings)
    leads.GetLead(GetLeadRequest(id=...))

Inside a request, the incoming user's token is forwarded (the peer enforces the same user's rights) and the
deadline shrinks to what the incoming call has left; inside an event handler, a short-lived service token for
the event's tenant is minted.
"""

from __future__ import annotations

import json
import time
from typing import TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.core.auth import current_caller, mint_token
from services.core.grpc_server import KEEPALIVE, Keepalive, incoming_call
from services.core.settings import Settings

StubT = TypeVar("StubT")

DEFAULT_TIMEOUT_SECONDS = 5.0

# Transparent retries of calls that never reached a server, with exponential back-off (gRPC A6 retry design).
_SERVICE_CONFIG = json.dumps(
    {
        "methodConfig": [
            {
                "name": [{}],
                "retryPolicy": {
                    "maxAttempts": 4,
                    "initialBackoff": "0.1s",
                    "maxBackoff": "2s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ]
    }
)


class _CallerInterceptor(grpc.UnaryUnaryClientInterceptor):
    def __init__(self, token_key: str, fixed_token: str | None, default_timeout: float):
        self.token_key = token_key
        self.fixed_token = fixed_token
        self.default_timeout = default_timeout
        self._service_tokens: dict[tuple[str, str], tuple[str, float]] = {}

    def intercept_unary_unary(self, continuation, client_call_details, request):  # noqa: ANN001, ANN201
        metadata = [m for m in (client_call_details.metadata or []) if m[0] != "authorization"]
        metadata.append(("authorization", f"Bearer {self._token()}"))
        timeout = client_call_details.timeout or self.default_timeout
        incoming = incoming_call.get()
        if incoming is not None and incoming.time_remaining() is not None:
            timeout = min(timeout, incoming.time_remaining())
        details = client_call_details._replace(metadata=metadata, timeout=timeout)
        return continuation(details, request)

    def _token(self) -> str:
        if self.fixed_token:
            return self.fixed_token
        incoming = incoming_call.get()
        if incoming is not None:
            for key, value in incoming.invocation_metadata():
                if key == "authorization":
                    return value.partition(" ")[2]
        caller = current_caller()
        cache_key = (caller.tenant_id, caller.subject)
        token, expires = self._service_tokens.get(cache_key, ("", 0.0))
        if time.time() > expires - 60:
            token = mint_token(self.token_key, tenant_id=caller.tenant_id, subject=caller.subject, kind="service",
                               ttl_seconds=600)
            self._service_tokens[cache_key] = (token, time.time() + 600)
        return token


def health_of(address: str, timeout: float = 1.0, service: str = "") -> str:
    """A service's gRPC health, overall or of the health check name `service`: "SERVING", "NOT_SERVING", or
    "UNREACHABLE (<code>)"."""
    with open_channel(address) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service),
                                                              timeout=timeout)
        except grpc.RpcError as error:
            return f"UNREACHABLE ({error.code().name})"
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


def open_channel(target: str, keepalive: Keepalive = KEEPALIVE) -> grpc.Channel:
    return grpc.insecure_channel(
        target,
        options=[
            ("grpc.enable_retries", 1),
            ("grpc.service_config", _SERVICE_CONFIG),
            *keepalive.client_options(),
        ],
    )


def connect(
    service: str,
    stub_class: type[StubT],
    settings: Settings,
    *,
    token: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> StubT:
    """A typed stub for `service` at CRM_<SERVICE>_ADDR. `token` pins the caller token (scripts, tests)."""
    channel = grpc.intercept_channel(
        open_channel(settings.addr_of(service)), _CallerInterceptor(settings.token_key, token, timeout)
    )
    return stub_class(channel)
