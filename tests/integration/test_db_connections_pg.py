"""The kernel's PostgreSQL connections (services/core/db.py make_engine), as the server and the kernel see them."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import text

from services.core.db import Database

pytestmark = pytest.mark.integration


def _socket_of(connection) -> socket.socket:  # noqa: ANN001
    """The TCP socket under a SQLAlchemy connection (a duplicate: closing it leaves the connection alone)."""
    return socket.socket(fileno=connection.connection.driver_connection.pgconn.socket).dup()


def test_connections_find_a_vanished_server_in_seconds_not_minutes(scratch_url):
    database = Database("leads", scratch_url)
    try:
        for engine in (database.engine, database.relay_engine):
            with engine.connect() as connection:
                raw = _socket_of(connection)
                try:
                    # Keepalive probes after 30 s idle, every 10 s, 3 unanswered: a dead idle connection is found in
                    # about a minute. Unacknowledged data for 30 s fails the query.
                    assert raw.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
                    assert raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 30
                    assert raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == 10
                    assert raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == 3
                    assert raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 30_000
                finally:
                    raw.close()
    finally:
        database.dispose()


def test_the_relay_engine_alone_commits_without_waiting_for_the_wal_flush(scratch_url):
    database = Database("leads", scratch_url)
    try:
        with database.engine.connect() as connection:
            assert connection.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
            assert connection.execute(text("SHOW search_path")).scalar_one() == "leads"
        with database.relay_engine.connect() as connection:
            assert connection.execute(text("SHOW synchronous_commit")).scalar_one() == "off"
    finally:
        database.dispose()
