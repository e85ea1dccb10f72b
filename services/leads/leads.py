"""Lead capture (R-LEAD-1, R-LEAD-4) and the link to the customer identity (R-ID-1)."""

from __future__ import annotations

import re

from prometheus_client import Counter
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm.events.v1.leads_pb2 import LeadCreated
from services.core.auth import Caller
from services.core.errors import NotFound, Validator
from services.core.events import emit
from services.core.i18n import t
from services.leads.models import Lead

LEADS_CREATED = Counter("crm_leads_created", "Leads captured, by channel.", ["channel"])

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9(][0-9 ()\-]{4,30}$")

# Roles that see every lead of their tenant; a sales rep sees the leads they own (R-SEC-2).
SEE_ALL_ROLES = ("manager", "admin", "auditor", "marketing")
CAPTURE_ROLES = ("sales", "manager", "admin", "marketing")


def create_lead(
    session: Session,
    *,
    tenant: str,
    caller: Caller,
    name: str,
    channel: str,
    company: str = "",
    email: str = "",
    phone: str = "",
    owner_id: str = "",
    request_id: str = "",
) -> Lead:
    caller.require_role(*CAPTURE_ROLES)
    check = Validator()
    check.require(name, "name", max_length=200)
    check.require(channel, "channel", max_length=100)
    check.at_most(company, "company", 200)
    check.check(bool(email.strip() or phone.strip()), "email", t("email or phone is required"))
    if email:
        check.check(len(email) <= 254 and bool(EMAIL.match(email.strip())), "email", t("is not an e-mail address"))
    if phone:
        check.check(bool(PHONE.match(phone.strip())), "phone", t("is not a phone number"))
    check.at_most(request_id, "request_id", 64)
    check.raise_if_any()

    if request_id:
        existing = session.scalar(select(Lead).where(Lead.request_id == request_id))
        if existing is not None:
            return existing
    if not owner_id and not caller.is_service and "sales" in caller.roles:
        owner_id = caller.subject
    lead = Lead(
        tenant_id=tenant,
        name=name.strip(),
        company=company.strip(),
        email=email.strip(),
        phone=phone.strip(),
        channel=channel.strip(),
        owner_id=owner_id,
        request_id=request_id or None,
    )
    session.add(lead)
    session.flush()
    emit(
        session,
        LeadCreated(
            lead_id=lead.id,
            name=lead.name,
            company=lead.company,
            email=lead.email,
            phone=lead.phone,
            channel=lead.channel,
            owner_id=lead.owner_id,
        ),
        producer="leads",
    )
    LEADS_CREATED.labels(lead.channel).inc()
    return lead


def get_lead(session: Session, *, caller: Caller, lead_id: str) -> Lead:
    lead = session.get(Lead, lead_id) if lead_id else None
    # Another rep's lead is reported as absent: its existence is not the caller's business either.
    if lead is None or not caller.may_read_owned(lead.owner_id, *SEE_ALL_ROLES):
        raise NotFound(t("lead {id} not found", id=repr(lead_id)))
    return lead


def get_lead_for_change(session: Session, *, caller: Caller, lead_id: str) -> Lead:
    """The lead, locked for update, when the caller may change it; NotFound or PermissionDenied otherwise.

    The assignment area replaces the rule below with the full one (owner, pool, manager's team).
    """
    lead = get_lead(session, caller=caller, lead_id=lead_id)
    session.refresh(lead, with_for_update=True)
    return lead


def link_customer(session: Session, *, lead_id: str, customer_id: str) -> bool:
    """Store the identity the lead was resolved to; False when the lead is unknown here."""
    # One UPDATE (the kernel adds the tenant filter): no load, no unit of work, on every resolved lead.
    updated = session.execute(
        update(Lead).where(Lead.id == lead_id).values(customer_id=customer_id).execution_options(
            synchronize_session=False
        )
    )
    return updated.rowcount == 1


def rekey_customer(session: Session, *, from_customer_id: str, to_customer_id: str) -> int:
    """Point every lead of `from_customer_id` at `to_customer_id` (a merge absorbed the first); returns how many."""
    if not from_customer_id or not to_customer_id:
        return 0
    updated = session.execute(
        update(Lead).where(Lead.customer_id == from_customer_id).values(customer_id=to_customer_id)
        .execution_options(synchronize_session=False)
    )
    return updated.rowcount
