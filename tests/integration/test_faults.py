"""Faults (issue #2, item 6): every event applied exactly once while the broker restarts and consumers die.

Leads are created at a steady rate while RabbitMQ is stopped and started (`rabbitmqctl stop_app/start_app`)
and while consumer processes are killed with SIGKILL and restarted. Afterwards:
- no CreateLead failed (the outbox takes events while the broker is away),
- every lead was resolved to a customer (nothing lost),
- analytics counted every lead exactly once (nothing doubled: its counter is not idempotent by itself, only
  the kernel's inbox makes it so),
- no dead letters.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
import time

import grpc
import pytest
from sqlalchemy import create_engine, text

from crm.analytics.v1 import analytics_pb2, analytics_pb2_grpc
from crm.common.v1.common_pb2 import Date
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from tests.integration.helpers import eventually, new_tenant, stub

pytestmark = pytest.mark.integration

LEADS = 300


def _today() -> Date:
    today = dt.datetime.now(dt.UTC).date()
    return Date(year=today.year, month=today.month, day=today.day)


def test_events_survive_broker_restart_and_consumer_kills(cluster, pg_url):
    for name in ("identity", "leads", "analytics"):
        cluster.start(name)
    tenant = new_tenant()
    leads = stub(cluster, "leads", leads_pb2_grpc.LeadsServiceStub, tenant=tenant, roles=("sales",), subject="rep")
    created: list[str] = []
    failures: list[str] = []

    def produce() -> None:
        for i in range(LEADS):
            request = leads_pb2.CreateLeadRequest(
                name=f"Lead {i}", email=f"lead{i}@faults.test", channel="Faults", request_id=f"req-{i}"
            )
            for _ in range(20):
                try:
                    created.append(leads.CreateLead(request).lead.id)
                    break
                except grpc.RpcError as error:
                    failures.append(f"{i}: {error.code().name} {error.details()}")
                    time.sleep(0.2)
            time.sleep(0.02)

    producer = threading.Thread(target=produce)
    producer.start()
    try:
        eventually(lambda: len(created) >= LEADS // 5, what="first leads created")
        subprocess.run(["rabbitmqctl", "-q", "stop_app"], check=True, timeout=120)
        # Health is real: without its broker a service reports NOT_SERVING (leads keep arriving meanwhile).
        eventually(lambda: not cluster.is_serving("leads"), timeout=20, what="leads NOT_SERVING without broker")
    finally:
        subprocess.run(["rabbitmqctl", "-q", "start_app"], check=True, timeout=120)
    eventually(lambda: cluster.is_serving("leads"), timeout=30, what="leads SERVING again")
    eventually(lambda: len(created) >= LEADS // 2, what="half the leads created")
    cluster.kill("analytics")
    time.sleep(1)
    cluster.start("analytics", wait=False)
    eventually(lambda: len(created) >= 3 * LEADS // 4, what="three quarters created")
    cluster.kill("identity")
    cluster.start("identity", wait=False)
    producer.join(timeout=300)

    assert failures == []
    assert len(set(created)) == LEADS

    engine = create_engine(pg_url)

    def resolved() -> int:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT count(*) FROM leads.lead WHERE tenant_id = :t AND customer_id <> ''"), {"t": tenant}
            ).scalar_one()

    eventually(lambda: resolved() == LEADS, timeout=120, interval=0.5, what=f"all {LEADS} leads resolved")
    with engine.connect() as connection:
        links = connection.execute(
            text("SELECT count(*), count(DISTINCT record_id) FROM identity.source_record WHERE tenant_id = :t"),
            {"t": tenant},
        ).one()
    engine.dispose()
    assert tuple(links) == (LEADS, LEADS)

    analytics = stub(cluster, "analytics", analytics_pb2_grpc.AnalyticsServiceStub, tenant=tenant)
    cluster.wait_serving("analytics")

    def counted() -> int:
        request = analytics_pb2.GetLeadIntakeRequest(start_date=_today(), end_date=_today())
        return analytics.GetLeadIntake(request).total

    eventually(lambda: counted() >= LEADS, timeout=120, interval=0.5, what="analytics counted every lead")
    time.sleep(3)  # late redeliveries, if the inbox failed, would show up now
    assert counted() == LEADS

    dead = cluster.crm("events", "dlq", "list").stdout
    assert dead.strip() == ""
