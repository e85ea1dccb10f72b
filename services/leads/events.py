"""Events the leads service consumes. It publishes lead.created (see leads.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.identity_pb2 import IdentityMerged, IdentityResolved, IdentityUnmerged
from crm.events.v1.leads_pb2 import LeadBehaviourObserved
from crm.events.v1.sales_pb2 import OpportunityLost, OpportunityWon, TerritoryUpdated
from services.core.consumers import Consumer
from services.leads import leads, privacy, scoring, territories


def _is_lead(record) -> bool:  # noqa: ANN001
    return record.service == "leads" and record.kind == "lead"


def on_identity_resolved(session: Session, event: IdentityResolved, *, envelope: Envelope, tenant: str) -> None:
    if _is_lead(event.record):
        leads.link_customer(session, lead_id=event.record.id, customer_id=event.customer_id)


def on_identity_merged(session: Session, event: IdentityMerged, *, envelope: Envelope, tenant: str) -> None:
    """Leads of the absorbed customer now belong to the survivor."""
    leads.rekey_customer(session, from_customer_id=event.absorbed_customer_id,
                         to_customer_id=event.survivor_customer_id)


def on_identity_unmerged(session: Session, event: IdentityUnmerged, *, envelope: Envelope, tenant: str) -> None:
    """The leads whose records the unmerge moved back belong to the restored customer again."""
    for record in event.records:
        if _is_lead(record):
            leads.link_customer(session, lead_id=record.id, customer_id=event.restored_customer_id)


def on_opportunity_won(session: Session, event: OpportunityWon, *, envelope: Envelope, tenant: str) -> None:
    if event.lead_id:
        leads.close_from_opportunity(session, lead_id=event.lead_id, won=True)


def on_opportunity_lost(session: Session, event: OpportunityLost, *, envelope: Envelope, tenant: str) -> None:
    if event.lead_id:
        leads.close_from_opportunity(session, lead_id=event.lead_id, won=False)


CONSUMERS = [
    Consumer("identity", {IdentityResolved: on_identity_resolved, IdentityMerged: on_identity_merged,
                          IdentityUnmerged: on_identity_unmerged}),
    # Behaviour other services observed (page views, e-mail opens, ...): recorded and scored (R-LEAD-1, R-LEAD-5).
    Consumer("behaviour", {LeadBehaviourObserved: scoring.on_behaviour_observed}),
    # Sales won or lost the lead's opportunity: the lead is converted or lost (R-LC-2); a territory changed: its
    # regions and industries are its reps' coverage in assignment (R-SALES-5).
    Consumer("sales", {OpportunityWon: on_opportunity_won, OpportunityLost: on_opportunity_lost,
                       TerritoryUpdated: territories.on_territory_updated}),
    privacy.CONSUMER,  # export or erase a person's data (R-SEC-5)
]
