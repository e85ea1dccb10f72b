"""gRPC servicer of crm.analytics.v1.AnalyticsService: proto <-> domain, nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

from crm.analytics.v1 import analytics_pb2, analytics_pb2_grpc
from crm.common.v1.common_pb2 import Date
from services.analytics import audit, intake
from services.analytics.models import AuditEntry
from services.core.auth import current_caller
from services.core.paging import next_page, page_window
from services.core.service import ServiceContext

ACTIONS = {
    analytics_pb2.AUDIT_ACTION_CREATED: "created",
    analytics_pb2.AUDIT_ACTION_UPDATED: "updated",
    analytics_pb2.AUDIT_ACTION_DELETED: "deleted",
}
ACTION_NUMBERS = {name: number for number, name in ACTIONS.items()}
EXPORT_BATCH = 1000  # entries read per transaction while exporting
CHUNK_BYTES = 64 * 1024  # size of the pieces the export streams


def _ymd(value: Date) -> intake.YearMonthDay:
    return (value.year, value.month, value.day)


def audit_query(request: analytics_pb2.AuditLogFilter) -> audit.AuditQuery:
    return audit.AuditQuery(
        service=request.service.strip(), entity=request.entity.strip(), record_id=request.record_id.strip(),
        actor=request.actor.strip(), action=ACTIONS.get(request.action, ""),
        start=request.start_time.ToDatetime(tzinfo=UTC) if request.HasField("start_time") else None,
        end=request.end_time.ToDatetime(tzinfo=UTC) if request.HasField("end_time") else None,
    )


def audit_entry_to_proto(entry: AuditEntry) -> analytics_pb2.AuditEntry:
    message = analytics_pb2.AuditEntry(
        event_id=entry.event_id, actor=entry.actor, actor_kind=entry.actor_kind, service=entry.service,
        entity=entry.entity, record_id=entry.record_id,
        action=ACTION_NUMBERS.get(entry.action, analytics_pb2.AUDIT_ACTION_UNSPECIFIED),
        correlation_id=entry.correlation_id,
    )
    message.occur_time.FromDatetime(entry.occurred_at)
    for field, (old, new) in entry.changes.items():
        change = message.changes.add(field=field)
        if old is not None:
            change.old_value = old
        if new is not None:
            change.new_value = new
    return message


class AnalyticsApi(analytics_pb2_grpc.AnalyticsServiceServicer):
    def __init__(self, context: ServiceContext):
        self.database = context.database

    def GetLeadIntake(self, request, context) -> analytics_pb2.GetLeadIntakeResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            result = intake.get_lead_intake(
                session, caller=caller, start_date=_ymd(request.start_date), end_date=_ymd(request.end_date)
            )
            rows = [
                analytics_pb2.LeadIntakeRow(
                    day=Date(year=row.day.year, month=row.day.month, day=row.day.day),
                    channel=row.channel,
                    leads=row.leads,
                )
                for row in result.rows
            ]
        return analytics_pb2.GetLeadIntakeResponse(rows=rows, total=result.total)

    def SearchAuditLog(self, request, context) -> analytics_pb2.SearchAuditLogResponse:  # noqa: N802, ANN001
        caller = current_caller()
        offset, size = page_window(request.page)
        with self.database.session(caller.tenant_id) as session:
            found, more = audit.search(session, caller=caller, query=audit_query(request.filter), offset=offset,
                                       limit=size)
            return analytics_pb2.SearchAuditLogResponse(entries=[audit_entry_to_proto(entry) for entry in found],
                                                        page=next_page(offset, size, more))

    def ExportAuditLog(self, request, context) -> Iterator[analytics_pb2.ExportAuditLogResponse]:  # noqa: N802, ANN001
        caller = current_caller()
        query = audit_query(request.filter)
        as_json = request.format == analytics_pb2.AUDIT_EXPORT_FORMAT_JSON_LINES
        pending = [] if as_json else [audit.csv_header()]
        size = sum(map(len, pending))
        after = None
        while True:
            with self.database.session(caller.tenant_id) as session:
                entries = audit.entries_after(session, caller=caller, query=query, after=after, limit=EXPORT_BATCH)
                text = audit.json_lines(entries) if as_json else audit.csv_lines(entries)
            if entries:
                after = (entries[-1].occurred_at, entries[-1].id)
                pending.append(text)
                size += len(text)
            if size >= CHUNK_BYTES or (len(entries) < EXPORT_BATCH and pending):
                data = "".join(pending).encode("utf-8")
                for start in range(0, len(data), CHUNK_BYTES):
                    yield analytics_pb2.ExportAuditLogResponse(chunk=data[start:start + CHUNK_BYTES])
                pending, size = [], 0
            if len(entries) < EXPORT_BATCH:
                return
