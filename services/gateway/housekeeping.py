"""Deletes what the gateway keeps only for a while, off the request path: idempotency records past their retention,
web sessions past their idle or absolute limit. Each gateway process runs it in a daemon thread every few minutes;
the deletes are idempotent, so replicas may overlap."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_

from services.core.db import Database, utcnow
from services.gateway.accounts import SESSION_ABSOLUTE, SESSION_IDLE
from services.gateway.models import IdempotencyRecord, WebSession
from services.gateway.rest.idempotency import RETENTION

log = logging.getLogger("crm.gateway.housekeeping")

SWEEP_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class Swept:
    idempotency_records: int
    web_sessions: int


def sweep(database: Database, now: datetime | None = None) -> Swept:
    """One pass over every tenant."""
    now = now or utcnow()
    with database.kernel_session() as session:
        records = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - RETENTION))
        sessions = session.execute(delete(WebSession).where(or_(WebSession.last_seen_at < now - SESSION_IDLE,
                                                                WebSession.created_at < now - SESSION_ABSOLUTE)))
        return Swept(records.rowcount, sessions.rowcount)


def start(database: Database, every: timedelta = SWEEP_EVERY) -> threading.Event:
    """Sweep now and then every `every` until the returned event is set."""
    stop = threading.Event()

    def run() -> None:
        while True:
            try:
                swept = sweep(database)
                if swept.idempotency_records or swept.web_sessions:
                    log.info("deleted %d expired idempotency records and %d expired web sessions",
                             swept.idempotency_records, swept.web_sessions)
            except Exception:  # a database outage must not end the thread: try again next time
                log.exception("gateway housekeeping failed")
            if stop.wait(every.total_seconds()):
                return

    threading.Thread(target=run, name="gateway-housekeeping", daemon=True).start()
    return stop
