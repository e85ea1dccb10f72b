"""Latency of the main list pages and API list calls with 100k leads in PostgreSQL (issue #6, "How good").

Setup, in a database and vhost of its own: 100k generated leads imported with `crm leads import` (the code of the
command, in-process); the leads service as a `crm serve leads` process; the gateway as `crm serve gateway` (waitress)
with a manager who sees every lead, a rep, and an API key. Then, one keep-alive HTTP client at a time (what one
person's browser does), for each URL: warm-up, then N requests; p50/p95/p99 in ms. The same ListLeads call made
directly over gRPC is the baseline: the difference is what the gateway adds (auth, token, rendering, JSON).

Target: p99 <= 100 ms for the main list pages and API list calls.

Usage: python bench/gateway_lists.py [--leads 100000] [--requests 300]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.benchlib import scratch_cluster  # noqa: E402
from bench.lead_import import generate, run_command  # noqa: E402
from services.core.devcluster import TOKEN_KEY, free_port  # noqa: E402

TENANT = "bench"


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return (f"p50 {statistics.median(ordered):6.1f} ms   p95 {pick(0.95):6.1f} ms   p99 {pick(0.99):6.1f} ms"
            f"   (n={len(ordered)})")


def timed_get(connection: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> tuple[float, bytes]:
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise SystemExit(f"GET {path} -> {response.status}: {body[:500]!r}")
    return elapsed, body


def measure(port: int, path: str, headers: dict[str, str], requests: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(20):
        timed_get(connection, path, headers)
    samples = [timed_get(connection, path, headers)[0] for _ in range(requests)]
    connection.close()
    return samples


def grpc_baseline(address: str, requests: int) -> list[float]:
    import grpc

    from crm.leads.v1 import leads_pb2, leads_pb2_grpc
    from services.core.auth import mint_token

    token = mint_token(TOKEN_KEY, tenant_id=TENANT, subject="m-1", roles=["manager"])
    with grpc.insecure_channel(address) as channel:
        stub = leads_pb2_grpc.LeadsServiceStub(channel)
        request = leads_pb2.ListLeadsRequest()
        request.page.page_size = 50
        metadata = [("authorization", f"Bearer {token}")]
        for _ in range(20):
            stub.ListLeads(request, metadata=metadata, timeout=30)
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            stub.ListLeads(request, metadata=metadata, timeout=30)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def open_session(env: dict[str, str], employee_id: str) -> str:
    """An active console session for a gateway user (the login pages have their own tests)."""
    code = (
        "from services.core.settings import load_settings\n"
        "from services.gateway import accounts\n"
        "from services.gateway.app import gateway_database\n"
        "db = gateway_database(load_settings())\n"
        f"with db.session({TENANT!r}) as s:\n"
        f"    user = accounts.user_by_employee_id(s, {employee_id!r})\n"
        "    print(accounts._open_session(s, user, accounts.ACTIVE, accounts.utcnow(), '', 'bench').token)\n"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    with scratch_cluster("bench_gw") as (cluster, _dsn):
        workdir = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
        csv_path = workdir / "leads.csv"
        generate(args.leads).write_csv(csv_path)
        os.environ.update(cluster.env())
        cluster.crm("migrate")
        started = time.perf_counter()
        run_command(csv_path, TENANT, workdir / "report.csv")
        print(f"imported {args.leads:,} generated leads in {time.perf_counter() - started:.1f} s")

        for command in (("create-tenant", TENANT, "--name", "Bench"),
                        ("create-user", "--tenant", TENANT, "--employee-id", "m-1", "--name", "Manager",
                         "--role", "manager", "--password", "bench-password-1"),
                        ("create-user", "--tenant", TENANT, "--employee-id", "rep-1", "--name", "Rep",
                         "--role", "sales", "--password", "bench-password-1")):
            cluster.crm("gateway", *command)
        api_key = cluster.crm("gateway", "create-api-key", "--tenant", TENANT, "--name", "bench", "--role",
                              "manager").stdout.strip()
        manager_cookie = f"crm_session={open_session(cluster.env(), 'm-1')}"
        rep_cookie = f"crm_session={open_session(cluster.env(), 'rep-1')}"

        cluster.start("leads")
        http_port = free_port()
        gateway_log = open(workdir / "gateway.log", "wb")  # noqa: SIM115
        gateway = subprocess.Popen([sys.executable, "-m", "services.core.cli", "serve", "gateway"],
                                   env=cluster.env(CRM_HTTP_PORT=str(http_port), CRM_METRICS_PORT=str(free_port()),
                                                   CRM_API_RATE_LIMIT="100000 per minute"),
                                   cwd=workdir, stdout=gateway_log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    http.client.HTTPConnection("127.0.0.1", http_port, timeout=1).request("GET", "/healthz")
                    break
                except OSError:
                    if time.monotonic() > deadline or gateway.poll() is not None:
                        raise SystemExit((workdir / "gateway.log").read_text()[-3000:]) from None
                    time.sleep(0.2)
            print(f"\n{args.requests} sequential requests per line, after 20 warm-up requests; target p99 <= 100 ms")
            baseline = grpc_baseline(f"127.0.0.1:{cluster.ports['leads']}", args.requests)
            print(f"{'gRPC ListLeads (baseline, page of 50)':<48} {percentiles(baseline)}")
            cases = [
                ("console leads list, manager (all leads)", "/console/leads", {"Cookie": manager_cookie}),
                ("console leads list, rep (own + pool)", "/console/leads", {"Cookie": rep_cookie}),
                ("console public pool", "/console/pool", {"Cookie": rep_cookie}),
                ("API GET /api/v1/leads?page_size=50", "/api/v1/leads?page_size=50",
                 {"Authorization": f"Bearer {api_key}"}),
            ]
            for label, path, headers in cases:
                print(f"{label:<48} {percentiles(measure(http_port, path, headers, args.requests))}")
        finally:
            gateway.terminate()
            gateway.wait(timeout=15)
            gateway_log.close()


if __name__ == "__main__":
    main()
