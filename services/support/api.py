"""gRPC servicer of crm.support.v1.SupportService: proto <-> domain, nothing else.

The domain speaks short names ("COMPLAINT", "P3"); the proto enums carry a prefix (TICKET_TYPE_COMPLAINT).
"""

from __future__ import annotations

from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper

from crm.support.v1 import support_pb2, support_pb2_grpc
from services.core.auth import current_caller
from services.core.service import ServiceContext
from services.support import tickets
from services.support.models import Ticket


def _short_names(enum: EnumTypeWrapper, prefix: str) -> dict[int, str]:
    """Enum number -> short name, UNSPECIFIED (0) -> ""."""
    return {number: ("" if number == 0 else name.removeprefix(prefix)) for name, number in enum.items()}


TYPE_NAMES = _short_names(support_pb2.TicketType, "TICKET_TYPE_")
CHANNEL_NAMES = _short_names(support_pb2.TicketChannel, "TICKET_CHANNEL_")
PRIORITY_NAMES = _short_names(support_pb2.TicketPriority, "TICKET_PRIORITY_")
STATUS_NAMES = _short_names(support_pb2.TicketStatus, "TICKET_STATUS_")


def _to_name(names: dict[int, str], number: int) -> str:
    # A number this build does not know is passed on as such, for the domain to reject.
    return names.get(number, str(number))


def _to_number(names: dict[int, str], name: str) -> int:
    return next(number for number, known in names.items() if known == name)


def ticket_to_proto(ticket: Ticket) -> support_pb2.Ticket:
    message = support_pb2.Ticket(
        id=ticket.id,
        customer_id=ticket.customer_id,
        type=_to_number(TYPE_NAMES, ticket.type),
        channel=_to_number(CHANNEL_NAMES, ticket.channel),
        priority=_to_number(PRIORITY_NAMES, ticket.priority),
        status=_to_number(STATUS_NAMES, ticket.status),
        subject=ticket.subject,
        description=ticket.description,
        assignee_id=ticket.assignee_id,
    )
    message.create_time.FromDatetime(ticket.created_at)
    return message


class SupportApi(support_pb2_grpc.SupportServiceServicer):
    def __init__(self, context: ServiceContext):
        self.database = context.database

    def OpenTicket(self, request, context) -> support_pb2.OpenTicketResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            ticket = tickets.open_ticket(
                session,
                tenant=caller.tenant_id,
                caller=caller,
                customer_id=request.customer_id,
                ticket_type=_to_name(TYPE_NAMES, request.type),
                channel=_to_name(CHANNEL_NAMES, request.channel),
                priority=_to_name(PRIORITY_NAMES, request.priority),
                subject=request.subject,
                description=request.description,
            )
            return support_pb2.OpenTicketResponse(ticket=ticket_to_proto(ticket))

    def GetTicket(self, request, context) -> support_pb2.GetTicketResponse:  # noqa: N802, ANN001
        caller = current_caller()
        with self.database.session(caller.tenant_id) as session:
            ticket = tickets.get_ticket(session, caller=caller, ticket_id=request.id)
            return support_pb2.GetTicketResponse(ticket=ticket_to_proto(ticket))
