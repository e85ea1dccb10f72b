"""A gRPC call whose caller has gone stops its database work (ADR 0031): on SQLite (the all-in-one), a CreateLead
waiting for another connection's write lock gives up when its deadline passes. PostgreSQL:
tests/integration/test_abandoned_calls_pg.py."""

from __future__ import annotations

import sqlite3
import time

import grpc
import pytest

from crm.leads.v1 import leads_pb2, leads_pb2_grpc


def create(service, email: str, timeout: float) -> leads_pb2.Lead:  # noqa: ANN001
    request = leads_pb2.CreateLeadRequest(name="Wen Li", email=email, channel="Web")
    return leads_pb2_grpc.LeadsServiceStub(service.channel).CreateLead(
        request, metadata=service.metadata("sales"), timeout=timeout).lead


def test_a_call_past_its_deadline_stops_waiting_for_the_write_lock_and_writes_nothing(grpc_service):
    service = grpc_service("leads")
    create(service, "first@example.com", timeout=10)
    path = service.database.url.removeprefix("sqlite:///")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # the database's write lock, held: the service waits up to 30 s for it
    try:
        with pytest.raises(grpc.RpcError) as failure:
            create(service, "stuck@example.com", timeout=1)
        assert failure.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        time.sleep(0.5)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    time.sleep(0.5)  # a handler still waiting would now get the lock and write
    reader = sqlite3.connect(path)
    try:
        assert reader.execute("SELECT count(*) FROM lead WHERE email = 'stuck@example.com'").fetchone()[0] == 0
    finally:
        reader.close()
