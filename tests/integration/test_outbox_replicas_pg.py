"""Two replicas' outbox relays on one PostgreSQL schema (ADR 0026): each publishes what its own process committed,
straight from memory; the other's poll, however often it runs, leaves those young rows alone, so every event is
published once. Rows that no live relay holds (a crashed replica's) are taken by the other's poll once they are
older than the grace period."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from crm.events.v1.leads_pb2 import LeadCreated
from services.core import outbox
from services.core.bus import RetryPolicy
from services.core.bus.memory import MemoryBus
from services.core.db import Database
from services.core.events import emit
from services.core.kernel_models import OutboxMessage
from services.core.outbox import OutboxRelay
from tests.integration.helpers import eventually
from tests.unit.conftest import write_outbox_row

pytestmark = pytest.mark.integration


class CountingBus(MemoryBus):
    """Counts every publish of every message id (a thread-safe Counter)."""

    def __init__(self):
        super().__init__(RetryPolicy((0.01,)))
        self.published: Counter[str] = Counter()
        self.lock = threading.Lock()

    def publish(self, messages):  # noqa: ANN001, ANN201
        with self.lock:
            self.published.update(message.message_id for message in messages)


def _after_first_scan(relay: OutboxRelay) -> threading.Event:
    """An event set once the relay's first scan (every row, at start) has returned."""
    done = threading.Event()
    scan = relay.relay_batch

    def scan_and_tell(**kwargs):  # noqa: ANN003, ANN202
        try:
            return scan(**kwargs)
        finally:
            done.set()

    relay.relay_batch = scan_and_tell
    return done


def _remaining(database: Database) -> int:
    with database.kernel_session() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage))


def test_two_replicas_publish_each_committed_event_once(scratch_leads_database):
    replica_a = scratch_leads_database
    replica_b = Database("leads", replica_a.url)  # a second process's view of the same schema
    bus_a, bus_b = CountingBus(), CountingBus()
    relays = [OutboxRelay(replica_a, bus_a, poll_seconds=0.02), OutboxRelay(replica_b, bus_b, poll_seconds=0.02)]
    scanned = [_after_first_scan(relay) for relay in relays]
    for relay in relays:
        relay.start()
    # Each relay's first scan takes every row (a crash may have left its own, of any age): not the point here.
    assert all(done.wait(10) for done in scanned)
    try:
        emitted = []

        def commit_events(database: Database, prefix: str) -> None:
            for number in range(150):
                with database.session("t1") as session:
                    emitted.append(emit(session, LeadCreated(lead_id=f"{prefix}{number}"), producer="leads").id)

        writers = [threading.Thread(target=commit_events, args=(database, prefix))
                   for database, prefix in ((replica_a, "a"), (replica_b, "b"))]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()

        eventually(lambda: _remaining(replica_a) == 0, timeout=30, what="every row published and deleted")
        published = bus_a.published + bus_b.published
        assert set(published) == set(emitted)
        assert max(published.values()) == 1  # the other replica's 20 ms polls took none of them
    finally:
        for relay in relays:
            relay.stop()
        replica_b.dispose()


def test_rows_no_relay_holds_are_published_by_the_poll_after_the_grace_period(scratch_leads_database):
    bus = CountingBus()
    relay = OutboxRelay(scratch_leads_database, bus, poll_seconds=0.02)
    relay._unknown_rows = False  # noqa: SLF001 - a live replica whose start-up scan is long past
    with scratch_leads_database.kernel_session() as session:  # written by a process that then crashed
        orphans = {name: write_outbox_row(session, LeadCreated(lead_id=name), age_seconds=age)
                   for name, age in (("old", outbox.GRACE_SECONDS + 1), ("young", 0))}
    relay.start()
    try:
        eventually(lambda: bus.published[orphans["old"]] == 1, timeout=10, what="the old orphan published")
        assert bus.published[orphans["young"]] == 0  # still within its writer's grace period
        assert _remaining(scratch_leads_database) == 1
    finally:
        relay.stop()


class HeldBus(CountingBus):
    """Holds its first publish until released: the relay is busy while more commits arrive."""

    def __init__(self):
        super().__init__()
        self.entered, self.release = threading.Event(), threading.Event()

    def publish(self, messages):  # noqa: ANN001, ANN201
        if not self.entered.is_set():
            self.entered.set()
            self.release.wait(10)
        super().publish(messages)


def test_a_stopping_relay_publishes_what_its_process_committed(scratch_leads_database):
    bus = HeldBus()
    relay = OutboxRelay(scratch_leads_database, bus, poll_seconds=30)
    relay._unknown_rows = False  # noqa: SLF001 - no start-up scan: what is published comes from memory
    relay.start()
    try:
        with scratch_leads_database.session("t1") as session:
            first = emit(session, LeadCreated(lead_id="first"), producer="leads").id
        assert bus.entered.wait(5)  # the relay is publishing the first event
        with scratch_leads_database.session("t1") as session:
            second = emit(session, LeadCreated(lead_id="second"), producer="leads").id
        stopping = threading.Thread(target=relay.stop)
        stopping.start()
        eventually(lambda: relay._stopping.is_set(), what="stop requested")  # noqa: SLF001
    finally:
        bus.release.set()
    stopping.join(10)
    assert bus.published == Counter({first: 1, second: 1})
    assert _remaining(scratch_leads_database) == 0
