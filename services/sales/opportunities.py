"""Opportunities through stages 02..05 or lost (R-LC-2, R-SALES-1), every change recorded with its time, actor and
dwell (R-LC-3), and the hand-over of qualified leads (R-LEAD-6): one lead, one opportunity.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from prometheus_client import Counter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.events.v1.leads_pb2 import LeadQualified
from crm.events.v1.sales_pb2 import OpportunityCreated, OpportunityLost, OpportunityStageChanged, OpportunityWon
from services.core.auth import Caller
from services.core.db import TENANT, upsert_insert, utcnow
from services.core.errors import FailedPrecondition, NotFound, PermissionDenied, Validator
from services.core.events import emit
from services.core.i18n import t
from services.sales import access
from services.sales.convert import contact_event
from services.sales.models import Account, Contact, FunnelDay, Opportunity, StageChange
from services.sales.money import MAX_AMOUNT, to_money

WON, LOST = "05", "lost"
STAGES = ("02", "03", "04", "05")
RANK = {"02": 2, "03": 3, "04": 4, "05": 5}
LOST_REASONS = ("price", "competitor", "no_budget", "no_decision", "other")
CREATE_ROLES = ("sales", "manager", "admin")

OPPORTUNITIES_OPENED = Counter("crm_opportunities_opened", "Opportunities opened, by origin.", ["origin"])
STAGE_CHANGES = Counter("crm_opportunity_stage_changes", "Opportunity stage changes, by target stage.", ["stage"])


def create_opportunity(
    session: Session, *, caller: Caller, name: str, account_id: str, amount: Decimal = Decimal(0),
    currency: str = "CNY", close_date: date | None = None, owner_id: str = "", contact_id: str = "",
    channel: str = "", lead_id: str | None = None, at: datetime | None = None,
) -> Opportunity:
    caller.require_role(*CREATE_ROLES)
    check = Validator()
    check.require(name, "name", max_length=200)
    check.require(account_id, "account_id", max_length=36)
    check.at_most(owner_id, "owner_id", 64)
    check.at_most(channel, "channel", 100)
    check.check(Decimal(0) <= amount <= MAX_AMOUNT, "amount", t("must be between {min} and {max}", min=0,
                                                                  max=MAX_AMOUNT))
    check.raise_if_any()
    account = session.get(Account, account_id.strip())
    if account is None or not caller.may_read_owned(account.owner_id, "manager", "admin"):
        raise NotFound(t("account {id} not found", id=repr(account_id)))
    if contact_id:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.account_id != account.id:
            raise NotFound(t("contact {id} not found", id=repr(contact_id)))
    owner_id = owner_id.strip()
    if not owner_id and not caller.is_service and "sales" in caller.roles:
        owner_id = caller.subject
    scope = access.scope_of(session, caller)
    owner = access.member(session, owner_id)
    team = owner.team if owner is not None else ""
    # A rep opens opportunities for themselves; a manager for their team; admin and services for anyone.
    if not scope.change_all and owner_id != scope.subject and not (scope.team and team == scope.team):
        raise PermissionDenied(t("you may not open an opportunity for {owner}", owner=owner_id or "-"))
    return _open(session, name=name.strip(), account=account, contact_id=contact_id, amount=amount,
                 currency=currency, close_date=close_date, owner_id=owner_id, team=team,
                 region=(owner.region if owner is not None and owner.region else account.region),
                 channel=channel.strip(), lead_id=lead_id, actor=caller.subject, at=at or utcnow())


def _open(session: Session, *, name: str, account: Account, contact_id: str, amount: Decimal, currency: str,
          close_date: date | None, owner_id: str, team: str, region: str, channel: str, lead_id: str | None,
          actor: str, at: datetime) -> Opportunity:
    opportunity = Opportunity(
        name=name, account_id=account.id, contact_id=contact_id, lead_id=lead_id, stage="02", max_rank=2,
        stage_entered_at=at, amount=amount, currency=currency, close_date=close_date, owner_id=owner_id, team=team,
        region=region, channel=channel, created_at=at,
    )
    session.add(opportunity)
    session.flush()
    _record(session, opportunity, from_stage="", to_stage="02", actor=actor, at=at, dwell=0, reached=(2, 2))
    emit(session, OpportunityCreated(
        opportunity_id=opportunity.id, lead_id=lead_id or "", account_id=account.id, name=name, owner_id=owner_id,
        team=team, stage="02", amount=to_money(amount, currency), channel=channel,
    ), producer="sales")
    OPPORTUNITIES_OPENED.labels("lead" if lead_id else "manual").inc()
    return opportunity


def _record(session: Session, opportunity: Opportunity, *, from_stage: str, to_stage: str, actor: str,
            at: datetime, dwell: int, reached: tuple[int, int], reason: str = "") -> None:
    """The change row and the day's funnel sums, in the caller's transaction."""
    session.add(StageChange(
        opportunity_id=opportunity.id, from_stage=from_stage, to_stage=to_stage, at=at, actor=actor,
        dwell_seconds=dwell, reached_low=reached[0], reached_high=reached[1], reason=reason,
        owner_id=opportunity.owner_id, team=opportunity.team, region=opportunity.region,
    ))
    day = utc_day(at)
    deltas: dict[tuple[str, str], list[int]] = {}
    if from_stage:
        deltas[(from_stage, "")] = [0, 1, dwell]
    for rank in range(reached[0], reached[1] + 1) if reached[0] else ():
        stage = f"0{rank}"
        deltas.setdefault((stage, ""), [0, 0, 0])[0] += 1
    if to_stage == LOST:
        deltas[(LOST, reason)] = [1, 0, 0]
    insert = upsert_insert(session)
    table = FunnelDay.__table__
    tenant = session.info[TENANT]
    for (stage, why), (reached_count, exits, dwell_sum) in deltas.items():
        statement = insert(table).values(tenant_id=tenant, day=day, team=opportunity.team, stage=stage, reason=why,
                                         reached=reached_count, exits=exits, dwell_seconds=dwell_sum)
        session.execute(statement.on_conflict_do_update(
            index_elements=["tenant_id", "day", "team", "stage", "reason"],
            set_={"reached": table.c.reached + statement.excluded.reached,
                  "exits": table.c.exits + statement.excluded.exits,
                  "dwell_seconds": table.c.dwell_seconds + statement.excluded.dwell_seconds},
        ))
    STAGE_CHANGES.labels(to_stage).inc()


def utc_day(at: datetime) -> date:
    """The UTC day of an instant: funnel days and periods are UTC days."""
    return (at.astimezone(UTC) if at.tzinfo is not None else at).date()


def readable(session: Session, *, caller: Caller, opportunity_id: str) -> Opportunity:
    opportunity = session.get(Opportunity, opportunity_id) if opportunity_id else None
    if opportunity is None or not access.may_read_opportunity(session, caller, opportunity):
        raise NotFound(t("opportunity {id} not found", id=repr(opportunity_id)))
    return opportunity


def for_change(session: Session, *, caller: Caller, opportunity_id: str) -> Opportunity:
    """The opportunity, locked for update and re-read, when the caller may change it."""
    opportunity = readable(session, caller=caller, opportunity_id=opportunity_id)
    session.refresh(opportunity, with_for_update=True)
    if not access.may_change(session, caller, owner_id=opportunity.owner_id, team=opportunity.team):
        raise PermissionDenied(t("you may read opportunity {id} but not change it", id=repr(opportunity_id)))
    return opportunity


def move(session: Session, *, caller: Caller, opportunity_id: str, stage: str, lost_reason: str = "",
         note: str = "", at: datetime | None = None) -> Opportunity:
    """Move to another stage (back or forth, skipping allowed) or to lost with a reason; won and lost are final."""
    check = Validator()
    stage = stage.strip().lower()
    check.check(stage in STAGES or stage == LOST, "stage", t("must be one of 02, 03, 04, 05 or lost"))
    if stage == LOST:
        check.check(lost_reason in LOST_REASONS, "lost_reason",
                    t("must be one of: {values}", values=", ".join(LOST_REASONS)))
    else:
        check.check(not lost_reason, "lost_reason", t("is only for a move to lost"))
    check.at_most(note, "note", 500)
    check.raise_if_any()
    opportunity = for_change(session, caller=caller, opportunity_id=opportunity_id)
    if opportunity.stage in (WON, LOST):
        raise FailedPrecondition(t("opportunity {id} is closed ({stage})", id=repr(opportunity.id),
                                   stage=opportunity.stage))
    if opportunity.stage == stage:
        raise FailedPrecondition(t("opportunity {id} is already at stage {stage}", id=repr(opportunity.id),
                                   stage=stage))
    at = at or utcnow()
    dwell = max(0, int((at - opportunity.stage_entered_at).total_seconds()))
    rank = RANK.get(stage, 0)
    reached = (opportunity.max_rank + 1, rank) if rank > opportunity.max_rank else (0, 0)
    from_stage = opportunity.stage
    _record(session, opportunity, from_stage=from_stage, to_stage=stage, actor=caller.subject, at=at, dwell=dwell,
            reached=reached, reason=lost_reason)
    opportunity.stage, opportunity.stage_entered_at = stage, at
    opportunity.max_rank = max(opportunity.max_rank, rank)
    lead_id = opportunity.lead_id or ""
    emit(session, OpportunityStageChanged(
        opportunity_id=opportunity.id, lead_id=lead_id, from_stage=from_stage, to_stage=stage, actor=caller.subject,
        change_time=_timestamp(at), dwell_seconds=dwell, owner_id=opportunity.owner_id, team=opportunity.team,
    ), producer="sales")
    if stage in (WON, LOST):
        opportunity.closed_at, opportunity.close_date = at, utc_day(at)
    if stage == WON:
        emit(session, OpportunityWon(
            opportunity_id=opportunity.id, lead_id=lead_id, account_id=opportunity.account_id,
            amount=to_money(opportunity.amount, opportunity.currency), owner_id=opportunity.owner_id,
            won_time=_timestamp(at),
        ), producer="sales")
    elif stage == LOST:
        opportunity.lost_reason, opportunity.lost_note = lost_reason, note.strip()
        emit(session, OpportunityLost(
            opportunity_id=opportunity.id, lead_id=lead_id, account_id=opportunity.account_id, reason=lost_reason,
            note=note.strip(), owner_id=opportunity.owner_id, from_stage=from_stage,
        ), producer="sales")
    return opportunity


def _timestamp(at: datetime):  # noqa: ANN202
    from google.protobuf.timestamp_pb2 import Timestamp

    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


def history(session: Session, opportunity_id: str) -> list[StageChange]:
    return list(session.scalars(
        select(StageChange).where(StageChange.opportunity_id == opportunity_id).order_by(StageChange.at,
                                                                                         StageChange.id)
    ))


def list_opportunities(session: Session, *, caller: Caller, stage: str = "", owner_id: str = "", offset: int = 0,
                       limit: int = 50) -> tuple[list[Opportunity], bool]:
    check = Validator()
    check.check(not stage or stage in STAGES or stage == LOST, "stage", t("must be one of 02, 03, 04, 05 or lost"))
    check.at_most(owner_id, "owner_id", 64)
    check.raise_if_any()
    statement = select(Opportunity).where(access.visible_opportunities(session, caller))
    if stage:
        statement = statement.where(Opportunity.stage == stage)
    if owner_id:
        statement = statement.where(Opportunity.owner_id == owner_id)
    found = list(session.scalars(
        statement.order_by(Opportunity.created_at.desc(), Opportunity.id.desc()).offset(offset).limit(limit + 1)
    ))
    return found[:limit], len(found) > limit


# --- the qualified-lead hand-over (R-LEAD-6) ------------------------------------------------------------------


def open_from_lead(session: Session, event: LeadQualified) -> Opportunity:
    """The opportunity of a qualified lead at stage 02, with its account and contact when new: exactly once per
    lead (the unique (tenant, lead_id) settles a race between two deliveries under different event ids)."""
    existing = session.scalar(select(Opportunity).where(Opportunity.lead_id == event.lead_id))
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            return _open_from_lead(session, event)
    except IntegrityError:
        existing = session.scalar(select(Opportunity).where(Opportunity.lead_id == event.lead_id))
        if existing is None:
            raise
        return existing


def _open_from_lead(session: Session, event: LeadQualified) -> Opportunity:
    account = None
    if event.customer_id:
        account = session.scalar(select(Account).where(Account.customer_id == event.customer_id)
                                 .order_by(Account.created_at).limit(1))
    owner = access.member(session, event.owner_id)
    if account is None:
        account = Account(name=(event.company or event.name or event.lead_id)[:200], customer_id=event.customer_id,
                          industry=(event.industry[:1].upper() if event.industry[:1].isalpha() else ""),
                          region=event.region[:100], owner_id=event.owner_id)
        session.add(account)
        session.flush()
    contact = None
    if event.name or event.email or event.phone:
        contact = session.scalar(select(Contact).where(
            Contact.account_id == account.id, Contact.name == event.name[:200], Contact.email == event.email[:254],
            Contact.phone == event.phone[:50]).limit(1))
        if contact is None:
            contact = Contact(account_id=account.id, name=(event.name or event.email or event.phone)[:200],
                              email=event.email[:254], phone=event.phone[:50], customer_id=event.customer_id[:32])
            session.add(contact)
            session.flush()
            # Identity resolves it too, so that the customer lists it (ADR 0023).
            emit(session, contact_event(contact, account, created=True), producer="sales")
        elif event.customer_id and not contact.customer_id:
            contact.customer_id = event.customer_id[:32]
    title = event.company or event.name or event.lead_id
    return _open(session, name=title[:200], account=account, contact_id=contact.id if contact else "",
                 amount=Decimal(0), currency="CNY", close_date=None, owner_id=event.owner_id,
                 team=owner.team if owner is not None else "",
                 region=event.region[:100] or (owner.region if owner is not None else ""),
                 channel=event.channel[:100], lead_id=event.lead_id, actor="leads", at=utcnow())
