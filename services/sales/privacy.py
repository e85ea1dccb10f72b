"""The sales service's part of personal data requests (R-SEC-5; the saga: services/identity/privacy.py).

The person's accounts are those that carry one of their customer ids or that identity linked to them; their
contacts are those accounts' contacts, the contacts that carry one of their customer ids (and contacts identity
linked); their opportunities are those of the accounts, of the person's leads (lead_id) or linked directly. Export:
all of these, with the activities and tasks on them and the contracts and orders of those opportunities and
accounts. Erase: account and opportunity names, contacts' names, titles, e-mails and phones, notes on lost
opportunities, the subject, notes, outcome and place of the activities and the title and notes of the tasks on
those records.
Stages, amounts, currencies, dates, owners and teams stay, so the funnel, forecasts and commissions stay right.
Contracts and orders are kept as they are: the tenant must keep them by law (commercial and tax records); the
step's note says how many.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.core import privacy
from services.core.privacy import ERASED, Step, Subject
from services.sales.models import Account, Activity, Contact, Contract, Opportunity, SalesOrder, SalesTask

SERVICE = "sales"


def _found(session: Session, subject: Subject) -> tuple[list[Account], list[Contact], list[Opportunity]]:
    linked_accounts = subject.record_ids(SERVICE, "account")
    accounts = list(session.scalars(
        select(Account).where(or_(Account.customer_id.in_(subject.customer_ids), Account.id.in_(linked_accounts)))
        .order_by(Account.created_at, Account.id)
    ))
    account_ids = [account.id for account in accounts]
    contacts = list(session.scalars(
        select(Contact).where(or_(Contact.account_id.in_(account_ids),
                                  Contact.customer_id.in_(subject.customer_ids),
                                  Contact.id.in_(subject.record_ids(SERVICE, "contact"))))
        .order_by(Contact.created_at, Contact.id)
    ))
    opportunities = list(session.scalars(
        select(Opportunity).where(or_(Opportunity.account_id.in_(account_ids),
                                      Opportunity.lead_id.in_(subject.record_ids("leads", "lead")),
                                      Opportunity.id.in_(subject.record_ids(SERVICE, "opportunity"))))
        .order_by(Opportunity.created_at, Opportunity.id)
    ))
    return accounts, contacts, opportunities


def _notes(session: Session, accounts: list[Account], contacts: list[Contact], opportunities: list[Opportunity]
           ) -> tuple[list[Activity], list[SalesTask]]:
    """The activities and tasks on the person's records."""
    found = []
    for model in (Activity, SalesTask):
        found.append(list(session.scalars(select(model).where(or_(
            (model.record_kind == "account") & model.record_id.in_([account.id for account in accounts]),
            (model.record_kind == "contact") & model.record_id.in_([contact.id for contact in contacts]),
            (model.record_kind == "opportunity") & model.record_id.in_([o.id for o in opportunities]),
        )).order_by(model.created_at, model.id))))
    return found[0], found[1]


def _retained(session: Session, accounts: list[Account], opportunities: list[Opportunity]
              ) -> tuple[list[Contract], list[SalesOrder]]:
    opportunity_ids = [opportunity.id for opportunity in opportunities]
    contracts = list(session.scalars(select(Contract).where(Contract.opportunity_id.in_(opportunity_ids))
                                     .order_by(Contract.created_at, Contract.id)))
    orders = list(session.scalars(
        select(SalesOrder).where(or_(SalesOrder.account_id.in_([account.id for account in accounts]),
                                     SalesOrder.opportunity_id.in_(opportunity_ids)))
        .order_by(SalesOrder.placed_at, SalesOrder.id)
    ))
    return contracts, orders


def export(session: Session, subject: Subject) -> Step:
    accounts, contacts, opportunities = _found(session, subject)
    contracts, orders = _retained(session, accounts, opportunities)
    activities, tasks = _notes(session, accounts, contacts, opportunities)
    section = {"accounts": privacy.rows(accounts), "contacts": privacy.rows(contacts),
               "opportunities": privacy.rows(opportunities), "activities": privacy.rows(activities),
               "tasks": privacy.rows(tasks), "contracts": privacy.rows(contracts), "orders": privacy.rows(orders)}
    return Step(sum(len(items) for items in section.values()), section)


def erase(session: Session, subject: Subject) -> Step:
    accounts, contacts, opportunities = _found(session, subject)
    contracts, orders = _retained(session, accounts, opportunities)
    activities, tasks = _notes(session, accounts, contacts, opportunities)
    count = privacy.erase_rows(session, Account, [a.id for a in accounts], {"name": ERASED}, producer=SERVICE)
    count += privacy.erase_rows(session, Contact, [c.id for c in contacts],
                                {"name": ERASED, "title": "", "email": "", "phone": ""}, producer=SERVICE)
    count += privacy.erase_rows(session, Opportunity, [o.id for o in opportunities],
                                {"name": ERASED, "lost_note": ERASED}, producer=SERVICE)
    count += privacy.erase_rows(session, Activity, [a.id for a in activities],
                                {"subject": ERASED, "notes": "", "outcome": "", "location": ""}, producer=SERVICE)
    count += privacy.erase_rows(session, SalesTask, [task.id for task in tasks], {"title": ERASED, "notes": "",
                                                                                 "close_note": ""}, producer=SERVICE)
    session.expire_all()  # Core updates: loaded rows would show the old values
    note = ""
    if contracts or orders:
        note = (f"kept under legal retention: {len(contracts)} contracts and {len(orders)} orders "
                "(commercial and tax records)")
    return Step(count, note=note)


CONSUMER = privacy.consumer(SERVICE, export=export, erase=erase)
