"""Events the sales service consumes: lead.qualified (one opportunity per lead, R-LEAD-6).

It publishes account.created, opportunity.created/stage_changed/won/lost, contract.approval_requested/rejected/
signed, handover.created, commitment.at_risk/overdue, order.*, task.due (see accounts.py, opportunities.py,
contracts.py, handover.py, orders.py, tasks.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.leads_pb2 import LeadQualified
from services.core.consumers import Consumer
from services.sales import opportunities, privacy


def on_lead_qualified(session: Session, event: LeadQualified, *, envelope: Envelope, tenant: str) -> None:
    """A qualified lead becomes an opportunity at stage 02: the kernel's inbox drops a redelivered event, the unique
    lead id a second event about the same lead."""
    if event.lead_id:
        opportunities.open_from_lead(session, event)


CONSUMERS = [
    Consumer("leads", {LeadQualified: on_lead_qualified}),
    privacy.CONSUMER,  # export or erase a person's data (R-SEC-5)
]
