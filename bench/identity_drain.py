"""How fast one identity process applies a backlog of lead.created events (PostgreSQL + RabbitMQ).

Fills the identity.intake queue while the service is stopped, starts it, and prints the drain rate and the
process's CPU per event: the consumer path alone (batching, inbox, handler, outbox relay), without clients.

Usage: python bench/identity_drain.py [--events 2000]
"""

from __future__ import annotations

import argparse
import os
import time
import uuid

import pika
from benchlib import cpu_seconds, scrape, scratch_cluster, total

from crm.events.v1.leads_pb2 import LeadCreated
from services.core.devcluster import Cluster
from services.core.events import EXCHANGE, new_envelope


def applied(cluster: Cluster) -> float:
    return total(scrape(cluster, "identity"), "crm_events_consumed_total", outcome="ok")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    with scratch_cluster("crm_drain") as (cluster, _dsn):
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


if __name__ == "__main__":
    main()
