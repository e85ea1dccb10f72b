"""Accounts (R-SALES-5): industry as a GB/T 4754 section (R-LEAD-3), each owned by a rep (R-SEC-2)."""

from __future__ import annotations

from prometheus_client import Counter
from sqlalchemy.orm import Session

from crm.events.v1.sales_pb2 import AccountCreated
from services.core.auth import Caller
from services.core.errors import NotFound, Validator
from services.core.events import emit
from services.core.i18n import t
from services.sales.models import Account

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
