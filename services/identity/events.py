"""Events the identity service consumes: lead.created and lead.imported (leads), contact.created and
contact.updated (sales contacts, ADR 0023), privacy.step_completed. It publishes identity.resolved (identities.py),
identity.merged and identity.unmerged (graph.py), privacy.requested (privacy.py)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC

from sqlalchemy.orm import Session

from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.leads_pb2 import LeadCreated, LeadsImported
from crm.events.v1.privacy_pb2 import PrivacyStepCompleted
from crm.events.v1.sales_pb2 import ContactCreated, ContactUpdated
from services.core.consumers import Consumer
from services.core.errors import InvalidArgument
from services.identity import identities, privacy

log = logging.getLogger("crm.identity.events")


def _resolve(session: Session, record: identities.RecordInput, *, envelope: Envelope | None, tenant: str,
             actor: str) -> None:
    """Resolve a record some service announced, observed when its event occurred. A record with nothing that
    identifies anyone (no valid e-mail, phone or credit code) is logged and skipped: retrying cannot help."""
    if envelope is not None:
        record = replace(record, observed_at=envelope.occurred_at.ToDatetime(tzinfo=UTC))
    try:
        identities.resolve(session, tenant=tenant, record=record, actor=actor)
    except InvalidArgument as error:
        log.info("%s %s %s of tenant %s not resolved: %s", record.service, record.kind, record.record_id, tenant,
                 error)


def on_lead_created(session: Session, event: LeadCreated, *, envelope: Envelope | None, tenant: str) -> None:
    record = identities.RecordInput(
        service="leads", kind="lead", record_id=event.lead_id, name=event.name, company=event.company,
        email=event.email, phone=event.phone, owner_id=event.owner_id,
    )
    _resolve(session, record, envelope=envelope, tenant=tenant, actor="leads")


def on_leads_imported(session: Session, event: LeadsImported, *, envelope: Envelope | None, tenant: str) -> None:
    """A batch import's leads (lead.imported, up to 1000 per event): each resolved like a lead.created."""
    for lead in event.leads:
        on_lead_created(session, lead, envelope=envelope, tenant=tenant)


def on_contact(session: Session, event: ContactCreated | ContactUpdated, *, envelope: Envelope | None,
               tenant: str) -> None:
    """A sales contact (contact.created, contact.updated) resolved as the record (sales, contact, id), as a lead is
    (ADR 0023). An update re-resolves the same record id: a record identity has stored already keeps its customer
    and nothing changes (resolve is idempotent per record); one that nothing identified before (no valid e-mail or
    phone: skipped) is resolved now."""
    record = identities.RecordInput(
        service="sales", kind="contact", record_id=event.contact_id, name=event.name, company=event.company,
        email=event.email, phone=event.phone, owner_id=event.owner_id,
    )
    _resolve(session, record, envelope=envelope, tenant=tenant, actor="sales")


CONSUMERS = [
    Consumer("intake", {LeadCreated: on_lead_created, LeadsImported: on_leads_imported}),
    # Sales contacts (entered by hand or made from qualified leads): their own queue, identity.sales.
    Consumer("sales", {ContactCreated: on_contact, ContactUpdated: on_contact}),
    # The services' answers to privacy.requested (R-SEC-5): its own queue, never behind intake.
    Consumer("privacy", {PrivacyStepCompleted: privacy.on_step_completed}),
]
