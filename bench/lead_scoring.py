"""Lead scoring on PostgreSQL (a database of its own), figures printed, all measured in this run on this machine:

1. bulk rescoring of 1,000,000 leads with the default model (`crm leads rescore`: COPY out, vectorised model,
   COPY of the plan, set-based writes; target <= 30 s): the first scoring of never-scored leads (history for all,
   every consequence), a rerun with nothing to change, and a rerun after a change of the tenant's weights;
2. one behaviour event through the gRPC API (RecordBehaviour on a `crm serve leads` process: record it, update
   the aggregates, rescore the lead, write history and what the score sets off): p50/p99 over a few thousand
   sequential calls on random leads of the million (target p99 <= 5 ms), on the database at rest (vacuumed and
   checkpointed first, see at_rest);
3. the predictive plugin's backtest on a SYNTHETIC won/lost history (bench/gen_lead_history.py): ROC AUC of the
   predictive model and of the default model on the later part of the history.

Usage: python bench/lead_scoring.py [--leads 1000000] [--calls 3000] [--skip-rescore] [--skip-api] [--skip-auc]
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import numpy as np
import polars as pl
import psycopg
from benchlib import scratch_cluster

from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.auth import mint_token
from services.core.db import Database
from services.core.devcluster import TOKEN_KEY
from services.leads import rescoring, scoring
from services.leads.models import BEHAVIOUR_KINDS, Lead

TENANT = "bench"
HERE = Path(__file__).parent
SETTINGS = {"target_industries": ["I", "C"], "target_regions": ["上海", "北京", "广东", "江苏", "浙江"],
            "employees_min": 50, "employees_max": 5000, "budget_min": "100000", "budget_max": "5000000"}
REGIONS = ["上海", "北京", "广东", "江苏", "浙江", "四川", "湖北", "山东", "河南", ""]
INDUSTRIES = ["65", "64", "34", "35", "39", "51", "52", "70", "72", "83", "84", ""]
CHANNELS = ["Baidu SEM", "Referral", "Offline Expo A", "Website", "Cold call"]


def seed(dsn: str, leads: int, now: datetime) -> list[str]:
    """`leads` leads of TENANT, 70 % with behaviour aggregates, loaded with COPY; returns their ids."""
    rng = np.random.default_rng(11)
    ids = [str(uuid.uuid4()) for _ in range(leads)]
    created = pl.Series([now - timedelta(days=90)] * leads).dt.cast_time_unit("us")
    values = {
        "id": ids, "tenant_id": [TENANT] * leads, "name": [f"Lead {i}" for i in range(leads)],
        "email": [f"lead{i}@bench.test" for i in range(leads)],
        "email_key": [f"lead{i}@bench.test" for i in range(leads)],
        "channel": rng.choice(CHANNELS, leads), "industry": rng.choice(INDUSTRIES, leads),
        "region": rng.choice(REGIONS, leads), "owner_id": rng.choice([f"rep{i}" for i in range(50)], leads),
        "employees": np.where(rng.random(leads) < 0.85, np.round(rng.lognormal(4.4, 1.3, leads)), 0).astype(int),
        "budget": pl.Series(np.round(rng.lognormal(12.2, 1.1, leads), 2)).set(
            pl.Series(rng.random(leads) < 0.4), None),
        "created_at": created, "updated_at": created,
    }
    frame = pl.DataFrame(values)
    columns = {c.name: c for c in Lead.__table__.columns}
    for name, column in columns.items():  # every other column: its default
        if name not in frame.columns:
            default = column.default.arg if column.default is not None and column.default.is_scalar else None
            if default is None and not column.nullable:
                raise SystemExit(f"no value for lead.{name}")
            frame = frame.with_columns(pl.lit(default).alias(name))
    active = rng.random(leads) < 0.7
    count = int(active.sum())
    last = pl.Series([now - timedelta(days=float(d)) for d in rng.uniform(0, 60, count)]).dt.cast_time_unit("us")
    intent = rng.normal(0, 1, count)
    activity = pl.DataFrame({
        "lead_id": np.array(ids, dtype=object)[active], "tenant_id": [TENANT] * count,
        "page_view": rng.poisson(np.exp(1.0 + 0.45 * intent)),
        "email_open": rng.poisson(np.exp(0.4 + 0.35 * intent)),
        "call_answered": rng.poisson(np.exp(-0.8 + 0.55 * intent)),
        "demo_attended": (rng.random(count) < 1 / (1 + np.exp(1.6 - 1.1 * intent))).astype(int),
        "contract_template_viewed": (rng.random(count) < 1 / (1 + np.exp(3.0 - 1.3 * intent))).astype(int),
        "interactions": rng.gamma(1.5, 1.5, count) * np.exp(0.3 * intent),
        "interactions_at": last, "last_event_at": last, "model": [""] * count,
    })
    with psycopg.connect(dsn, options="-csearch_path=leads") as connection:
        for table, data in (("lead", frame), ("lead_activity", activity)):
            buffer = io.BytesIO()
            data.write_csv(buffer, include_header=False, quote_style="non_numeric", null_value="",
                           datetime_format="%Y-%m-%d %H:%M:%S%.6f%z")
            with connection.cursor().copy(f"COPY {table} ({', '.join(data.columns)}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
        connection.execute("ANALYZE lead; ANALYZE lead_activity")
    return ids


def vacuum(dsn: str) -> None:
    """What autovacuum does after a million-row update anyway: dead row versions go, pages get room again (for
    in-place updates of the next rescoring)."""
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True, options="-csearch_path=leads") as connection:
        connection.execute("VACUUM (ANALYZE) lead, lead_activity, lead_score")
    print(f"  (VACUUM ANALYZE of lead, lead_activity, lead_score: {time.perf_counter() - started:.1f} s)", flush=True)


def at_rest(dsn: str) -> None:
    """The latency runs start from a database at rest: without this, the autovacuum pass that a million fresh inserts
    set off (and the checkpoint writing back the seeding's or rescoring's pages) overlaps the calls and makes their
    tail. Autovacuum and the checkpointer would have done this before long on a database in use."""
    vacuum(dsn)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("CHECKPOINT")


def rescore_figures(database: Database, label: str, now: datetime) -> None:
    result = rescoring.rescore_tenant(database, TENANT, now=now)
    print(f"  {label:<34} {result.seconds:6.1f} s  {result.leads / result.seconds:>9,.0f} leads/s   changed "
          f"{result.changed:,}, qualified {result.qualified:,}, turned hot {result.turned_hot:,}, nurtured "
          f"{result.nurtured:,}", flush=True)
    print("    " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in result.phases), flush=True)


def get_lead_latency(port: int, ids: list[str], calls: int) -> list[float]:
    """The platform's floor on this machine: GetLead (one primary-key read) through the same server and client."""
    token = mint_token(TOKEN_KEY, tenant_id=TENANT, subject="bench", kind="service", roles=[], ttl_seconds=3600)
    metadata = [("authorization", f"Bearer {token}")]
    latencies = []
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = leads_pb2_grpc.LeadsServiceStub(channel)
        for n in range(calls + 200):
            started = time.perf_counter()
            stub.GetLead(leads_pb2.GetLeadRequest(id=ids[(n * 7919) % len(ids)]), metadata=metadata, timeout=10)
            if n >= 200:
                latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def api_latency(port: int, ids: list[str], calls: int) -> list[float]:
    token = mint_token(TOKEN_KEY, tenant_id=TENANT, subject="tracking", kind="service", roles=[], ttl_seconds=3600)
    metadata = [("authorization", f"Bearer {token}")]
    rng = np.random.default_rng(5)
    kinds = rng.choice(BEHAVIOUR_KINDS, calls + 200, p=[0.55, 0.25, 0.1, 0.07, 0.03])
    targets = rng.choice(len(ids), calls + 200)
    latencies = []
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = leads_pb2_grpc.LeadsServiceStub(channel)
        for n in range(calls + 200):
            request = leads_pb2.RecordBehaviourRequest(lead_id=ids[targets[n]], kind=str(kinds[n]),
                                                       event_key=f"bench-{n}", source="bench")
            started = time.perf_counter()
            stub.RecordBehaviour(request, metadata=metadata, timeout=10)
            if n >= 200:  # the first 200 warm up connections and caches
                latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def in_process_latency(database: Database, ids: list[str], calls: int) -> list[float]:
    """The same work as RecordBehaviour's handler (a tenant transaction: record, rescore, write, commit) called in
    this process: what scoring one lead costs without the gRPC transport (whose floor GetLead shows)."""
    from services.core.auth import Caller

    tracking = Caller(tenant_id=TENANT, subject="tracking", kind="service", roles=frozenset())
    rng = np.random.default_rng(7)
    kinds = rng.choice(BEHAVIOUR_KINDS, calls + 200, p=[0.55, 0.25, 0.1, 0.07, 0.03])
    targets = rng.choice(len(ids), calls + 200)
    latencies = []
    for n in range(calls + 200):
        started = time.perf_counter()
        with database.session(TENANT) as session:
            scoring.record_behaviour(session, caller=tracking, kind=str(kinds[n]), lead_id=ids[targets[n]],
                                     event_key=f"in-process-{n}", source="bench")
        if n >= 200:
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--skip-rescore", action="store_true")
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--skip-auc", action="store_true")
    parser.add_argument("--lead-fillfactor", type=int, help="Override the fillfactor of lead (experiments).")
    args = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)

    with scratch_cluster("bench_lead_scoring") as (cluster, dsn):
        cluster.crm("migrate", "leads")
        if args.lead_fillfactor:
            with psycopg.connect(dsn, autocommit=True, options="-csearch_path=leads") as connection:
                connection.execute(f"ALTER TABLE lead SET (fillfactor = {int(args.lead_fillfactor)})")
        started = time.perf_counter()
        ids = seed(dsn, args.leads, now)
        print(f"seeded {args.leads:,} leads (70 % with behaviour aggregates) in {time.perf_counter() - started:.1f} s",
              flush=True)
        database = Database("leads", cluster.database_url)
        try:
            with database.session(TENANT) as session:
                scoring.update_settings(session, caller=_admin(), values=SETTINGS)
            if not args.skip_rescore:
                print(f"bulk rescoring, default model, {args.leads:,} leads (target <= 30 s):")
                rescore_figures(database, "first scoring (all consequences)", now)
                vacuum(dsn)
                rescore_figures(database, "rerun, nothing changed", now)
                with database.session(TENANT) as session:
                    scoring.update_settings(session, caller=_admin(), values={"weights": {
                        "frequency": 30, "depth": 30, "industry": 15, "region": 5, "size": 10, "budget": 10}})
                rescore_figures(database, "rerun after a weights change", now)
        finally:
            database.dispose()
        if not args.skip_api:
            at_rest(dsn)
            cluster.start("leads")
            latencies = api_latency(cluster.ports["leads"], ids, args.calls)
            cuts = statistics.quantiles(latencies, n=100)
            print(f"RecordBehaviour through gRPC, {len(latencies)} sequential calls on random leads of "
                  f"{args.leads:,}: p50 {cuts[49]:.2f} ms, p99 {cuts[98]:.2f} ms, max {max(latencies):.2f} ms "
                  f"(target p99 <= 5 ms)", flush=True)
            floor = statistics.quantiles(get_lead_latency(cluster.ports["leads"], ids, args.calls), n=100)
            print(f"  for comparison, GetLead (one primary-key read) on the same server: p50 {floor[49]:.2f} ms, "
                  f"p99 {floor[98]:.2f} ms", flush=True)
            database = Database("leads", cluster.database_url)
            try:
                inside = statistics.quantiles(in_process_latency(database, ids, args.calls), n=100)
            finally:
                database.dispose()
            print(f"  the handler's work without gRPC (record, rescore, write, commit in one transaction, called in "
                  f"this process): p50 {inside[49]:.2f} ms, p99 {inside[98]:.2f} ms", flush=True)
    if not args.skip_auc:
        backtest()


def _admin():  # noqa: ANN202
    from services.core.auth import Caller

    return Caller(tenant_id=TENANT, subject="bench", kind="service", roles=frozenset({"admin"}))


def backtest() -> None:
    data = HERE / ".data"
    data.mkdir(exist_ok=True)
    history, settings = data / "lead_history.csv", data / "lead_scoring_settings.json"
    subprocess.run([sys.executable, str(HERE / "gen_lead_history.py"), "--output", str(history),
                    "--settings-output", str(settings)], check=True)
    command = Path(sys.executable).parent / "crm-predictive-scoring"
    print("predictive plugin backtest on the SYNTHETIC history, with the default model at the generator's tenant "
          "settings:", flush=True)
    subprocess.run([str(command), "backtest", "--history", str(history), "--scoring-settings", str(settings)],
                   check=True)
    print("... and with the default model at the default settings (no targets):", flush=True)
    subprocess.run([str(command), "backtest", "--history", str(history)], check=True)


if __name__ == "__main__":
    main()
