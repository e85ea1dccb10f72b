"""Real-time identity matching: latency of one match against N stored identities in PostgreSQL (default 1M).

Loads N generated CRM records (bench/gen_chinese_crm.py) into a scratch database as the identity service stores
them (source_record with features, match_key rows), then times `find_candidates` for records it has not seen:
normalisation, the indexed candidate query and scoring, each in its own tenant-scoped session as the service
does it. Printed next to the same database's plain indexed single-row lookup, measured in the same run.

    .venv/bin/python bench/identity_match.py [--n 1000000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

import polars as pl
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import PG_ADMIN  # noqa: E402
from gen_chinese_crm import generate  # noqa: E402

from services.core.db import Database  # noqa: E402
from services.core.migrate import upgrade  # noqa: E402
from services.core.runtime import load_definition  # noqa: E402
from services.identity.matching.features import crm_features, features_of  # noqa: E402
from services.identity.matching.realtime import find_candidates, load_model, match_keys  # noqa: E402
from services.identity.matching.spec import CRM_FIELDS  # noqa: E402

TENANT = "bench"
RECORD_COLUMNS = ("record_id", *CRM_FIELDS, "entity_id")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def copy_rows(connection: psycopg.Connection, table: str, columns: tuple[str, ...], rows) -> None:  # noqa: ANN001
    with connection.cursor().copy(f"COPY identity.{table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def load(dsn: str, records: list[tuple[str, ...]]) -> None:
    frame = pl.DataFrame(records, schema=list(RECORD_COLUMNS), orient="row")
    features = crm_features(frame).drop("record_id", "entity_id").to_dicts()
    now = time.strftime("%Y-%m-%d %H:%M:%S+00")
    source_columns = ("tenant_id", "id", "service", "kind", "record_id", "customer_id", "owner_id", *CRM_FIELDS,
                      "features", "observed_at", "linked_at")
    with psycopg.connect(dsn) as connection:
        copy_rows(connection, "source_record", source_columns, (
            (TENANT, index + 1, "bench", "record", record[0], "C" + record[-1], "",
             *(value or "" for value in record[1:-1]),
             json.dumps({key: value or "" for key, value in feature.items()}, ensure_ascii=False), now, now)
            for index, (record, feature) in enumerate(zip(records, features, strict=True))
        ))
        copy_rows(connection, "match_key", ("tenant_id", "kind", "value", "source_record_id"), (
            (TENANT, kind, value, index + 1)
            for index, feature in enumerate(features)
            for kind, value in match_keys({key: value or "" for key, value in feature.items()})
        ))
        connection.execute("ANALYZE identity.source_record")
        connection.execute("ANALYZE identity.match_key")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="stored identities")
    parser.add_argument("--queries", type=int, default=2000, help="records matched one at a time")
    args = parser.parse_args()

    name = f"bench_match_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
    database = Database("identity", f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    try:
        upgrade(load_definition("identity"), database)
        started = time.perf_counter()
        records = generate(args.n + args.queries, seed=42)
        stored, queries = records[: args.n], records[args.n :]
        load(dsn, stored)
        print(f"loaded {args.n:,} identities in {time.perf_counter() - started:.0f}s", flush=True)

        with psycopg.connect(dsn) as connection:  # the baseline: one indexed row by key, same database
            probes = [match_keys(features_of(dict(zip(RECORD_COLUMNS, q, strict=True))))[:1] for q in queries]
            baseline = []
            for probe in (p for p in probes if p):
                kind, value = probe[0]
                begin = time.perf_counter()
                connection.execute("SELECT source_record_id FROM identity.match_key WHERE tenant_id = %s AND "
                                   "kind = %s AND value = %s LIMIT 1", (TENANT, kind, value)).fetchall()
                baseline.append((time.perf_counter() - begin) * 1000)

        with database.session(TENANT) as session:
            model = load_model(session)
        latencies, found = [], 0
        for query in queries:
            raw = dict(zip(RECORD_COLUMNS, query, strict=True))
            begin = time.perf_counter()
            with database.session(TENANT) as session:
                candidates = find_candidates(session, features=features_of(raw), model=model)
            latencies.append((time.perf_counter() - begin) * 1000)
            found += bool(candidates)
        warm = latencies[100:] or latencies
        print(f"match against {args.n:,}: p50 {percentile(warm, 0.5):.2f} ms  p95 {percentile(warm, 0.95):.2f} ms  "
              f"p99 {percentile(warm, 0.99):.2f} ms  mean {statistics.fmean(warm):.2f} ms  (target p99 <= 10 ms); "
              f"{found}/{len(queries)} records had candidates")
        lookup_p99 = percentile(baseline, 0.99)
        print(f"baseline indexed lookup: p50 {percentile(baseline, 0.5):.2f} ms  p99 {lookup_p99:.2f} ms"
              f"  -> match p99 = {percentile(warm, 0.99) / lookup_p99:.1f}x the lookup's p99")
    finally:
        database.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
