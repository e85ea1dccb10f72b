"""The leads service's part of personal data requests (R-SEC-5; the saga: services/identity/privacy.py).

The person's leads are those identity linked to them and those that carry one of their customer ids. Export: the
leads, their follow-ups, reminders, behaviour and owner changes. Erase: the contact's name, company, e-mail and
phone, the contact keys (so no new lead or behaviour event is taken for a repeat of theirs), and every free text
typed about them (follow-ups, reminder and hand-over notes, behaviour details). Status, channel, industry, region,
size, budget, scores and dates stay, so the funnel and the reports keep counting right.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.core import privacy
from services.core.privacy import ERASED, Step, Subject
from services.leads.models import BehaviourEvent, FollowUp, Lead, LeadOwnership, Reminder

SERVICE = "leads"


def _leads(session: Session, subject: Subject) -> list[Lead]:
    linked = subject.record_ids(SERVICE, "lead")
    conditions = [Lead.customer_id.in_(subject.customer_ids)]
    if linked:
        conditions.append(Lead.id.in_(linked))
    return list(session.scalars(select(Lead).where(or_(*conditions)).order_by(Lead.created_at, Lead.id)))


def _of_leads(session: Session, model: type, lead_ids: list[str], *order: object) -> list:
    if not lead_ids:
        return []
    return list(session.scalars(select(model).where(model.lead_id.in_(lead_ids)).order_by(*order)))


def export(session: Session, subject: Subject) -> Step:
    leads = _leads(session, subject)
    ids = [lead.id for lead in leads]
    section = {
        "leads": privacy.rows(leads, without=("tenant_id", "email_key", "phone_key")),
        "follow_ups": privacy.rows(_of_leads(session, FollowUp, ids, FollowUp.occurred_at, FollowUp.id)),
        "reminders": privacy.rows(_of_leads(session, Reminder, ids, Reminder.remind_at, Reminder.id)),
        "behaviour": privacy.rows(_of_leads(session, BehaviourEvent, ids, BehaviourEvent.occurred_at,
                                            BehaviourEvent.id), without=("tenant_id", "event_key")),
        "owner_changes": privacy.rows(_of_leads(session, LeadOwnership, ids, LeadOwnership.at, LeadOwnership.id)),
    }
    return Step(sum(len(items) for items in section.values()), section)


def erase(session: Session, subject: Subject) -> Step:
    ids = [lead.id for lead in _leads(session, subject)]
    count = privacy.erase_rows(session, Lead, ids, {"name": ERASED, "company": ERASED, "email": "", "phone": "",
                                                    "email_key": "", "phone_key": ""}, producer=SERVICE)
    for model, fields in (
        (FollowUp, ("content", "objection", "budget_cycle", "next_step")),
        (Reminder, ("note",)),
        (BehaviourEvent, ("detail",)),
        (LeadOwnership, ("note",)),
    ):
        rows = [row.id for row in _of_leads(session, model, ids, model.id)]
        count += privacy.erase_rows(session, model, rows, dict.fromkeys(fields, ERASED), producer=SERVICE)
    session.expire_all()  # Core updates: loaded rows would show the old values
    return Step(count)


CONSUMER = privacy.consumer(SERVICE, export=export, erase=erase)
