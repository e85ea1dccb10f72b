"""Opening and reading tickets of every type and channel (R-SVC-1); priorities drive SLAs later (R-SVC-2)."""

from __future__ import annotations

from prometheus_client import Counter
from sqlalchemy.orm import Session

from crm.events.v1.support_pb2 import TicketOpened
from services.core.auth import Caller
from services.core.errors import NotFound, Validator
from services.core.events import emit
from services.core.i18n import t
from services.support.models import Ticket

TICKETS_OPENED = Counter("crm_tickets_opened", "Tickets opened, by type and channel.", ["type", "channel"])

TYPES = ("CONSULTATION", "COMPLAINT", "FAULT", "AFTER_SALES", "FIELD_SERVICE", "CALLBACK", "CARE")
CHANNELS = ("PHONE", "EMAIL", "WEB", "CHAT", "IN_PERSON", "PARTNER")
PRIORITIES = ("P1", "P2", "P3", "P4")
STATUSES = ("OPEN", "IN_PROGRESS", "RESOLVED", "CLOSED")
DEFAULT_PRIORITY = "P3"

OPEN_ROLES = ("service_agent", "manager", "admin")
READ_ROLES = ("service_agent", "manager", "admin", "auditor")


def open_ticket(
    session: Session,
    *,
    tenant: str,
    caller: Caller,
    customer_id: str,
    ticket_type: str,
    channel: str,
    subject: str,
    priority: str = "",
    description: str = "",
) -> Ticket:
    """Open a ticket. Type, channel and priority are short names ("COMPLAINT", "P2"); empty: not given."""
    caller.require_role(*OPEN_ROLES)
    priority = priority or DEFAULT_PRIORITY
    check = Validator()
    check.require(customer_id, "customer_id", max_length=32)
    if check.check(bool(ticket_type), "type", t("is required")):
        check.check(ticket_type in TYPES, "type", t("is not a ticket type"))
    if check.check(bool(channel), "channel", t("is required")):
        check.check(channel in CHANNELS, "channel", t("is not a ticket channel"))
    check.check(priority in PRIORITIES, "priority", t("is not a ticket priority"))
    check.require(subject, "subject", max_length=200)
    check.at_most(description, "description", 10_000)
    check.raise_if_any()

    ticket = Ticket(
        tenant_id=tenant,
        customer_id=customer_id.strip(),
        type=ticket_type,
        channel=channel,
        priority=priority,
        status="OPEN",
        subject=subject.strip(),
        description=description,
    )
    session.add(ticket)
    session.flush()
    emit(
        session,
        TicketOpened(
            ticket_id=ticket.id, customer_id=ticket.customer_id, ticket_type=ticket.type,
            channel=ticket.channel, priority=ticket.priority,
        ),
        producer="support",
    )
    TICKETS_OPENED.labels(ticket.type, ticket.channel).inc()
    return ticket


def get_ticket(session: Session, *, caller: Caller, ticket_id: str) -> Ticket:
    caller.require_role(*READ_ROLES)
    # The session is tenant-scoped, so another tenant's ticket is simply not found.
    ticket = session.get(Ticket, ticket_id) if ticket_id else None
    if ticket is None:
        raise NotFound(t("ticket {id} not found", id=repr(ticket_id)))
    return ticket
