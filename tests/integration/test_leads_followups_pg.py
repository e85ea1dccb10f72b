"""Reminders on PostgreSQL (R-LEAD-8): reminders that fell due while no replica ran fire exactly once when two
replicas of the leads timer worker (separate processes, the service's real handlers) start together."""

from __future__ import annotations

import multiprocessing
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.leads_pb2 import LeadReminderDue
from services.core.auth import Caller
from services.core.db import Database
from services.core.kernel_models import OutboxMessage, Timer
from services.leads import followups, leads
from services.leads.models import Reminder

pytestmark = pytest.mark.integration

REP = Caller(tenant_id="t1", subject="rep1", kind="user", roles=frozenset({"sales"}))


def run_replica(url: str, ready, stop, fired) -> None:  # noqa: ANN001 - multiprocessing primitives
    from services.core.timers import TimerWorker
    from services.leads.timers import TIMERS

    database = Database("leads", url)
    worker = TimerWorker(database, TIMERS, poll_seconds=0.05, batch_size=50)
    worker.start()
    ready.set()
    stop.wait(120)
    worker.stop()
    fired.put(worker.fired)
    database.dispose()


@pytest.fixture
def database(scratch_leads_database: Database) -> Database:
    return scratch_leads_database


def _timers_left(database: Database) -> int:
    with database.kernel_session() as session:
        # Only reminders: capturing the lead may have started other clocks (the public pool's), due much later.
        return session.scalar(select(func.count()).select_from(Timer).where(Timer.kind == followups.TIMER_KIND))


def test_reminders_due_while_down_fire_once_with_two_replicas(database):
    # Scheduled two days ago for "in one day": due since yesterday 09:00, while nothing ran.
    long_ago = datetime.now(UTC) - timedelta(days=2)
    with database.session("t1") as session:
        lead = leads.create_lead(session, tenant="t1", caller=REP, name="王芳", channel="web", email="wf@x.cn")
    for chunk in range(30):  # a transaction per 20, as separate requests would
        with database.session("t1") as session:
            for n in range(20):
                followups.schedule_reminder(session, caller=REP, lead_id=lead.id, note=f"r{chunk}-{n}",
                                            now=long_ago, when=followups.ReminderTime(anchor="in_days", count=1))
    spawn = multiprocessing.get_context("spawn")
    stop, fired = spawn.Event(), spawn.Queue()
    replicas = []
    for _ in range(2):
        ready = spawn.Event()
        process = spawn.Process(target=run_replica, args=(database.url, ready, stop, fired), daemon=True)
        process.start()
        replicas.append((process, ready))
    try:
        for _process, ready in replicas:
            assert ready.wait(60)
        deadline = time.monotonic() + 60
        while _timers_left(database) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        counts = [fired.get(timeout=60) for _ in replicas]
        for process, _ready in replicas:
            process.join(30)
    assert _timers_left(database) == 0
    assert sum(counts) >= 600  # other clocks of the lead may have fired too
    with database.kernel_session() as session:
        bodies = session.scalars(select(OutboxMessage.body).where(OutboxMessage.event_type == "lead.reminder_due"))
        reminder_ids = []
        for body in bodies:
            event = LeadReminderDue()
            Envelope.FromString(body).payload.Unpack(event)
            reminder_ids.append(event.reminder_id)
        statuses = set(session.scalars(select(Reminder.status)))
    assert len(reminder_ids) == len(set(reminder_ids)) == 600
    assert statuses == {"fired"}
