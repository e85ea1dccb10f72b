"""Durable timers on real SQLite: scheduling, firing with a given clock, tenancy, failures, workers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from services.core.auth import current_caller
from services.core.db import TENANT, Database
from services.core.kernel_models import Timer
from services.core.timers import (
    Due,
    TimerWorker,
    backoff,
    cancel,
    fire_due,
    in_batches,
    pending,
    schedule,
    schedule_many,
)
from tests.unit.conftest import sample, wait_for

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


class Recorder:
    """A timer handler that records what it saw, and optionally leaves a trace in the same transaction."""

    def __init__(self, *, trace: bool = False):
        self.calls: list[tuple[str, str, str, dict, str, str]] = []
        self.trace = trace
        self.lock = threading.Lock()

    def __call__(self, session, timer):
        with self.lock:
            self.calls.append((timer.tenant, timer.kind, timer.key, timer.payload, session.info[TENANT],
                               current_caller().tenant_id))
        if self.trace:  # an effect in the handler's transaction, scoped to the handler's tenant
            schedule(session, kind="trace", key=timer.key, due_at=T0 + timedelta(days=365))


def _timers(database: Database) -> dict[tuple[str, str, str], Timer]:
    with database.kernel_session() as session:
        return {(t.tenant_id, t.kind, t.key): t for t in session.scalars(select(Timer))}


def test_schedule_replaces_and_cancel_removes(leads_db):
    with leads_db.session("t1") as session:
        schedule(session, kind="reclaim", key="L1", due_at=T0, payload={"n": 1})
        schedule(session, kind="reclaim", key="L1", due_at=T0 + timedelta(hours=1), payload={"n": 2})
        schedule(session, kind="warn", key="L1", due_at=T0)
    with leads_db.session("t1") as session:
        assert pending(session, "reclaim", "L1") == (T0 + timedelta(hours=1), {"n": 2})
        assert cancel(session, kind="reclaim", key="L1") is True
        assert cancel(session, kind="reclaim", key="L1") is False
        assert pending(session, "reclaim", "L1") is None
        assert pending(session, kind="warn", key="L1") == (T0, {})


def test_schedule_many_writes_several_timers_and_replaces_pending_ones(leads_db):
    with leads_db.session("t1") as session:
        schedule(session, kind="reclaim", key="L1", due_at=T0, payload={"n": 1})
    with leads_db.session("t1") as session:
        schedule_many(session, [
            Due("reclaim", "L1", T0 + timedelta(hours=2), {"n": 2}),
            Due("warn", "L1", T0 + timedelta(hours=1)),
            Due("warn", "L1", T0 + timedelta(hours=3), {"last": True}),  # a later entry wins, as a later call would
        ])
        schedule_many(session, [])
    with leads_db.session("t1") as session:
        assert pending(session, "reclaim", "L1") == (T0 + timedelta(hours=2), {"n": 2})
        assert pending(session, "warn", "L1") == (T0 + timedelta(hours=3), {"last": True})
    assert len(_timers(leads_db)) == 2


def test_a_rolled_back_transaction_schedules_nothing(leads_db):
    with pytest.raises(RuntimeError), leads_db.session("t1") as session:
        schedule(session, kind="reclaim", key="L1", due_at=T0)
        raise RuntimeError("the change that wanted the timer failed")
    assert _timers(leads_db) == {}


def test_due_times_are_stored_in_utc_whatever_zone_they_come_in(leads_db):
    shanghai = datetime(2026, 3, 1, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # == T0
    with leads_db.session("t1") as session:
        schedule(session, kind="k", key="1", due_at=shanghai)
    handler = Recorder()
    assert fire_due(leads_db, {"k": handler}, now=T0 - timedelta(seconds=1)) == 0
    assert fire_due(leads_db, {"k": handler}, now=T0) == 1


def test_naive_due_times_are_refused(leads_db):
    with pytest.raises(ValueError), leads_db.session("t1") as session:
        schedule(session, kind="k", key="1", due_at=datetime(2026, 3, 1, 8, 0))


def test_fire_due_fires_what_is_due_at_now_once(leads_db):
    with leads_db.session("t1") as session:
        schedule(session, kind="k", key="early", due_at=T0, payload={"lead": "L1"})
        schedule(session, kind="k", key="late", due_at=T0 + timedelta(hours=2))
    handler = Recorder()
    assert fire_due(leads_db, {"k": handler}, now=T0 - timedelta(minutes=1)) == 0
    assert fire_due(leads_db, {"k": handler}, now=T0 + timedelta(hours=1)) == 1
    assert [call[2:4] for call in handler.calls] == [("early", {"lead": "L1"})]
    assert fire_due(leads_db, {"k": handler}, now=T0 + timedelta(hours=1)) == 0
    assert set(_timers(leads_db)) == {("t1", "k", "late")}


def test_handlers_run_in_the_timers_tenant_and_tenants_do_not_share_timers(leads_db):
    for tenant in ("t1", "t2"):
        with leads_db.session(tenant) as session:
            schedule(session, kind="k", key="same", due_at=T0, payload={"tenant": tenant})
    with leads_db.session("t2") as session:
        assert pending(session, "k", "same") == (T0, {"tenant": "t2"})
    with leads_db.session("t1") as session:
        assert cancel(session, kind="k", key="other") is False
    handler = Recorder(trace=True)
    assert fire_due(leads_db, {"k": handler}, now=T0) == 2
    # The handler's session and its caller are the timer's tenant; its effect lands in that tenant.
    assert sorted(handler.calls) == [
        ("t1", "k", "same", {"tenant": "t1"}, "t1", "t1"),
        ("t2", "k", "same", {"tenant": "t2"}, "t2", "t2"),
    ]
    assert set(_timers(leads_db)) == {("t1", "trace", "same"), ("t2", "trace", "same")}


def test_a_failing_timer_backs_off_alone_and_fires_on_a_later_attempt(leads_db):
    with leads_db.session("t1") as session:
        for key in ("a", "bad", "c"):
            schedule(session, kind="k", key=key, due_at=T0)
    failures_before = sample("crm_timer_failures_total", service="leads", kind="k")
    fired_before = sample("crm_timers_fired_total", service="leads", kind="k")
    attempts_seen = []

    def handler(session, timer):
        schedule(session, kind="trace", key=timer.key, due_at=T0 + timedelta(days=1))
        if timer.key == "bad" and timer.attempts == 0:
            raise RuntimeError("mail server down")
        attempts_seen.append((timer.key, timer.attempts))

    assert fire_due(leads_db, {"k": handler}, now=T0) == 2
    rows = _timers(leads_db)
    bad = rows[("t1", "k", "bad")]
    assert (bad.attempts, bad.due_at) == (1, T0 + backoff(1))
    assert "mail server down" in bad.last_error
    # The failed handler's own effect was rolled back; the others' effects committed.
    assert {key for (_, kind, key) in rows if kind == "trace"} == {"a", "c"}
    assert sample("crm_timer_failures_total", service="leads", kind="k") == failures_before + 1
    assert sample("crm_timers_fired_total", service="leads", kind="k") == fired_before + 2

    assert fire_due(leads_db, {"k": handler}, now=T0 + backoff(1) - timedelta(seconds=1)) == 0
    assert fire_due(leads_db, {"k": handler}, now=T0 + backoff(1)) == 1
    assert ("bad", 1) in attempts_seen
    assert ("t1", "k", "bad") not in _timers(leads_db)


def test_back_off_grows_exponentially_up_to_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [5, 10, 20]
    assert backoff(50) == timedelta(hours=1)


def test_a_handler_may_schedule_its_own_kind_and_key_again(leads_db):
    with leads_db.session("t1") as session:
        schedule(session, kind="tick", key="L1", due_at=T0, payload={"n": 1})

    def tick(session, timer):
        if timer.payload["n"] < 3:
            schedule(session, kind="tick", key=timer.key, due_at=timer.due_at + timedelta(hours=1),
                     payload={"n": timer.payload["n"] + 1})

    # Rescheduled timers that fall due before `now` fire in the same call (fast-forward).
    assert fire_due(leads_db, {"tick": tick}, now=T0 + timedelta(minutes=90)) == 2
    with leads_db.session("t1") as session:
        assert pending(session, "tick", "L1") == (T0 + timedelta(hours=2), {"n": 3})


def test_a_kind_without_handler_is_kept_not_lost(leads_db):
    with leads_db.session("t1") as session:
        schedule(session, kind="unknown", key="1", due_at=T0)
    assert fire_due(leads_db, {"k": Recorder()}, now=T0 + timedelta(days=1)) == 0
    assert ("t1", "unknown", "1") in _timers(leads_db)
    handler = Recorder()
    assert fire_due(leads_db, {"unknown": handler}, now=T0 + timedelta(days=1)) == 1


def test_fire_due_works_through_batches(leads_db):
    with leads_db.session("t1") as session:
        for n in range(25):
            schedule(session, kind="k", key=str(n), due_at=T0 + timedelta(seconds=n))
    handler = Recorder()
    assert fire_due(leads_db, {"k": handler}, now=T0 + timedelta(minutes=1), batch_size=10) == 25
    assert [call[2] for call in handler.calls] == [str(n) for n in range(25)]  # in due order


def test_two_workers_on_one_sqlite_file_fire_each_timer_exactly_once(tmp_path, leads_db):
    with leads_db.session("t1") as session:
        for n in range(400):
            schedule(session, kind="k", key=str(n), due_at=T0)
    handler = Recorder(trace=True)
    databases = [Database("leads", leads_db.url) for _ in range(2)]
    workers = [TimerWorker(database, {"k": handler}, poll_seconds=0.05, batch_size=50) for database in databases]
    for worker in workers:
        worker.start()
    try:
        wait_for(lambda: sum(worker.fired for worker in workers) >= 400, timeout=20)
    finally:
        for worker in workers:
            worker.stop()
        for database in databases:
            database.dispose()
    keys = [call[2] for call in handler.calls]
    assert sorted(keys) == sorted(str(n) for n in range(400))  # each exactly once
    rows = _timers(leads_db)
    assert not [key for key in rows if key[1] == "k"]
    assert len([key for key in rows if key[1] == "trace"]) == 400


def test_a_worker_fires_a_timer_scheduled_in_its_process_before_its_next_poll(leads_db):
    handler = Recorder()
    fired = threading.Event()

    def on_timer(session, timer):
        handler(session, timer)
        fired.set()

    worker = TimerWorker(leads_db, {"k": on_timer}, poll_seconds=30)
    worker.start()
    try:
        wait_for(lambda: worker.passes >= 1, timeout=5)  # found nothing: now sleeping for 30 s
        with leads_db.session("t1") as session:
            schedule(session, kind="k", key="soon", due_at=datetime.now(UTC) + timedelta(milliseconds=200))
        assert fired.wait(5), "a 30 s poll was not shortened by the in-process schedule"
    finally:
        worker.stop()
    assert [call[2] for call in handler.calls] == ["soon"]


def test_a_timer_that_fell_due_while_no_worker_ran_fires_when_one_starts(leads_db):
    with leads_db.session("t1") as session:
        schedule(session, kind="k", key="missed", due_at=datetime.now(UTC) - timedelta(hours=3))
    handler = Recorder()
    worker = TimerWorker(leads_db, {"k": handler}, poll_seconds=30)
    worker.start()
    try:
        wait_for(lambda: handler.calls, timeout=5)
    finally:
        worker.stop()
    assert not worker.is_alive()
    assert [call[2] for call in handler.calls] == ["missed"]


def test_a_batch_handler_gets_each_tenants_timers_together_and_one_at_a_time_after_a_failure(leads_db):
    for offset, tenant in ((0, "t1"), (10, "t2")):  # t1's timers fall due first: its call comes first
        with leads_db.session(tenant) as session:
            for n in range(3):
                schedule(session, kind="k", key=f"{tenant}-{n}", due_at=T0 + timedelta(seconds=offset + n))
    calls = []

    @in_batches
    def handler(session, fired):
        calls.append((session.info[TENANT], [timer.key for timer in fired]))
        if "t2-1" in [timer.key for timer in fired] and fired[0].attempts == 0:
            raise RuntimeError("t2-1 fails on its first attempt")

    assert fire_due(leads_db, {"k": handler}, now=T0 + timedelta(minutes=1)) == 5
    # One call per tenant; then, after t2's call failed, the batch again one timer at a time.
    assert calls[:2] == [("t1", ["t1-0", "t1-1", "t1-2"]), ("t2", ["t2-0", "t2-1", "t2-2"])]
    assert sorted(calls[2:]) == sorted((key[:2], [key]) for key in ("t1-0", "t1-1", "t1-2", "t2-0", "t2-1", "t2-2"))
    assert set(_timers(leads_db)) == {("t2", "k", "t2-1")}


def test_staged_timers_are_collected_for_the_callers_statement_and_written_as_schedule_would(leads_db):
    """timers.staged(): what is scheduled inside is not written but handed to the caller (capture writes it with its
    lead, ADR 0024); write() (or the caller's own upsert) then replaces a pending timer as schedule() does."""
    from services.core import timers

    with leads_db.session("t1") as session:
        schedule(session, kind="reclaim", key="L1", due_at=T0, payload={"n": 1})
    with leads_db.session("t1") as session:
        with timers.staged(session) as rows:
            schedule_many(session, [Due("reclaim", "L1", T0 + timedelta(hours=2), {"n": 2}),
                                    Due("warn", "L1", T0 + timedelta(hours=1))])
            schedule(session, kind="warn", key="L1", due_at=T0 + timedelta(hours=3))  # the later entry wins
            with pytest.raises(RuntimeError, match="staged"):
                pending(session, "reclaim", "L1")
            assert rows == []  # filled when the block ends
        assert pending(session, "reclaim", "L1") == (T0, {"n": 1})  # nothing written yet
        assert sorted((row["kind"], row["due_at"], row["attempts"]) for row in rows) == [
            ("reclaim", T0 + timedelta(hours=2), 0), ("warn", T0 + timedelta(hours=3), 0)]
        timers.write(session, rows)
    with leads_db.session("t1") as session:
        assert pending(session, "reclaim", "L1") == (T0 + timedelta(hours=2), {"n": 2})
        assert pending(session, "warn", "L1") == (T0 + timedelta(hours=3), {})
