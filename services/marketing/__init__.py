"""Marketing: segments, campaigns, journeys/automation, consent, frequency caps and loyalty."""

from pathlib import Path

from crm.marketing.v1 import marketing_pb2_grpc
from services.core.service import ServiceDefinition
from services.marketing.api import MarketingApi
from services.marketing.events import CONSUMERS
from services.marketing.models import Base

SERVICE = ServiceDefinition(
    name="marketing",
    grpc_service="crm.marketing.v1.MarketingService",
    add_to_server=marketing_pb2_grpc.add_MarketingServiceServicer_to_server,
    make_servicer=MarketingApi,
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations" / "versions",
    consumers=CONSUMERS,
)
