"""Leads: capture, import, scoring, assignment, public pool, follow-ups and reminders."""

from pathlib import Path

from crm.leads.v1 import leads_pb2_grpc
from services.core.service import ServiceDefinition
from services.leads.api import LeadsApi
from services.leads.events import CONSUMERS
from services.leads.models import Base
from services.leads.timers import TIMERS

SERVICE = ServiceDefinition(
    name="leads",
    grpc_service="crm.leads.v1.LeadsService",
    add_to_server=leads_pb2_grpc.add_LeadsServiceServicer_to_server,
    make_servicer=LeadsApi,
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations" / "versions",
    consumers=CONSUMERS,
    timers=TIMERS,
)
