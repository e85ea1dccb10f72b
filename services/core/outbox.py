"""The outbox relay: publishes committed events with confirms, then deletes them.

A commit that wrote events wakes the relay at once (low latency); a poll catches rows written by other
replicas or left by a crash. Rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so replicas share
the work without publishing the same row at the same time. A crash after publishing but before the delete
publishes again: consumers deduplicate by event id.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import delete, func, select

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


class OutboxRelay:
    def __init__(self, database: Database, bus: Bus, *, poll_seconds: float = 1.0):
        self.database = database
        self.bus = bus
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"outbox-{database.service}", daemon=True)
        self._backlog_recorded_at = 0.0
        database.on_outbox_commit(self._wake.set)

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
                while self.relay_batch() == BATCH_SIZE and not self._stopping.is_set():
                    pass
                self._record_backlog()
                failures = 0
            except Exception as exc:  # noqa: BLE001 - the relay must outlive broker and database outages
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
        table = OutboxMessage.__table__
        oldest = select(table.c.id).order_by(table.c.id).limit(BATCH_SIZE)
        if self.database.is_postgresql:
            oldest = oldest.with_for_update(skip_locked=True)
        claim = (
            delete(table)
            .where(table.c.id.in_(oldest.scalar_subquery()))
            .returning(table.c.id, table.c.event_type, table.c.body, table.c.tenant_id)
        )
        with self.database.engine.begin() as connection:
            rows = sorted(connection.execute(claim).all(), key=lambda row: row.id)
            if not rows:
                return 0
            self.bus.publish([OutboundMessage(row.event_type, row.body, row.id, row.tenant_id) for row in rows])
        OUTBOX_PUBLISHED.labels(self.database.service).inc(len(rows))
        return len(rows)

    def _record_backlog(self) -> None:
        if time.monotonic() - self._backlog_recorded_at < BACKLOG_REFRESH_SECONDS:
            return
        self._backlog_recorded_at = time.monotonic()
        with self.database.kernel_session() as session:
            OUTBOX_BACKLOG.labels(self.database.service).set(
                session.scalar(select(func.count()).select_from(OutboxMessage))
            )
