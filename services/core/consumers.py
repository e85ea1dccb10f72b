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
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from services.core.auth import Caller, reset_caller, set_caller
from services.core.bus.base import DatabaseUnavailable
from services.core.db import TENANT, Database, upsert_insert, utcnow
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
        self._lag = CONSUMER_LAG_SECONDS.labels(self.queue)

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
                with self.database.batch(wake_relay=False) as connection:
                    return self._apply_all(bodies, connection)
            except Exception as exc:  # noqa: BLE001 - retried one by one just below
                if self._database_unavailable(exc):
                    return [DatabaseUnavailable(str(exc))] * len(bodies)
        results: list[str | Exception] = []
        for body in bodies:
            if results and isinstance(results[-1], DatabaseUnavailable):
                results.append(results[-1])  # the next one would only meet the same outage
                continue
            try:
                with self.database.batch(wake_relay=False) as connection:
                    results.extend(self._apply_all([body], connection))
            except Exception as exc:  # noqa: BLE001 - reported per message
                results.append(DatabaseUnavailable(str(exc)) if self._database_unavailable(exc) else exc)
        return results

    def _database_unavailable(self, error: Exception) -> bool:
        """Whether `error` is the database's fault, not the event's: the connection broke, or the database does not
        answer now. A failure of the handler's own statements (a deadlock, a timeout) with the database up is the
        event's, and is retried as usual: held instead, an event that always fails would block the queue."""
        if not isinstance(error, OperationalError | InterfaceError):
            return False
        if error.connection_invalidated:
            return True
        try:
            self.database.ping()
        except Exception:  # noqa: BLE001 - any failure to answer is unavailability
            return True
        return False

    def _apply_all(self, bodies: Sequence[bytes], connection: Connection) -> list[str]:
        """Apply `bodies` in `connection`'s transaction: one INSERT records every event id in the inbox (those
        recorded before are duplicates), then each new event's handler runs in a session of its tenant. Events of
        one tenant that follow each other share a session: each handler's changes are flushed when it returns (so
        that its audit record names its cause), and the session's events and audit records are written to the
        outbox in one INSERT when the run ends."""
        envelopes = [parse_envelope(body) for body in bodies]
        results = [envelope.type for envelope in envelopes]  # "" below for duplicates
        handled = [(index, envelope) for index, envelope in enumerate(envelopes) if envelope.type in self.handlers]
        if not handled:
            return results  # bound by a wildcard but not handled here: nothing to do
        first = self._record_first_deliveries(connection, [envelope.id for _, envelope in handled])
        session: Session | None = None
        try:
            for index, envelope in handled:
                if envelope.id not in first:
                    results[index] = ""
                    continue
                first.discard(envelope.id)  # a second copy in the same batch is a duplicate too
                payload_cls, handler = self.handlers[envelope.type]
                payload = unpack(envelope, payload_cls)
                tenant = envelope.tenant_id
                if session is None or session.info[TENANT] != tenant:
                    if session is not None:
                        self.database.finish_on(session)
                    session = self.database.open_on(connection, tenant)
                caller_token = set_caller(Caller(tenant_id=tenant, subject=self.service, kind="service"))
                try:
                    with caused_by(envelope.id, envelope.correlation_id):
                        handler(session, payload, envelope=envelope, tenant=tenant)
                        session.flush()
                finally:
                    reset_caller(caller_token)
                lag = time.time() - envelope.occurred_at.ToMicroseconds() / 1e6
                self._lag.observe(max(lag, 0.0))
            if session is not None:
                self.database.finish_on(session)
                session = None
        finally:
            if session is not None:
                self.database.abandon_on(session)
        return results

    def _record_first_delivery(self, session: Session, event_id: str) -> bool:
        """Insert the inbox row; False when it was there already."""
        return bool(self._record_first_deliveries(session.connection(), [event_id]))

    def _record_first_deliveries(self, connection: Connection, event_ids: Sequence[str]) -> set[str]:
        """Insert the inbox rows in one statement; returns the ids that were not there before. A concurrent
        duplicate waits for the first to commit, then finds the row."""
        table = InboxRecord.__table__
        now = utcnow()
        statement = _first_delivery_statements.get(connection.dialect.name)
        if statement is None:
            statement = _first_delivery_statements[connection.dialect.name] = (
                upsert_insert(connection)(table).on_conflict_do_nothing().returning(table.c.event_id)
            )
        rows = [{"consumer": self.queue, "event_id": event_id, "processed_at": now}
                for event_id in dict.fromkeys(event_ids)]
        return set(connection.execute(statement, rows).scalars())


_first_delivery_statements: dict[str, object] = {}


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
