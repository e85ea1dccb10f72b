"""The outbox relay: publishes committed events with confirms, then deletes them.

A commit that wrote events hands the relay of its process the rows it wrote, and wakes it: the relay publishes
them as they are, without reading them back, and deletes them afterwards, a batch at a time (ADR 0026). So an event
leaves as soon as it is committed, and the relay costs the database one DELETE every DELETE_DELAY_SECONDS instead
of a transaction per wake-up. A scan claims rows from the table instead: at start, after a failure, after a commit
that wrote rows it could not hand over (a COPY), and on a poll every `poll_seconds`. The poll takes only rows older
than GRACE_SECONDS, which their writer should long have published and deleted: rows a crash left behind, or a
stalled replica's; younger rows are their writer's to publish. Scans claim rows with FOR UPDATE SKIP LOCKED on
PostgreSQL, so replicas share the work without publishing the same row at the same time. An event published twice
(a crash after publishing but before the delete; a scan that overlaps a stalled writer) is absorbed by the
consumers' inboxes, which deduplicate by event id.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import String, any_, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from services.core.bus import Bus, OutboundMessage
from services.core.db import Database, utcnow
from services.core.kernel_models import OutboxMessage
from services.core.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISHED

log = logging.getLogger("crm.outbox")

BATCH_SIZE = 500
# After a wake-up, wait this long so that commits arriving together are published in one batch.
COALESCE_SECONDS = 0.002
# Published rows are deleted together once the oldest has waited this long (or BATCH_SIZE are waiting).
DELETE_DELAY_SECONDS = 0.05
# The poll leaves rows younger than this to the relay of the process that wrote them.
GRACE_SECONDS = 10.0
# Committed rows held for publishing at most; beyond, they are left in the table for a scan (a broker outage).
MAX_HELD = 20_000
BACKLOG_REFRESH_SECONDS = 1.0  # the count(*) behind the gauge is not free: not after every commit
FAILURE_BACKOFF_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)


_TABLE = OutboxMessage.__table__


@functools.cache
def _claim_oldest(postgresql: bool):  # noqa: ANN202
    """DELETE ... RETURNING the BATCH_SIZE oldest rows written before the bound `before` (SKIP LOCKED on
    PostgreSQL): built once."""
    oldest = (select(_TABLE.c.id).where(_TABLE.c.created_at < bindparam("before", type_=_TABLE.c.created_at.type))
              .order_by(_TABLE.c.id).limit(BATCH_SIZE))
    if postgresql:
        oldest = oldest.with_for_update(skip_locked=True)
    return delete(_TABLE).where(_TABLE.c.id.in_(oldest.scalar_subquery())).returning(
        _TABLE.c.id, _TABLE.c.event_type, _TABLE.c.body, _TABLE.c.tenant_id)


@functools.cache
def _delete_named(postgresql: bool):  # noqa: ANN202
    """DELETE the rows of the ids bound as `ids`.

    On PostgreSQL the ids are one array parameter (`= ANY`): one statement text for any number of ids, which the
    driver prepares once; an expanded IN list made a new text (parsed and planned anew, and crowding the
    connection's prepared statements) for every batch size."""
    if postgresql:
        return delete(_TABLE).where(_TABLE.c.id == any_(bindparam("ids", type_=ARRAY(String))))
    return delete(_TABLE).where(_TABLE.c.id.in_(bindparam("ids", expanding=True)))


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
        self._committed: deque[dict] = deque()  # rows committed in this process, not published yet
        self._unknown_rows = True  # rows may be in the table that no one holds: scan them all (at start)
        self._scanned_at = time.monotonic()
        self._to_delete: list[str] = []  # ids of rows published from memory, still in the table
        self._delete_due = 0.0
        database.on_outbox_commit(self._on_commit)

    def _on_commit(self, rows: Sequence[dict] | None) -> None:
        if rows is None or len(self._committed) + len(rows) > MAX_HELD:
            self._unknown_rows = True
        else:
            self._committed.extend(rows)
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
            timeout = self.poll_seconds
            if self._to_delete:
                timeout = max(0.0, min(timeout, self._delete_due - time.monotonic()))
            if self._wake.wait(timeout):
                self._stopping.wait(COALESCE_SECONDS)
            self._wake.clear()
            try:
                while self._committed and not self._stopping.is_set():
                    self.relay_committed()
                if self._to_delete and time.monotonic() >= self._delete_due:
                    self.delete_published()
                if self._unknown_rows or time.monotonic() - self._scanned_at >= self.poll_seconds:
                    self.delete_published()  # a scan must not find what was just published
                    all_rows = self._unknown_rows
                    # Reset before the scan: rows of a commit that sets it again meanwhile get a scan of their own.
                    self._unknown_rows = False
                    self._scanned_at = time.monotonic()
                    while self.relay_batch(all_rows=all_rows) == BATCH_SIZE and not self._stopping.is_set():
                        pass
                self._record_backlog()
                failures = 0
            except Exception as exc:  # noqa: BLE001 - the relay must outlive broker and database outages
                self._committed.clear()  # the rows stay in the outbox: the next scan claims them
                self._unknown_rows = True
                delay = FAILURE_BACKOFF_SECONDS[min(failures, len(FAILURE_BACKOFF_SECONDS) - 1)]
                failures += 1
                log.warning("outbox relay of %s failed (%r); retrying in %.1fs", self.database.service, exc, delay)
                self._stopping.wait(delay)
                self._wake.set()
        # Stopping (a rolling update): publish what this process committed, so that its events need not wait for
        # another replica's poll or this one's restart. What fails here stays in the table for those.
        with contextlib.suppress(Exception):
            while self._committed:
                self.relay_committed()
        with contextlib.suppress(Exception):
            self.delete_published()

    def relay_batch(self, *, all_rows: bool = True) -> int:
        """Publish and remove up to BATCH_SIZE pending events from the table (all, or only those older than
        GRACE_SECONDS); returns how many.

        One statement claims and removes the rows (DELETE ... RETURNING over a SKIP LOCKED subquery); the
        transaction commits only after the broker confirmed them, so a failed publish puts them back.
        """
        # One statement for both: "all" is every row written before tomorrow.
        before = utcnow() + timedelta(days=1) if all_rows else utcnow() - timedelta(seconds=GRACE_SECONDS)
        with self.database.relay_engine.begin() as connection:
            rows = sorted(connection.execute(_claim_oldest(self.database.is_postgresql), {"before": before}).all(),
                          key=lambda row: row.id)
            if not rows:
                return 0
            self.bus.publish([OutboundMessage(row.event_type, row.body, row.id, row.tenant_id) for row in rows])
        self._published.inc(len(rows))
        return len(rows)

    def relay_committed(self) -> int:
        """Publish up to BATCH_SIZE of the rows this process committed since, in commit order, as they were
        committed; their ids wait for delete_published(). Returns how many."""
        rows = []
        while self._committed and len(rows) < BATCH_SIZE:
            rows.append(self._committed.popleft())
        if not rows:
            return 0
        self.bus.publish([OutboundMessage(row["event_type"], row["body"], row["id"], row["tenant_id"])
                          for row in rows])
        self._published.inc(len(rows))
        if not self._to_delete:
            self._delete_due = time.monotonic() + DELETE_DELAY_SECONDS
        self._to_delete.extend(row["id"] for row in rows)
        return len(rows)

    def delete_published(self) -> None:
        """Delete the rows relay_committed() published (one statement per BATCH_SIZE ids). On a failure the ids are
        kept for the next try, up to MAX_HELD: rows past that are published again by a scan, which the consumers'
        inboxes absorb."""
        while self._to_delete:
            ids = self._to_delete[:BATCH_SIZE]
            try:
                with self.database.relay_engine.begin() as connection:
                    connection.execute(_delete_named(self.database.is_postgresql), {"ids": ids})
            except Exception:
                del self._to_delete[:-MAX_HELD]
                raise
            del self._to_delete[:len(ids)]

    def _record_backlog(self) -> None:
        if time.monotonic() - self._backlog_recorded_at < BACKLOG_REFRESH_SECONDS:
            return
        self._backlog_recorded_at = time.monotonic()
        with self.database.kernel_session() as session:
            OUTBOX_BACKLOG.labels(self.database.service).set(
                session.scalar(select(func.count()).select_from(OutboxMessage))
            )
