"""Fixtures shared by the service unit tests: callers, the outbox, and an in-process gRPC server.

`grpc_service(name)` works for every service; `migrated_database(name)` comes from tests/unit/conftest.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import grpc
import pytest
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from sqlalchemy import select

from crm.events.v1.envelope_pb2 import Envelope
from services.core.auth import Caller, mint_token
from services.core.db import Database
from services.core.events import unpack
from services.core.kernel_models import OutboxMessage
from services.core.settings import Settings
from tests.served import served

TOKEN_KEY = "unit-test-token-key-of-at-least-32-characters"


def make_caller(*roles: str, tenant: str = "t1", subject: str = "u1", kind: str = "user") -> Caller:
    return Caller(tenant_id=tenant, subject=subject, kind=kind, roles=frozenset(roles))


@pytest.fixture
def caller() -> Callable[..., Caller]:
    """caller("sales", tenant="t1", subject="u1") -> a user Caller with those roles."""
    return make_caller


@pytest.fixture
def outbox_events() -> Callable[[Database, type[Message]], list[tuple[str, Message]]]:
    """outbox_events(database, PayloadClass) -> [(tenant_id, payload)] waiting in crm_outbox, oldest first."""

    def _read(database: Database, payload_cls: type[Message]) -> list[tuple[str, Message]]:
        with database.kernel_session() as session:
            rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
            events = []
            for row in rows:
                envelope = Envelope.FromString(row.body)
                assert envelope.type == row.event_type
                if envelope.payload.Is(payload_cls.DESCRIPTOR):
                    events.append((envelope.tenant_id, unpack(envelope, payload_cls)))
            return events

    return _read


@dataclass
class RunningService:
    """A service's servicer behind the kernel interceptor on a local port, with its database."""

    database: Database
    channel: grpc.Channel
    address: str = ""  # host:port, for clients that dial themselves (the gateway)

    @staticmethod
    def metadata(*roles: str, tenant: str = "t1", subject: str = "u1", kind: str = "user") -> list[tuple[str, str]]:
        token = mint_token(TOKEN_KEY, tenant_id=tenant, subject=subject, kind=kind, roles=roles)
        return [("authorization", f"Bearer {token}")]

    @staticmethod
    def violations(error: grpc.RpcError) -> dict[str, str]:
        """The google.rpc.BadRequest field violations of a failed call: {field: description}."""
        status = rpc_status.from_call(error)
        found: dict[str, str] = {}
        for detail in status.details if status is not None else []:
            bad_request = error_details_pb2.BadRequest()
            if detail.Unpack(bad_request):
                found.update({v.field: v.description for v in bad_request.field_violations})
        return found


@pytest.fixture
def grpc_service(tmp_path, migrated_database) -> Iterator[Callable[[str], RunningService]]:
    """grpc_service(name) -> RunningService; create the stub with `XServiceStub(service.channel)`."""
    with contextlib.ExitStack() as running:

        def _start(name: str) -> RunningService:
            database = migrated_database(name)
            settings = Settings(data_dir=tmp_path, database_url=database.url, bus_url="memory://",
                                token_key=TOKEN_KEY, grpc_port=0, metrics_port=0, http_port=0, log_level="INFO")
            service = running.enter_context(served(name, settings, database))
            return RunningService(database=database, channel=service.channel, address=service.address)

        yield _start
