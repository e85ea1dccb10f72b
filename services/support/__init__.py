"""Support: the customer-service domain: tickets, SLAs, knowledge base, surveys and health score."""

from pathlib import Path

from crm.support.v1 import support_pb2_grpc
from services.core.service import ServiceDefinition
from services.support.api import SupportApi
from services.support.events import CONSUMERS
from services.support.models import Base

SERVICE = ServiceDefinition(
    name="support",
    grpc_service="crm.support.v1.SupportService",
    add_to_server=support_pb2_grpc.add_SupportServiceServicer_to_server,
    make_servicer=SupportApi,
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations" / "versions",
    consumers=CONSUMERS,
)
