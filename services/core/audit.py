"""The audit trail of customer data (R-SEC-3): who changed which record, when, old -> new.

A model opts in with the `Audited` mixin (`class Lead(Audited, TenantScoped, Base)`), and names in
`__audit_exclude__` the columns that are not customer data but caches or bookkeeping (a lead's score, `updated_at`).
After every flush of a service's session, the kernel collects the audited rows the flush created, updated or
deleted, with the changed columns' values before and after; when the transaction commits, after its last flush, it
writes ONE `crm.events.v1.AuditRecorded` event (`audit.recorded`) with every record change of the transaction to
the outbox in that transaction (ADR 0020; one per actor and cause should those differ, and one per savepoint that
is released): the change and its audit record commit or roll back together, and a savepoint that rolls back takes
its records with it. The analytics service keeps them in its append-only audit log (ADR 0015), one entry per
record change.

What the ORM flush does not see is not captured: Core statements (`session.execute(update(Lead)...)`,
`insert(Table)`, raw SQL, PostgreSQL COPY). Such bulk paths announce their effect with domain events of their own
(lead.imported, ...); ADR 0015 lists them.

Cost: a flush without audited objects costs one class-attribute look-up per written object; an update that
touches only excluded columns (a rescore) costs a look at the attributes it modified, and emits nothing. The
audit event shares the transaction's single outbox INSERT with its other events (services/core/events.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import InstanceState, Session
from sqlalchemy.orm.base import NO_VALUE

from crm.events.v1.audit_pb2 import AuditRecorded
from services.core.auth import current_caller
from services.core.db import DATABASE, TENANT, TenantScopeError
from services.core.errors import Unauthenticated
from services.core.events import EventContext, current_context, emit_many, register_finisher, stage_item

CREATED, UPDATED, DELETED = "created", "updated", "deleted"
ACTIONS = (CREATED, UPDATED, DELETED)
SYSTEM = "system"  # actor (and actor kind) of a change made with no caller: a timer, a command, a script
MAX_VALUE_CHARS = 500  # longer values (a contract body) are cut, ending with "…"
MAX_RECORDS_PER_EVENT = 500  # a bigger flush (a batch) is split over several events of the same transaction
_NEVER = frozenset({"tenant_id"})  # the envelope carries the tenant


class Audited:
    """Mixin of a model whose rows are customer data: every change of a row is audited (R-SEC-3).

    `__audit_exclude__`: attribute names that are not recorded (caches, derived keys, bookkeeping times); an update
    that changes only those records nothing."""

    __audited__ = True
    __audit_exclude__: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Shape:
    """What is audited of one model class, worked out once."""

    entity: str  # table name
    key: tuple[str, ...]  # primary-key attributes without tenant_id
    fields: tuple[str, ...]  # audited column attributes, in table order
    audited: frozenset[str]


_shapes: dict[type, _Shape | None] = {}


def _shape_of(cls: type) -> _Shape | None:
    try:
        return _shapes[cls]
    except KeyError:
        pass
    shape = None
    if getattr(cls, "__audited__", False):
        mapper = sa_inspect(cls)
        columns = [attribute.key for attribute in mapper.column_attrs]
        excluded = set(getattr(cls, "__audit_exclude__", ()))
        unknown = excluded - set(columns)
        if unknown:
            raise TypeError(f"{cls.__name__}.__audit_exclude__ names no column: {sorted(unknown)}")
        key = tuple(mapper.get_property_by_column(column).key for column in mapper.primary_key)
        fields = tuple(name for name in columns if name not in excluded and name not in _NEVER)
        shape = _Shape(mapper.local_table.name, tuple(name for name in key if name not in _NEVER) or key, fields,
                       frozenset(fields))
    _shapes[cls] = shape
    return shape


def as_text(value: Any) -> str | None:
    """A column value as the audit log shows it: None stays None, long text is cut to MAX_VALUE_CHARS."""
    if value is None or value is NO_VALUE:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime | date):
        text = value.isoformat()
    elif isinstance(value, dict | list | tuple):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    elif isinstance(value, bytes | bytearray | memoryview):
        text = f"<{len(value)} bytes>"
    else:
        text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _field(name: str, old: Any, new: Any) -> AuditRecorded.FieldChange:
    change = AuditRecorded.FieldChange(field=name)
    old_text, new_text = as_text(old), as_text(new)
    if old_text is not None:
        change.old_value = old_text
    if new_text is not None:
        change.new_value = new_text
    return change


def _record_id(state: InstanceState, shape: _Shape) -> str:
    return "/".join(as_text(state.dict.get(name)) or "" for name in shape.key)


def _created(state: InstanceState, shape: _Shape) -> AuditRecorded.RecordChange:
    values = state.dict
    changes = [_field(name, None, values[name]) for name in shape.fields if values.get(name) is not None]
    return AuditRecorded.RecordChange(entity=shape.entity, record_id=_record_id(state, shape), action=CREATED,
                                      changes=changes)


def _updated(state: InstanceState, shape: _Shape) -> AuditRecorded.RecordChange | None:
    # committed_state holds the attributes modified since the last flush: usually a few, often only excluded ones.
    modified = shape.audited.intersection(state.committed_state)
    if not modified:
        return None
    changes = []
    for name in shape.fields:  # table order, so that entries read the same way every time
        if name not in modified:
            continue
        history = state.attrs[name].history
        if not history.added and not history.deleted:
            continue  # set to the value it had
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old != new:
            changes.append(_field(name, old, new))
    if not changes:
        return None
    return AuditRecorded.RecordChange(entity=shape.entity, record_id=_record_id(state, shape), action=UPDATED,
                                      changes=changes)


def _deleted(state: InstanceState, shape: _Shape) -> AuditRecorded.RecordChange:
    values = state.dict
    # An attribute modified before the delete: the row held its committed value.
    before = {name: state.committed_state.get(name, values.get(name)) for name in shape.fields}
    changes = [_field(name, value, None) for name, value in before.items()
               if value is not None and value is not NO_VALUE]
    return AuditRecorded.RecordChange(entity=shape.entity, record_id=_record_id(state, shape), action=DELETED,
                                      changes=changes)


def _changes(objects: Iterable[object], describe) -> list[tuple[str | None, AuditRecorded.RecordChange]]:  # noqa: ANN001
    found = []
    for obj in objects:
        shape = _shape_of(type(obj))
        if shape is None:
            continue
        state = sa_inspect(obj)
        change = describe(state, shape)
        if change is not None:
            found.append((state.dict.get("tenant_id"), change))
    return found


def actor() -> tuple[str, str]:
    """(actor, actor kind) of the current code: the caller of the request or event, else ("system", "system")."""
    try:
        caller = current_caller()
    except Unauthenticated:
        return SYSTEM, SYSTEM
    return caller.subject, caller.kind


_PENDING = "crm_audit_pending"  # session.info: the transaction's record changes, staged until it commits


@dataclass(frozen=True)
class _Batch:
    """Record changes of one flush and one tenant, with who made them and why."""

    tenant: str
    producer: str
    actor: str
    actor_kind: str
    context: EventContext | None
    records: list[AuditRecorded.RecordChange]


@event.listens_for(Session, "after_flush")
def _audit_flush(session: Session, flush_context) -> None:  # noqa: ANN001
    """After a flush (new, dirty and deleted still show what it wrote, with attribute history; primary keys and
    Python-side defaults are filled in): its audited changes, staged for the transaction's AuditRecorded."""
    found = _changes(session.new, _created) + _changes(session.dirty, _updated) + _changes(session.deleted, _deleted)
    if found:
        _stage(session, found, (*session.new, *session.dirty, *session.deleted))


def record_inserted(session: Session, *objects: object) -> None:
    """Audit rows that code inserted with its own Core statement, not through the ORM flush (a hot path writing
    several tables in one round trip), as the flush would have: one "created" record each, in this transaction's
    audit event. `objects`: instances of the rows' models holding every value written, primary key included;
    they are not added to the session."""
    found = _changes(objects, _created)
    if found:
        _stage(session, found, objects)


def _stage(session: Session, found: list[tuple[str | None, AuditRecorded.RecordChange]], objects: Iterable[object]
           ) -> None:
    who, kind = actor()
    database = session.info.get(DATABASE)
    producer = database.service if database is not None else _service_of(objects)
    tenant = session.info.get(TENANT)
    by_tenant: dict[str, list[AuditRecorded.RecordChange]] = {}
    for obj_tenant, record in found:
        # A tenant session writes only its tenant's rows (services/core/db.py); a kernel session names each row's.
        by_tenant.setdefault(tenant if isinstance(tenant, str) else obj_tenant, []).append(record)
    context = current_context()
    for records_tenant, records in by_tenant.items():
        if not isinstance(records_tenant, str):
            raise TenantScopeError("audited rows written without a tenant")
        stage_item(session, _PENDING, _Batch(records_tenant, producer, who, kind, context, records))


def _emit_pending(session: Session, batches: list[_Batch]) -> None:
    """At commit: one AuditRecorded per tenant, actor and cause with the records of every flush, in flush order
    (split every MAX_RECORDS_PER_EVENT records)."""
    grouped: dict[tuple, list[AuditRecorded.RecordChange]] = {}
    for batch in batches:
        key = (batch.tenant, batch.producer, batch.actor, batch.actor_kind, batch.context)
        grouped.setdefault(key, []).extend(batch.records)
    for (tenant, producer, who, kind, context), records in grouped.items():
        emit_many(session, [
            AuditRecorded(actor=who, actor_kind=kind, records=records[start:start + MAX_RECORDS_PER_EVENT])
            for start in range(0, len(records), MAX_RECORDS_PER_EVENT)
        ], producer=producer, tenant=tenant, context=context)


register_finisher(_PENDING, _emit_pending)


def _service_of(objects: Iterable[object]) -> str:
    """A session made without services.core.db.Database: the service is the package of the audited models."""
    for obj in objects:
        if _shape_of(type(obj)) is not None:
            parts = type(obj).__module__.split(".")
            return parts[1] if len(parts) > 2 and parts[0] == "services" else parts[0]
    return SYSTEM
