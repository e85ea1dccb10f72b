"""Contracts from templates and their approval chain (R-SALES-3).

The chain is the tenant's (settings "approval_chain": manager -> finance -> legal by default, each step optionally
conditional, e.g. {"duty": "finance", "when": {"discount_percent_over": "20"}}), frozen into `approval_step` rows
when the contract is submitted. Steps are decided in order; each shows its state and when it is expected on the
tenant's business calendar ("legal review, expected 1 working day"). A rejection sends the contract back to its
owner with the reason; resubmitting starts a new round. Signing needs every step of the round approved.

Every decision and the signature lock the contract row first (SELECT ... FOR UPDATE), so concurrent approvers and
signers are serialised: no contract reaches "signed" without every required approval. The signature hands the
contract over to customer success (services/sales/handover.py) in the same transaction.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import Counter
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from crm.events.v1.sales_pb2 import ContractApprovalRequested, ContractRejected, ContractSigned
from services.core.auth import Caller
from services.core.db import utcnow
from services.core.errors import FailedPrecondition, NotFound, PermissionDenied, Validator
from services.core.events import emit
from services.core.i18n import t
from services.sales import access, handover, quotes, settings
from services.sales.models import Account, ApprovalStep, Contract, ContractTemplate, Opportunity
from services.sales.money import text as money_text
from services.sales.money import to_money
from services.sales.opportunities import _timestamp
from services.sales.pricing import discount_percent

DRAFT, PENDING, APPROVED, REJECTED, SIGNED = "draft", "pending", "approved", "rejected", "signed"
TEMPLATE_ROLES = ("manager", "admin")
PLACEHOLDERS = ("account", "opportunity", "total", "currency", "special_terms")

CONTRACT_DECISIONS = Counter("crm_contract_decisions", "Approval decisions, by duty and outcome.",
                             ["duty", "outcome"])


def create_template(session: Session, *, caller: Caller, name: str, body: str) -> ContractTemplate:
    caller.require_role(*TEMPLATE_ROLES)
    check = Validator()
    check.require(name, "name", max_length=200)
    if check.require(body, "body", max_length=20000):
        try:
            fields = {field for _, field, _, _ in string.Formatter().parse(body) if field is not None}
        except ValueError:
            fields = {"{"}
        unknown = sorted(fields - set(PLACEHOLDERS))
        check.check(not unknown, "body", t("unknown placeholders: {names}; use {allowed}",
                                           names=", ".join(unknown), allowed=", ".join(PLACEHOLDERS)))
    check.raise_if_any()
    template = ContractTemplate(name=name.strip(), body=body)
    session.add(template)
    session.flush()
    return template


def list_templates(session: Session) -> list[ContractTemplate]:
    """The tenant's contract templates by name, readable by anyone of the tenant (whoever drafts a contract picks
    one; the drafting itself is checked by create_contract)."""
    return list(session.scalars(select(ContractTemplate).order_by(ContractTemplate.name, ContractTemplate.id)))


def create_contract(session: Session, *, caller: Caller, quote_id: str, template_id: str,
                    special_terms: str = "") -> Contract:
    check = Validator()
    check.at_most(special_terms, "special_terms", 2000)
    check.raise_if_any()
    view = quotes.readable_quote(session, caller=caller, quote_id=quote_id)
    if not access.may_change(session, caller, owner_id=view.quote.owner_id, team=view.quote.team):
        raise PermissionDenied(t("you may read quote {id} but not draft its contract", id=repr(quote_id)))
    template = session.get(ContractTemplate, template_id) if template_id else None
    if template is None:
        raise NotFound(t("contract template {id} not found", id=repr(template_id)))
    opportunity = session.get(Opportunity, view.quote.opportunity_id)
    account = session.get(Account, opportunity.account_id) if opportunity is not None else None
    totals = view.quote
    discount = discount_percent(totals.list_total, totals.discount_total)
    contract = Contract(
        opportunity_id=view.quote.opportunity_id, quote_id=view.quote.id, template_id=template.id,
        special_terms=special_terms.strip(), total=totals.total, currency=totals.currency,
        discount_percent=discount, owner_id=view.quote.owner_id, team=view.quote.team,
        body=_render(template.body, account=account.name if account else "",
                     opportunity=opportunity.name if opportunity else "", total=money_text(totals.total),
                     currency=totals.currency, special_terms=special_terms.strip()),
    )
    session.add(contract)
    session.flush()
    return contract


def _render(body: str, **values: str) -> str:
    return body.format_map(values)


@dataclass(frozen=True)
class ContractView:
    contract: Contract
    steps: list[ApprovalStep]


def steps_of(session: Session, contract: Contract) -> list[ApprovalStep]:
    return list(session.scalars(select(ApprovalStep).where(
        ApprovalStep.contract_id == contract.id, ApprovalStep.round == contract.round).order_by(ApprovalStep.position)))


def _may_approve(scope: access.Scope, contract: Contract, duty: str) -> bool:
    if duty not in scope.duties:
        return False
    return duty != "manager" or scope.team == contract.team


def readable(session: Session, *, caller: Caller, contract_id: str) -> Contract:
    """A contract its opportunity's readers read (a territory's manager included) and so do the approvers of its
    steps; NOT_FOUND for others. Reading only: submit and sign check access.may_change, decide the current step."""
    contract = session.get(Contract, contract_id) if contract_id else None
    if contract is not None and access.may_read_of_opportunity(
            session, caller, owner_id=contract.owner_id, team=contract.team, opportunity_id=contract.opportunity_id):
        return contract
    if contract is not None:
        scope = access.scope_of(session, caller)
        duties = scope.duties - {"manager"}
        if duties and session.scalar(select(exists().where(ApprovalStep.contract_id == contract.id,
                                                           ApprovalStep.duty.in_(sorted(duties))))):
            return contract
    raise NotFound(t("contract {id} not found", id=repr(contract_id)))


def _locked(session: Session, caller: Caller, contract_id: str) -> Contract:
    contract = readable(session, caller=caller, contract_id=contract_id)
    session.refresh(contract, with_for_update=True)
    return contract


def _start(session: Session, contract: Contract, step: ApprovalStep, now: datetime) -> None:
    step.started_at = now
    step.due_at = settings.load(session).calendar.add_working_days(now, step.expected_working_days)
    emit(session, ContractApprovalRequested(contract_id=contract.id, duty=step.duty, team=contract.team,
                                            due_time=_timestamp(step.due_at), owner_id=contract.owner_id),
         producer="sales")


def submit(session: Session, *, caller: Caller, contract_id: str, special_terms: str = "",
           now: datetime | None = None) -> ContractView:
    check = Validator()
    check.at_most(special_terms, "special_terms", 2000)
    check.raise_if_any()
    contract = _locked(session, caller, contract_id)
    if not access.may_change(session, caller, owner_id=contract.owner_id, team=contract.team):
        raise PermissionDenied(t("only the contract's owner or their manager submits it"))
    if contract.status not in (DRAFT, REJECTED):
        raise FailedPrecondition(t("contract {id} is {status}: only a draft or a rejected contract is submitted",
                                   id=repr(contract.id), status=contract.status))
    if special_terms.strip():
        contract.special_terms = special_terms.strip()
    now = now or utcnow()
    contract.round += 1
    contract.status, contract.rejection_reason = PENDING, ""
    chain = settings.load(session).chain
    steps = []
    for step in chain:
        required, why = step.required(discount_percent=contract.discount_percent, total=contract.total)
        if required:
            steps.append(ApprovalStep(contract_id=contract.id, round=contract.round, position=len(steps) + 1,
                                      duty=step.duty, condition=why,
                                      expected_working_days=step.expected_working_days))
    session.add_all(steps)
    session.flush()
    if steps:
        _start(session, contract, steps[0], now)
    else:
        contract.status = APPROVED
    return ContractView(contract, steps)


def decide(session: Session, *, caller: Caller, contract_id: str, approve: bool, reason: str = "",
           now: datetime | None = None) -> ContractView:
    check = Validator()
    if not approve:
        check.require(reason, "reason", max_length=1000)
    check.at_most(reason, "reason", 1000)
    check.raise_if_any()
    contract = _locked(session, caller, contract_id)
    if contract.status != PENDING:
        raise FailedPrecondition(t("contract {id} is {status}: nothing waits for approval",
                                   id=repr(contract.id), status=contract.status))
    steps = steps_of(session, contract)
    current = next((step for step in steps if step.state == PENDING), None)
    scope = access.scope_of(session, caller)
    if current is None or not _may_approve(scope, contract, current.duty):
        raise PermissionDenied(t("the current approval step of contract {id} is not yours", id=repr(contract.id)))
    if caller.subject == contract.owner_id:
        raise PermissionDenied(t("nobody approves their own contract"))
    now = now or utcnow()
    current.decided_by, current.decided_at, current.reason = caller.subject, now, reason.strip()
    if approve:
        current.state = APPROVED
        following = next((step for step in steps if step.state == PENDING), None)
        if following is not None:
            _start(session, contract, following, now)
        else:
            contract.status = APPROVED
    else:
        current.state = REJECTED
        contract.status, contract.rejection_reason = REJECTED, reason.strip()
        emit(session, ContractRejected(contract_id=contract.id, owner_id=contract.owner_id, duty=current.duty,
                                       rejected_by=caller.subject, reason=reason.strip()), producer="sales")
    session.flush()
    CONTRACT_DECISIONS.labels(current.duty, current.state).inc()
    return ContractView(contract, steps)


def sign(session: Session, *, caller: Caller, contract_id: str, now: datetime | None = None) -> ContractView:
    contract = _locked(session, caller, contract_id)
    if not access.may_change(session, caller, owner_id=contract.owner_id, team=contract.team):
        raise PermissionDenied(t("only the contract's owner or their manager records its signature"))
    steps = steps_of(session, contract)
    # The status says approved only after the last step; the steps are checked again all the same.
    if contract.status != APPROVED or any(step.state != APPROVED for step in steps):
        raise FailedPrecondition(t("contract {id} is {status}: it is signed only once every approval is given",
                                   id=repr(contract.id), status=contract.status))
    now = now or utcnow()
    contract.status, contract.signed_by, contract.signed_at = SIGNED, caller.subject, now
    opportunity = session.get(Opportunity, contract.opportunity_id)
    emit(session, ContractSigned(
        contract_id=contract.id, opportunity_id=contract.opportunity_id,
        account_id=opportunity.account_id if opportunity else "",
        lead_id=(opportunity.lead_id or "") if opportunity else "", total=to_money(contract.total, contract.currency),
        special_terms=contract.special_terms, owner_id=contract.owner_id, signed_by=caller.subject,
        sign_time=_timestamp(now), quote_id=contract.quote_id,
    ), producer="sales")
    session.flush()
    view = ContractView(contract, steps)
    # The hand-over to customer success, in the same transaction (R-SALES-4): package, commitment clocks, event.
    handover.on_signed(session, view=view, now=now)
    return view


def pending_for(session: Session, *, caller: Caller) -> list[ApprovalStep]:
    """The current steps waiting for the caller's duties (a manager: their team's contracts)."""
    scope = access.scope_of(session, caller)
    if not scope.duties:
        return []
    statement = (
        select(ApprovalStep, Contract.team)
        .join(Contract, Contract.id == ApprovalStep.contract_id)
        .where(ApprovalStep.duty.in_(sorted(scope.duties)), ApprovalStep.state == PENDING,
               ApprovalStep.started_at.is_not(None), Contract.status == PENDING,
               ApprovalStep.round == Contract.round)
        .order_by(ApprovalStep.due_at, ApprovalStep.id)
    )
    return [step for step, team in session.execute(statement)
            if step.duty != "manager" or team == scope.team]
