"""Events the sales service consumes: lead.qualified (one opportunity per lead, R-LEAD-6); identity.resolved,
identity.merged and identity.unmerged (contacts' and accounts' customer ids, ADR 0023); privacy.requested.

It publishes account.created, contact.created/updated, opportunity.created/stage_changed/won/lost,
contract.approval_requested/rejected/signed, handover.created, commitment.at_risk/overdue, order.*, task.due (see
accounts.py, opportunities.py, contracts.py, handover.py, orders.py, tasks.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.identity_pb2 import IdentityMerged, IdentityResolved, IdentityUnmerged
from crm.events.v1.leads_pb2 import LeadQualified
from services.core.consumers import Consumer
from services.sales import accounts, opportunities, privacy


def on_lead_qualified(session: Session, event: LeadQualified, *, envelope: Envelope, tenant: str) -> None:
    """A qualified lead becomes an opportunity at stage 02: the kernel's inbox drops a redelivered event, the unique
    lead id a second event about the same lead."""
    if event.lead_id:
        opportunities.open_from_lead(session, event)


def on_identity_resolved(session: Session, event: IdentityResolved, *, envelope: Envelope, tenant: str) -> None:
    """A contact's record was resolved: the contact takes the customer id unless it has one (ADR 0023)."""
    if (event.record.service, event.record.kind) == accounts.CONTACT_RECORD:
        accounts.link_customer(session, contact_id=event.record.id, customer_id=event.customer_id)


def on_identity_merged(session: Session, event: IdentityMerged, *, envelope: Envelope, tenant: str) -> None:
    """Accounts and contacts of the absorbed customer now carry the survivor's id."""
    accounts.rekey_customer(session, from_customer_id=event.absorbed_customer_id,
                            to_customer_id=event.survivor_customer_id)


def on_identity_unmerged(session: Session, event: IdentityUnmerged, *, envelope: Envelope, tenant: str) -> None:
    """Contacts whose records moved back carry the restored id again; their accounts follow them."""
    accounts.restore_customer(session, survivor_id=event.survivor_customer_id,
                              restored_id=event.restored_customer_id,
                              records=[(record.service, record.kind, record.id) for record in event.records])


CONSUMERS = [
    Consumer("leads", {LeadQualified: on_lead_qualified}),
    # identity's answers about contacts and its merges: its own queue (sales.identity), never behind lead hand-overs.
    Consumer("identity", {IdentityResolved: on_identity_resolved, IdentityMerged: on_identity_merged,
                          IdentityUnmerged: on_identity_unmerged}),
    privacy.CONSUMER,  # export or erase a person's data (R-SEC-5)
]
