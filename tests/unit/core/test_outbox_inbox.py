"""Transactional outbox relay and idempotent inbox, wired through the real in-process bus."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from crm.common.v1.common_pb2 import RecordRef
from crm.events.v1.identity_pb2 import IdentityResolved
from crm.events.v1.leads_pb2 import LeadCreated
from services.core.bus import RetryPolicy
from services.core.bus.memory import MemoryBus
from services.core.consumers import Consumer, InboxDispatcher
from services.core.events import emit, parse_envelope
from services.core.kernel_models import InboxRecord, OutboxMessage
from services.core.outbox import OutboxRelay
from services.leads.models import Lead
from tests.unit.conftest import sample, wait_for, write_outbox_row


class Received:
    """An event handler that records what it applied (tenant, payload, envelope)."""

    def __init__(self):
        self.events: list[tuple[str, LeadCreated, object]] = []
        self.arrived = threading.Event()

    def __call__(self, session, event, *, envelope, tenant):
        self.events.append((tenant, event, envelope))
        self.arrived.set()


class FlakyBus(MemoryBus):
    """Fault injection: the broker refuses the first `failures` publishes."""

    def __init__(self, policy, failures: int = 1):
        super().__init__(policy)
        self.failures = failures
        self.attempts = 0

    def publish(self, messages):
        self.attempts += 1
        if self.attempts <= self.failures:
            raise ConnectionError("broker unreachable")
        super().publish(messages)


class RecordingBus(MemoryBus):
    """Remembers the ids of what was published."""

    def __init__(self, policy):
        super().__init__(policy)
        self.published: list[str] = []

    def publish(self, messages):
        self.published.extend(message.message_id for message in messages)
        super().publish(messages)


def _outbox_count(database) -> int:
    with database.kernel_session() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage))


@pytest.fixture
def wiring(leads_db, identity_db):
    """leads publishes through its outbox; identity consumes lead.created with an InboxDispatcher."""
    started = []

    def _wire(bus=None, poll_seconds: float = 30.0):
        bus = bus or MemoryBus(RetryPolicy((0.01,)))
        received = Received()
        consumer = Consumer("intake", {LeadCreated: received})
        bus.subscribe(consumer.queue_for("identity"), consumer.routing_keys(),
                      InboxDispatcher("identity", consumer, identity_db))
        bus.start()
        relay = OutboxRelay(leads_db, bus, poll_seconds=poll_seconds)
        relay.start()
        started.append((relay, bus))
        return relay, bus, received

    yield _wire
    for relay, bus in started:
        relay.stop()
        bus.stop()


def test_committed_events_are_published_at_once_and_removed(leads_db, wiring):
    relay, _bus, received = wiring(poll_seconds=30.0)
    published_before = sample("crm_outbox_published_total", service="leads")

    with leads_db.session("t1") as session:
        emitted = emit(session, LeadCreated(lead_id="L1", name="Ann"), producer="leads")

    # The relay polls every 30 s: only the after-commit wake-up can deliver within 5 s.
    assert received.arrived.wait(5)
    [(tenant, payload, envelope)] = received.events
    assert tenant == "t1"
    assert payload == LeadCreated(lead_id="L1", name="Ann")
    assert envelope.id == emitted.id
    wait_for(lambda: _outbox_count(leads_db) == 0)
    # Counted right after the relay's commit, so it may trail the row's removal by a moment.
    wait_for(lambda: sample("crm_outbox_published_total", service="leads") == published_before + 1)


def test_the_relay_publishes_committed_rows_as_handed_over_and_scans_only_on_its_poll(leads_db, wiring, monkeypatch):
    scans = []
    original = OutboxRelay.relay_batch
    monkeypatch.setattr(OutboxRelay, "relay_batch", lambda self, **kw: scans.append(kw) or original(self, **kw))
    relay, _bus, received = wiring(poll_seconds=30.0)
    relay._unknown_rows = False  # noqa: SLF001 - the scan at the first wake-up (rows a crash left) is not the point
    for number in range(3):
        with leads_db.session("t1") as session:
            emit(session, LeadCreated(lead_id=f"L{number}"), producer="leads")
    wait_for(lambda: len(received.events) == 3)
    assert [payload.lead_id for _, payload, _ in received.events] == ["L0", "L1", "L2"]
    wait_for(lambda: _outbox_count(leads_db) == 0)  # deleted after publishing, without a scan
    assert scans == []


def test_the_poll_leaves_young_rows_to_their_writer_and_publishes_old_ones(leads_db, monkeypatch):
    """Rows in the table that this relay was not handed (another replica's, or a crashed process's): the poll takes
    only those older than the grace period, and the scan after a failure or a COPY takes them all."""
    from services.core import outbox

    bus = RecordingBus(RetryPolicy((0.01,)))
    bus.start()
    relay = OutboxRelay(leads_db, bus)
    with leads_db.kernel_session() as session:
        old = write_outbox_row(session, LeadCreated(lead_id="old"), age_seconds=outbox.GRACE_SECONDS + 5)
        young = write_outbox_row(session, LeadCreated(lead_id="young"), age_seconds=1)
    assert relay.relay_batch(all_rows=False) == 1
    assert bus.published == [old]
    assert relay.relay_batch(all_rows=False) == 0
    assert relay.relay_batch(all_rows=True) == 1
    assert bus.published == [old, young]
    assert _outbox_count(leads_db) == 0
    bus.stop()


def test_rows_written_with_unknown_ids_are_found_by_a_scan_at_once(leads_db, wiring):
    """A transaction that also wrote outbox rows itself (the lead import's COPY) says so with OUTBOX_WRITTEN."""
    from services.core.db import OUTBOX_WRITTEN

    _relay, _bus, received = wiring(poll_seconds=30.0)
    with leads_db.session("t1") as session:
        emit(session, LeadCreated(lead_id="emitted"), producer="leads")
        write_outbox_row(session, LeadCreated(lead_id="copied"))
        session.info[OUTBOX_WRITTEN] = True
    wait_for(lambda: len(received.events) == 2, timeout=5)
    assert sorted(payload.lead_id for _, payload, _ in received.events) == ["copied", "emitted"]


def test_rolled_back_transaction_publishes_nothing(leads_db, wiring):
    _relay, _bus, received = wiring()

    with pytest.raises(RuntimeError), leads_db.session("t1") as session:
        session.add(Lead(name="ghost", channel="web", email="g@example.com"))
        emit(session, LeadCreated(lead_id="ghost"), producer="leads")
        raise RuntimeError("validation failed late")
    with leads_db.session("t1") as session:
        emit(session, LeadCreated(lead_id="real"), producer="leads")

    wait_for(lambda: received.events)
    time.sleep(0.1)
    assert [payload.lead_id for _, payload, _ in received.events] == ["real"]


def test_events_are_published_in_order(leads_db, wiring):
    _relay, _bus, received = wiring()
    with leads_db.session("t1") as session:
        for number in range(5):
            emit(session, LeadCreated(lead_id=f"L{number}"), producer="leads")
    with leads_db.session("t2") as session:
        emit(session, LeadCreated(lead_id="L5"), producer="leads")

    wait_for(lambda: len(received.events) == 6)
    assert [payload.lead_id for _, payload, _ in received.events] == [f"L{n}" for n in range(6)]
    assert [tenant for tenant, _, _ in received.events] == ["t1"] * 5 + ["t2"]


def test_relay_survives_a_publish_failure(leads_db, wiring):
    bus = FlakyBus(RetryPolicy((0.01,)), failures=1)
    _relay, _bus, received = wiring(bus=bus, poll_seconds=30.0)

    with leads_db.session("t1") as session:
        emit(session, LeadCreated(lead_id="L1"), producer="leads")

    # The first publish fails; the relay backs off briefly and tries again without waiting for a poll.
    assert received.arrived.wait(5)
    assert bus.attempts == 2
    assert [payload.lead_id for _, payload, _ in received.events] == ["L1"]
    wait_for(lambda: _outbox_count(leads_db) == 0)

    with leads_db.session("t1") as session:
        emit(session, LeadCreated(lead_id="L2"), producer="leads")
    wait_for(lambda: len(received.events) == 2)


def test_failed_publish_keeps_the_rows(leads_db):
    bus = FlakyBus(RetryPolicy((0.01,)), failures=1)
    bus.start()
    relay = OutboxRelay(leads_db, bus)
    with leads_db.session("t1") as session:
        emit(session, LeadCreated(lead_id="L1"), producer="leads")
    try:
        with pytest.raises(ConnectionError):
            relay.relay_batch()
        assert _outbox_count(leads_db) == 1
        assert relay.relay_batch() == 1
        assert _outbox_count(leads_db) == 0
        assert relay.relay_batch() == 0
    finally:
        bus.stop()


def _body(tenant="t1", lead_id="L1") -> tuple[bytes, str]:
    from services.core.events import new_envelope

    envelope = new_envelope(LeadCreated(lead_id=lead_id), tenant_id=tenant, producer="leads")
    return envelope.SerializeToString(), envelope.id


def test_inbox_applies_an_event_once(identity_db):
    received = Received()
    dispatcher = InboxDispatcher("identity", Consumer("intake", {LeadCreated: received}), identity_db)
    body, event_id = _body()

    assert dispatcher(body) == "lead.created"
    assert dispatcher(body) == ""  # redelivery: a duplicate
    assert len(received.events) == 1
    with identity_db.kernel_session() as session:
        [record] = session.scalars(select(InboxRecord)).all()
    assert (record.consumer, record.event_id) == ("identity.intake", event_id)


def test_inbox_is_per_consumer(identity_db):
    first, second = Received(), Received()
    a = InboxDispatcher("identity", Consumer("intake", {LeadCreated: first}), identity_db)
    b = InboxDispatcher("identity", Consumer("audit", {LeadCreated: second}), identity_db)
    body, _ = _body()
    assert a(body) == b(body) == "lead.created"
    assert len(first.events) == len(second.events) == 1


def test_failed_handler_records_nothing_so_the_retry_applies(identity_db):
    calls = []

    def handler(session, event, *, envelope, tenant):
        calls.append(event.lead_id)
        if len(calls) == 1:
            raise RuntimeError("first try fails")

    dispatcher = InboxDispatcher("identity", Consumer("intake", {LeadCreated: handler}), identity_db)
    body, _ = _body()

    with pytest.raises(RuntimeError):
        dispatcher(body)
    with identity_db.kernel_session() as session:
        assert session.scalars(select(InboxRecord)).all() == []  # rolled back with the failed effect
    assert dispatcher(body) == "lead.created"
    assert dispatcher(body) == ""
    assert calls == ["L1", "L1"]


def test_handler_runs_as_a_service_caller_of_the_event_tenant_and_its_emits_are_caused_by_the_event(identity_db):
    from services.core.auth import current_caller

    seen = {}

    def handler(session, event, *, envelope, tenant):
        seen["caller"] = current_caller()
        seen["emitted"] = emit(
            session, IdentityResolved(record=RecordRef(service="leads", kind="lead", id=event.lead_id)),
            producer="identity",
        )

    dispatcher = InboxDispatcher("identity", Consumer("intake", {LeadCreated: handler}), identity_db)
    body, event_id = _body(tenant="t9")
    dispatcher(body)

    caller = seen["caller"]
    assert (caller.tenant_id, caller.subject, caller.is_service) == ("t9", "identity", True)
    emitted = seen["emitted"]
    incoming = parse_envelope(body)
    assert emitted.tenant_id == "t9"
    assert emitted.causation_id == event_id
    assert emitted.correlation_id == incoming.correlation_id == event_id
    with identity_db.kernel_session() as session:
        assert session.scalar(select(OutboxMessage.tenant_id)) == "t9"


def test_event_bound_but_not_handled_is_acknowledged(identity_db):
    dispatcher = InboxDispatcher("identity", Consumer("intake", {IdentityResolved: Received()}), identity_db)
    body, _ = _body()
    assert dispatcher(body) == "lead.created"
    with identity_db.kernel_session() as session:
        assert session.scalars(select(InboxRecord)).all() == []


def test_consumer_names_its_queue_and_bindings():
    consumer = Consumer("intake", {LeadCreated: Received(), IdentityResolved: Received()})
    assert consumer.queue_for("identity") == "identity.intake"
    assert consumer.routing_keys() == ["lead.created", "identity.resolved"]


def test_batch_applies_every_event_in_one_transaction_across_tenants(identity_db):
    received = Received()
    dispatcher = InboxDispatcher("identity", Consumer("intake", {LeadCreated: received}), identity_db)
    first, _ = _body(tenant="t1", lead_id="A")
    second, _ = _body(tenant="t2", lead_id="B")

    assert dispatcher.apply_batch([first, second, first]) == ["lead.created", "lead.created", ""]
    # Each handler saw its own tenant; the repeated delivery inside the batch is a duplicate.
    assert [(tenant, event.lead_id) for tenant, event, _ in received.events] == [("t1", "A"), ("t2", "B")]


def test_one_failing_event_in_a_batch_does_not_fail_the_others(identity_db):
    from services.core.events import MalformedEvent

    def handler(session, event, *, envelope, tenant):
        emit(session, IdentityResolved(record=RecordRef(service="leads", kind="lead", id=event.lead_id)),
             producer="identity")
        if event.lead_id == "bad":
            raise RuntimeError("this one fails")

    dispatcher = InboxDispatcher("identity", Consumer("intake", {LeadCreated: handler}), identity_db)
    good, good_id = _body(lead_id="good")
    bad, bad_id = _body(lead_id="bad")

    results = dispatcher.apply_batch([good, bad, b"\x00garbage"])

    assert results[0] == "lead.created"
    assert isinstance(results[1], RuntimeError)
    assert isinstance(results[2], MalformedEvent)
    with identity_db.kernel_session() as session:
        # Only the good event's effects survive: its inbox row and the event it emitted.
        assert session.scalars(select(InboxRecord.event_id)).all() == [good_id]
        assert [parse_envelope(body).causation_id for body in session.scalars(select(OutboxMessage.body))] == [
            good_id
        ]


def test_inbox_purge_forgets_only_entries_past_retention(identity_db):
    from datetime import timedelta

    from services.core.consumers import purge_inbox
    from services.core.db import utcnow

    now = utcnow()
    with identity_db.kernel_session() as session:
        session.add_all(
            [InboxRecord(consumer="identity.intake", event_id=f"old-{i}", processed_at=now - timedelta(days=8))
             for i in range(7)]
            + [InboxRecord(consumer="identity.intake", event_id="recent", processed_at=now - timedelta(days=6))]
        )

    assert purge_inbox(identity_db, timedelta(days=7), batch_size=3) == 7
    with identity_db.kernel_session() as session:
        assert session.scalars(select(InboxRecord.event_id)).all() == ["recent"]
    assert purge_inbox(identity_db, timedelta(days=7)) == 0


def test_published_rows_whose_delete_failed_are_deleted_on_the_next_try(leads_db, monkeypatch):
    from sqlalchemy import text

    from services.core import outbox

    bus = RecordingBus(RetryPolicy((0.01,)))
    bus.start()
    relay = OutboxRelay(leads_db, bus)  # not started: driven by hand
    try:
        with leads_db.session("t1") as session:
            emitted = emit(session, LeadCreated(lead_id="L1"), producer="leads")
        assert relay.relay_committed() == 1
        assert bus.published == [emitted.id]
        with monkeypatch.context() as patched:
            patched.setattr(outbox, "_delete_named", lambda postgresql: text("DELETE FROM no_such_table"))
            with pytest.raises(Exception, match="no_such_table"):
                relay.delete_published()
        assert _outbox_count(leads_db) == 1  # published, still in the table: a scan would publish it again
        relay.delete_published()
        assert _outbox_count(leads_db) == 0
        assert bus.published == [emitted.id]
    finally:
        bus.stop()


def test_events_that_meet_an_unreachable_database_wait_for_it_instead_of_failing():
    from services.core.bus.base import DatabaseUnavailable
    from services.core.db import Database

    # A real database that is not there: nothing listens on port 1.
    nowhere = Database("identity", "postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    received = Received()
    dispatcher = InboxDispatcher("identity", Consumer("intake", {LeadCreated: received}), nowhere)
    try:
        results = dispatcher.apply_batch([_body(lead_id="A")[0], _body(lead_id="B")[0]])
        single = dispatcher.apply_batch([_body(lead_id="C")[0]])
    finally:
        nowhere.dispose()
    assert [type(result) for result in results + single] == [DatabaseUnavailable] * 3
    assert received.events == []


def test_a_database_error_of_the_handler_itself_is_a_failure_not_an_outage(identity_db):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    def handler(session, event, *, envelope, tenant):
        session.execute(text("SELECT * FROM no_such_table"))  # OperationalError, with the database up

    dispatcher = InboxDispatcher("identity", Consumer("intake", {LeadCreated: handler}), identity_db)
    [result] = dispatcher.apply_batch([_body()[0]])
    assert isinstance(result, OperationalError)  # retried, then dead-lettered: it would never succeed
