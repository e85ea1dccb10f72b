"""The identity graph on PostgreSQL: JSON columns, the review queue's ordering, merge/unmerge, a dedup job and
the identity_0002 data copy, where SQL differs from SQLite (issue #3, parts 4-6)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import select, text

from services.core.db import Database
from services.core.migrate import alembic_config, upgrade
from services.core.runtime import load_definition
from services.identity import golden, graph, identities, jobs, quality, review
from services.identity.models import Customer, LinkAudit, MatchKey, ReviewPair, SourceRecord
from tests.integration.helpers import new_tenant
from tests.unit.services.identity_support import caller, record, records_of, scripted_candidates, seed

pytestmark = pytest.mark.integration


@pytest.fixture
def database(pg_url: str) -> Iterator[Database]:
    database = Database("identity", pg_url)
    upgrade(load_definition("identity"), database)
    yield database
    database.dispose()


PEOPLE = [
    {"record_id": "L1", "name": "王芳", "company": "深圳市华为技术有限公司", "phone": "13800138000",
     "email": "wang.fang@example.cn", "city": "深圳"},
    {"record_id": "C1", "service": "sales", "kind": "contact", "name": "王 芳", "company": "华为技术",
     "phone": "+86 138-0013-8000", "email": "Wang.Fang@Example.cn", "city": "深圳市"},
    {"record_id": "L2", "name": "李雷", "email": "lilei@lanhai.example", "phone": "12345"},
]


def test_merge_review_job_and_report_on_postgresql(database, monkeypatch):
    tenant = new_tenant()
    boss = caller("manager", tenant=tenant, subject="boss")
    ann, contact, _ = seed(database, PEOPLE, tenant=tenant)
    before = {cid: golden.snapshot(_customer(database, tenant, cid)) for cid in (ann, contact)}

    with database.session(tenant) as session:
        merged = graph.merge(session, caller=boss, survivor_id=ann, absorbed_id=contact)
    assert records_of(database, ann, tenant) == ["L1", "C1"]
    with database.session(tenant) as session:
        graph.unmerge(session, caller=boss, merge_id=merged.merge_id)
    assert {cid: golden.snapshot(_customer(database, tenant, cid)) for cid in (ann, contact)} == before

    # The review queue (JSON evidence, CASE ordering) and a decision that teaches the model (JSON parameters).
    scripted_candidates(monkeypatch, [[(ann, 0.6)], [(ann, 0.8)]])
    with database.session(tenant) as session:
        for number in (1, 2):
            identities.resolve(session, tenant=tenant, record=record(f"Q{number}", name="王芳",
                                                                     phone=f"1380013800{number}"))
    monkeypatch.undo()
    with database.session(tenant) as session:
        views, _ = review.list_pairs(session, caller=boss)
        assert [v.pair.probability for v in views] == [0.8, 0.6]
        decision = review.decide(session, caller=boss, pair_id=views[0].pair.id, accept=True)
        assert decision.merge_id
        assert session.get(ReviewPair, views[1].pair.id).status == review.OPEN

    with database.session(tenant) as session:
        job_id = jobs.start_job(session, caller=boss).id
    jobs.DedupRunner(database).run(tenant, job_id)
    with database.session(tenant) as session:
        done = jobs.get_job(session, caller=boss, job_id=job_id)
        assert (done.state, done.error, done.records) == (jobs.SUCCEEDED, "", 5)
        report = quality.report(session, caller=boss)
        assert report.counts["invalid_phone"] == 1 and report.job.id == job_id
        assert {e.record_id for e in report.examples} == {"L2"}


def test_intake_writes_match_keys_and_link_audit_in_one_statement_and_finds_them(database):
    """On PostgreSQL the link_audit row and the match keys go in one statement (a CTE over two arrays); the probe
    answers "stored already?" and "who shares a key?" in one round trip. Both within the tenant."""
    tenant, other = new_tenant(), new_tenant()
    ann = {"name": "Ann Lee", "phone": "13800138000", "email": "ann@example.com"}
    with database.session(tenant) as session:
        first = identities.resolve(session, tenant=tenant, record=record("L1", **ann), actor="leads")
    with database.session(other) as session:  # the same person in another tenant: nothing shared
        assert identities.resolve(session, tenant=other, record=record("L1", **ann), actor="leads").created
    with database.session(tenant) as session:
        row = session.scalar(select(SourceRecord).where(SourceRecord.record_id == "L1"))
        keys = {(k.kind, k.value) for k in session.scalars(select(MatchKey).where(MatchKey.source_record_id == row.id))}
        assert ("phone", "13800138000") in keys and ("email", "ann@example.com") in keys
        [link] = session.scalars(select(LinkAudit).where(LinkAudit.source_record_id == row.id)).all()
        assert (link.tenant_id, link.action, link.to_customer_id, link.actor) == (tenant, "link", first.customer_id,
                                                                                 "leads")
        again = identities.resolve(session, tenant=tenant, record=record("L1", **ann))
        assert (again.customer_id, again.created) == (first.customer_id, False)  # stored already
        second = identities.resolve(session, tenant=tenant, record=record("L2", **ann))
        assert (second.customer_id, second.created) == (first.customer_id, False)  # found by its keys


def _customer(database: Database, tenant: str, customer_id: str) -> Customer:
    with database.session(tenant) as session:
        return session.get(Customer, (tenant, customer_id))


def test_identity_0002_copies_the_links_on_postgresql(scratch_url):
    database = Database("identity", scratch_url)
    try:
        config = alembic_config(load_definition("identity"))
        with database.engine.connect() as connection:
            connection.execute(text('CREATE SCHEMA IF NOT EXISTS "identity"'))
            config.attributes["connection"] = connection
            command.upgrade(config, "identity@identity_0001")
            command.upgrade(config, "kernel@head")
            connection.execute(text(
                "INSERT INTO customer (tenant_id, id, name, company, email, phone, created_at) VALUES "
                "('t1', 'C20240501001', 'Ann Lee', 'Acme', 'ann@example.com', '13800138000', now())"))
            connection.execute(text(
                "INSERT INTO record_link (tenant_id, service, kind, record_id, customer_id, owner_id, linked_at) "
                "VALUES ('t1', 'leads', 'lead', 'L1', 'C20240501001', 'rep-1', now()),"
                "('t1', 'sales', 'contact', 'C7', 'C20240501001', '', now())"))
            connection.commit()

        upgrade(load_definition("identity"), database)

        with database.session("t1") as session:
            rows = session.scalars(select(SourceRecord).order_by(SourceRecord.id)).all()
            assert [(r.record_id, r.email) for r in rows] == [("L1", "ann@example.com"), ("C7", "")]
            assert rows[0].features["phone_valid"] == "1"
            assert ("phone", "13800138000") in {(k.kind, k.value) for k in session.scalars(select(MatchKey))}
    finally:
        database.dispose()


def test_leads_follow_a_merge_and_its_unmerge_across_processes(cluster):
    from crm.identity.v1 import identity_pb2, identity_pb2_grpc
    from crm.leads.v1 import leads_pb2, leads_pb2_grpc
    from tests.integration.helpers import eventually, stub

    for name in ("identity", "leads"):
        cluster.start(name)
    tenant = new_tenant()
    leads = stub(cluster, "leads", leads_pb2_grpc.LeadsServiceStub, tenant=tenant, roles=("sales",), subject="rep-1")
    identity = stub(cluster, "identity", identity_pb2_grpc.IdentityServiceStub, tenant=tenant, roles=("manager",))
    first = leads.CreateLead(leads_pb2.CreateLeadRequest(name="王芳", email="wf@example.cn", channel="Web")).lead
    second = leads.CreateLead(leads_pb2.CreateLeadRequest(name="Li Lei", phone="13911112222", channel="Web")).lead

    def customer_of(lead_id: str) -> str:
        return leads.GetLead(leads_pb2.GetLeadRequest(id=lead_id)).lead.customer_id

    survivor = eventually(lambda: customer_of(first.id), what="first lead resolved")
    absorbed = eventually(lambda: customer_of(second.id), what="second lead resolved")
    assert survivor != absorbed

    merged = identity.MergeCustomers(identity_pb2.MergeCustomersRequest(survivor_id=survivor, absorbed_id=absorbed))
    eventually(lambda: customer_of(second.id) == survivor, what="lead re-keyed to the survivor")
    identity.UnmergeCustomers(identity_pb2.UnmergeCustomersRequest(merge_id=merged.merge_id))
    eventually(lambda: customer_of(second.id) == absorbed, what="lead back with the restored customer")
    assert customer_of(first.id) == survivor


def test_intake_writes_customer_record_keys_and_link_in_one_statement_and_audits_them(database):
    """On PostgreSQL intake writes a resolution with one statement (ADR 0024): the rows are all there, typed, and
    the transaction's audit event shows the customer and the record as created; a later record joins it."""
    from sqlalchemy import event as sa_event

    from crm.events.v1.audit_pb2 import AuditRecorded
    from crm.events.v1.envelope_pb2 import Envelope
    from services.core.kernel_models import OutboxMessage

    tenant = new_tenant()
    statements = []
    listen = lambda conn, cursor, statement, *args: statements.append(" ".join(statement.split()[:3]))  # noqa: E731
    sa_event.listen(database.engine, "before_cursor_execute", listen)
    try:
        with database.session(tenant) as session:
            first = identities.resolve(session, tenant=tenant, actor="leads", record=record(
                "L1", name="Ann Lee", email="ann@example.com", phone="13800138000", company="Acme"))
    finally:
        sa_event.remove(database.engine, "before_cursor_execute", listen)
    assert statements.count("WITH customer AS") == 1  # the customer, the record, its link and keys
    assert not [statement for statement in statements if statement.split()[-1] in (
        "customer", "source_record", "match_key", "link_audit")]
    with database.session(tenant) as session:
        second = identities.resolve(session, tenant=tenant, actor="leads", record=record(
            "L2", name="Ann Lee", email="ann@example.com", phone="13800138000"))
    assert first.created and (second.customer_id, second.created) == (first.customer_id, False)

    with database.session(tenant) as session:
        rows = session.scalars(select(SourceRecord).order_by(SourceRecord.id)).all()
        assert [(row.record_id, row.customer_id, row.features["email"]) for row in rows] == [
            ("L1", first.customer_id, "ann@example.com"), ("L2", first.customer_id, "ann@example.com")]
        assert rows[0].observed_at.tzinfo is not None
        links = session.scalars(select(LinkAudit).order_by(LinkAudit.id)).all()
        assert [(link.source_record_id, link.action, link.to_customer_id, link.actor) for link in links] == [
            (rows[0].id, "link", first.customer_id, "leads"), (rows[1].id, "link", first.customer_id, "leads")]
        keys = {(key.source_record_id, key.kind, key.value) for key in session.scalars(select(MatchKey))}
        assert {(rows[0].id, "email", "ann@example.com"), (rows[1].id, "phone", "13800138000")} <= keys
        customer = session.get(Customer, (tenant, first.customer_id))
        assert (customer.name, customer.email, customer.company) == ("Ann Lee", "ann@example.com", "Acme")

    with database.kernel_session() as session:
        bodies = session.scalars(select(OutboxMessage.body).where(
            OutboxMessage.event_type == "audit.recorded", OutboxMessage.tenant_id == tenant)
            .order_by(OutboxMessage.created_at)).all()
    records = [(record.entity, record.action, record.record_id) for body in bodies
               for record in AuditRecorded.FromString(Envelope.FromString(body).payload.value).records]
    assert records[:2] == [("customer", "created", first.customer_id), ("source_record", "created", str(rows[0].id))]
    assert ("source_record", "created", str(rows[1].id)) in records[2:]
