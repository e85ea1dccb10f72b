"""What the benchmarks share: a scratch PostgreSQL database and RabbitMQ vhost with services around them, and
process CPU readings."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from services.core.devcluster import Cluster

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scrape(cluster: Cluster, service: str) -> list[Sample]:
    """Every sample a service's Prometheus endpoint shows now."""
    url = f"http://127.0.0.1:{cluster.metrics_ports[service]}/metrics"
    with urllib.request.urlopen(url, timeout=5) as page:
        return [sample for family in text_string_to_metric_families(page.read().decode())
                for sample in family.samples]


def total(samples: list[Sample], name: str, **labels: str) -> float:
    """The sum of the samples called `name` (e.g. crm_events_consumed_total) whose labels include `labels`."""
    return sum(sample.value for sample in samples
               if sample.name == name and all(sample.labels.get(key) == value for key, value in labels.items()))


@contextlib.contextmanager
def scratch_cluster(prefix: str) -> Iterator[tuple[Cluster, str]]:
    """A Cluster on a new database and vhost, both removed afterwards; yields it with the database's plain DSN."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", name], check=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*"], check=True)
    cluster = Cluster(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
                      f"amqp://guest:guest@127.0.0.1:5672/{name}", Path(tempfile.mkdtemp(prefix=f"{prefix}-")))
    try:
        yield cluster, f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        cluster.stop_all()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], check=False)
