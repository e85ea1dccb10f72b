"""Analytics: read models built from events: RFM, CLV, lifecycle, funnel, cohorts, KPIs and exports."""

from pathlib import Path

from crm.analytics.v1 import analytics_pb2_grpc
from services.analytics.api import AnalyticsApi
from services.analytics.events import CONSUMERS
from services.analytics.models import Base
from services.core.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name="analytics",
    grpc_service="crm.analytics.v1.AnalyticsService",
    add_to_server=analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server,
    make_servicer=AnalyticsApi,
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations" / "versions",
    consumers=CONSUMERS,
)
