"""What the benchmarks share: a scratch PostgreSQL database and RabbitMQ vhost with services around them, and
process CPU readings."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg

from services.core.devcluster import Cluster

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
