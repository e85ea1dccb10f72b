"""A gRPC call whose caller has gone stops its database work (ADR 0031), on real PostgreSQL: the leads service's
CreateLead, stuck behind a lock another session holds on the lead table."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import psycopg
import pytest
from prometheus_client import REGISTRY

from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.auth import mint_token
from services.core.db import Database
from services.core.settings import Settings
from tests.integration.conftest import TOKEN_KEY
from tests.served import served

TENANT = "t-abandon"


@pytest.fixture
def leads(scratch_leads_database: Database, tmp_path: Path) -> Iterator[leads_pb2_grpc.LeadsServiceStub]:
    settings = Settings(data_dir=tmp_path, database_url=scratch_leads_database.url, bus_url="memory://",
                        token_key=TOKEN_KEY, grpc_port=0, metrics_port=0, http_port=0, log_level="INFO")
    with served("leads", settings, scratch_leads_database) as service:
        yield leads_pb2_grpc.LeadsServiceStub(service.channel)


def create_lead(stub: leads_pb2_grpc.LeadsServiceStub, email: str, timeout: float) -> leads_pb2.Lead:
    token = mint_token(TOKEN_KEY, tenant_id=TENANT, subject="rep-1", roles=["sales"], ttl_seconds=600)
    request = leads_pb2.CreateLeadRequest(name="Wen Li", email=email, channel="Web")
    return stub.CreateLead(request, metadata=[("authorization", f"Bearer {token}")], timeout=timeout).lead


def waiting_on_locks(admin: psycopg.Connection, database_name: str) -> int:
    return admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                         (database_name,)).fetchone()[0]


def abandoned_count() -> float:
    return REGISTRY.get_sample_value("crm_grpc_abandoned_total",
                                     {"grpc_service": "crm.leads.v1.LeadsService", "grpc_method": "CreateLead"}) or 0


def test_a_call_past_its_deadline_gives_up_its_lock_wait_and_writes_nothing(leads, scratch_leads_database):
    url = scratch_leads_database.url.replace("postgresql+psycopg://", "postgresql://")
    database_name = url.rsplit("/", 1)[1]
    create_lead(leads, "first@example.com", timeout=10)  # warm: the service's connections exist
    abandoned_before = abandoned_count()
    with psycopg.connect(url) as blocker, psycopg.connect(url, autocommit=True) as admin:
        blocker.execute("LOCK TABLE leads.lead IN ACCESS EXCLUSIVE MODE")  # held until the end of the block

        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as failure:
            create_lead(leads, "stuck@example.com", timeout=1)
        assert failure.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert time.monotonic() - started < 3

        # The handler's statement is cancelled soon after the deadline, with the lock still held by the blocker.
        deadline = time.monotonic() + 5
        while waiting_on_locks(admin, database_name) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waiting_on_locks(admin, database_name) == 0
        assert abandoned_count() == abandoned_before + 1
        blocker.rollback()

    # The abandoned call wrote nothing, even now that the lock is gone: a retry by the caller does the work once.
    time.sleep(0.5)
    with psycopg.connect(url, autocommit=True) as reader:
        stored = reader.execute("SELECT count(*) FROM leads.lead WHERE email = 'stuck@example.com'").fetchone()[0]
    assert stored == 0
    assert create_lead(leads, "stuck@example.com", timeout=10).email == "stuck@example.com"


def test_a_call_within_its_deadline_waits_for_the_lock_and_succeeds(leads, scratch_leads_database):
    """The cancel is for calls whose caller has gone, not for calls that merely wait."""
    url = scratch_leads_database.url.replace("postgresql+psycopg://", "postgresql://")
    abandoned_before = abandoned_count()
    with psycopg.connect(url) as blocker:
        blocker.execute("LOCK TABLE leads.lead IN ACCESS EXCLUSIVE MODE")
        threading.Timer(1.0, blocker.rollback).start()
        lead = create_lead(leads, "patient@example.com", timeout=10)
    assert lead.email == "patient@example.com"
    assert abandoned_count() == abandoned_before
