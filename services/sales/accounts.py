"""Accounts (R-SALES-5): industry as a GB/T 4754 section (R-LEAD-3), each owned by a rep (R-SEC-2); and their
contacts, the people at an account.

Contacts come from qualified leads (services/sales/opportunities.py) or are entered here. Who: the account's rule
(services/sales/access.py, as for its activities): whoever may change the account (its owner, their team's
manager, admin, services) creates and edits its contacts; whoever reads it (those and auditors) reads them. Others
get NOT_FOUND. E-mail and phone are checked as the leads service checks a lead's.

Every contact is announced to identity (ADR 0023): contact.created, and contact.updated when an edit changes its
name, e-mail or phone (the fields identity matches on). Identity resolves it as the record (sales, contact, id) and
answers identity.resolved; its merges and unmerges re-key contacts and accounts (`link_customer`,
`rekey_customer`, `restore_customer`, called by services/sales/events.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from prometheus_client import Counter
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.events.v1.sales_pb2 import AccountCreated
from services.core.auth import Caller
from services.core.errors import NotFound, PermissionDenied, Validator
from services.core.events import emit
from services.core.i18n import t
from services.sales import access, activities
from services.sales.convert import contact_event
from services.sales.models import Account, Contact

ACCOUNTS_CREATED = Counter("crm_accounts_created", "Accounts created, by GB/T 4754 section.", ["industry"])

# GB/T 4754-2017 sections: A (agriculture, forestry, ...) through T (international organisations).
INDUSTRY_SECTIONS = frozenset("ABCDEFGHIJKLMNOPQRST")

CREATE_ROLES = ("sales", "manager", "admin")
# Roles that read every account of their tenant; a sales rep reads the accounts they own (R-SEC-2).
SEE_ALL_ROLES = ("manager", "admin", "auditor")


def create_account(
    session: Session,
    *,
    tenant: str,
    caller: Caller,
    name: str,
    customer_id: str = "",
    industry: str = "",
    region: str = "",
    owner_id: str = "",
) -> Account:
    caller.require_role(*CREATE_ROLES)
    industry = industry.strip().upper()
    check = Validator()
    check.require(name, "name", max_length=200)
    check.at_most(customer_id.strip(), "customer_id", 32)
    if industry:
        check.check(industry in INDUSTRY_SECTIONS, "industry", t("must be a GB/T 4754 section letter A..T"))
    check.at_most(region.strip(), "region", 100)
    check.at_most(owner_id.strip(), "owner_id", 64)
    check.raise_if_any()

    owner_id = owner_id.strip()
    if not owner_id and not caller.is_service and "sales" in caller.roles:
        owner_id = caller.subject
    account = Account(
        tenant_id=tenant,
        name=name.strip(),
        customer_id=customer_id.strip(),
        industry=industry,
        region=region.strip(),
        owner_id=owner_id,
    )
    session.add(account)
    session.flush()
    emit(
        session,
        AccountCreated(
            account_id=account.id,
            name=account.name,
            customer_id=account.customer_id,
            owner_id=account.owner_id,
        ),
        producer="sales",
    )
    ACCOUNTS_CREATED.labels(account.industry or "none").inc()
    return account


def get_account(session: Session, *, caller: Caller, account_id: str) -> Account:
    # The session is tenant-scoped, so another tenant's account is simply not found.
    account = session.get(Account, account_id) if account_id else None
    # Another rep's account is reported as absent: its existence is not the caller's business either.
    if account is None or not caller.may_read_owned(account.owner_id, *SEE_ALL_ROLES):
        raise NotFound(t("account {id} not found", id=repr(account_id)))
    return account


def _may_read(caller: Caller, account: Account) -> bool:
    owns = bool(account.owner_id) and account.owner_id == caller.subject
    return owns or caller.has_any_role(*SEE_ALL_ROLES)


# --- contacts ---------------------------------------------------------------------------------------------------

CONTACT_ROLES = ("sales", "manager", "admin")


@dataclass(frozen=True)
class ContactFields:
    """A contact's editable fields; None: not given (left as it is on an update)."""

    name: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    customer_id: str | None = None

    def cleaned(self, check: Validator) -> ContactFields:
        """The fields stripped, their violations added to `check`."""
        strip = (lambda value: None if value is None else value.strip())  # noqa: E731
        fields = ContactFields(*(strip(value) for value in (self.name, self.title, self.email, self.phone,
                                                             self.customer_id)))
        if fields.name is not None:
            check.require(fields.name, "name", max_length=200)
        if fields.title is not None:
            check.at_most(fields.title, "title", 100)
        if fields.email:
            check.email(fields.email)
        if fields.phone:
            check.phone(fields.phone)
        if fields.customer_id is not None:
            check.at_most(fields.customer_id, "customer_id", 32)
        return fields


def _may_change(session: Session, caller: Caller, record: activities.Record) -> None:
    if not access.may_change(session, caller, owner_id=record.owner_id, team=record.team):
        raise PermissionDenied(t("you may read account {id} but not change its contacts", id=repr(record.account_id)))


def create_contact(session: Session, *, caller: Caller, account_id: str, fields: ContactFields) -> Contact:
    if not caller.is_service:
        caller.require_role(*CONTACT_ROLES)
    check = Validator()
    account_id = (account_id or "").strip()
    check.require(account_id, "account_id", max_length=36)
    fields = fields.cleaned(check)
    check.check(fields.name is not None, "name", t("is required"))
    check.raise_if_any()
    record = activities.readable_record(session, caller=caller, kind=activities.ACCOUNT, record_id=account_id)
    _may_change(session, caller, record)
    contact = Contact(account_id=record.account_id, name=fields.name or "", title=fields.title or "",
                      email=fields.email or "", phone=fields.phone or "", customer_id=fields.customer_id or "")
    session.add(contact)
    session.flush()
    announce_contact(session, contact, created=True)
    return contact


def announce_contact(session: Session, contact: Contact, *, created: bool) -> None:
    """contact.created / contact.updated in the caller's transaction (the contact must be flushed). The lead
    hand-over (opportunities.py) emits the same event itself."""
    emit(session, contact_event(contact, session.get(Account, contact.account_id), created=created),
         producer="sales")


def readable_contact(session: Session, *, caller: Caller, contact_id: str) -> Contact:
    """The contact when the caller may read its account; NOT_FOUND otherwise."""
    record = activities.readable_record(session, caller=caller, kind=activities.CONTACT,
                                        record_id=(contact_id or "").strip())
    return session.get(Contact, record.id)


def update_contact(session: Session, *, caller: Caller, contact_id: str, fields: ContactFields) -> Contact:
    """Replace the fields given; the others stay."""
    if not caller.is_service:
        caller.require_role(*CONTACT_ROLES)
    check = Validator()
    fields = fields.cleaned(check)
    check.raise_if_any()
    record = activities.readable_record(session, caller=caller, kind=activities.CONTACT,
                                        record_id=(contact_id or "").strip())
    _may_change(session, caller, record)
    contact = session.get(Contact, record.id)
    before = (contact.name, contact.email, contact.phone)
    for name in ("name", "title", "email", "phone", "customer_id"):
        value = getattr(fields, name)
        if value is not None:
            setattr(contact, name, value)
    session.flush()
    if (contact.name, contact.email, contact.phone) != before:
        announce_contact(session, contact, created=False)
    return contact


def list_contacts(session: Session, *, caller: Caller, account_id: str, offset: int = 0,
                  limit: int = 50) -> tuple[list[Contact], bool]:
    """An account's contacts, oldest first (then by id)."""
    check = Validator()
    account_id = (account_id or "").strip()
    check.require(account_id, "account_id", max_length=36)
    check.raise_if_any()
    record = activities.readable_record(session, caller=caller, kind=activities.ACCOUNT, record_id=account_id)
    found = list(session.scalars(select(Contact).where(Contact.account_id == record.account_id)
                                 .order_by(Contact.created_at, Contact.id).offset(offset).limit(limit + 1)))
    return found[:limit], len(found) > limit


# --- customer ids from identity (ADR 0023) ----------------------------------------------------------------------

CONTACT_RECORD = ("sales", "contact")  # how identity names a contact's record (service, kind)


def link_customer(session: Session, *, contact_id: str, customer_id: str) -> bool:
    """identity.resolved for a contact: the customer id identity linked it to, stored when the contact has none.
    One it has already stays (given by the caller, or the qualified lead's: identity's word about the lead). False
    when nothing changed (unknown contact, or an id kept)."""
    contact = session.get(Contact, contact_id) if contact_id and customer_id else None
    if contact is None or contact.customer_id:
        return False
    contact.customer_id = customer_id[:32]
    return True


def rekey_customer(session: Session, *, from_customer_id: str, to_customer_id: str) -> int:
    """identity.merged: the accounts and contacts of the absorbed customer now carry the survivor's id, whoever set
    it (the absorbed id would still resolve to the survivor in identity, but lookups by id here must find them).
    Rows are loaded and changed one by one so that each change is audited (R-SEC-3); a customer has few."""
    if not from_customer_id or not to_customer_id or from_customer_id == to_customer_id:
        return 0
    changed = 0
    for model in (Account, Contact):
        for row in session.scalars(select(model).where(model.customer_id == from_customer_id)):
            row.customer_id = to_customer_id
            changed += 1
    return changed


def restore_customer(session: Session, *, survivor_id: str, restored_id: str,
                     records: Iterable[tuple[str, str, str]]) -> tuple[int, int]:
    """identity.unmerged: the contacts whose records (service, kind, id) moved back to `restored_id` take it again,
    if they still carry the survivor's id (an id given by hand stays). An account carrying the survivor's id follows
    its contacts: it takes the restored id when one of its contacts moved back and none of them still carries the
    survivor's; otherwise it stays with the survivor. Returns (contacts, accounts) changed."""
    contact_ids = [record_id for service, kind, record_id in records if (service, kind) == CONTACT_RECORD]
    if not survivor_id or not restored_id or not contact_ids:
        return 0, 0
    moved = list(session.scalars(select(Contact).where(Contact.id.in_(contact_ids),
                                                       Contact.customer_id == survivor_id)))
    for contact in moved:
        contact.customer_id = restored_id
    session.flush()
    account_ids = sorted({contact.account_id for contact in moved})
    staying = set(session.scalars(select(Contact.account_id).where(Contact.account_id.in_(account_ids),
                                                                   Contact.customer_id == survivor_id)))
    followed = list(session.scalars(select(Account).where(Account.id.in_(account_ids),
                                                          Account.customer_id == survivor_id)))
    followed = [account for account in followed if account.id not in staying]
    for account in followed:
        account.customer_id = restored_id
    return len(moved), len(followed)
