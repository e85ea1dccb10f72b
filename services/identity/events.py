"""Events the identity service consumes. It publishes identity.resolved (see identities.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.leads_pb2 import LeadCreated
from services.core.consumers import Consumer
from services.identity import identities


def on_lead_created(session: Session, event: LeadCreated, *, envelope: Envelope, tenant: str) -> None:
    record = identities.SourceRecord(
        service="leads", kind="lead", record_id=event.lead_id, name=event.name, company=event.company,
        email=event.email, phone=event.phone, owner_id=event.owner_id,
    )
    if identities.identifying_keys(record):
        identities.resolve(session, tenant=tenant, record=record)


CONSUMERS = [Consumer("intake", {LeadCreated: on_lead_created})]
