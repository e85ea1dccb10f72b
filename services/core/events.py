"""Events: the Envelope, emitting through the outbox, and the context that links causes to effects."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from google.protobuf import any_pb2
from google.protobuf.message import Message
from sqlalchemy import insert
from sqlalchemy.orm import Session

from crm.events.v1 import envelope_pb2
from crm.events.v1.envelope_pb2 import Envelope
from services.core.db import ALL_TENANTS, OUTBOX_WRITTEN, TENANT, TenantScopeError, utcnow
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


def new_envelope(payload: Message, *, tenant_id: str, producer: str) -> Envelope:
    envelope = Envelope(id=new_id(), type=event_type_of(payload), tenant_id=tenant_id, producer=producer)
    envelope.occurred_at.GetCurrentTime()
    context = _event_context.get()
    if context is not None:
        envelope.causation_id = context.causation_id
        envelope.correlation_id = context.correlation_id
    else:
        envelope.correlation_id = envelope.id
    packed = any_pb2.Any()
    packed.Pack(payload)
    envelope.payload.CopyFrom(packed)
    return envelope


def emit(session: Session, payload: Message, *, producer: str) -> Envelope:
    """Record `payload` as an event in the caller's transaction; the relay publishes it after commit."""
    tenant = session.info.get(TENANT)
    if not isinstance(tenant, str):
        raise RuntimeError("events are emitted from a tenant session")
    envelope = new_envelope(payload, tenant_id=tenant, producer=producer)
    # A Core insert on the session's connection: same transaction, none of the unit-of-work overhead.
    session.connection().execute(
        insert(OutboxMessage.__table__).values(
            id=envelope.id,
            event_type=envelope.type,
            tenant_id=tenant,
            body=envelope.SerializeToString(deterministic=True),
            created_at=utcnow(),
        )
    )
    session.info[OUTBOX_WRITTEN] = True
    return envelope


def emit_many(
    session: Session, payloads: Sequence[Message], *, producer: str, tenant: str | None = None
) -> list[Envelope]:
    """emit() for several events at once (a timer batch, a bulk change): one multi-row INSERT into the outbox.

    `tenant`: the events' tenant when the session spans tenants (a kernel session); by default the session's."""
    if not payloads:
        return []
    if tenant is None:
        tenant = session.info.get(TENANT)
    elif session.info.get(TENANT) not in (ALL_TENANTS, tenant):
        raise TenantScopeError("a tenant session emits only its own tenant's events")
    if not isinstance(tenant, str):
        raise RuntimeError("events are emitted from a tenant session")
    envelopes = [new_envelope(payload, tenant_id=tenant, producer=producer) for payload in payloads]
    now = utcnow()
    session.connection().execute(
        insert(OutboxMessage.__table__),
        [
            {"id": envelope.id, "event_type": envelope.type, "tenant_id": tenant,
             "body": envelope.SerializeToString(deterministic=True), "created_at": now}
            for envelope in envelopes
        ],
    )
    session.info[OUTBOX_WRITTEN] = True
    return envelopes


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
