"""Fixtures for every unit test: real SQLite databases in tmp_path, the in-process bus, signed tokens.

Nothing here starts a server process or touches the network beyond 127.0.0.1.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import pytest
from prometheus_client import REGISTRY

from services.core.auth import mint_token
from services.core.db import Database
from services.core.migrate import upgrade
from services.core.runtime import load_definition

TOKEN_KEY = "unit-test-token-key-of-at-least-32-characters"


def token(*roles: str, tenant: str = "t1", subject: str = "u1", kind: str = "user") -> str:
    return mint_token(TOKEN_KEY, tenant_id=tenant, subject=subject, kind=kind, roles=roles)


def bearer(*roles: str, tenant: str = "t1", subject: str = "u1", kind: str = "user") -> list[tuple[str, str]]:
    """gRPC metadata carrying a caller token."""
    return [("authorization", f"Bearer {token(*roles, tenant=tenant, subject=subject, kind=kind)}")]


def sample(name: str, **labels: str) -> float:
    """The current value of a Prometheus sample (0 when it has never been recorded)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def wait_for(condition: Callable[[], object], timeout: float = 5.0, interval: float = 0.01) -> object:
    """Poll `condition` until it returns something truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s")
        time.sleep(interval)


def write_outbox_row(session, payload, *, tenant: str = "t1", age_seconds: float = 0.0) -> str:  # noqa: ANN001
    """An outbox row for `payload`, written straight into the table rather than through emit(), as a COPY, another
    replica or a crashed process leaves one; `age_seconds` back-dates it. Returns its event id."""
    from datetime import timedelta

    from sqlalchemy import insert

    from services.core.db import utcnow
    from services.core.events import new_envelope
    from services.core.kernel_models import OutboxMessage

    envelope = new_envelope(payload, tenant_id=tenant, producer="leads")
    session.connection().execute(insert(OutboxMessage.__table__).values(
        id=envelope.id, event_type=envelope.type, tenant_id=tenant, body=envelope.SerializeToString(),
        created_at=utcnow() - timedelta(seconds=age_seconds)))
    return envelope.id


@pytest.fixture
def migrated_database(tmp_path) -> Iterator[Callable[[str], Database]]:
    """migrated_database(name) -> that service's Database in a SQLite file under tmp_path, at heads."""
    opened: list[Database] = []

    def _open(name: str) -> Database:
        database = Database(name, f"sqlite:///{tmp_path}/{name}.db")
        upgrade(load_definition(name), database)
        opened.append(database)
        return database

    yield _open
    for database in opened:
        database.dispose()


@pytest.fixture
def leads_db(migrated_database) -> Database:
    return migrated_database("leads")


@pytest.fixture
def identity_db(migrated_database) -> Database:
    return migrated_database("identity")


@pytest.fixture
def clean_env(monkeypatch, tmp_path) -> pytest.MonkeyPatch:
    """No CRM_* variable from the machine leaks into a test; the working directory is tmp_path."""
    for name in list(os.environ):
        if name.startswith("CRM_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch
