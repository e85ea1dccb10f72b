"""Events the identity service consumes. It publishes identity.resolved (identities.py), identity.merged and
identity.unmerged (graph.py), privacy.requested (privacy.py)."""

from __future__ import annotations

import logging
from datetime import UTC

from sqlalchemy.orm import Session

from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.leads_pb2 import LeadCreated, LeadsImported
from crm.events.v1.privacy_pb2 import PrivacyStepCompleted
from services.core.consumers import Consumer
from services.core.errors import InvalidArgument
from services.identity import identities, privacy

log = logging.getLogger("crm.identity.events")


def on_lead_created(session: Session, event: LeadCreated, *, envelope: Envelope | None, tenant: str) -> None:
    record = identities.RecordInput(
        service="leads", kind="lead", record_id=event.lead_id, name=event.name, company=event.company,
        email=event.email, phone=event.phone, owner_id=event.owner_id,
        observed_at=envelope.occurred_at.ToDatetime(tzinfo=UTC) if envelope is not None else None,
    )
    try:
        identities.resolve(session, tenant=tenant, record=record, actor="leads")
    except InvalidArgument as error:
        # Nothing in the lead identifies anyone (no valid e-mail, phone or credit code): retrying cannot help.
        log.info("lead %s of tenant %s not resolved: %s", event.lead_id, tenant, error)


def on_leads_imported(session: Session, event: LeadsImported, *, envelope: Envelope | None, tenant: str) -> None:
    """A batch import's leads (lead.imported, up to 1000 per event): each resolved like a lead.created."""
    for lead in event.leads:
        on_lead_created(session, lead, envelope=envelope, tenant=tenant)


CONSUMERS = [
    Consumer("intake", {LeadCreated: on_lead_created, LeadsImported: on_leads_imported}),
    # The services' answers to privacy.requested (R-SEC-5): its own queue, never behind intake.
    Consumer("privacy", {PrivacyStepCompleted: privacy.on_step_completed}),
]
