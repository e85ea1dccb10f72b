"""Lead capture (R-LEAD-1, R-LEAD-4) and the link to the customer identity (R-ID-1)."""

from __future__ import annotations

import functools
import json
from datetime import datetime
from decimal import Decimal, InvalidOperation

from prometheus_client import Counter
from sqlalchemy import and_, bindparam, cast, func, insert, null, or_, select, text, union_all, update
from sqlalchemy.orm import Session, make_transient_to_detached

from crm.events.v1.leads_pb2 import LeadCreated, LeadRepeated
from services.core import audit, timers
from services.core.auth import Caller
from services.core.db import TENANT, BoundRow, check_tenant, fill_scalar_defaults, insert_values, utcnow
from services.core.errors import Validator
from services.core.events import emit
from services.core.i18n import t
from services.core.ids import new_id
from services.core.kernel_models import Timer
from services.leads import access, assignment, pool, rules
from services.leads.contacts import email_key, phone_key
from services.leads.models import CONVERTED, DUPLICATE, LOST, OPEN, QUALIFIED, Lead, LeadOwnership

LEADS_CREATED = Counter("crm_leads_created", "Leads captured, by channel.", ["channel"])
LEADS_REPEATED = Counter("crm_leads_repeated", "Captured leads that repeat an open lead, by how.", ["matched_by"])

# Statuses of a lead someone is still working on: a repeat of one of them is its duplicate.
WORKED_ON = (OPEN, QUALIFIED)
MAX_FOLDED_PER_RESOLUTION = 50

# Roles that see every lead of their tenant; a sales rep sees the leads they own (R-SEC-2).
SEE_ALL_ROLES = access.READ_ALL_ROLES  # a manager sees their team's leads: services/leads/access.py
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
    industry: str = "",
    region: str = "",
    employees: int = 0,
    budget: str = "",
) -> Lead:
    """Capture one lead (API, manual entry, web form). A contact that repeats an open lead is recorded as that
    lead's duplicate (status "duplicate", no separate follow-up) and announced with lead.repeated (R-LC-4a)."""
    caller.require_role(*CAPTURE_ROLES)
    check = Validator()
    check.require(name, "name", max_length=200)
    check.require(channel, "channel", max_length=100)
    check.at_most(company, "company", 200)
    check.at_most(region, "region", 100)
    check.check(bool(email.strip() or phone.strip()), "email", t("email or phone is required"))
    if email:
        check.email(email.strip())
    if phone:
        check.phone(phone.strip())
    industry_code = _industry_code(industry, check)
    check.check(0 <= employees <= 10_000_000, "employees", t("must be between 0 and 10,000,000"))
    budget_amount = _budget(budget, check)
    check.at_most(request_id, "request_id", 64)
    check.raise_if_any()

    if request_id:
        existing = session.scalar(select(Lead).where(Lead.request_id == request_id))
        if existing is not None:
            return existing
    if not owner_id and not caller.is_service and "sales" in caller.roles:
        owner_id = caller.subject
    keys = {"email_key": email_key(email), "phone_key": phone_key(phone)}
    original = _capture_reads(session, **keys)
    lead = Lead(
        id=new_id(),  # known now: the lead is written once, after its assignment, with its owner
        tenant_id=tenant,
        name=name.strip(),
        company=company.strip(),
        email=email.strip(),
        phone=phone.strip(),
        industry=industry_code,
        region=region.strip(),
        employees=employees,
        budget=budget_amount,
        channel=channel.strip(),
        owner_id=owner_id,
        request_id=request_id or None,
        **keys,
    )
    fill_scalar_defaults(lead)  # status "open", score 0, ...: what assignment (and its plugin) looks at
    if original is not None:
        lead.status, lead.duplicate_of = DUPLICATE, original.id
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
            industry=lead.industry,
            region=lead.region,
        ),
        producer="leads",
    )
    if original is not None:
        _announce_repeat(session, original=original, repeat=lead, matched_by="contact")
    # Owner named: reclaim clocks start; no owner: the tenant's assignment rules choose one (R-LEAD-9, R-LEAD-10).
    # Nothing the assignment reads depends on the new row, so it is written after it: one INSERT of the lead as
    # assigned instead of an INSERT and an UPDATE (and one audit record of it), with its ownership history.
    with session.no_autoflush, timers.staged(session) as clocks, assignment.staged_history(session) as ownership:
        assignment.assign_new_lead(session, lead, actor=caller.subject)
    _insert_captured(session, lead, ownership, clocks)
    LEADS_CREATED.labels(lead.channel).inc()
    return lead


def _insert_captured(session: Session, lead: Lead, ownership: list[LeadOwnership], clocks: list[dict]) -> None:
    """Write the new lead, its ownership history and its reclaim clocks (timers.staged rows) with Core statements
    (one on PostgreSQL, and no unit of work: a third of the capture's cost), then keep the lead in the session as if
    loaded, so that later changes are flushed (and audited) as updates. Its "created" audit record is the flush's
    (services/core/audit.py record_inserted)."""
    check_tenant(session, lead)
    lead.created_at = lead.updated_at = utcnow()
    values = insert_values(lead)
    rows = []
    for row in ownership:
        row.tenant_id = lead.tenant_id
        rows.append(insert_values(row))
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        parameters = _CAPTURED_LEAD.parameters(values)
        parameters.update(ownership=_as_json(rows), clocks=_as_json(clocks))
        columns = (tuple(rows[0]) if rows else (), tuple(clocks[0]) if clocks else ())
        connection.execute(_captured_statement(*columns), parameters)
    else:
        connection.execute(insert(_LEAD), values)
        if rows:
            connection.execute(insert(_OWNERSHIP), rows)
        timers.write(session, clocks)
    make_transient_to_detached(lead)
    session.add(lead)
    audit.record_inserted(session, lead)


_OWNERSHIP = LeadOwnership.__table__
_TIMER = Timer.__table__  # timers.staged() rows hold a value for each of its columns
_CAPTURED_LEAD = BoundRow("lead", Lead.__table__.columns)


@functools.cache
def _captured_statement(ownership_columns: tuple[str, ...], clock_columns: tuple[str, ...]):  # noqa: ANN202
    """_insert_captured on PostgreSQL: the lead, its ownership history rows and its timers (upserted as
    services.core.timers does) in one statement. Parameters: lead_<column> (bound with the columns' types, as the ORM
    would), and the history rows and the timers as JSON arrays of rows with these columns (none: no such rows).

    The rows go as JSON so that the statement has a few dozen parameters whatever their number: psycopg parses a
    statement with more than 50 parameters (or longer than 4 KiB) anew on every execution, which cost 8 % of the leads
    process's CPU at 100 leads/s when each row's column was a parameter of its own."""
    def from_json(table, columns: tuple[str, ...], parameter: str) -> str:  # noqa: ANN001
        names = ", ".join(columns)
        return (f"INSERT INTO {table.name} ({names}) SELECT {names}"
                f" FROM json_populate_recordset(NULL::{table.name}, CAST(:{parameter} AS json))")

    parts = [f"ownership AS ({from_json(_OWNERSHIP, ownership_columns, 'ownership')})"] if ownership_columns else []
    if clock_columns:
        parts.append(f"clocks AS ({from_json(_TIMER, clock_columns, 'clocks')} {timers.UPSERT_CONFLICT})")
    lead = f"INSERT INTO lead ({_CAPTURED_LEAD.names}) VALUES ({_CAPTURED_LEAD.placeholders})"
    sql = (f"WITH {', '.join(parts)} " if parts else "") + lead
    return text(sql).bindparams(*_CAPTURED_LEAD.binds())


def _as_json(rows: list[dict]) -> str:
    """Rows for json_populate_recordset: timestamps in ISO 8601 with their offset, amounts as exact text."""
    return json.dumps(rows, default=lambda value: value.isoformat() if isinstance(value, datetime) else str(value))


def _industry_code(industry: str, check: Validator) -> str:
    if not industry.strip():
        return ""
    from services.leads.industries import resolve_industry  # the reference data loads on first use

    code = resolve_industry(industry)
    check.check(code is not None, "industry", t("is not a GB/T 4754 industry division"))
    return code or ""


def _budget(budget: str, check: Validator) -> Decimal | None:
    if not budget.strip():
        return None
    try:
        amount = Decimal(budget.strip())
    except InvalidOperation:
        check.check(False, "budget", t("is not a decimal amount"))
        return None
    valid = amount.is_finite() and 0 <= amount < Decimal("1e16") and amount == amount.quantize(Decimal("0.01"))
    check.check(valid, "budget", t("must be an amount of at least 0 with at most two decimals"))
    return amount if valid else None


def find_open_lead_by_contact(session: Session, *, email_key: str, phone_key: str) -> Lead | None:
    """The oldest lead still being worked on (open or qualified) with this e-mail or phone key."""
    keys = _contact_keys(email_key, phone_key)
    if not keys:
        return None
    # Every match, oldest picked here: a repeat of a worked-on lead is stored as its duplicate, so a contact key has
    # one or a few such leads. (ORDER BY created_at LIMIT 1 let PostgreSQL walk the tenant's creation-time index
    # until a match, i.e. through every lead of the tenant when there is none, whenever its statistics said the
    # tenant was small: a young table or a new tenant.)
    found = session.connection().execute(_open_leads_by(tuple(keys)), {"tenant": session.info[TENANT], **keys}).all()
    return _oldest(session, found)


def _contact_keys(email_key: str, phone_key: str) -> dict[str, str]:
    """The contact keys a lead is looked up by, those that are not empty: {column name: key}."""
    return {name: key for name, key in (("email_key", email_key), ("phone_key", phone_key)) if key}


def _oldest(session: Session, found: list) -> Lead | None:
    if not found:
        return None
    oldest = min(found, key=lambda row: (row.created_at, row.id))
    return session.get(Lead, oldest.id)


def _capture_reads(session: Session, *, email_key: str, phone_key: str) -> Lead | None:
    """find_open_lead_by_contact, and the tenant's assignment settings for the assignment that follows
    (rules.preload), in one round trip: both are read on every capture."""
    keys = _contact_keys(email_key, phone_key)
    rows = session.connection().execute(_capture_statement(tuple(keys)), {"tenant": session.info[TENANT], **keys})
    found, settings = [], None
    for row in rows:
        if row.id is None:
            settings = (row.rules, row.pool)
        else:
            found.append(row)
    rules.preload(session, settings)
    return _oldest(session, found)


_LEAD = Lead.__table__


@functools.cache
def _open_leads_by(names: tuple[str, ...]):  # noqa: ANN202
    """find_open_lead_by_contact's statement for these keys (bound by name), built once: it runs on every capture.
    A Core statement (a third of the ORM's cost), so it names the tenant itself."""
    # `!= ""` repeats the partial indexes' predicate (models.Lead), so PostgreSQL uses them for any key.
    matches = [and_(_LEAD.c[name] == bindparam(name), _LEAD.c[name] != "") for name in names]
    return select(_LEAD.c.id, _LEAD.c.created_at).where(
        _LEAD.c.tenant_id == bindparam("tenant"), or_(*matches), _LEAD.c.status.in_(WORKED_ON))


_SETTINGS = rules.STORED_COLUMNS[0].table


@functools.cache
def _capture_statement(names: tuple[str, ...]):  # noqa: ANN202
    """_capture_reads' statement: the open leads with these keys (id, created_at; no settings), then the settings
    row (no id), if any. Built once per shape."""
    settings = select(cast(null(), _LEAD.c.id.type).label("id"), cast(null(), _LEAD.c.created_at.type).label(
        "created_at"), *rules.STORED_COLUMNS).where(_SETTINGS.c.tenant_id == bindparam("tenant"))
    if not names:
        return settings
    leads = _open_leads_by(names)
    return union_all(
        leads.add_columns(*(cast(null(), column.type).label(column.name) for column in rules.STORED_COLUMNS)),
        settings,
    )


def _announce_repeat(session: Session, *, original: Lead, repeat: Lead, matched_by: str) -> None:
    emit(
        session,
        LeadRepeated(lead_id=original.id, repeat_lead_id=repeat.id, channel=repeat.channel,
                     owner_id=original.owner_id, matched_by=matched_by),
        producer="leads",
    )
    LEADS_REPEATED.labels(matched_by).inc()


def get_lead(session: Session, *, caller: Caller, lead_id: str) -> Lead:
    """The lead when the caller may read it (services/leads/access.py: own, pool, team, or a see-all role).

    Another rep's lead is NOT_FOUND: its existence is not the caller's business either. A rep reads a pool lead with
    its contact masked: show it with `lead_to_proto(lead, masked=access.contact_masked(caller, lead))`.
    """
    return access.readable_lead(session, caller=caller, lead_id=lead_id)


def get_lead_for_change(session: Session, *, caller: Caller, lead_id: str) -> Lead:
    """The lead, locked for update and re-read, when the caller may change it (its owner, their team's manager,
    admin, service callers); NotFound when they may not read it, PermissionDenied when they may only read it (a
    pool lead must be claimed first)."""
    return access.lead_for_change(session, caller=caller, lead_id=lead_id)


def link_customer(session: Session, *, lead_id: str, customer_id: str) -> bool:
    """Store the identity the lead was resolved to; False when the lead is unknown here.

    An open lead whose customer already has an older lead being worked on becomes that lead's duplicate: identity
    found the same person behind a different spelling (R-ID-2), so one rep, not two, follows them up.
    """
    # One Core UPDATE on every resolved lead (it names the tenant itself): no load, no unit of work. It also answers
    # whether the customer has other leads being worked on; only then is there anything to fold.
    linked = session.connection().execute(_LINK, {"lead_id": lead_id, "new_customer_id": customer_id,
                                                  "tenant": session.info[TENANT], "now": utcnow()}).first()
    if linked is None:
        return False
    status, others = linked
    if customer_id and others + (status in WORKED_ON) >= 2:
        _mark_repeat_of_customer(session, lead_id=lead_id, customer_id=customer_id)
    return True


def _link_statement():  # noqa: ANN202
    other = _LEAD.alias("other")
    others = select(func.count()).select_from(other).where(
        other.c.tenant_id == bindparam("tenant"), other.c.customer_id == bindparam("new_customer_id"),
        other.c.customer_id != "", other.c.status.in_(WORKED_ON), other.c.id != bindparam("lead_id"),
    ).scalar_subquery()
    return (
        update(_LEAD).where(_LEAD.c.tenant_id == bindparam("tenant"), _LEAD.c.id == bindparam("lead_id"))
        .values(customer_id=bindparam("new_customer_id"), updated_at=bindparam("now"))
        .returning(_LEAD.c.status, others)
    )


_LINK = _link_statement()  # the lead's status, and how many OTHER leads of the customer are worked on


def _mark_repeat_of_customer(session: Session, *, lead_id: str, customer_id: str) -> None:
    """Fold every open lead of the customer but the oldest into the oldest; identity may answer in any order."""
    worked_on = session.scalars(
        select(Lead).where(Lead.customer_id == customer_id, Lead.customer_id != "", Lead.status.in_(WORKED_ON))
        .order_by(Lead.created_at, Lead.id).limit(MAX_FOLDED_PER_RESOLUTION)
    ).all()
    if len(worked_on) < 2:
        return
    original, *later = worked_on
    # A qualified lead has moved on; only leads nobody has worked into qualification are folded in.
    for repeat in later:
        if repeat.status == OPEN:
            repeat.status, repeat.duplicate_of = DUPLICATE, original.id
            pool.status_changed(session, repeat)
            _announce_repeat(session, original=original, repeat=repeat, matched_by="identity")


def rekey_customer(session: Session, *, from_customer_id: str, to_customer_id: str) -> int:
    """Point every lead of `from_customer_id` at `to_customer_id` (a merge absorbed the first); returns how many."""
    if not from_customer_id or not to_customer_id:
        return 0
    updated = session.execute(
        update(Lead).where(Lead.customer_id == from_customer_id, Lead.customer_id != "")
        .values(customer_id=to_customer_id)
        .execution_options(synchronize_session=False)
    )
    return updated.rowcount


def close_from_opportunity(session: Session, *, lead_id: str, won: bool) -> bool:
    """The lead's opportunity was won ("converted") or lost ("lost") in sales; False when the lead is unknown here."""
    updated = session.execute(
        update(Lead).where(Lead.id == lead_id).values(status=CONVERTED if won else LOST)
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:
        return False
    pool.cancel_clocks(session, lead_id)  # a closed lead is nobody's to lose to the pool any more
    return True
