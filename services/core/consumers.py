"""Event consumers: an idempotent inbox around each domain handler.

A service declares `Consumer(purpose, handlers={PayloadClass: handler})`; the kernel names the queue
`<service>.<purpose>`, binds it to the payloads' event types, and runs each handler inside one transaction
that also records the event id, so a redelivered event changes nothing (exactly-once effect).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from google.protobuf.message import Message
from sqlalchemy import delete, select, tuple_
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from services.core.auth import Caller, reset_caller, set_caller
from services.core.db import Database, upsert_insert, utcnow
from services.core.events import caused_by, event_type_of, parse_envelope, unpack
from services.core.kernel_models import InboxRecord
from services.core.metrics import CONSUMER_LAG_SECONDS

# handler(session, event, envelope=..., tenant=...): applies the event inside the caller's transaction.
EventHandler = Callable[..., Any]


@dataclass(frozen=True)
class Consumer:
    purpose: str
    handlers: Mapping[type[Message], EventHandler]

    def queue_for(self, service: str) -> str:
        return f"{service}.{self.purpose}"

    def routing_keys(self) -> list[str]:
        return [event_type_of(payload_cls) for payload_cls in self.handlers]


class InboxDispatcher:
    """Turns raw bus messages into handler calls, exactly once per event id and consumer."""

    def __init__(self, service: str, consumer: Consumer, database: Database):
        self.service = service
        self.queue = consumer.queue_for(service)
        self.database = database
        self.handlers = {event_type_of(cls): (cls, handler) for cls, handler in consumer.handlers.items()}

    def __call__(self, body: bytes) -> str:
        result = self.apply_batch([body])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def apply_batch(self, bodies: Sequence[bytes]) -> list[str | Exception]:
        """Apply several events in one transaction (one commit, one outbox wake-up). If any of them fails, the
        transaction is rolled back and each is applied alone, so a failure affects only its own message."""
        if len(bodies) > 1:
            try:
                with self.database.batch() as connection:
                    return [self._apply(body, connection) for body in bodies]
            except Exception:  # noqa: BLE001, S110 - retried one by one just below
                pass
        results: list[str | Exception] = []
        for body in bodies:
            try:
                with self.database.batch() as connection:
                    results.append(self._apply(body, connection))
            except Exception as exc:  # noqa: BLE001 - reported per message
                results.append(exc)
        return results

    def _apply(self, body: bytes, connection: Connection) -> str:
        envelope = parse_envelope(body)
        entry = self.handlers.get(envelope.type)
        if entry is None:
            return envelope.type  # bound by a wildcard but not handled here: nothing to do
        payload_cls, handler = entry
        payload = unpack(envelope, payload_cls)
        caller_token = set_caller(Caller(tenant_id=envelope.tenant_id, subject=self.service, kind="service"))
        try:
            with self.database.session_on(connection, envelope.tenant_id) as session, caused_by(
                envelope.id, envelope.correlation_id
            ):
                if not self._record_first_delivery(session, envelope.id):
                    return ""
                handler(session, payload, envelope=envelope, tenant=envelope.tenant_id)
        finally:
            reset_caller(caller_token)
        lag = time.time() - envelope.occurred_at.ToMicroseconds() / 1e6
        CONSUMER_LAG_SECONDS.labels(self.queue).observe(max(lag, 0.0))
        return envelope.type

    def _record_first_delivery(self, session: Session, event_id: str) -> bool:
        """Insert the inbox row; False when it was there already. One statement, and a concurrent duplicate
        waits for the first to commit, then finds the row."""
        table = InboxRecord.__table__
        inserted = session.connection().execute(
            upsert_insert(session)(table)
            .values(consumer=self.queue, event_id=event_id, processed_at=utcnow())
            .on_conflict_do_nothing()
            .returning(table.c.event_id)
        )
        return inserted.first() is not None


def purge_inbox(database: Database, older_than: timedelta, *, batch_size: int = 5000) -> int:
    """Forget applied event ids older than `older_than`; returns how many.

    A duplicate can only arrive while a copy of the event is still in flight: a relay that published but crashed
    before its commit, or a broker redelivery after a lost ack, which is seconds to minutes. Dead letters were
    never applied, so replaying them is unaffected. Days of retention are therefore safe, and the table stays
    bounded.
    """
    table = InboxRecord.__table__
    cutoff = utcnow() - older_than
    removed = 0
    while True:
        oldest = select(table.c.consumer, table.c.event_id).where(table.c.processed_at < cutoff).limit(batch_size)
        with database.engine.begin() as connection:
            keys = connection.execute(oldest).all()
            if not keys:
                return removed
            connection.execute(
                delete(table).where(tuple_(table.c.consumer, table.c.event_id).in_([tuple(k) for k in keys]))
            )
        removed += len(keys)
