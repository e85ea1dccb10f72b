"""gRPC servicer of crm.analytics.v1.AnalyticsService: proto <-> domain, nothing else."""

from __future__ import annotations

from crm.analytics.v1 import analytics_pb2, analytics_pb2_grpc
from crm.common.v1.common_pb2 import Date
from services.analytics import intake
from services.core.auth import current_caller
from services.core.service import ServiceContext


def _ymd(value: Date) -> intake.YearMonthDay:
    return (value.year, value.month, value.day)


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
