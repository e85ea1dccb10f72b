"""100k reminders falling due at once on PostgreSQL, fired by two replicas of the leads timer worker.

Each replica is its own OS process running the leads service's TimerWorker with the service's real timer handlers
(services/leads/timers.py: the reminder is marked fired and lead.reminder_due is written to the outbox) against
one scratch database. No outbox relay runs, so every lead.reminder_due stays in crm_outbox to be counted.

Prints: total, fired, doubles (reminders with more than one lead.reminder_due), lost, seconds from the moment
they fell due until the last one fired (target: all within 60 s), and the split between the replicas with their
CPU time.

Usage: python bench/reminders.py [--reminders 100000] [--tenants 4] [--leads 1000] [--batch 500]
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import psycopg
from benchlib import PG_ADMIN, cpu_seconds

FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


def replica(url: str, batch: int, ready, stop, results) -> None:  # noqa: ANN001 - multiprocessing primitives
    """One replica: the leads service's timer worker, as `crm serve leads` runs it, until told to stop."""
    from services.core.db import Database
    from services.core.timers import TimerWorker
    from services.leads.timers import TIMERS

    database = Database("leads", url)
    worker = TimerWorker(database, TIMERS, poll_seconds=1.0, batch_size=batch)
    worker.start()
    ready.set()
    stop.wait()
    worker.stop()
    database.dispose()
    results.put({"pid": multiprocessing.current_process().pid, "fired": worker.fired})


def seed(url: str, dsn: str, *, reminders: int, tenants: int, leads_count: int) -> None:
    """Leads through the ORM, then reminders and their timers by COPY, all due far in the future."""
    from services.core.db import Database
    from services.core.migrate import upgrade
    from services.core.runtime import load_definition
    from services.leads.models import Lead

    database = Database("leads", url)
    upgrade(load_definition("leads"), database)
    lead_ids: list[tuple[str, str]] = []
    per_tenant = leads_count // tenants
    for t in range(tenants):
        tenant = f"bench-{t}"
        with database.session(tenant) as session:
            batch = [Lead(name=f"Lead {t}-{n}", company="Bench Co", channel="Bench", email=f"l{t}-{n}@bench.test",
                          owner_id=f"rep{n % 20}") for n in range(per_tenant)]
            session.add_all(batch)
            session.flush()
            lead_ids.extend((tenant, lead.id) for lead in batch)
    database.dispose()

    now = datetime.now(UTC).isoformat()
    far = FAR_FUTURE.isoformat()
    reminder_rows, timer_rows = io.StringIO(), io.StringIO()
    for n in range(reminders):
        tenant, lead_id = lead_ids[n % len(lead_ids)]
        reminder_id = str(uuid.uuid4())
        reminder_rows.write(f"{reminder_id}\t{lead_id}\t\trep{n % 20}\trep{n % 20}\t{far}\tin_days 1\tnote {n}"
                            f"\tscheduled\t\\N\t\\N\t{now}\t{tenant}\n")
        timer_rows.write(f"{tenant}\treminder\t{reminder_id}\t{far}\t{{}}\t0\t\\N\t{now}\n")
    with psycopg.connect(dsn, options="-csearch_path=leads") as connection:
        with connection.cursor().copy(
            "COPY reminder (id, lead_id, follow_up_id, recipient_id, created_by, remind_at, anchor, note, status,"
            " fired_at, cancelled_at, created_at, tenant_id) FROM STDIN"
        ) as copy:
            copy.write(reminder_rows.getvalue())
        with connection.cursor().copy(
            "COPY crm_timer (tenant_id, kind, key, due_at, payload, attempts, last_error, created_at) FROM STDIN"
        ) as copy:
            copy.write(timer_rows.getvalue())
        connection.execute("ANALYZE reminder")
        connection.execute("ANALYZE crm_timer")


def make_due(dsn: str, lead_seconds: float) -> datetime:
    """Every reminder and timer due at one moment shortly after now; returns it (or the commit time, if later)."""
    due = datetime.now(UTC) + timedelta(seconds=lead_seconds)
    with psycopg.connect(dsn, options="-csearch_path=leads") as connection:
        connection.execute("UPDATE reminder SET remind_at = %s", (due,))
        connection.execute("UPDATE crm_timer SET due_at = %s", (due,))
    return max(due, datetime.now(UTC))


def verify(dsn: str) -> dict:
    from crm.events.v1.envelope_pb2 import Envelope
    from crm.events.v1.leads_pb2 import LeadReminderDue

    with psycopg.connect(dsn, options="-csearch_path=leads") as connection:
        bodies = [row[0] for row in connection.execute(
            "SELECT body FROM crm_outbox WHERE event_type = 'lead.reminder_due'")]
        statuses = dict(connection.execute("SELECT status, count(*) FROM reminder GROUP BY status").fetchall())
        last_fired = connection.execute("SELECT max(fired_at) FROM reminder").fetchone()[0]
        timers_left = connection.execute("SELECT count(*) FROM crm_timer").fetchone()[0]
    per_reminder: Counter[str] = Counter()
    for body in bodies:
        payload = LeadReminderDue()
        Envelope.FromString(body).payload.Unpack(payload)
        per_reminder[payload.reminder_id] += 1
    return {"events": len(bodies), "distinct": len(per_reminder),
            "doubles": sum(1 for count in per_reminder.values() if count > 1),
            "statuses": statuses, "last_fired": last_fired, "timers_left": timers_left}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--tenants", type=int, default=4)
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=500, help="timers claimed per transaction")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()

    name = f"bench_reminders_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    spawn = multiprocessing.get_context("spawn")
    stop, results = spawn.Event(), spawn.Queue()
    processes = []
    try:
        started = time.perf_counter()
        seed(url, dsn, reminders=args.reminders, tenants=args.tenants, leads_count=args.leads)
        print(f"seeded {args.reminders} reminders on {args.leads} leads of {args.tenants} tenants "
              f"in {time.perf_counter() - started:.1f} s", flush=True)
        for _ in range(args.replicas):
            ready = spawn.Event()
            process = spawn.Process(target=replica, args=(url, args.batch, ready, stop, results))
            process.start()
            processes.append((process, ready))
        for process, ready in processes:
            if not ready.wait(120):
                raise SystemExit(f"replica {process.pid} did not start")
        cpu_before = {process.pid: cpu_seconds(process.pid) for process, _ in processes}

        due = make_due(dsn, lead_seconds=2.0)
        deadline = time.monotonic() + args.timeout
        with psycopg.connect(dsn, options="-csearch_path=leads", autocommit=True) as connection:
            while time.monotonic() < deadline:
                if connection.execute("SELECT count(*) FROM crm_timer").fetchone()[0] == 0:
                    break
                time.sleep(0.2)
        cpu = {process.pid: cpu_seconds(process.pid) - cpu_before[process.pid] for process, _ in processes}
        stop.set()
        split = {}
        for _ in processes:
            result = results.get(timeout=60)
            split[result["pid"]] = result["fired"]
        for process, _ in processes:
            process.join(30)
        report = verify(dsn)
    finally:
        stop.set()
        for process, _ in processes:
            if process.is_alive():
                process.kill()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    fired = report["statuses"].get("fired", 0)
    seconds = (report["last_fired"] - due).total_seconds() if report["last_fired"] else float("nan")
    lost = args.reminders - report["distinct"]
    print(json.dumps({"total": args.reminders, "fired": fired, "events": report["events"],
                      "doubles": report["doubles"], "lost": lost, "timers_left": report["timers_left"],
                      "seconds": round(seconds, 2)}))
    print(f"total {args.reminders}  fired {fired}  lead.reminder_due events {report['events']}  "
          f"doubles {report['doubles']}  lost {lost}")
    print(f"all fired {seconds:.1f} s after falling due (target <= 60 s): "
          f"{args.reminders / seconds:,.0f} reminders/s with {args.replicas} replicas, batch {args.batch}")
    for index, (pid, count) in enumerate(sorted(split.items())):
        print(f"  replica {index + 1} (pid {pid}): fired {count} ({count / max(args.reminders, 1):.0%}), "
              f"CPU {cpu.get(pid, 0):.1f} s")


if __name__ == "__main__":
    main()
