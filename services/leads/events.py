"""Events the leads service consumes. It publishes lead.created (see leads.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.identity_pb2 import IdentityResolved
from services.core.consumers import Consumer
from services.leads import leads


def on_identity_resolved(session: Session, event: IdentityResolved, *, envelope: Envelope, tenant: str) -> None:
    if event.record.service == "leads" and event.record.kind == "lead":
        leads.link_customer(session, lead_id=event.record.id, customer_id=event.customer_id)


CONSUMERS = [Consumer("identity", {IdentityResolved: on_identity_resolved})]
