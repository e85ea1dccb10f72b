"""The kernel's audit capture (R-SEC-3): one audit.recorded event per transaction with old -> new, actor, producer."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import JSON, Numeric, String, event, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from crm.events.v1.audit_pb2 import AuditRecorded
from crm.events.v1.leads_pb2 import LeadCreated
from services.core.audit import MAX_VALUE_CHARS, Audited, as_text
from services.core.auth import Caller, reset_caller, set_caller
from services.core.db import DATABASE, TENANT, TYPE_ANNOTATION_MAP, Database, TenantScoped, TenantScopeError
from services.core.events import caused_by, emit, emit_many, parse_envelope, unpack
from services.core.kernel_models import KernelBase, OutboxMessage


class Base(DeclarativeBase):
    type_annotation_map = TYPE_ANNOTATION_MAP


class Client(Audited, TenantScoped, Base):
    """Customer data: audited, but its score cache is not."""

    __tablename__ = "client"
    __audit_exclude__ = ("score",)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(2000))
    email: Mapped[str] = mapped_column(String(254), default="")
    budget: Mapped[Decimal | None] = mapped_column(Numeric(18, 2), default=None)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(default=0.0)


class Note(TenantScoped, Base):
    """Not customer data: never audited."""

    __tablename__ = "note"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    body: Mapped[str] = mapped_column(String(200))


class Pair(Audited, TenantScoped, Base):
    """A composite key (besides the tenant)."""

    __tablename__ = "pair"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    left: Mapped[str] = mapped_column(String(10), primary_key=True)
    right: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(10), default="")


@pytest.fixture
def database(tmp_path):
    database = Database("crmtest", f"sqlite:///{tmp_path}/crmtest.db")
    Base.metadata.create_all(database.engine)
    KernelBase.metadata.create_all(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def as_caller():
    tokens = []

    def _set(subject: str, kind: str = "user", tenant: str = "t1") -> None:
        tokens.append(set_caller(Caller(tenant_id=tenant, subject=subject, kind=kind, roles=frozenset({"sales"}))))

    yield _set
    for token in reversed(tokens):
        reset_caller(token)


def audit_events(database):
    """[(envelope, AuditRecorded)] in the outbox, oldest first."""
    with database.kernel_session() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.event_type == "audit.recorded")
                               .order_by(OutboxMessage.id)).all()
        return [(envelope, unpack(envelope, AuditRecorded)) for envelope in map(parse_envelope,
                                                                               (row.body for row in rows))]


def changes_of(record):
    return {change.field: (change.old_value if change.HasField("old_value") else None,
                           change.new_value if change.HasField("new_value") else None)
            for change in record.changes}


def test_an_update_is_recorded_with_old_and_new_values_and_the_calling_user(database, as_caller):
    with database.session("t1") as session:
        session.add(Client(id="c1", name="Li Lei", email="li@example.com", budget=Decimal("100.00")))
    as_caller("u7")
    with database.session("t1") as session:
        client = session.get(Client, "c1")
        client.name, client.email, client.budget = "Li Lei (CEO)", "lei@example.com", None

    [(created_envelope, created), (envelope, updated)] = audit_events(database)
    assert created.actor == "system" and created.actor_kind == "system"  # no caller was set then
    assert updated.actor == "u7" and updated.actor_kind == "user"
    assert (envelope.type, envelope.tenant_id, envelope.producer) == ("audit.recorded", "t1", "crmtest")
    [record] = updated.records
    assert (record.entity, record.record_id, record.action) == ("client", "c1", "updated")
    assert changes_of(record) == {
        "name": ("Li Lei", "Li Lei (CEO)"),
        "email": ("li@example.com", "lei@example.com"),
        "budget": ("100.00", None),
    }


def test_a_creation_lists_every_value_and_a_deletion_every_old_value(database, as_caller):
    as_caller("orders", kind="service")
    with database.session("t1") as session:
        session.add(Client(id="c1", name="Han Meimei", tags=["vip", "北京"]))
    with database.session("t1") as session:
        session.delete(session.get(Client, "c1"))

    [(_, created), (_, deleted)] = audit_events(database)
    assert (created.actor, created.actor_kind) == ("orders", "service")
    [record] = created.records
    assert (record.entity, record.record_id, record.action) == ("client", "c1", "created")
    # Python-side defaults are filled in; None (budget) is left out; the excluded score and the tenant never show.
    assert changes_of(record) == {"id": (None, "c1"), "name": (None, "Han Meimei"), "email": (None, ""),
                                  "tags": (None, '["vip","北京"]')}
    [record] = deleted.records
    assert record.action == "deleted"
    assert changes_of(record)["name"] == ("Han Meimei", None)


def test_unaudited_models_and_excluded_columns_record_nothing(database):
    with database.session("t1") as session:
        session.add(Client(id="c1", name="Li Lei"))
    before = len(audit_events(database))
    with database.session("t1") as session:
        session.add(Note(id="n1", body="call back"))
        session.get(Client, "c1").score = 87.5  # a rescore
    with database.session("t1") as session:
        client = session.get(Client, "c1")
        client.name = "Li Lei"  # the value it had
        session.get(Note, "n1").body = "called"
    assert len(audit_events(database)) == before == 1


def test_one_event_per_transaction_holds_every_record_of_every_flush(database):
    with database.session("t1") as session:
        session.add_all([Client(id="c1", name="A"), Client(id="c2", name="B"), Note(id="n1", body="x"),
                         Pair(left="a", right="b", value="1")])
        session.flush()
        session.get(Client, "c1").name = "A2"
        session.flush()
        session.add(Client(id="c3", name="C"))  # written by the commit's own flush
    [(_, event)] = audit_events(database)
    # One record per change, in the order the flushes wrote them: the log keeps an entry per changed row.
    assert [(r.entity, r.record_id, r.action) for r in event.records] == [
        ("client", "c1", "created"), ("client", "c2", "created"), ("pair", "a/b", "created"),
        ("client", "c1", "updated"), ("client", "c3", "created")]
    assert changes_of(event.records[3]) == {"name": ("A", "A2")}


def test_the_audit_event_shares_the_transactions_one_outbox_insert(database):
    statements = []
    listen = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(database.engine, "before_cursor_execute", listen)
    try:
        with database.session("t1") as session:
            session.add(Client(id="c1", name="A"))
            session.flush()
            emit(session, LeadCreated(lead_id="L1"), producer="crmtest")
            session.get(Client, "c1").name = "A2"
    finally:
        event.remove(database.engine, "before_cursor_execute", listen)
    assert sum("INSERT INTO crm_outbox" in statement for statement in statements) == 1
    with database.kernel_session() as session:
        types = session.scalars(select(OutboxMessage.event_type).order_by(OutboxMessage.id)).all()
    assert types == ["lead.created", "audit.recorded"]


def test_changes_by_different_callers_in_one_transaction_keep_their_actors(database):
    with database.session("t1") as session:
        session.add(Client(id="c1", name="A"))
        session.flush()
        token = set_caller(Caller(tenant_id="t1", subject="u1", kind="user"))
        try:
            session.get(Client, "c1").name = "B"
            session.flush()
        finally:
            reset_caller(token)
    assert [(e.actor, [r.action for r in e.records]) for _, e in audit_events(database)] == [
        ("system", ["created"]), ("u1", ["updated"])]


def test_the_audit_event_commits_or_rolls_back_with_the_change(database):
    with pytest.raises(RuntimeError), database.session("t1") as session:
        session.add(Client(id="c1", name="Ghost"))
        session.flush()
        raise RuntimeError("the request failed")
    assert audit_events(database) == []
    with database.session("t1") as session:
        assert session.get(Client, "c1") is None


def test_a_savepoint_that_rolls_back_takes_its_audit_record_with_it(database):
    with database.session("t1") as session:
        nested = session.begin_nested()
        session.add(Client(id="c1", name="Rolled back"))
        session.flush()
        nested.rollback()
        session.add(Client(id="c2", name="Kept"))
    [(_, event)] = audit_events(database)
    assert [r.record_id for r in event.records] == ["c2"]


def test_a_released_savepoint_keeps_its_records(database):
    # (A released savepoint that the transaction then rolls back: tests/integration/test_audit_pg.py; pysqlite
    # commits at the release.)
    with database.session("t1") as session:
        session.add(Client(id="c1", name="Before"))
        session.flush()
        with session.begin_nested():
            session.add(Client(id="c2", name="Inside"))
        with pytest.raises(ValueError), session.begin_nested():
            session.add(Client(id="c3", name="Failed"))
            session.flush()
            raise ValueError("refused")
        session.add(Client(id="c4", name="After"))
    assert sorted(r.record_id for _, e in audit_events(database) for r in e.records) == ["c1", "c2", "c4"]


def test_a_session_closed_without_commit_leaves_nothing_for_its_next_transaction(database):
    session = database._sessions(info={TENANT: "t1", DATABASE: database})
    session.add(Client(id="c1", name="Never committed"))
    session.flush()
    emit(session, LeadCreated(lead_id="L1"), producer="crmtest")
    session.close()
    session.add(Client(id="c2", name="Committed"))
    session.commit()
    session.close()
    [(_, event)] = audit_events(database)
    assert [r.record_id for r in event.records] == ["c2"]
    with database.kernel_session() as check:
        assert check.scalars(select(OutboxMessage.event_type)).all() == ["audit.recorded"]


def test_a_kernel_session_records_each_rows_tenant(database):
    with database.kernel_session() as session:
        session.add_all([Client(id="c1", name="A", tenant_id="t1"), Client(id="c2", name="B", tenant_id="t2"),
                         Client(id="c3", name="C", tenant_id="t1")])
    events = audit_events(database)
    assert sorted((envelope.tenant_id, sorted(r.record_id for r in event.records)) for envelope, event in events) == [
        ("t1", ["c1", "c3"]), ("t2", ["c2"])]


def test_a_tenant_session_cannot_emit_for_another_tenant(database):
    with pytest.raises(TenantScopeError), database.session("t1") as session:
        emit_many(session, [AuditRecorded(actor="x")], producer="crmtest", tenant="t2")


def test_the_event_carries_what_caused_the_change(database):
    with caused_by("request-1", "flow-1"), database.session("t1") as session:
        session.add(Client(id="c1", name="Li Lei"))
    [(envelope, _)] = audit_events(database)
    assert (envelope.causation_id, envelope.correlation_id) == ("request-1", "flow-1")


def test_values_are_text_and_long_ones_are_cut(database):
    assert as_text(None) is None
    assert as_text(True) == "true"
    assert as_text(Decimal("12.50")) == "12.50"
    assert as_text(datetime(2024, 5, 1, 8, 30, tzinfo=UTC)) == "2024-05-01T08:30:00+00:00"
    assert as_text({"b": 1, "a": "é"}) == '{"a":"é","b":1}'
    assert as_text(b"\x00" * 10) == "<10 bytes>"
    long = "长" * 2000
    with database.session("t1") as session:
        session.add(Client(id="c1", name=long))
    [(_, event)] = audit_events(database)
    name = changes_of(event.records[0])["name"][1]
    assert len(name) == MAX_VALUE_CHARS and name.endswith("…") and name.startswith("长" * 10)


def test_an_exclusion_naming_no_column_is_a_programming_error(database):
    class OwnBase(DeclarativeBase):
        type_annotation_map = TYPE_ANNOTATION_MAP

    class Broken(Audited, TenantScoped, OwnBase):
        __tablename__ = "broken"
        __audit_exclude__ = ("scroe",)
        id: Mapped[str] = mapped_column(String(36), primary_key=True)

    Broken.__table__.create(database.engine)
    with pytest.raises(TypeError, match="scroe"), database.session("t1") as session:
        session.add(Broken(id="b1"))


def test_raw_sql_is_not_seen(database):
    """The documented limitation (ADR 0015): Core and raw statements bypass the flush."""
    with database.session("t1") as session:
        session.execute(text("INSERT INTO client (tenant_id, id, name, email, tags, score)"
                             " VALUES ('t1', 'c9', 'x', '', '[]', 0)"))
    assert audit_events(database) == []
