"""Faults (issue #2, item 6): every event applied exactly once while the broker restarts and consumers die, and
while the database is out of reach.

Leads are created at a steady rate while RabbitMQ is stopped and started (`rabbitmqctl stop_app/start_app`)
and while consumer processes are killed with SIGKILL and restarted. Afterwards:
- no CreateLead failed (the outbox takes events while the broker is away),
- every lead was resolved to a customer (nothing lost),
- analytics counted every lead exactly once (nothing doubled: its counter is not idempotent by itself, only
  the kernel's inbox makes it so),
- no dead letters.

Killing the producing service (leads) while it writes and relays events, with its callers retrying, loses and
doubles nothing either.

A database outage longer than the whole retry schedule loses no event either: consumers hold their events until
the database answers again instead of spending retries on them (ADR 0027).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
import time

import grpc
import psycopg
import pytest
from sqlalchemy import create_engine, text

from crm.analytics.v1 import analytics_pb2, analytics_pb2_grpc
from crm.common.v1.common_pb2 import Date
from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.client import health_of
from services.core.devcluster import Cluster
from services.core.grpc_server import LIVENESS
from tests.integration.conftest import PG_ADMIN
from tests.integration.helpers import eventually, new_tenant, stub

pytestmark = pytest.mark.integration

LEADS = 300


def _today() -> Date:
    today = dt.datetime.now(dt.UTC).date()
    return Date(year=today.year, month=today.month, day=today.day)


class Producer:
    """CreateLead at a steady pace in a thread of its own. A failed call is retried with the same request id, as a
    client does after an UNAVAILABLE, until it succeeds; every failure on the way is kept."""

    def __init__(self, cluster: Cluster, tenant: str, total: int, tag: str):
        self.total = total
        self.tag = tag
        self.leads = stub(cluster, "leads", leads_pb2_grpc.LeadsServiceStub, tenant=tenant, roles=("sales",),
                          subject="rep")
        self.created: list[str] = []
        self.failures: list[tuple[int, str, str]] = []  # (lead number, code, details)
        self.thread = threading.Thread(target=self._produce)
        self.thread.start()

    def _produce(self) -> None:
        for i in range(self.total):
            request = leads_pb2.CreateLeadRequest(name=f"Lead {i}", email=f"{self.tag}{i}@faults.test",
                                                  channel="Faults", request_id=f"{self.tag}-{i}")
            patience = time.monotonic() + 120
            while time.monotonic() < patience:
                try:
                    self.created.append(self.leads.CreateLead(request, timeout=10).lead.id)
                    break
                except grpc.RpcError as error:
                    self.failures.append((i, error.code().name, error.details()))
                    time.sleep(0.2)
            time.sleep(0.02)

    def wait_for(self, count: int, what: str) -> None:
        eventually(lambda: len(self.created) >= count, timeout=120, what=what)

    def finish(self) -> None:
        self.thread.join(timeout=300)
        assert len(self.created) == self.total, "some CreateLead never succeeded"
        assert len(set(self.created)) == self.total  # a retried request id gave the lead of its first success


def assert_each_lead_applied_once(cluster: Cluster, pg_url: str, tenant: str, total: int) -> None:
    """Every lead resolved to a customer (nothing lost), one source record each, counted once by analytics (whose
    counter is not idempotent by itself: only its inbox keeps a duplicate out), and no dead letters."""
    engine = create_engine(pg_url)

    def count(sql: str) -> tuple:
        with engine.connect() as connection:
            return tuple(connection.execute(text(sql), {"t": tenant}).one())

    eventually(lambda: count("SELECT count(*) FROM leads.lead WHERE tenant_id = :t AND customer_id <> ''")
               == (total,), timeout=120, interval=0.5, what=f"all {total} leads resolved")
    assert count("SELECT count(*) FROM leads.lead WHERE tenant_id = :t") == (total,)
    assert count("SELECT count(*), count(DISTINCT record_id) FROM identity.source_record WHERE tenant_id = :t") \
        == (total, total)
    engine.dispose()

    analytics = stub(cluster, "analytics", analytics_pb2_grpc.AnalyticsServiceStub, tenant=tenant)
    cluster.wait_serving("analytics")

    def counted() -> int:
        return analytics.GetLeadIntake(analytics_pb2.GetLeadIntakeRequest(start_date=_today(), end_date=_today())).total

    eventually(lambda: counted() >= total, timeout=120, interval=0.5, what="analytics counted every lead")
    time.sleep(3)  # late redeliveries or re-publications, if an inbox failed, would show up now
    assert counted() == total
    assert cluster.crm("events", "dlq", "list").stdout.strip() == ""


def test_events_survive_broker_restart_and_consumer_kills(cluster, pg_url):
    for name in ("identity", "leads", "analytics"):
        cluster.start(name)
    tenant = new_tenant()
    producer = Producer(cluster, tenant, LEADS, "lead")
    try:
        producer.wait_for(LEADS // 5, "first leads created")
        subprocess.run(["rabbitmqctl", "-q", "stop_app"], check=True, timeout=120)
        # Health is real: without its broker a service reports NOT_SERVING (leads keep arriving meanwhile).
        eventually(lambda: not cluster.is_serving("leads"), timeout=20, what="leads NOT_SERVING without broker")
    finally:
        subprocess.run(["rabbitmqctl", "-q", "start_app"], check=True, timeout=120)
    eventually(lambda: cluster.is_serving("leads"), timeout=30, what="leads SERVING again")
    producer.wait_for(LEADS // 2, "half the leads created")
    cluster.kill("analytics")
    time.sleep(1)
    cluster.start("analytics", wait=False)
    producer.wait_for(3 * LEADS // 4, "three quarters created")
    cluster.kill("identity")
    cluster.start("identity", wait=False)
    producer.finish()

    assert producer.failures == []  # the outbox takes events while the broker is away
    assert_each_lead_applied_once(cluster, pg_url, tenant, LEADS)


def test_events_survive_kills_of_the_producing_service(cluster, pg_url):
    """SIGKILL of leads, the service that writes lead.created to its outbox and applies identity.resolved, twice
    while leads keep coming. At each kill it may hold committed events not yet published or not yet deleted from
    its outbox (ADR 0026), and identity.resolved deliveries not yet acknowledged."""
    total = 200
    for name in ("identity", "leads", "analytics"):
        cluster.start(name)
    tenant = new_tenant()
    producer = Producer(cluster, tenant, total, "kill")
    for share in (4, 2):
        producer.wait_for(total // share, f"1/{share} of the leads created")
        cluster.kill("leads")
        cluster.start("leads", wait=False)
    producer.finish()

    assert producer.failures, "the kills should have met calls in flight"
    assert {code for _, code, _ in producer.failures} == {"UNAVAILABLE"}, producer.failures
    assert_each_lead_applied_once(cluster, pg_url, tenant, total)


def _database_outage(url: str, *, down: bool) -> None:
    """Refuse (down) or allow new connections to the database of `url`; going down also ends every open one, as a
    server restart or a failover does."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {"false" if down else "true"}')
        if down:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))


def test_a_database_outage_longer_than_the_retries_dead_letters_nothing(scratch_url, amqp_url, tmp_path):
    cluster = Cluster(scratch_url, amqp_url, tmp_path)
    cluster.crm("migrate", "identity", "leads")
    try:
        cluster.start("identity")  # declares its queue: lead.created waits there while identity is away
        cluster.start("leads")
        tenant = new_tenant()
        leads = stub(cluster, "leads", leads_pb2_grpc.LeadsServiceStub, tenant=tenant, roles=("sales",),
                     subject="rep")
        cluster.kill("identity")
        created = [leads.CreateLead(leads_pb2.CreateLeadRequest(name=f"Lead {i}", email=f"lead{i}@outage.test",
                                                                channel="Outage")).lead.id for i in range(20)]
        _database_outage(scratch_url, down=True)
        try:
            with pytest.raises(grpc.RpcError) as refused:
                leads.CreateLead(leads_pb2.CreateLeadRequest(name="Late", email="late@outage.test", channel="X"))
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
            # identity comes back while its database is away: it consumes the 20 events and cannot apply them.
            cluster.start("identity", wait=False)
            eventually(lambda: "consuming identity.intake" in cluster.log("identity"), timeout=30,
                       what="identity consuming")
            time.sleep(5)  # longer than the cluster's whole retry schedule (CRM_RETRY_DELAYS 0.5,1,2)
            assert not cluster.is_serving("identity")  # not ready, yet alive: no restart for its database's outage
            assert health_of(f"127.0.0.1:{cluster.ports['identity']}", service=LIVENESS) == "SERVING"
        finally:
            _database_outage(scratch_url, down=False)
        cluster.wait_serving("identity")
        cluster.wait_serving("leads")

        engine = create_engine(scratch_url)
        try:
            def resolved() -> int:
                with engine.connect() as connection:
                    return connection.execute(text(
                        "SELECT count(*) FROM leads.lead WHERE tenant_id = :t AND customer_id <> ''"), {"t": tenant},
                    ).scalar_one()

            eventually(lambda: resolved() == len(created), timeout=60, interval=0.5,
                       what=f"all {len(created)} leads resolved")
            with engine.connect() as connection:
                links = connection.execute(text(
                    "SELECT count(*), count(DISTINCT record_id) FROM identity.source_record WHERE tenant_id = :t"),
                    {"t": tenant}).one()
            assert tuple(links) == (len(created), len(created))  # each resolved once
        finally:
            engine.dispose()
        assert cluster.crm("events", "dlq", "list").stdout.strip() == ""
    finally:
        cluster.stop_all()
