"""The support service's part of personal data requests (R-SEC-5; the saga: services/identity/privacy.py).

The person's tickets are those that carry one of their customer ids or that identity linked to them. Export: the
tickets. Erase: subject and description (what the person wrote or was written about them); type, channel,
priority, status, assignee and dates stay for the service statistics.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.core import privacy
from services.core.privacy import ERASED, Step, Subject
from services.support.models import Ticket

SERVICE = "support"


def _tickets(session: Session, subject: Subject) -> list[Ticket]:
    return list(session.scalars(
        select(Ticket).where(or_(Ticket.customer_id.in_(subject.customer_ids),
                                 Ticket.id.in_(subject.record_ids(SERVICE, "ticket"))))
        .order_by(Ticket.created_at, Ticket.id)
    ))


def export(session: Session, subject: Subject) -> Step:
    tickets = _tickets(session, subject)
    return Step(len(tickets), {"tickets": privacy.rows(tickets)})


def erase(session: Session, subject: Subject) -> Step:
    ids = [ticket.id for ticket in _tickets(session, subject)]
    count = privacy.erase_rows(session, Ticket, ids, {"subject": ERASED, "description": ERASED}, producer=SERVICE)
    session.expire_all()  # Core updates: loaded rows would show the old values
    return Step(count)


CONSUMER = privacy.consumer(SERVICE, export=export, erase=erase)
