"""Events the analytics service consumes to build its read models. It publishes none."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy.orm import Session

from crm.events.v1.audit_pb2 import AuditRecorded
from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.leads_pb2 import LeadCreated
from services.analytics import audit, intake, privacy
from services.core.consumers import Consumer


def on_lead_created(session: Session, event: LeadCreated, *, envelope: Envelope, tenant: str) -> None:
    day = envelope.occurred_at.ToDatetime(tzinfo=UTC).date()
    intake.count_lead(session, tenant=tenant, day=day, channel=event.channel)


def on_audit_recorded(session: Session, event: AuditRecorded, *, envelope: Envelope, tenant: str) -> None:
    audit.record(session, tenant=tenant, envelope=envelope, event=event)


CONSUMERS = [
    Consumer("intake", {LeadCreated: on_lead_created}),
    # A queue of its own: the audit log never waits behind (or dead-letters with) another read model.
    Consumer("audit", {AuditRecorded: on_audit_recorded}),
    privacy.CONSUMER,  # export or erase a person's data (R-SEC-5)
]
