"""The hand-over to customer success and its delivery commitments (R-SALES-4).

Commitments ("deploy within 15 days", "training within 30 working days", "go-live on 2027-01-15") are entered on
an opportunity or on one of its contracts before signature (status `draft`). Signing a contract
(contracts.sign, same transaction) creates the hand-over: the package of the whole history (account and contacts,
the opportunity with its stage transitions, the contract's quote with its lines, the contract, every approval step
of every round, the commitments) stored as JSON and emitted as `handover.created`; and it starts each commitment's
clock: the commitments of that contract and those of the opportunity not yet bound to a contract get their due
time (signature + N days, + N working days on the tenant's business calendar, or the end of the due date in the
tenant's time zone), become `open`, and get two durable timers (services/core/timers.py):

- `sales.commitment.at_risk` at the tenant's at-risk time (settings "commitments": the fraction
  `at_risk_fraction` of the time from signature to due, 0.8 by default, or `at_risk_working_days_before` due):
  an open commitment becomes `at_risk` and `commitment.at_risk` is emitted;
- `sales.commitment.overdue` at the due time: a commitment not done becomes `overdue`, `commitment.overdue`.

Completing a commitment (`done`) cancels both timers; the handlers check the status as well, so a timer claimed
while the commitment was being completed does nothing.

Who: the opportunity's owner, their team's manager and admin add commitments; they, customer success
(`service_agent`) and auditors read hand-overs and commitments; customer success, the owner, the team's manager and
admin complete them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from google.protobuf import json_format
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from crm.events.v1.sales_pb2 import CommitmentAtRisk, CommitmentOverdue, HandoverCreated
from crm.sales.v1 import sales_pb2
from services.core import timers
from services.core.auth import Caller
from services.core.db import utcnow
from services.core.errors import FailedPrecondition, NotFound, PermissionDenied, Validator
from services.core.events import emit
from services.core.i18n import t
from services.core.timers import Due, FiredTimer
from services.sales import access, convert, opportunities, quotes, settings
from services.sales.models import (
    Account,
    ApprovalStep,
    Commitment,
    Contact,
    Contract,
    Handover,
    Opportunity,
    Quote,
    QuoteLine,
)

DRAFT, OPEN, AT_RISK, OVERDUE, DONE = "draft", "open", "at_risk", "overdue", "done"
STATUSES = (DRAFT, OPEN, AT_RISK, OVERDUE, DONE)
PENDING = "pending"  # a filter: open, at_risk or overdue
AT_RISK_TIMER = "sales.commitment.at_risk"
OVERDUE_TIMER = "sales.commitment.overdue"
READ_ALL_ROLES = ("admin", "auditor", "service_agent")
COMPLETE_ALL_ROLES = ("admin", "service_agent")
MAX_DAYS = 3650
MAX_CONTACTS = 100


def _may_read(session: Session, caller: Caller, *, owner_id: str, team: str) -> bool:
    return caller.has_any_role(*READ_ALL_ROLES) or access.may_read(session, caller, owner_id=owner_id, team=team)


# --- commitments before signature -------------------------------------------------------------------------------


def add_commitment(session: Session, *, caller: Caller, description: str, opportunity_id: str = "",
                   contract_id: str = "", due_in_days: int = 0, working_days: bool = False,
                   due_date: date | None = None) -> Commitment:
    check = Validator()
    check.check(bool(opportunity_id) != bool(contract_id), "opportunity_id",
                t("give an opportunity or a contract, not both"))
    check.require(description, "description", max_length=500)
    check.check(bool(due_in_days) != (due_date is not None), "due_in_days",
                t("give a number of days or a due date, not both"))
    if due_in_days:
        check.check(0 < due_in_days <= MAX_DAYS, "due_in_days",
                    t("must be between {min} and {max}", min=1, max=MAX_DAYS))
    else:
        check.check(not working_days, "working_days", t("applies to a number of days only"))
    check.raise_if_any()
    contract = None
    if contract_id:
        contract = session.get(Contract, contract_id)
        if contract is None or not access.may_read(session, caller, owner_id=contract.owner_id, team=contract.team):
            raise NotFound(t("contract {id} not found", id=repr(contract_id)))
        if contract.status == "signed":
            raise FailedPrecondition(t("contract {id} is signed: commitments are entered before signature",
                                       id=repr(contract.id)))
        opportunity_id = contract.opportunity_id
    opportunity = opportunities.for_change(session, caller=caller, opportunity_id=opportunity_id)
    if opportunity.stage == opportunities.LOST:
        raise FailedPrecondition(t("opportunity {id} is lost", id=repr(opportunity.id)))
    commitment = Commitment(
        opportunity_id=opportunity.id, contract_id=contract.id if contract is not None else "",
        account_id=opportunity.account_id, description=description.strip(), due_in_days=due_in_days or None,
        working_days=bool(due_in_days and working_days), due_date=due_date, status=DRAFT,
        owner_id=opportunity.owner_id, team=opportunity.team, created_by=caller.subject,
    )
    session.add(commitment)
    session.flush()
    return commitment


# --- the signature: package, clocks, event -------------------------------------------------------------------


def due_times(commitment: Commitment, signed_at: datetime, tenant: settings.Settings) -> tuple[datetime, datetime]:
    """(due, at risk) of a commitment signed at `signed_at`; at risk is never before the signature nor after due."""
    calendar = tenant.calendar
    if commitment.due_date is not None:
        due = datetime.combine(commitment.due_date + timedelta(days=1), time(), tzinfo=calendar.zone)
    elif commitment.working_days:
        due = calendar.add_working_days(signed_at, commitment.due_in_days or 0)
    else:
        due = signed_at + timedelta(days=commitment.due_in_days or 0)
    alerts = tenant.commitments
    if alerts.at_risk_working_days_before:
        at_risk = calendar.minus_working_days(due, alerts.at_risk_working_days_before)
    else:
        span = (due - signed_at) // timedelta(microseconds=1)
        at_risk = signed_at + timedelta(microseconds=int(Decimal(max(span, 0)) * alerts.at_risk_fraction))
    return due, min(max(at_risk, signed_at), due)


def on_signed(session: Session, *, view, now: datetime) -> Handover:  # noqa: ANN001 - contracts.ContractView
    """The hand-over of a contract just signed (called by contracts.sign in its transaction)."""
    contract = view.contract
    opportunity = session.get(Opportunity, contract.opportunity_id)
    account = session.get(Account, opportunity.account_id) if opportunity is not None else None
    tenant = settings.load(session)
    handover = Handover(contract_id=contract.id, opportunity_id=contract.opportunity_id,
                        account_id=account.id if account is not None else "", owner_id=contract.owner_id,
                        team=contract.team, created_at=now)
    session.add(handover)
    session.flush()
    bound = session.scalars(select(Commitment).where(
        Commitment.status == DRAFT,
        or_(Commitment.contract_id == contract.id,
            and_(Commitment.contract_id == "", Commitment.opportunity_id == contract.opportunity_id)),
    ).order_by(Commitment.created_at, Commitment.id)).all()
    clocks = []
    for commitment in bound:
        commitment.contract_id, commitment.handover_id, commitment.status = contract.id, handover.id, OPEN
        commitment.due_at, commitment.at_risk_at = due_times(commitment, now, tenant)
        if commitment.at_risk_at < commitment.due_at:
            clocks.append(Due(AT_RISK_TIMER, commitment.id, commitment.at_risk_at))
        clocks.append(Due(OVERDUE_TIMER, commitment.id, commitment.due_at))
    timers.schedule_many(session, clocks)
    session.flush()
    package = _package(session, handover, view, opportunity, account, bound)
    handover.package = json_format.MessageToDict(package, preserving_proto_field_name=True)
    emit(session, HandoverCreated(handover_id=handover.id, contract_id=contract.id, account_id=handover.account_id,
                                  owner_id=contract.owner_id, package=package), producer="sales")
    return handover


def _package(session: Session, handover: Handover, view, opportunity: Opportunity | None,  # noqa: ANN001
             account: Account | None, commitments: list[Commitment]) -> sales_pb2.HandoverPackage:
    package = sales_pb2.HandoverPackage(handover_id=handover.id, contract=convert.contract_to_proto(view),
                                        commitments=[convert.commitment_to_proto(c) for c in commitments])
    convert.stamp(package, "create_time", handover.created_at)
    if account is not None:
        package.account.CopyFrom(convert.account_to_proto(account))
        package.contacts.extend(convert.contact_to_proto(contact) for contact in session.scalars(
            select(Contact).where(Contact.account_id == account.id).order_by(Contact.created_at, Contact.id)
            .limit(MAX_CONTACTS)))
    if opportunity is not None:
        probability = settings.load(session).probability(opportunity.stage)
        package.opportunity.CopyFrom(convert.opportunity_to_proto(
            opportunity, format(probability, "f"), opportunities.history(session, opportunity.id)))
    quote = session.get(Quote, view.contract.quote_id)
    if quote is not None:
        lines = list(session.scalars(select(QuoteLine).where(QuoteLine.quote_id == quote.id)
                                     .order_by(QuoteLine.position)))
        package.quote.CopyFrom(convert.quote_to_proto(quotes.QuoteView(quote, lines)))
    package.approval_history.extend(
        convert.step_to_proto(step, current=False) for step in session.scalars(
            select(ApprovalStep).where(ApprovalStep.contract_id == view.contract.id)
            .order_by(ApprovalStep.round, ApprovalStep.position)))
    return package


# --- timers -------------------------------------------------------------------------------------------------


def _alert(commitment: Commitment, kind: type) -> object:
    return kind(commitment_id=commitment.id, handover_id=commitment.handover_id, contract_id=commitment.contract_id,
                opportunity_id=commitment.opportunity_id, account_id=commitment.account_id,
                owner_id=commitment.owner_id, team=commitment.team, description=commitment.description,
                due_time=opportunities._timestamp(commitment.due_at))


def on_at_risk(session: Session, timer: FiredTimer) -> None:
    """At-risk time: an open commitment becomes at risk, and its owner is alerted (commitment.at_risk)."""
    commitment = session.get(Commitment, timer.key)
    if commitment is None or commitment.status != OPEN:
        return
    commitment.status = AT_RISK
    emit(session, _alert(commitment, CommitmentAtRisk), producer="sales")


def on_overdue(session: Session, timer: FiredTimer) -> None:
    """Due time: a commitment not done becomes overdue (commitment.overdue)."""
    commitment = session.get(Commitment, timer.key)
    if commitment is None or commitment.status not in (OPEN, AT_RISK):
        return
    commitment.status = OVERDUE
    emit(session, _alert(commitment, CommitmentOverdue), producer="sales")


TIMERS = {AT_RISK_TIMER: on_at_risk, OVERDUE_TIMER: on_overdue}


# --- reading and completing ---------------------------------------------------------------------------------


def readable_commitment(session: Session, *, caller: Caller, commitment_id: str) -> Commitment:
    commitment = session.get(Commitment, commitment_id) if commitment_id else None
    if commitment is None or not _may_read(session, caller, owner_id=commitment.owner_id, team=commitment.team):
        raise NotFound(t("commitment {id} not found", id=repr(commitment_id)))
    return commitment


def complete(session: Session, *, caller: Caller, commitment_id: str, note: str = "",
             now: datetime | None = None) -> Commitment:
    check = Validator()
    check.at_most(note, "note", 1000)
    check.raise_if_any()
    commitment = readable_commitment(session, caller=caller, commitment_id=commitment_id)
    if not (caller.has_any_role(*COMPLETE_ALL_ROLES)
            or access.may_change(session, caller, owner_id=commitment.owner_id, team=commitment.team)):
        raise PermissionDenied(t("you may read commitment {id} but not complete it", id=repr(commitment.id)))
    session.refresh(commitment, with_for_update=True)
    if commitment.status not in (OPEN, AT_RISK, OVERDUE):
        raise FailedPrecondition(t("commitment {id} is {status}: only a signed commitment not done yet is completed",
                                   id=repr(commitment.id), status=commitment.status))
    commitment.status, commitment.completed_by = DONE, caller.subject
    commitment.completed_at, commitment.completion_note = now or utcnow(), note.strip()
    timers.cancel(session, kind=AT_RISK_TIMER, key=commitment.id)
    timers.cancel(session, kind=OVERDUE_TIMER, key=commitment.id)
    session.flush()
    return commitment


def list_commitments(session: Session, *, caller: Caller, status: str = "", due_before: datetime | None = None,
                     handover_id: str = "", opportunity_id: str = "", offset: int = 0,
                     limit: int = 50) -> tuple[list[Commitment], bool]:
    check = Validator()
    status = (status or "").strip().lower()
    check.check(not status or status in (*STATUSES, PENDING), "status",
                t("must be one of: {values}", values=", ".join((*STATUSES, PENDING))))
    check.at_most(handover_id, "handover_id", 36)
    check.at_most(opportunity_id, "opportunity_id", 36)
    check.raise_if_any()
    statement = select(Commitment)
    if not caller.has_any_role(*READ_ALL_ROLES):
        scope = access.scope_of(session, caller)
        if not (scope.read_all or scope.change_all):
            allowed = [Commitment.owner_id == scope.subject] if scope.subject else []
            if scope.team:
                allowed.append(Commitment.team == scope.team)
            if not allowed:
                return [], False
            statement = statement.where(or_(*allowed))
    if status == PENDING:
        statement = statement.where(Commitment.status.in_((OPEN, AT_RISK, OVERDUE)))
    elif status:
        statement = statement.where(Commitment.status == status)
    if due_before is not None:
        statement = statement.where(Commitment.due_at < due_before)
    if handover_id:
        statement = statement.where(Commitment.handover_id == handover_id)
    if opportunity_id:
        statement = statement.where(Commitment.opportunity_id == opportunity_id)
    found = list(session.scalars(statement.order_by(Commitment.due_at.is_(None), Commitment.due_at,
                                                    Commitment.created_at, Commitment.id)
                                 .offset(offset).limit(limit + 1)))
    return found[:limit], len(found) > limit


@dataclass(frozen=True)
class HandoverView:
    handover: Handover
    package: sales_pb2.HandoverPackage
    commitments: list[Commitment]


def get_handover(session: Session, *, caller: Caller, handover_id: str = "", contract_id: str = "") -> HandoverView:
    check = Validator()
    check.check(bool(handover_id) != bool(contract_id), "id", t("give a hand-over id or a contract id"))
    check.raise_if_any()
    if handover_id:
        handover = session.get(Handover, handover_id)
    else:
        handover = session.scalar(select(Handover).where(Handover.contract_id == contract_id))
    if handover is None or not _may_read(session, caller, owner_id=handover.owner_id, team=handover.team):
        raise NotFound(t("hand-over {id} not found", id=repr(handover_id or contract_id)))
    package = json_format.ParseDict(handover.package, sales_pb2.HandoverPackage())
    commitments = list(session.scalars(select(Commitment).where(Commitment.handover_id == handover.id)
                                       .order_by(Commitment.due_at, Commitment.id)))
    return HandoverView(handover, package, commitments)
