"""Personal data export and erase (R-SEC-5): the part every participating service shares.

The identity service runs the saga (services/identity/privacy.py): it emits `privacy.requested` with the person's
customer ids, linked records and contact keys; each participating service answers with one
`privacy.step_completed`. A service declares only what it exports and how it anonymises:

    CONSUMER = privacy.consumer("leads", export=_export, erase=_erase)

`_export(session, subject)` returns a `Step` with the service's JSON section; `_erase(session, subject)` anonymises
in place (with `erase_rows`) and returns a `Step` with the count and, if something is kept, a note saying why.
The kernel's inbox makes a redelivered request change nothing; the step is idempotent anyway (erasing an erased
row again writes the same marker).

Erasure writes with Core UPDATE statements, which the audit capture does not see (services/core/audit.py), and
records its own `audit.recorded` entries with the new values only: the append-only audit log learns that the
fields were erased, by whom and when, without receiving the values being erased.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from crm.events.v1.audit_pb2 import AuditRecorded
from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.privacy_pb2 import PrivacyRequested, PrivacyStepCompleted
from services.core.audit import actor, as_text
from services.core.consumers import Consumer
from services.core.errors import DomainError
from services.core.events import emit, emit_many

log = logging.getLogger("crm.privacy")

EXPORT, ERASE = "export", "erase"
KINDS = (EXPORT, ERASE)
COMPLETED, FAILED = "completed", "failed"
# What an erased text field holds afterwards. Fields that must stay valid keys (e-mail, phone) become "".
ERASED = "[erased]"
# Rows per UPDATE ... WHERE id IN (...) and per audit event.
CHUNK = 500


@dataclass(frozen=True)
class Subject:
    """Whom a privacy request is about, as identity knows them (a privacy.requested event)."""

    request_id: str
    kind: str
    customer_id: str
    customer_ids: tuple[str, ...]
    # {service: {kind: [record ids]}}
    records: Mapping[str, Mapping[str, Sequence[str]]] = field(default_factory=dict)
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    reason: str = ""
    requested_by: str = ""

    @classmethod
    def of(cls, event: PrivacyRequested) -> Subject:
        records: dict[str, dict[str, list[str]]] = {}
        for ref in event.records:
            records.setdefault(ref.service, {}).setdefault(ref.kind, []).append(ref.id)
        return cls(
            request_id=event.request_id, kind=event.kind, customer_id=event.customer_id,
            customer_ids=tuple(event.customer_ids) or (event.customer_id,), records=records,
            emails=tuple(event.emails), phones=tuple(event.phones), reason=event.reason,
            requested_by=event.requested_by,
        )

    def record_ids(self, service: str, *kinds: str) -> list[str]:
        """Ids of the person's records of `service` (of these kinds; all kinds when none is named)."""
        by_kind = self.records.get(service, {})
        return [record_id for kind, ids in by_kind.items() if not kinds or kind in kinds for record_id in ids]


@dataclass(frozen=True)
class Step:
    """What a service did: records exported or erased, its export section, a note (what it kept and why)."""

    items: int
    section: Mapping[str, Any] | None = None
    note: str = ""


StepFunction = Callable[[Session, Subject], Step]


def consumer(service: str, *, export: StepFunction, erase: StepFunction) -> Consumer:
    """The service's `privacy` consumer: does its part of each privacy.requested and reports it."""

    def on_privacy_requested(session: Session, event: PrivacyRequested, *, envelope: Envelope, tenant: str) -> None:
        subject = Subject.of(event)
        if subject.kind not in KINDS:
            report(session, subject, service=service, status=FAILED, error=f"unknown request kind {subject.kind!r}")
            return
        try:
            # A savepoint: a refused step leaves nothing half-done, and the failure is still reported.
            with session.begin_nested():
                step = (export if subject.kind == EXPORT else erase)(session, subject)
        except DomainError as error:
            # The data itself is refused (not a passing outage, which raises something else and is retried).
            log.warning("privacy request %s: %s step failed: %s", subject.request_id, service, error)
            report(session, subject, service=service, status=FAILED, error=str(error))
            return
        report(session, subject, service=service, status=COMPLETED, items=step.items,
               section=step.section if subject.kind == EXPORT else None, error=step.note)

    return Consumer("privacy", {PrivacyRequested: on_privacy_requested})


def report(
    session: Session, subject: Subject, *, service: str, status: str, items: int = 0,
    section: Mapping[str, Any] | None = None, error: str = "",
) -> None:
    """Emit the service's privacy.step_completed (in the caller's transaction, with the step's effect). `error`:
    why a step failed, or a completed step's note."""
    emit(session, PrivacyStepCompleted(
        request_id=subject.request_id, service=service, status=status, item_count=items,
        export_json=dumps(section).encode("utf-8") if section is not None else b"", error=error[:500],
    ), producer=service)


# --- export ------------------------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A column value as JSON shows it: times ISO 8601, decimals as exact strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(value)} bytes>"
    return value


def rows(objects: Iterable[object], *, without: Iterable[str] = ("tenant_id",)) -> list[dict[str, Any]]:
    """ORM rows as JSON objects: every column except `without`, in table order."""
    skipped = set(without)
    found = []
    for obj in objects:
        mapper = sa_inspect(type(obj))
        found.append({attr.key: plain(getattr(obj, attr.key)) for attr in mapper.column_attrs
                      if attr.key not in skipped})
    return found


def dumps(section: Mapping[str, Any]) -> str:
    return json.dumps(section, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=plain)


# --- erase -------------------------------------------------------------------------------------------------------


def erase_rows(
    session: Session, model: type, ids: Sequence[Any], values: Mapping[str, Any], *, producer: str,
    audited: bool | None = None,
) -> int:
    """Set `values` on the rows of `model` whose primary key is in `ids` (a single-column key); returns how many
    rows matched. A value ERASED replaces a text that is not empty (an empty one stays empty: there was nothing).
    Audited models get one audit record per row naming the erased fields, new values only."""
    if not ids:
        return 0
    mapper = sa_inspect(model)
    [key] = [column for column in mapper.primary_key if column.key != "tenant_id"]
    key_attr = mapper.get_property_by_column(key).key
    audited = getattr(model, "__audited__", False) if audited is None else audited
    assigned = {name: case((getattr(model, name) == "", ""), else_=ERASED) if value == ERASED else value
                for name, value in values.items()}
    count = 0
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start:start + CHUNK])
        result = session.execute(
            update(model).where(getattr(model, key_attr).in_(chunk)).values(**assigned)
            .execution_options(synchronize_session=False)
        )
        count += result.rowcount or 0
        if audited:
            _audit_erasure(session, model, mapper.local_table.name, chunk, values, producer=producer)
    return count


def _audit_erasure(session: Session, model: type, entity: str, ids: Sequence[Any], values: Mapping[str, Any], *,
                   producer: str) -> None:
    who, kind = actor()
    excluded = set(getattr(model, "__audit_exclude__", ()))
    changes = [AuditRecorded.FieldChange(field=name, new_value=as_text(value) or "")
               for name, value in values.items() if name not in excluded]
    if not changes:
        return
    records = [AuditRecorded.RecordChange(entity=entity, record_id=str(record_id), action="updated", changes=changes)
               for record_id in ids]
    emit_many(session, [AuditRecorded(actor=who, actor_kind=kind, records=records)], producer=producer)


# --- contact keys ------------------------------------------------------------------------------------------------

_NOT_DIGIT = re.compile(r"\D")


def contact_key(kind: str, value: str) -> str:
    """One spelling of an e-mail ("email": trimmed, lower case) or phone ("phone": digits, without a +86 / 0086
    prefix); "" when nothing is left."""
    if kind == "email":
        return value.strip().lower()
    digits = _NOT_DIGIT.sub("", value)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def contact_hash(tenant: str, kind: str, value: str) -> str:
    """SHA-256 of the tenant, kind and contact key: a suppression list can say "never contact this address again"
    without keeping the address. "" for an empty key."""
    key = contact_key(kind, value)
    if not key:
        return ""
    return hashlib.sha256(f"{tenant}\x1f{kind}\x1f{key}".encode()).hexdigest()
