"""Events the analytics service consumes to build its read models. It publishes none."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy.orm import Session

from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.leads_pb2 import LeadCreated
from services.analytics import intake
from services.core.consumers import Consumer


def on_lead_created(session: Session, event: LeadCreated, *, envelope: Envelope, tenant: str) -> None:
    day = envelope.occurred_at.ToDatetime(tzinfo=UTC).date()
    intake.count_lead(session, tenant=tenant, day=day, channel=event.channel)


CONSUMERS = [Consumer("intake", {LeadCreated: on_lead_created})]
