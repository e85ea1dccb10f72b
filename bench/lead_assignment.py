"""Lead assignment and the public pool on PostgreSQL (issue #4 items 4 and 5).

One scratch database, one tenant with a roster of reps (teams, regions, industries, caps) and a conversion record
(ownership history over the last 90 days). Prints:
- assignment latency of a new lead through every default rule (availability, capacity, territory, industry,
  conversion over the history, round-robin), one at a time: p50 / p99 ms;
- assignments per second with several threads at once (they serialise on the tenant's rep rows by design), and
  the spread of leads over reps;
- claims per second with threads racing for the same pool leads, and whether every lead had exactly one winner;
- reclaims per second: follow-up clocks of that many leads falling due at once, fired by fire_due.

Usage: python bench/lead_assignment.py [--reps 50] [--history 100000] [--leads 500] [--threads 8] [--pool 400]
       [--reclaims 5000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import psycopg
from benchlib import PG_ADMIN

T0 = datetime(2031, 1, 6, 2, 0, tzinfo=UTC)  # after the wall clock: timers act at their due time
TENANT = "bench"
REGIONS = ["上海", "北京", "44", "浙江", "江苏", "四川", "湖北", "山东"]
INDUSTRIES = ["65", "64", "I", "C", "51", "52", "70", "72", "73", "36"]
CHANNELS = ["web", "Baidu SEM", "trade fair", "referral"]


def caller(*roles: str, tenant: str, subject: str):  # noqa: ANN201
    from services.core.auth import Caller

    return Caller(tenant_id=tenant, subject=subject, kind="user", roles=frozenset(roles))


def seed(database, reps: int, history: int) -> None:  # noqa: ANN001
    from sqlalchemy import insert, text

    from services.core.ids import new_id
    from services.leads import reps as roster
    from services.leads.models import Lead, LeadOwnership

    rng = random.Random(7)
    admin = caller("admin", tenant=TENANT, subject="admin")
    with database.session(TENANT) as session:
        for number in range(reps):
            roster.upsert_rep(session, caller=admin, user_id=f"rep-{number:03d}", team=f"team-{number % 5}",
                              regions=rng.sample(REGIONS, 2), industries=rng.sample(INDUSTRIES, 3),
                              daily_cap=200, holding_limit=5000)
    statuses = ["converted"] * 2 + ["lost"] * 5 + ["open"] * 3
    for start in range(0, history, 10_000):
        leads, changes = [], []
        for _ in range(min(10_000, history - start)):
            lead_id, owner = new_id(), f"rep-{rng.randrange(reps):03d}"
            at = T0 - timedelta(days=rng.uniform(1, 120))
            status = rng.choice(statuses)
            leads.append({"id": lead_id, "tenant_id": TENANT, "name": "x", "channel": rng.choice(CHANNELS),
                          "industry": rng.choice(["65", "64", "51", "36", "70"]), "owner_id": owner,
                          "status": status, "assigned_at": at, "created_at": at, "updated_at": at})
            changes.append({"id": new_id(), "tenant_id": TENANT, "lead_id": lead_id, "from_owner": "",
                            "to_owner": owner, "reason": "auto", "actor": "bench", "note": "", "at": at})
        with database.engine.begin() as connection:
            connection.execute(insert(Lead.__table__), leads)
            connection.execute(insert(LeadOwnership.__table__), changes)
    with database.engine.connect() as connection:  # as autovacuum would after a load: statistics, visibility map
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def new_leads(database, count: int, **fields) -> list[str]:  # noqa: ANN001, ANN003
    from services.leads.models import Lead

    rng = random.Random(count)
    with database.session(TENANT) as session:
        rows = [Lead(tenant_id=TENANT, name="Ann", channel=rng.choice(CHANNELS), email=f"{uuid.uuid4().hex}@x.cn",
                     industry=rng.choice(["65", "64", "51", "36"]), region=rng.choice(REGIONS), **fields)
                for _ in range(count)]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def assign(database, lead_id: str, now: datetime):  # noqa: ANN001, ANN201
    from services.leads import assignment
    from services.leads.models import Lead

    with database.session(TENANT) as session:
        return assignment.assign_new_lead(session, session.get(Lead, lead_id), now=now)


def in_threads(threads: int, work: list, run) -> float:  # noqa: ANN001
    """Seconds for `threads` threads to run `run(item)` over `work`, started together."""
    chunks = [work[index::threads] for index in range(threads)]
    barrier = threading.Barrier(threads + 1)

    def worker(items) -> None:  # noqa: ANN001
        barrier.wait()
        for item in items:
            run(item)

    pool = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--leads", type=int, default=500)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--pool", type=int, default=400)
    parser.add_argument("--reclaims", type=int, default=5000)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from services.core.db import Database
    from services.core.errors import DomainError
    from services.core.migrate import upgrade
    from services.core.runtime import load_definition
    from services.core.timers import fire_due
    from services.leads import assignment, pool, rules
    from services.leads.models import Lead, Rep
    from services.leads.timers import TIMERS

    name = f"bench_assignment_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    database = Database("leads", f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    try:
        upgrade(load_definition("leads"), database)
        started = time.perf_counter()
        seed(database, args.reps, args.history)
        print(f"seeded {args.reps} reps and {args.history:,} history rows in {time.perf_counter() - started:.1f} s")

        # 1. Latency, one at a time, every default rule.
        latencies, owners = [], Counter()
        for number, lead_id in enumerate(new_leads(database, args.leads)):
            began = time.perf_counter()
            outcome = assign(database, lead_id, T0 + timedelta(seconds=number))
            latencies.append((time.perf_counter() - began) * 1000)
            owners[outcome.owner_id] += 1
        latencies.sort()
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"assign one lead (all default rules, {args.history:,} history rows): "
              f"p50 {statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms; {len(owners)} reps got leads")

        # 2. Throughput with threads.
        lead_ids = new_leads(database, args.leads)
        concurrent = Counter()
        lock = threading.Lock()

        def assign_one(lead_id: str) -> None:
            outcome = assign(database, lead_id, T0 + timedelta(hours=1))
            with lock:
                concurrent[outcome.owner_id] += 1

        seconds = in_threads(args.threads, lead_ids, assign_one)
        print(f"assign {len(lead_ids)} leads with {args.threads} threads: {len(lead_ids) / seconds:.0f} leads/s "
              f"(serialised per tenant on its rep rows); leads per rep min {min(concurrent.values())} "
              f"max {max(concurrent.values())}")

        # 3. Claims: every thread tries every pool lead.
        pooled = new_leads(database, args.pool, pooled_at=T0)
        winners: Counter = Counter()
        refused = Counter()

        def claim_all(rep: str) -> None:
            for lead_id in pooled:
                try:
                    with database.session(TENANT) as session:
                        pool.claim(session, caller=caller("sales", tenant=TENANT, subject=rep), lead_id=lead_id,
                                   now=T0 + timedelta(hours=2))
                    with lock:
                        winners[lead_id] += 1
                except DomainError as error:
                    with lock:
                        refused[type(error).__name__] += 1

        with database.session(TENANT) as session:
            rules.update_pool(session, caller=caller("admin", tenant=TENANT, subject="admin"),
                              values={"claims_per_day": 0}, fields=["claims_per_day"])
        reps = [f"rep-{number:03d}" for number in range(args.threads)]
        seconds = in_threads(args.threads, reps, claim_all)
        attempts = args.threads * len(pooled)
        print(f"claims: {attempts} attempts on {len(pooled)} pool leads by {args.threads} reps in {seconds:.2f} s "
              f"({attempts / seconds:.0f} attempts/s); leads with exactly one winner: "
              f"{sum(1 for lead_id in pooled if winners[lead_id] == 1)}/{len(pooled)}; refusals {dict(refused)}")

        # 4. Reclaims falling due at once.
        reclaim_ids = new_leads(database, args.reclaims)
        with database.session(TENANT) as session:
            settings = rules.load(session)
            rep = session.get(Rep, (TENANT, "rep-000"))
            for lead_id in reclaim_ids:
                lead = session.get(Lead, lead_id)
                lead.owner_id = "rep-000"
                assignment.give(session, lead, to="rep-000", reason=assignment.MANUAL, actor="bench",
                                now=T0 + timedelta(hours=3), settings=settings, rep=rep, previous="")
        began = time.perf_counter()
        fired = fire_due(database, TIMERS, now=T0 + timedelta(hours=3 + 49))
        seconds = time.perf_counter() - began
        with database.session(TENANT) as session:
            back = session.scalar(select(func.count()).select_from(Lead).where(Lead.id.in_(reclaim_ids),
                                                                                Lead.pooled_at.is_not(None)))
        print(f"reclaims: {fired} timers (warnings and reclaims) fired in {seconds:.2f} s "
              f"({fired / seconds:.0f} timers/s); leads back in the pool {back}/{len(reclaim_ids)}")
    finally:
        database.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
