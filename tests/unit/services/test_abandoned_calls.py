"""A gRPC call whose caller has gone stops its database work (ADR 0031): on SQLite (the all-in-one), a CreateLead
waiting for another connection's write lock gives up when its deadline passes. PostgreSQL:
tests/integration/test_abandoned_calls_pg.py."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core import abandoned


def create(service, email: str, timeout: float) -> leads_pb2.Lead:  # noqa: ANN001
    request = leads_pb2.CreateLeadRequest(name="Wen Li", email=email, channel="Web")
    return leads_pb2_grpc.LeadsServiceStub(service.channel).CreateLead(
        request, metadata=service.metadata("sales"), timeout=timeout).lead


@contextlib.contextmanager
def write_locked(path: str) -> Iterator[None]:
    """The SQLite database's write lock, held by another connection: the service waits up to 30 s for it."""
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_a_call_past_its_deadline_stops_waiting_for_the_write_lock_and_writes_nothing(grpc_service):
    service = grpc_service("leads")
    create(service, "first@example.com", timeout=10)
    path = service.database.url.removeprefix("sqlite:///")
    with write_locked(path):
        with pytest.raises(grpc.RpcError) as failure:
            create(service, "stuck@example.com", timeout=1)
        assert failure.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        time.sleep(0.5)
    time.sleep(0.5)  # a handler still waiting would now get the lock and write
    reader = sqlite3.connect(path)
    try:
        assert reader.execute("SELECT count(*) FROM lead WHERE email = 'stuck@example.com'").fetchone()[0] == 0
    finally:
        reader.close()


def test_a_slow_cancel_does_not_hold_up_the_server(grpc_service, monkeypatch):
    """The cancel is sent from a thread of its own: gRPC runs the end-of-call callback in the thread that serves
    every call, and a cancel may wait for a database that does not answer."""
    service = grpc_service("leads")
    create(service, "first@example.com", timeout=10)
    slow_cancel = abandoned._cancel

    def unanswered(connection) -> None:  # noqa: ANN001
        time.sleep(2)
        slow_cancel(connection)

    monkeypatch.setattr(abandoned, "_cancel", unanswered)
    with write_locked(service.database.url.removeprefix("sqlite:///")):
        with pytest.raises(grpc.RpcError):
            create(service, "stuck@example.com", timeout=0.5)
        started = time.monotonic()
        health = health_pb2_grpc.HealthStub(service.channel).Check(health_pb2.HealthCheckRequest(), timeout=1.5)
        assert health.status == health_pb2.HealthCheckResponse.NOT_SERVING  # answered (nothing marked it SERVING)
        assert time.monotonic() - started < 1
