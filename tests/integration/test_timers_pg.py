"""Durable timers on PostgreSQL: two worker processes share one schema (FOR UPDATE SKIP LOCKED) and fire every
timer exactly once; a timer that fell due while no worker ran fires when one starts."""

from __future__ import annotations

import multiprocessing
import os
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from services.core.db import Database, utcnow
from services.core.ids import new_id
from services.core.kernel_models import OutboxMessage, Timer
from services.core.timers import TimerWorker, schedule

pytestmark = pytest.mark.integration



def record_firing(session, timer) -> None:
    """The handler: one row per firing, in the firing transaction, naming the process that fired it."""
    session.connection().execute(
        insert(OutboxMessage.__table__).values(
            id=new_id(), event_type=f"fired.{os.getpid()}", tenant_id=timer.tenant,
            body=f"{timer.tenant}/{timer.key}".encode(), created_at=utcnow(),
        )
    )


def run_worker(url: str, ready, stop) -> None:  # noqa: ANN001 - multiprocessing events
    """A replica: just the leads timer worker, until told to stop."""
    database = Database("leads", url)
    worker = TimerWorker(database, {"k": record_firing}, poll_seconds=0.05, batch_size=100)
    worker.start()
    ready.set()
    stop.wait(120)
    worker.stop()
    database.dispose()


@pytest.fixture
def database(scratch_leads_database: Database) -> Database:
    return scratch_leads_database


def _firings(database: Database) -> list[tuple[str, bytes]]:
    with database.kernel_session() as session:
        return session.execute(select(OutboxMessage.event_type, OutboxMessage.body)).all()


def _left(database: Database) -> int:
    with database.kernel_session() as session:
        return session.scalar(select(func.count()).select_from(Timer).where(Timer.kind == "k"))


def test_two_worker_processes_fire_each_timer_exactly_once(database):
    spawn = multiprocessing.get_context("spawn")
    stop = spawn.Event()
    replicas = []
    for _ in range(2):
        ready = spawn.Event()
        process = spawn.Process(target=run_worker, args=(database.url, ready, stop), daemon=True)
        process.start()
        replicas.append((process, ready))
    try:
        for _process, ready in replicas:
            assert ready.wait(60), "a worker process did not start"
        # Both replicas are polling when the timers fall due together.
        due_at = datetime.now(UTC) + timedelta(seconds=1)
        expected = set()
        for tenant in ("t1", "t2"):
            with database.session(tenant) as session:
                for n in range(1500):
                    schedule(session, kind="k", key=f"L{n}", due_at=due_at, payload={"n": n})
                    expected.add(f"{tenant}/L{n}".encode())
        deadline = time.monotonic() + 60
        while _left(database) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _left(database) == 0
    finally:
        stop.set()
        for process, _ready in replicas:
            process.join(30)
            if process.is_alive():
                process.kill()
    firings = _firings(database)
    bodies = [body for _type, body in firings]
    assert len(bodies) == len(expected) == 3000
    assert set(bodies) == expected  # every timer once: no double, none lost
    per_replica = {event_type for event_type, _body in firings}
    assert len(per_replica) == 2, f"one replica fired everything: {per_replica}"


def test_a_timer_that_fell_due_while_no_worker_ran_fires_when_one_starts(database):
    with database.session("t1") as session:
        schedule(session, kind="k", key="missed", due_at=datetime.now(UTC) - timedelta(hours=2))
        schedule(session, kind="k", key="later", due_at=datetime.now(UTC) + timedelta(hours=2))
    worker = TimerWorker(database, {"k": record_firing}, poll_seconds=30)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while not _firings(database) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    assert [body for _type, body in _firings(database)] == [b"t1/missed"]
    assert _left(database) == 1  # the later one waits
