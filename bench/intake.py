"""Lead intake on PostgreSQL + RabbitMQ, with separate `crm serve` processes for leads and identity.

Prints, all measured in this run on this machine:
1. the raw rate of single-row INSERT + COMMIT on the same PostgreSQL (one connection): the baseline;
2. CreateLead throughput (closed loop, concurrent clients) and its ratio to the baseline (target >= 0.6);
3. at a steady 300 leads/s (open loop), the latency from sending CreateLead to the identity's customer id being
   committed on the lead (seen through a LISTEN/NOTIFY trigger the bench installs): p50/p95/p99 (target p99 <= 50 ms).

Usage: python bench/intake.py [--seconds 10] [--clients 16] [--rate 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent import futures
from pathlib import Path

import grpc
import psycopg

from crm.leads.v1 import leads_pb2, leads_pb2_grpc
from services.core.auth import mint_token
from services.core.devcluster import TOKEN_KEY, Cluster

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def raw_commit_rate(dsn: str, seconds: float) -> float:
    with psycopg.connect(dsn, autocommit=False) as connection:
        connection.execute("CREATE TABLE bench_raw (id text PRIMARY KEY, tenant_id text, name text, email text,"
                           " channel text, created_at timestamptz DEFAULT now())")
        connection.commit()
        count, deadline = 0, time.perf_counter() + seconds
        started = time.perf_counter()
        while time.perf_counter() < deadline:
            connection.execute("INSERT INTO bench_raw (id, tenant_id, name, email, channel)"
                               " VALUES (%s, %s, %s, %s, %s)",
                               (str(uuid.uuid4()), "bench", "Raw", "raw@bench.test", "Bench"))
            connection.commit()
            count += 1
        return count / (time.perf_counter() - started)


def leads_stub(cluster: Cluster, tenant: str) -> leads_pb2_grpc.LeadsServiceStub:
    token = mint_token(TOKEN_KEY, tenant_id=tenant, subject="bench-rep", roles=["sales"], ttl_seconds=3600)
    channel = grpc.insecure_channel(f"127.0.0.1:{cluster.ports['leads']}")
    stub = leads_pb2_grpc.LeadsServiceStub(channel)
    stub.metadata = [("authorization", f"Bearer {token}")]  # type: ignore[attr-defined]
    return stub


def create(stub, index: int, tag: str) -> str:  # noqa: ANN001
    request = leads_pb2.CreateLeadRequest(name=f"Bench {index}", email=f"{tag}-{index}@bench.test", channel="Bench")
    return stub.CreateLead(request, metadata=stub.metadata, timeout=10).lead.id


def throughput(cluster: Cluster, seconds: float, clients: int) -> float:
    stub = leads_stub(cluster, f"bench-{uuid.uuid4().hex[:6]}")
    counter = iter(range(10**9))
    done = []
    stop = time.perf_counter() + seconds

    def client() -> None:
        made = 0
        while time.perf_counter() < stop:
            create(stub, next(counter), "tp")
            made += 1
        done.append(made)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - started)


def resolution_latency(cluster: Cluster, dsn: str, seconds: float, rate: float) -> list[float]:
    tenant = f"bench-{uuid.uuid4().hex[:6]}"
    stub = leads_stub(cluster, tenant)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("""
            CREATE OR REPLACE FUNCTION leads.bench_notify() RETURNS trigger AS $$
            BEGIN
              IF NEW.customer_id <> '' AND OLD.customer_id = '' THEN
                PERFORM pg_notify('bench_resolved', NEW.tenant_id || ' ' || NEW.id);
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            DROP TRIGGER IF EXISTS bench_resolved ON leads.lead;
            CREATE TRIGGER bench_resolved AFTER UPDATE ON leads.lead FOR EACH ROW EXECUTE FUNCTION leads.bench_notify();
        """)
    sent_at: dict[str, float] = {}
    resolved_at: dict[str, float] = {}
    total = int(seconds * rate)
    listening = threading.Event()

    def listen() -> None:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute("LISTEN bench_resolved")
            listening.set()
            for notify in connection.notifies(timeout=seconds + 30):
                notified_tenant, _, lead_id = notify.payload.partition(" ")
                if notified_tenant == tenant:  # not the warm-up's or another phase's leads
                    resolved_at[lead_id] = time.perf_counter()
                    if len(resolved_at) >= total:
                        break

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    listening.wait(10)

    def send(index: int, scheduled: float) -> None:
        lead_id = create(stub, index, "lat")
        # Measured from the scheduled send time, so a slow server cannot hide queueing (no coordinated omission).
        sent_at[lead_id] = scheduled

    with futures.ThreadPoolExecutor(max_workers=32) as pool:
        start = time.perf_counter()
        sends = []
        for index in range(total):
            scheduled = start + index / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            sends.append(pool.submit(send, index, scheduled))
    failed = [s.exception() for s in sends if s.exception() is not None]
    if failed:
        print(f"  warning: {len(failed)} CreateLead calls failed, first: {failed[0]!r}")
    listener.join(timeout=60)
    missing = set(sent_at) - set(resolved_at)
    if missing:
        print(f"  warning: {len(missing)} leads not resolved within the wait")
    return sorted((resolved_at[i] - sent_at[i]) * 1000 for i in sent_at if i in resolved_at)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rate", type=float, default=300)
    args = parser.parse_args()

    database = f"crm_bench_{uuid.uuid4().hex[:8]}"
    vhost = f"crm_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True)
    dsn = f"postgresql://postgres@127.0.0.1:5432/{database}"
    workdir = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    cluster = Cluster(f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
                      f"amqp://guest:guest@127.0.0.1:5672/{vhost}", workdir)
    try:
        baseline = raw_commit_rate(dsn, args.seconds / 2)
        print(f"PostgreSQL single-row INSERT+COMMIT, one connection: {baseline:8.0f} rows/s")
        cluster.crm("migrate", "identity", "leads")
        for name in ("identity", "leads"):
            cluster.start(name)
        for _ in range(200):  # warm up connections and caches
            create(leads_stub(cluster, "warmup"), 0, f"warm-{uuid.uuid4().hex}")
        # Latency first, on an idle system; the throughput run leaves a backlog in the identity queue.
        pids = {name: process.pid for name, process in cluster.processes.items()}
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        latencies = resolution_latency(cluster, dsn, args.seconds, args.rate)
        cpu_per_lead = {name: (cpu_seconds(pid) - cpu_before[name]) * 1000 / max(len(latencies), 1)
                        for name, pid in pids.items()}
        print(f"CreateLead -> customer id stored on the lead, {args.rate:.0f} leads/s for {args.seconds:.0f} s "
              f"({len(latencies)} leads):")
        print(f"  p50 {percentile(latencies, 50):6.1f} ms   p95 {percentile(latencies, 95):6.1f} ms   "
              f"p99 {percentile(latencies, 99):6.1f} ms   max {max(latencies, default=float('nan')):6.1f} ms   "
              f"mean {statistics.fmean(latencies) if latencies else float('nan'):6.1f} ms   (target p99 <= 50 ms)")
        print("  CPU per lead: " + ", ".join(f"{name} {ms:.2f} ms" for name, ms in cpu_per_lead.items())
              + f" (machine: {os.cpu_count()} cores)")
        rate = throughput(cluster, args.seconds, args.clients)
        print(f"CreateLead throughput, {args.clients} clients:       {rate:8.0f} leads/s"
              f"   = {rate / baseline:.2f} x baseline (target >= 0.60)")
    finally:
        cluster.stop_all()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], check=False)


if __name__ == "__main__":
    main()
