"""A call whose caller has gone gets no further statements (ADR 0031): the cancel ends the statement running at that
moment, and a handler caught between statements (busy in Python, or a loop of short statements) is stopped at its
next session statement, flush or commit instead of running to its end."""

from __future__ import annotations

import time

import grpc
import pytest
from grpc_health.v1 import health_pb2
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from services.core.db import utcnow
from services.core.grpc_server import build_server
from services.core.kernel_models import InboxRecord
from tests.unit.conftest import TOKEN_KEY, token


def _select(session: Session, _step: int) -> None:
    session.execute(text("SELECT 1"))


def _flush(session: Session, step: int) -> None:
    session.add(InboxRecord(consumer="slow", event_id=f"event-{step}"))
    session.flush()


def _commit_direct(session: Session, step: int) -> None:
    """A statement on the session's connection (as the hot intake paths run them), then a commit."""
    session.connection().execute(insert(InboxRecord.__table__).values(consumer="slow", event_id=f"event-{step}",
                                                                      processed_at=utcnow()))
    session.commit()


@pytest.mark.parametrize("statement", [_select, _flush, _commit_direct], ids=["query", "flush", "commit"])
def test_a_handler_between_statements_is_stopped_at_its_next_one(migrated_database, statement):
    database = migrated_database("leads")
    executed: list[float] = []

    def slow_loop(request, context):  # noqa: ANN001, ANN202
        with database.session("t1") as session:
            for step in range(60):  # 3 s of short statements with Python work between them
                statement(session, step)
                executed.append(time.monotonic())
                time.sleep(0.05)
        return health_pb2.HealthCheckResponse()

    def add_to_server(_servicer, server) -> None:  # noqa: ANN001
        handler = grpc.unary_unary_rpc_method_handler(
            slow_loop, request_deserializer=health_pb2.HealthCheckRequest.FromString,
            response_serializer=health_pb2.HealthCheckResponse.SerializeToString)
        server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("crm.test.v1.Slow", {"Loop": handler})])

    server, _health = build_server(token_key=TOKEN_KEY, servicers=[(add_to_server, None)], service_names=[])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            loop = channel.unary_unary("/crm.test.v1.Slow/Loop",
                                       request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                                       response_deserializer=health_pb2.HealthCheckResponse.FromString)
            with pytest.raises(grpc.RpcError) as failure:
                loop(health_pb2.HealthCheckRequest(), timeout=0.3,
                     metadata=[("authorization", f"Bearer {token('manager')}")])
            assert failure.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            ended = time.monotonic()
            time.sleep(1)
    finally:
        server.stop(None)
    assert executed, "the handler ran"
    assert max(executed) < ended + 0.2, f"{sum(t > ended for t in executed)} statements after the caller had gone"
