"""The audit log (R-SEC-3): every change of customer data in every service, kept append-only, searchable by
auditors and exportable as CSV or JSON lines. Fed by audit.recorded (services/core/audit.py, ADR 0015)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from crm.events.v1.audit_pb2 import AuditRecorded
from crm.events.v1.envelope_pb2 import Envelope
from services.analytics.models import AuditEntry
from services.core.auth import Caller
from services.core.db import upsert_insert
from services.core.errors import Validator
from services.core.i18n import t

# Auditors read the log; admins too (R-SEC-2). Service callers may (the gateway's export job, for one).
READ_ROLES = ("auditor", "admin")
CSV_COLUMNS = ("occurred_at", "actor", "actor_kind", "service", "entity", "record_id", "action", "changes",
               "event_id", "correlation_id")


@dataclass(frozen=True)
class AuditQuery:
    """Which entries; empty fields match everything. start inclusive, end exclusive (UTC)."""

    service: str = ""
    entity: str = ""
    record_id: str = ""
    actor: str = ""
    action: str = ""
    start: datetime | None = None
    end: datetime | None = None


def record(session: Session, *, tenant: str, envelope: Envelope, event: AuditRecorded) -> None:
    """Store the event's record changes, one entry each; a redelivered event adds nothing."""
    if not event.records:
        return
    occurred_at = envelope.occurred_at.ToDatetime(tzinfo=UTC)
    rows = [
        {
            "tenant_id": tenant, "event_id": envelope.id, "position": position, "occurred_at": occurred_at,
            "actor": event.actor[:200], "actor_kind": event.actor_kind[:16], "service": envelope.producer[:40],
            "entity": change.entity[:64], "record_id": change.record_id[:200], "action": change.action[:16],
            "changes": {
                field.field: [field.old_value if field.HasField("old_value") else None,
                              field.new_value if field.HasField("new_value") else None]
                for field in change.changes
            },
            "correlation_id": envelope.correlation_id[:36],
        }
        for position, change in enumerate(event.records)
    ]
    # A Core multi-row insert on the session's connection: no unit of work for rows nobody reads back here.
    statement = upsert_insert(session)(AuditEntry.__table__).on_conflict_do_nothing(
        index_elements=["tenant_id", "event_id", "position"]
    )
    session.connection().execute(statement, rows)


def check_query(query: AuditQuery) -> None:
    """InvalidArgument naming each bad field of a filter."""
    check = Validator()
    check.at_most(query.service, "filter.service", 40)
    check.at_most(query.entity, "filter.entity", 64)
    check.at_most(query.record_id, "filter.record_id", 200)
    check.at_most(query.actor, "filter.actor", 200)
    if query.start is not None and query.end is not None:
        check.check(query.start <= query.end, "filter.end_time", t("must not be before start_time"))
    check.raise_if_any()


def search(
    session: Session, *, caller: Caller, query: AuditQuery, offset: int, limit: int
) -> tuple[list[AuditEntry], bool]:
    """One page of the matching entries, oldest first (then by arrival), and whether more follow."""
    caller.require_role(*READ_ROLES)
    check_query(query)
    found = list(session.scalars(_select(query).offset(offset).limit(limit + 1)))
    return found[:limit], len(found) > limit


def entries_after(
    session: Session, *, caller: Caller, query: AuditQuery, after: tuple[datetime, int] | None, limit: int
) -> list[AuditEntry]:
    """The next `limit` matching entries after the entry (occurred_at, id) `after` (None: from the first): an export
    reads the log in slices, each in a short transaction, however long the client takes to read them."""
    caller.require_role(*READ_ROLES)
    check_query(query)
    statement = _select(query)
    if after is not None:
        at, last_id = after
        statement = statement.where(or_(AuditEntry.occurred_at > at,
                                        and_(AuditEntry.occurred_at == at, AuditEntry.id > last_id)))
    return list(session.scalars(statement.limit(limit)))


def _select(query: AuditQuery):  # noqa: ANN202
    statement = select(AuditEntry).order_by(AuditEntry.occurred_at, AuditEntry.id)
    for column, value in ((AuditEntry.service, query.service), (AuditEntry.entity, query.entity),
                          (AuditEntry.record_id, query.record_id), (AuditEntry.actor, query.actor),
                          (AuditEntry.action, query.action)):
        if value:
            statement = statement.where(column == value)
    if query.start is not None:
        statement = statement.where(AuditEntry.occurred_at >= query.start.astimezone(UTC))
    if query.end is not None:
        statement = statement.where(AuditEntry.occurred_at < query.end.astimezone(UTC))
    return statement


# --- export formats ------------------------------------------------------------------------------------------


def _fields(entry: AuditEntry) -> dict[str, object]:
    return {
        "occurred_at": entry.occurred_at.astimezone(UTC).isoformat(), "actor": entry.actor,
        "actor_kind": entry.actor_kind, "service": entry.service, "entity": entry.entity,
        "record_id": entry.record_id, "action": entry.action, "changes": entry.changes, "event_id": entry.event_id,
        "correlation_id": entry.correlation_id,
    }


def csv_header() -> str:
    return _csv_line(CSV_COLUMNS)


def csv_lines(entries: Sequence[AuditEntry]) -> str:
    """CSV rows (RFC 4180); `changes` is a JSON object {field: [old, new]}: the values people typed sit inside it,
    where a spreadsheet does not take them for formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for entry in entries:
        fields = _fields(entry)
        fields["changes"] = json.dumps(entry.changes, ensure_ascii=False, separators=(",", ":"))
        writer.writerow([fields[name] for name in CSV_COLUMNS])
    return out.getvalue()


def json_lines(entries: Sequence[AuditEntry]) -> str:
    return "".join(json.dumps(_fields(entry), ensure_ascii=False, separators=(",", ":")) + "\n"
                   for entry in entries)


def _csv_line(values: Sequence[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(values)
    return out.getvalue()

