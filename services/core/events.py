"""Events: the Envelope, emitting through the outbox, and the context that links causes to effects.

Emitting stages the event in the session; the transaction writes everything it staged (its events and its audit
record, services/core/audit.py) as ONE multi-row INSERT into the outbox when it commits, after its last flush
(ADR 0020). The rows still commit or roll back with the change: a savepoint that rolls back drops what was staged
inside it, a transaction that ends without committing drops everything.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from google.protobuf.message import Message
from sqlalchemy import event, insert
from sqlalchemy.orm import Session, SessionTransaction

from crm.events.v1 import envelope_pb2
from crm.events.v1.envelope_pb2 import Envelope
from services.core.db import ALL_TENANTS, OUTBOX_ROWS, OUTBOX_WRITTEN, TENANT, TenantScopeError, utcnow
from services.core.ids import new_id
from services.core.kernel_models import OutboxMessage

EXCHANGE = "crm.events"
CONTENT_TYPE = "application/x-protobuf"


def event_type_of(message_cls: type[Message] | Message) -> str:
    """The routing key declared in the payload's proto: `option (crm.events.v1.event_type) = "..."`."""
    options = message_cls.DESCRIPTOR.GetOptions()
    event_type = options.Extensions[envelope_pb2.event_type]
    if not event_type:
        raise TypeError(f"{message_cls.DESCRIPTOR.full_name} declares no (crm.events.v1.event_type) option")
    return event_type


@dataclass(frozen=True)
class EventContext:
    """Why the current code runs: the event (or request) that caused it, and the flow it belongs to."""

    causation_id: str
    correlation_id: str


_event_context: contextvars.ContextVar[EventContext | None] = contextvars.ContextVar(
    "crm_event_context", default=None
)


@contextlib.contextmanager
def caused_by(causation_id: str, correlation_id: str) -> Iterator[None]:
    token = _event_context.set(EventContext(causation_id, correlation_id or causation_id))
    try:
        yield
    finally:
        _event_context.reset(token)


def current_context() -> EventContext | None:
    """The cause of the code running now (None: a root cause), to stamp an envelope built later."""
    return _event_context.get()


_event_types: dict[type[Message], str] = {}


def _type_of(payload: Message) -> str:
    cls = type(payload)
    try:
        return _event_types[cls]
    except KeyError:
        found = _event_types[cls] = event_type_of(cls)
        return found


_NO_CONTEXT = object()


def new_envelope(payload: Message, *, tenant_id: str, producer: str,
                 context: EventContext | None | object = _NO_CONTEXT) -> Envelope:
    """`context`: the cause to record (default: the current one, see caused_by)."""
    envelope = Envelope(id=new_id(), type=_type_of(payload), tenant_id=tenant_id, producer=producer)
    envelope.occurred_at.GetCurrentTime()
    if context is _NO_CONTEXT:
        context = _event_context.get()
    if context is not None:
        envelope.causation_id = context.causation_id
        envelope.correlation_id = context.correlation_id
    else:
        envelope.correlation_id = envelope.id
    envelope.payload.Pack(payload)
    return envelope


def emit(session: Session, payload: Message, *, producer: str) -> Envelope:
    """Record `payload` as an event in the caller's transaction; the relay publishes it after commit.

    The outbox row is written when the transaction commits (with every other event it emitted, in one INSERT);
    a rollback, or of the savepoint the event was emitted in, discards it."""
    tenant = session.info.get(TENANT)
    if not isinstance(tenant, str):
        raise RuntimeError("events are emitted from a tenant session")
    envelope = new_envelope(payload, tenant_id=tenant, producer=producer)
    stage(session, [_row(envelope, utcnow())])
    return envelope


def emit_many(
    session: Session, payloads: Sequence[Message], *, producer: str, tenant: str | None = None,
    context: EventContext | None | object = _NO_CONTEXT,
) -> list[Envelope]:
    """emit() for several events at once (a timer batch, a bulk change).

    `tenant`: the events' tenant when the session spans tenants (a kernel session); by default the session's.
    `context`: the cause to record, when it is not the current one (see current_context)."""
    if not payloads:
        return []
    if tenant is None:
        tenant = session.info.get(TENANT)
    elif session.info.get(TENANT) not in (ALL_TENANTS, tenant):
        raise TenantScopeError("a tenant session emits only its own tenant's events")
    if not isinstance(tenant, str):
        raise RuntimeError("events are emitted from a tenant session")
    envelopes = [new_envelope(payload, tenant_id=tenant, producer=producer, context=context) for payload in payloads]
    now = utcnow()
    stage(session, [_row(envelope, now) for envelope in envelopes])
    return envelopes


def _row(envelope: Envelope, now) -> dict:  # noqa: ANN001
    return {"id": envelope.id, "event_type": envelope.type, "tenant_id": envelope.tenant_id,
            "body": envelope.SerializeToString(deterministic=True), "created_at": now}


# -- staging: what a transaction writes to the outbox when it commits ----------------------------------------------

_STAGED = "crm_outbox_staged"  # session.info: [(savepoint or None, [row, ...]), ...] in emit order
_FINAL = "crm_outbox_final"  # session.info: set once this transaction wrote its staged rows (see _write_staged)
# Staged items of other kinds (audit records) under these session.info keys, as (savepoint or None, item) lists,
# each with the function that turns them into staged rows after the transaction's last flush.
_finishers: dict[str, Callable[[Session, list], None]] = {}
_OUTBOX = OutboxMessage.__table__
_INSERT_OUTBOX = insert(_OUTBOX)  # built once: the rows are its parameters (one multi-row INSERT)


def register_finisher(key: str, finish: Callable[[Session, list], None]) -> None:
    """Items staged with stage_item(session, key, item) are handed to `finish(session, items)` when the transaction
    commits, after its last flush and before the outbox write; `finish` stages their rows (emit_many)."""
    _finishers[key] = finish


def stage(session: Session, rows: list[dict]) -> None:
    """Outbox rows to write when the transaction commits (emit and emit_many call this)."""
    stage_item(session, _STAGED, rows)


def stage_item(session: Session, key: str, item: object) -> None:
    """`item` under `key` (outbox rows under _STAGED, or a registered finisher's key), with the savepoint it was
    staged in."""
    session.info.setdefault(key, []).append((session.get_nested_transaction(), item))
    if session.info.get(_FINAL):
        # Staged after the commit-time write (a flush inside commit that a later before_commit hook caused).
        _write_staged(session)


def write_staged(session: Session) -> int:
    """Write what the session staged now (its final flush first); returns how many outbox rows. The commit does
    this by itself: call it only to see the rows in the transaction before it commits."""
    session.flush()
    return _write_staged(session)


def _write_staged(session: Session) -> int:
    info = session.info
    for key, finish in _finishers.items():
        items = info.pop(key, None)
        if items:
            finish(session, [item for _, item in items])
    staged = info.pop(_STAGED, None)
    if not staged:
        return 0
    rows = [row for _, batch in staged for row in batch]
    # One statement for the whole transaction (multi-row VALUES on PostgreSQL), on the session's connection.
    session.connection().execute(_INSERT_OUTBOX, rows)
    # The relay of this process publishes these rows once the transaction commits, as they are here (see
    # services/core/outbox.py), unless the transaction also wrote outbox rows another way (OUTBOX_WRITTEN set to
    # True: then it scans the table).
    if not info.get(OUTBOX_WRITTEN):
        info[OUTBOX_WRITTEN] = OUTBOX_ROWS
    info.setdefault(OUTBOX_ROWS, []).extend(rows)
    return len(rows)


@event.listens_for(Session, "before_commit")
def _write_at_commit(session: Session) -> None:
    """Before a transaction (or a savepoint) commits: its last flush, then what it staged, in its transaction."""
    info = session.info
    if _STAGED not in info and not any(key in info for key in _finishers) and session._is_clean():  # noqa: SLF001
        return
    session.flush()  # the last flush of the transaction: its audit record joins the write
    _write_staged(session)
    info[_FINAL] = True


@event.listens_for(Session, "after_transaction_end")
def _drop_unwritten(session: Session, transaction: SessionTransaction) -> None:
    """What is still staged when a transaction or savepoint ends was not committed: discard it."""
    if transaction.parent is None:
        info = session.info
        info.pop(_STAGED, None)
        info.pop(_FINAL, None)
        info.pop(OUTBOX_ROWS, None)  # handed to the relay at commit (services/core/db.py); else rolled back
        for key in _finishers:
            info.pop(key, None)
    elif transaction.nested:
        info = session.info
        info.pop(_FINAL, None)
        for key in (_STAGED, *_finishers):
            staged = info.get(key)
            if staged:
                kept = [entry for entry in staged if entry[0] is not transaction]
                if kept:
                    info[key] = kept
                else:
                    del info[key]


class MalformedEvent(Exception):
    """The message cannot be understood; retrying cannot help, so it goes straight to the dead-letter queue."""


def parse_envelope(body: bytes) -> Envelope:
    envelope = Envelope()
    try:
        envelope.ParseFromString(body)
    except Exception as exc:  # protobuf raises DecodeError, or others for deeply broken input
        raise MalformedEvent(f"not a crm.events.v1.Envelope: {exc}") from None
    missing = [name for name in ("id", "type", "tenant_id") if not getattr(envelope, name)]
    if missing or not envelope.HasField("payload"):
        raise MalformedEvent(f"envelope lacks {', '.join(missing or ['payload'])}")
    return envelope


def unpack(envelope: Envelope, payload_cls: type[Message]) -> Message:
    payload = payload_cls()
    if not envelope.payload.Is(payload_cls.DESCRIPTOR) or not envelope.payload.Unpack(payload):
        raise MalformedEvent(f"event {envelope.id} of type {envelope.type} does not carry a {payload_cls.__name__}")
    return payload
