"""Integration fixtures: real PostgreSQL and RabbitMQ on this machine, isolated per test.

Each test session gets its own PostgreSQL database and each test its own RabbitMQ vhost, so tests never see
each other's rows or queues. A server that cannot be reached fails the test: integration tests never skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from services.core.db import Database
from services.core.devcluster import TOKEN_KEY, Cluster, free_port
from services.core.migrate import upgrade
from services.core.runtime import load_definition

__all__ = ["TOKEN_KEY", "Cluster", "free_port"]

PG_HOST = os.environ.get("CRM_TEST_PG_HOST", "127.0.0.1")
PG_ADMIN = f"postgresql://postgres@{PG_HOST}:5432/postgres"
AMQP_HOST = os.environ.get("CRM_TEST_AMQP_HOST", "127.0.0.1")

pytestmark = pytest.mark.integration


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    name = f"crm_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL at {PG_HOST}:5432 is unreachable ({error}); run .ci/ensure-deps")
    yield f"postgresql+psycopg://postgres@{PG_HOST}:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch_url(pg_url: str) -> Iterator[str]:
    """A database of its own (dropped afterwards): for rows or an empty schema that concern no other test."""
    name = f"crm_scratch_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield pg_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch_leads_database(scratch_url: str) -> Iterator[Database]:
    """The leads schema, migrated, in a database of its own."""
    database = Database("leads", scratch_url)
    upgrade(load_definition("leads"), database)
    yield database
    database.dispose()


@pytest.fixture
def amqp_url() -> Iterator[str]:
    vhost = f"crm_test_{uuid.uuid4().hex[:12]}"
    try:
        socket.create_connection((AMQP_HOST, 5672), timeout=5).close()
        rabbitmqctl("add_vhost", vhost)
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.fail(f"RabbitMQ at {AMQP_HOST}:5672 is unreachable ({error}); run .ci/ensure-deps")
    yield f"amqp://guest:guest@{AMQP_HOST}:5672/{vhost}"
    rabbitmqctl("delete_vhost", vhost)


@pytest.fixture
def cluster(pg_url: str, amqp_url: str, tmp_path: Path) -> Iterator[Cluster]:
    cluster = Cluster(pg_url, amqp_url, tmp_path)
    cluster.crm("migrate")
    yield cluster
    cluster.stop_all()
