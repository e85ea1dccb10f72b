"""Identity: customer identity resolution, deduplication, merge/unmerge and the golden record."""

from pathlib import Path

from crm.identity.v1 import identity_pb2_grpc
from services.core.service import ServiceDefinition
from services.identity.api import IdentityApi
from services.identity.events import CONSUMERS
from services.identity.models import Base

SERVICE = ServiceDefinition(
    name="identity",
    grpc_service="crm.identity.v1.IdentityService",
    add_to_server=identity_pb2_grpc.add_IdentityServiceServicer_to_server,
    make_servicer=IdentityApi,
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations" / "versions",
    consumers=CONSUMERS,
)
