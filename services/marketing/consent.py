"""Consent and opt-out per customer, channel and purpose (R-MKT-4, R-SEC-5)."""

from __future__ import annotations

import re

from prometheus_client import Counter
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.events.v1.marketing_pb2 import ConsentChanged
from services.core.auth import Caller
from services.core.db import utcnow
from services.core.errors import Validator
from services.core.events import emit
from services.core.i18n import t
from services.marketing.models import Consent

CONSENT_CHANGES = Counter("crm_consent_changes", "Consent answers that changed, by channel and answer.",
                          ["channel", "granted"])

CHANNELS = ("EMAIL", "SMS", "PHONE", "PUSH")
PURPOSE = re.compile(r"^[a-z0-9_-]{1,50}$")

WRITE_ROLES = ("marketing", "manager", "admin")
READ_ROLES = ("marketing", "manager", "admin", "auditor", "service_agent")


def set_consent(
    session: Session,
    *,
    tenant: str,
    caller: Caller,
    customer_id: str,
    channel: str,
    purpose: str,
    granted: bool,
    source: str,
) -> tuple[Consent, bool]:
    """Record the customer's answer; returns the consent and whether the answer changed (event emitted)."""
    caller.require_role(*WRITE_ROLES)
    check = Validator()
    check.require(customer_id, "customer_id", max_length=32)
    if check.check(bool(channel), "channel", t("is required")):
        check.check(channel in CHANNELS, "channel", t("is not a consent channel"))
    if check.require(purpose, "purpose"):
        check.check(bool(PURPOSE.match(purpose)), "purpose", t("must be 1-50 of a-z, 0-9, '_' and '-'"))
    check.require(source, "source", max_length=100)
    check.raise_if_any()

    customer_id, source = customer_id.strip(), source.strip()
    # The row lock (PostgreSQL) makes concurrent answers for one subject take turns, so each change is
    # seen, and announced, exactly once; two first answers racing end in a unique-key conflict (retry).
    consent = session.scalar(
        select(Consent)
        .where(Consent.customer_id == customer_id, Consent.channel == channel, Consent.purpose == purpose)
        .with_for_update()
    )
    changed = consent is None or consent.granted != granted
    if consent is None:
        consent = Consent(tenant_id=tenant, customer_id=customer_id, channel=channel, purpose=purpose)
        session.add(consent)
    consent.granted = granted
    consent.source = source
    consent.updated_at = utcnow()
    session.flush()
    if changed:
        emit(
            session,
            ConsentChanged(customer_id=customer_id, channel=channel, purpose=purpose, granted=granted),
            producer="marketing",
        )
        CONSENT_CHANGES.labels(channel, "true" if granted else "false").inc()
    return consent, changed


def get_consent(session: Session, *, caller: Caller, customer_id: str) -> list[Consent]:
    """Every answer recorded for the customer, by channel then purpose; empty when there is none."""
    caller.require_role(*READ_ROLES)
    check = Validator()
    check.require(customer_id, "customer_id", max_length=32)
    check.raise_if_any()
    return list(
        session.scalars(
            select(Consent)
            .where(Consent.customer_id == customer_id.strip())
            .order_by(Consent.channel, Consent.purpose)
        )
    )
