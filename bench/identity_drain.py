"""How fast one identity process applies a backlog of lead.created events (PostgreSQL + RabbitMQ).

Fills the identity.intake queue while the service is stopped, starts it, and prints the drain rate and the
process's CPU per event: the consumer path alone (batching, inbox, handler, outbox relay), without clients.

Usage: python bench/identity_drain.py [--events 2000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import pika
import psycopg

from crm.events.v1.leads_pb2 import LeadCreated
from services.core.devcluster import Cluster
from services.core.events import EXCHANGE, new_envelope

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def applied(cluster: Cluster) -> float:
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{cluster.metrics_ports['identity']}/metrics").read().decode()
    return sum(float(line.split()[-1]) for line in metrics.splitlines()
               if line.startswith("crm_events_consumed_total{") and 'outcome="ok"' in line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    name = f"crm_drain_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", name], check=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*"], check=True)
    cluster = Cluster(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
                      f"amqp://guest:guest@127.0.0.1:5672/{name}", Path(tempfile.mkdtemp(prefix="crm-drain-")))
    try:
        cluster.crm("migrate", "identity")
        cluster.start("identity")  # declares its queues
        cluster.kill("identity")
        connection = pika.BlockingConnection(pika.URLParameters(cluster.bus_url))
        channel = connection.channel()
        for index in range(args.events):
            payload = LeadCreated(lead_id=str(uuid.uuid4()), name="Drain", email=f"d{index}@drain.test",
                                  channel="Bench")
            channel.basic_publish(EXCHANGE, "lead.created",
                                  new_envelope(payload, tenant_id="bench", producer="leads").SerializeToString())
        connection.close()
        cluster.start("identity")
        started = time.perf_counter()
        pid = cluster.processes["identity"].pid
        cpu_before = cpu_seconds(pid)
        while applied(cluster) < args.events:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(pid) - cpu_before
        print(f"identity applied {args.events} queued lead.created events in {elapsed:.2f} s = "
              f"{args.events / elapsed:.0f} events/s; CPU {cpu * 1000 / args.events:.2f} ms per event "
              f"(CRM_CONSUMER_CONCURRENCY={os.environ.get('CRM_CONSUMER_CONCURRENCY', '1')})")
    finally:
        cluster.stop_all()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], check=False)


if __name__ == "__main__":
    main()
