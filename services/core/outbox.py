"""The outbox relay: publishes committed events with confirms, then deletes them.

A commit that wrote events wakes the relay at once (low latency) and hands it the ids of those rows: the relay
claims exactly them, by primary key. A poll (every `poll_seconds`, and whenever a commit wrote rows whose ids it
does not know) claims the oldest rows instead, to catch rows written by other replicas or left by a crash. That
scan walks the index from its start, through the entries of rows deleted since the last vacuum: under load,
claiming by id keeps the relay off that growing stretch. Rows are claimed with FOR UPDATE SKIP LOCKED on
PostgreSQL, so replicas share the work without publishing the same row at the same time. A crash after publishing
but before the delete publishes again: consumers deduplicate by event id.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Sequence

from sqlalchemy import String, any_, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from services.core.bus import Bus, OutboundMessage
from services.core.db import Database
from services.core.kernel_models import OutboxMessage
from services.core.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISHED

log = logging.getLogger("crm.outbox")

BATCH_SIZE = 500
# After a wake-up, wait this long so that commits arriving together are published in one batch.
COALESCE_SECONDS = 0.002
BACKLOG_REFRESH_SECONDS = 1.0  # the count(*) behind the gauge is not free: not after every commit
FAILURE_BACKOFF_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)


_TABLE = OutboxMessage.__table__


@functools.cache
def _claim_oldest(postgresql: bool):  # noqa: ANN202
    """DELETE ... RETURNING the BATCH_SIZE oldest rows (SKIP LOCKED on PostgreSQL): built once."""
    oldest = select(_TABLE.c.id).order_by(_TABLE.c.id).limit(BATCH_SIZE)
    if postgresql:
        oldest = oldest.with_for_update(skip_locked=True)
    return _claim(oldest)


@functools.cache
def _claim_named(postgresql: bool):  # noqa: ANN202
    """DELETE ... RETURNING the rows of the ids bound as `ids` that are still there and not being claimed.

    On PostgreSQL the ids are one array parameter (`= ANY`): one statement text for any number of ids, which the
    driver prepares once; an expanded IN list made a new text (parsed and planned anew, and crowding the
    connection's prepared statements) for every batch size."""
    if postgresql:
        named = select(_TABLE.c.id).where(_TABLE.c.id == any_(bindparam("ids", type_=ARRAY(String))))
        return _claim(named.with_for_update(skip_locked=True))
    return _claim(select(_TABLE.c.id).where(_TABLE.c.id.in_(bindparam("ids", expanding=True))))


def _claim(which):  # noqa: ANN001, ANN202
    return delete(_TABLE).where(_TABLE.c.id.in_(which.scalar_subquery())).returning(
        _TABLE.c.id, _TABLE.c.event_type, _TABLE.c.body, _TABLE.c.tenant_id)


class OutboxRelay:
    def __init__(self, database: Database, bus: Bus, *, poll_seconds: float = 1.0):
        self.database = database
        self.bus = bus
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"outbox-{database.service}", daemon=True)
        self._backlog_recorded_at = 0.0
        self._published = OUTBOX_PUBLISHED.labels(database.service)
        self._committed: deque[str] = deque()  # ids of rows committed in this process, not claimed yet
        self._scan = True  # claim the oldest rows (at start, on a poll, after a commit of unknown rows)
        self._scanned_at = time.monotonic()
        database.on_outbox_commit(self._on_commit)

    def _on_commit(self, ids: Sequence[str] | None) -> None:
        if ids is None:
            self._scan = True
        else:
            self._committed.extend(ids)
        self._wake.set()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            if self._wake.wait(self.poll_seconds):
                self._stopping.wait(COALESCE_SECONDS)
            self._wake.clear()
            try:
                while self._committed and not self._stopping.is_set():
                    self.relay_committed()
                if self._scan or time.monotonic() - self._scanned_at >= self.poll_seconds:
                    self._scan = False
                    self._scanned_at = time.monotonic()
                    while self.relay_batch() == BATCH_SIZE and not self._stopping.is_set():
                        pass
                self._record_backlog()
                failures = 0
            except Exception as exc:  # noqa: BLE001 - the relay must outlive broker and database outages
                self._committed.clear()  # the rows stay in the outbox: the next scan claims them
                self._scan = True
                delay = FAILURE_BACKOFF_SECONDS[min(failures, len(FAILURE_BACKOFF_SECONDS) - 1)]
                failures += 1
                log.warning("outbox relay of %s failed (%r); retrying in %.1fs", self.database.service, exc, delay)
                self._stopping.wait(delay)
                self._wake.set()

    def relay_batch(self) -> int:
        """Publish and remove up to BATCH_SIZE pending events; returns how many.

        One statement claims and removes the rows (DELETE ... RETURNING over a SKIP LOCKED subquery); the
        transaction commits only after the broker confirmed them, so a failed publish puts them back.
        """
        return self._publish(_claim_oldest(self.database.is_postgresql), {})

    def relay_committed(self) -> int:
        """Publish and remove up to BATCH_SIZE of the rows this process committed since (by id); returns how many
        it found (another replica's scan may have taken some)."""
        ids = []
        while self._committed and len(ids) < BATCH_SIZE:
            ids.append(self._committed.popleft())
        if not ids:
            return 0
        return self._publish(_claim_named(self.database.is_postgresql), {"ids": ids})

    def _publish(self, claim, parameters: dict) -> int:  # noqa: ANN001
        with self.database.relay_engine.begin() as connection:
            rows = sorted(connection.execute(claim, parameters).all(), key=lambda row: row.id)
            if not rows:
                return 0
            self.bus.publish([OutboundMessage(row.event_type, row.body, row.id, row.tenant_id) for row in rows])
        self._published.inc(len(rows))
        return len(rows)

    def _record_backlog(self) -> None:
        if time.monotonic() - self._backlog_recorded_at < BACKLOG_REFRESH_SECONDS:
            return
        self._backlog_recorded_at = time.monotonic()
        with self.database.kernel_session() as session:
            OUTBOX_BACKLOG.labels(self.database.service).set(
                session.scalar(select(func.count()).select_from(OutboxMessage))
            )
