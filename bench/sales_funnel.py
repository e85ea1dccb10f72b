"""Funnel (R-AN-4) and weighted forecast against 1M opportunities and 10M stage changes in PostgreSQL.

    .venv/bin/python bench/sales_funnel.py [--opportunities 1000000] [--queries 200] [--keep]

Creates its own database (bench_sales_<random>, dropped afterwards unless --keep), migrates the sales schema,
generates opportunities over two years for 1000 reps in 50 teams (each with ~10 stage changes: moves back and forth
between 02..04, then won, lost or still open), loads them with COPY, builds `funnel_day` from the changes with one
INSERT ... SELECT (what a backfill would do; the service keeps it in the transaction of each change), checks that
the day sums agree with the raw changes, then times GetFunnel (tenant, team and rep, random periods of 7..365
days) and GetForecast (by rep, team and region) through the domain functions and prints p50/p99 (target 300 ms).
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.core.auth import Caller  # noqa: E402
from services.core.db import Database  # noqa: E402
from services.core.migrate import upgrade  # noqa: E402
from services.core.runtime import load_definition  # noqa: E402
from services.sales import pipeline  # noqa: E402
from services.sales.models import Opportunity, StageChange  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TENANT = "bench"
START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN_DAYS = 730
REPS, TEAMS, REGIONS = 1000, 50, 31
CHANGES_PER_OPPORTUNITY = 10
CHUNK = 100_000
LOSS_REASONS = np.array(["price", "competitor", "no_budget", "no_decision", "other"])


def generate(chunk: int, size: int, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`size` opportunities with CHANGES_PER_OPPORTUNITY changes each (creation included)."""
    ids = np.array([str(uuid.UUID(int=(chunk << 32) + i + 1)) for i in range(size)])
    owners = rng.integers(0, REPS, size)
    teams = owners % TEAMS
    regions = owners % REGIONS
    created = rng.uniform(0, SPAN_DAYS - 60, size) * 86400.0
    steps = CHANGES_PER_OPPORTUNITY
    ranks = np.zeros((size, steps), dtype=np.int16)  # 2..5, 0 = lost
    ranks[:, 0] = 2
    for column in range(1, steps - 1):
        previous = ranks[:, column - 1]
        up = rng.random(size) < 0.55
        moved = np.where(up, np.minimum(previous + 1, 4), np.maximum(previous - 1, 2))
        moved = np.where(moved == previous, np.where(previous == 4, 3, 3), moved)
        ranks[:, column] = moved
    ending = rng.random(size)
    last = np.where(ending < 0.3, 5, np.where(ending < 0.65, 0, np.where(ranks[:, -2] == 3, 4, 3)))
    ranks[:, -1] = last
    dwell = rng.exponential(2.5 * 86400, (size, steps)).astype(np.int64)
    dwell[:, 0] = 0
    at = created[:, None] + np.cumsum(dwell, axis=1)
    reached_before = np.maximum.accumulate(np.where(ranks == 0, 0, ranks), axis=1)
    previous_max = np.concatenate([np.zeros((size, 1), dtype=np.int16), reached_before[:, :-1]], axis=1)
    new = ranks > previous_max
    low = np.where(new, previous_max + 1, 0)
    low[:, 0] = 2
    high = np.where(new, ranks, 0)
    reasons = np.where(ranks == 0, LOSS_REASONS[rng.integers(0, 5, (size, steps))], "")
    stage_names = np.array(["lost", "", "02", "03", "04", "05"])
    to_stage = stage_names[ranks]
    from_stage = np.concatenate([np.full((size, 1), ""), to_stage[:, :-1]], axis=1)

    epoch = START.timestamp()
    amounts = (rng.integers(1_000, 5_000_000, size) / 100).round(2)
    final = ranks[:, -1]
    final_at = at[:, -1]
    close = np.where(np.isin(final, [0, 5]), final_at, final_at + rng.uniform(0, 90, size) * 86400)
    opportunities = pl.DataFrame({
        "id": ids, "tenant_id": TENANT, "name": "deal", "account_id": ids, "contact_id": "", "stage": to_stage[:, -1],
        "max_rank": reached_before[:, -1].astype(np.int32),
        "stage_entered_at": pl.Series(((epoch + final_at) * 1e6).astype(np.int64)).cast(pl.Datetime("us", "UTC")),
        "lost_reason": reasons[:, -1], "lost_note": "", "amount": amounts.astype(str), "currency": "CNY",
        "close_date": pl.Series(((epoch + close) // 86400).astype(np.int32)).cast(pl.Date),
        "owner_id": [f"rep-{o}" for o in owners], "team": [f"team-{t}" for t in teams],
        "region": [f"region-{r}" for r in regions], "channel": "",
        "created_at": pl.Series(((epoch + created) * 1e6).astype(np.int64)).cast(pl.Datetime("us", "UTC")),
    })
    flat = size * steps
    changes = pl.DataFrame({
        "tenant_id": TENANT, "opportunity_id": np.repeat(ids, steps), "from_stage": from_stage.reshape(flat),
        "to_stage": to_stage.reshape(flat),
        "at": pl.Series(((epoch + at.reshape(flat)) * 1e6).astype(np.int64)).cast(pl.Datetime("us", "UTC")),
        "actor": np.repeat([f"rep-{o}" for o in owners], steps), "dwell_seconds": dwell.reshape(flat),
        "reached_low": low.reshape(flat).astype(np.int32), "reached_high": high.reshape(flat).astype(np.int32),
        "reason": reasons.reshape(flat), "owner_id": np.repeat([f"rep-{o}" for o in owners], steps),
        "team": np.repeat([f"team-{t}" for t in teams], steps), "region": np.repeat([f"region-{r}" for r in regions],
                                                                                   steps),
    })
    return opportunities, changes


def copy(connection: psycopg.Connection, table: str, frame: pl.DataFrame) -> None:
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, datetime_format="%Y-%m-%d %H:%M:%S%.6f+00")
    columns = ", ".join(frame.columns)
    with connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as pipe:
        pipe.write(buffer.getvalue())


BACKFILL = """
INSERT INTO funnel_day (tenant_id, day, team, stage, reason, reached, exits, dwell_seconds)
SELECT tenant_id, day, team, stage, reason, sum(reached), sum(exits), sum(dwell)
FROM (
    SELECT c.tenant_id, (c.at AT TIME ZONE 'UTC')::date AS day, c.team, s.stage, '' AS reason, 1 AS reached,
           0 AS exits, 0::bigint AS dwell
    FROM opportunity_stage_change c
    JOIN (VALUES (2, '02'), (3, '03'), (4, '04'), (5, '05')) AS s(rank, stage)
      ON s.rank BETWEEN c.reached_low AND c.reached_high
    WHERE c.reached_low > 0
    UNION ALL
    SELECT tenant_id, (at AT TIME ZONE 'UTC')::date, team, from_stage, '', 0, 1, dwell_seconds
    FROM opportunity_stage_change WHERE from_stage <> ''
    UNION ALL
    SELECT tenant_id, (at AT TIME ZONE 'UTC')::date, team, 'lost', reason, 1, 0, 0
    FROM opportunity_stage_change WHERE to_stage = 'lost'
) AS parts
GROUP BY tenant_id, day, team, stage, reason
"""


def load(database: Database, dsn: str, count: int) -> None:
    rng = np.random.default_rng(20261124)
    tables = [Opportunity.__table__, StageChange.__table__]
    with database.engine.begin() as connection:
        for table in tables:
            for index in table.indexes:
                index.drop(connection)
    started = time.perf_counter()
    with psycopg.connect(dsn, options="-csearch_path=sales") as connection:
        for chunk in range(0, count, CHUNK):
            opportunities, changes = generate(chunk // CHUNK, min(CHUNK, count - chunk), rng)
            copy(connection, "opportunity", opportunities)
            copy(connection, "opportunity_stage_change", changes)
            connection.commit()
            print(f"  loaded {chunk + len(opportunities):,} opportunities", end="\r", flush=True)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    with database.engine.begin() as connection:
        for table in tables:
            for index in table.indexes:
                index.create(connection)
    indexed = time.perf_counter() - started
    started = time.perf_counter()
    with psycopg.connect(dsn, options="-csearch_path=sales", autocommit=True) as connection:
        connection.execute(BACKFILL)
        for table in ("opportunity", "opportunity_stage_change", "funnel_day"):
            connection.execute(f"VACUUM ANALYZE {table}")
        rows = {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("opportunity", "opportunity_stage_change", "funnel_day")}
    print(f"COPY {loaded:.1f} s, indexes {indexed:.1f} s, funnel_day backfill + analyze "
          f"{time.perf_counter() - started:.1f} s; rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    median, top = statistics.median(ordered) * 1000, ordered[-1] * 1000
    return f"p50 {median:7.1f} ms  p99 {p99 * 1000:7.1f} ms  max {top:7.1f} ms"


def period(rng: random.Random) -> tuple[date, date]:
    length = rng.randint(7, 365)
    start = START.date() + timedelta(days=rng.randint(0, SPAN_DAYS - length))
    return start, start + timedelta(days=length - 1)


def timed(database: Database, queries: int) -> None:
    admin = Caller(TENANT, "bench", "user", frozenset({"admin"}))
    rng = random.Random(7)
    kinds = {
        "funnel, whole tenant": lambda s, p: pipeline.funnel(s, caller=admin, start=p[0], end=p[1]),
        "funnel, one team": lambda s, p: pipeline.funnel(s, caller=admin, start=p[0], end=p[1],
                                                         team=f"team-{rng.randrange(TEAMS)}"),
        "funnel, one rep": lambda s, p: pipeline.funnel(s, caller=admin, start=p[0], end=p[1],
                                                        owner_id=f"rep-{rng.randrange(REPS)}"),
        "forecast by rep": lambda s, p: pipeline.forecast(s, caller=admin, start=p[0], end=p[1], group_by="owner"),
        "forecast by team": lambda s, p: pipeline.forecast(s, caller=admin, start=p[0], end=p[1], group_by="team"),
        "forecast by region, one team": lambda s, p: pipeline.forecast(
            s, caller=admin, start=p[0], end=p[1], group_by="region", team=f"team-{rng.randrange(TEAMS)}"),
    }
    for name, run in kinds.items():
        samples = []
        for _ in range(queries):
            chosen = period(rng)
            started = time.perf_counter()
            with database.session(TENANT) as session:
                run(session, chosen)
            samples.append(time.perf_counter() - started)
        print(f"{name:30s} {percentiles(samples)}  ({queries} random periods of 7..365 days)")


def check(database: Database) -> None:
    """The day sums answer what the raw changes answer, for one team and a quarter."""
    admin = Caller(TENANT, "bench", "user", frozenset({"admin"}))
    with database.session(TENANT) as session:
        quick = pipeline.funnel(session, caller=admin, start=date(2024, 7, 1), end=date(2024, 9, 30), team="team-7")
        stages = {stage: pipeline.FunnelStage(stage) for stage in pipeline.STAGES}
        losses: dict[str, int] = {}
        members = [f"rep-{r}" for r in range(REPS) if r % TEAMS == 7]
        from collections import defaultdict

        losses = defaultdict(int)
        for member in members:
            pipeline._from_changes(session, member, date(2024, 7, 1), date(2024, 9, 30), stages, losses)
    assert [s.reached for s in quick.stages] == [stages[s].reached for s in pipeline.STAGES]
    assert [s.dwell_seconds for s in quick.stages] == [stages[s].dwell_seconds for s in pipeline.STAGES]
    assert dict(quick.loss_reasons) == {k: v for k, v in losses.items() if v}
    print("check: team-7, Q3 2024 from funnel_day = from the raw changes:",
          ", ".join(f"{s.stage} {s.reached} ({s.conversion_from_previous or '-'}%, {s.average_dwell_days or '-'} d)"
                    for s in quick.stages))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    args = parser.parse_args()
    name = f"bench_sales_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
    database = Database("sales", f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    try:
        upgrade(load_definition("sales"), database)
        print(f"database {name}: {args.opportunities:,} opportunities, "
              f"{args.opportunities * CHANGES_PER_OPPORTUNITY:,} stage changes")
        load(database, dsn, args.opportunities)
        check(database)
        timed(database, args.queries)
    finally:
        database.dispose()
        if not args.keep:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
