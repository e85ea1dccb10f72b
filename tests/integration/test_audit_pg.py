"""The audit log on PostgreSQL (R-SEC-3): audit_entry refuses UPDATE, DELETE and TRUNCATE (plpgsql triggers), and a
lead changed in the leads schema reaches the analytics log with old -> new and its actor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from crm.events.v1.audit_pb2 import AuditRecorded
from crm.events.v1.envelope_pb2 import Envelope
from services.analytics import CONSUMERS, audit
from services.analytics.models import AuditEntry
from services.core.auth import reset_caller, set_caller
from services.core.consumers import InboxDispatcher
from services.core.db import Database
from services.core.kernel_models import KernelBase, OutboxMessage
from services.core.migrate import upgrade
from services.core.runtime import load_definition
from services.leads import leads, scoring
from services.leads.models import Lead
from tests.unit.services.conftest import make_caller

pytestmark = pytest.mark.integration

REP = make_caller("sales", subject="rep1")


@pytest.fixture
def analytics_db(scratch_url: str) -> Iterator[Database]:
    database = Database("analytics", scratch_url)
    upgrade(load_definition("analytics"), database)
    yield database
    database.dispose()


def test_the_schema_matches_the_models_on_postgresql(analytics_db):
    with analytics_db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, [load_definition("analytics").metadata, KernelBase.metadata]) == []


def test_audit_entries_cannot_be_changed_deleted_or_truncated(analytics_db, scratch_leads_database):
    dispatcher = InboxDispatcher("analytics", next(c for c in CONSUMERS if c.purpose == "audit"), analytics_db)
    _change_a_lead(scratch_leads_database)
    for body in _audit_bodies(scratch_leads_database):
        dispatcher(body)
    with analytics_db.session("t1") as session:
        assert session.scalars(select(AuditEntry)).all()
    for sql in ("UPDATE audit_entry SET actor = 'someone else'", "DELETE FROM audit_entry",
                "TRUNCATE audit_entry"):
        with pytest.raises(DBAPIError, match="append-only") as error, analytics_db.engine.begin() as connection:
            connection.execute(text(sql))
        assert error.value.orig.sqlstate == "42501"  # insufficient_privilege
    with analytics_db.session("t1") as session:
        assert {entry.actor for entry in session.scalars(select(AuditEntry))} == {"rep1"}


def test_a_lead_changed_on_postgresql_is_in_the_log_and_a_rescore_is_not(analytics_db, scratch_leads_database):
    lead_id = _change_a_lead(scratch_leads_database)
    before = len(_audit_bodies(scratch_leads_database))
    token = set_caller(make_caller(kind="service", subject="tracking"))
    try:  # the request path's one-statement write on PostgreSQL: score and temperature only
        with scratch_leads_database.session("t1") as session:
            scoring.record_behaviour(session, caller=make_caller(kind="service", subject="tracking"),
                                     kind="demo_attended", lead_id=lead_id)
    finally:
        reset_caller(token)
    assert len(_audit_bodies(scratch_leads_database)) == before

    dispatcher = InboxDispatcher("analytics", next(c for c in CONSUMERS if c.purpose == "audit"), analytics_db)
    for body in _audit_bodies(scratch_leads_database):
        dispatcher(body)
        dispatcher(body)  # redelivered: stored once
    with analytics_db.session("t1") as session:
        found, more = audit.search(session, caller=make_caller("auditor"),
                                   query=audit.AuditQuery(entity="lead", record_id=lead_id), offset=0, limit=50)
    assert not more
    # Created already given to its rep (one INSERT with owner and assignment time, ADR 0020), then edited.
    assert [entry.action for entry in found] == ["created", "updated"]
    assert found[0].changes["email"] == [None, "li@example.com"]
    assert found[0].changes["owner_id"] == [None, "rep1"]
    assert found[0].changes["assigned_at"][1]
    assert found[1].changes == {"company": ["Acme", "Acme Ltd"], "region": ["", "Shanghai"]}
    assert {(entry.actor, entry.actor_kind, entry.service) for entry in found} == {("rep1", "user", "leads")}


def test_audit_records_of_a_released_savepoint_roll_back_with_the_transaction(scratch_leads_database):
    """The transaction's audit event is written when it (or a savepoint) commits: what a savepoint wrote and released
    still goes when the whole transaction rolls back, and a savepoint rolled back takes its records along."""
    token = set_caller(REP)
    try:
        with pytest.raises(RuntimeError), scratch_leads_database.session("t1") as session:
            with session.begin_nested():
                session.add(Lead(name="Released", channel="web", email="r@example.com"))
            raise RuntimeError("the request failed after the savepoint")
        with scratch_leads_database.session("t1") as session:
            with pytest.raises(ValueError), session.begin_nested():
                session.add(Lead(name="Rolled back", channel="web", email="b@example.com"))
                session.flush()
                raise ValueError("refused")
            session.add(Lead(name="Kept", channel="web", email="k@example.com"))
    finally:
        reset_caller(token)
    records = [record for body in _audit_bodies(scratch_leads_database)
               for record in AuditRecorded.FromString(Envelope.FromString(body).payload.value).records]
    with scratch_leads_database.session("t1") as session:
        names = {lead.id: lead.name for lead in session.scalars(select(Lead))}
    assert [names.get(record.record_id) for record in records] == ["Kept"]


def _change_a_lead(database: Database) -> str:
    token = set_caller(REP)
    try:
        with database.session("t1") as session:
            lead = leads.create_lead(session, tenant="t1", caller=REP, name="Li Lei", channel="web",
                                     email="li@example.com", company="Acme")
        with database.session("t1") as session:
            stored = session.get(Lead, lead.id)
            stored.company, stored.region = "Acme Ltd", "Shanghai"
        return lead.id
    finally:
        reset_caller(token)


def _audit_bodies(database: Database) -> list[bytes]:
    with database.kernel_session() as session:
        return session.scalars(select(OutboxMessage.body).where(OutboxMessage.event_type == "audit.recorded")
                               .order_by(OutboxMessage.id)).all()
