"""Sales: accounts/contacts, activities, tasks and the calendar, opportunities, products/quotes, contracts and
approvals, hand-over and commitments, orders, forecast, targets, commissions, territories."""

from pathlib import Path

from crm.sales.v1 import sales_pb2_grpc
from services.core.service import ServiceDefinition
from services.sales.api import SalesApi
from services.sales.events import CONSUMERS
from services.sales.models import Base
from services.sales.timers import TIMERS

SERVICE = ServiceDefinition(
    name="sales",
    grpc_service="crm.sales.v1.SalesService",
    add_to_server=sales_pb2_grpc.add_SalesServiceServicer_to_server,
    make_servicer=SalesApi,
    metadata=Base.metadata,
    migrations=Path(__file__).parent / "migrations" / "versions",
    consumers=CONSUMERS,
    timers=TIMERS,
)
