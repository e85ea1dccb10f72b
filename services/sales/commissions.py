"""Commission plans and their computation from won deals (R-SALES-5), exactly in Decimal.

A plan (JSON, validated here) is a list of marginal tiers over the rep's cumulative won amount in the period, in the
tenant's currency, with optional flat rates per product category:

    {"tiers": [{"up_to": "100000", "rate": "3"}, {"rate": "5"}], "category_rates": {"hardware": "1"}}

"3% up to 100k, 5% above": the part of the cumulative won amount between 0 and 100000 earns 3%, the part above
5%, so a deal straddling 100000 earns 3% on its part below and 5% on its part above. A percentage plan is one tier
({"tiers": [{"rate": "4"}]}). Rates are percentages (0..100, at most 4 decimals).

Deals: the rep's opportunities won (stage 05) with the won day in the period, in won order (time, then id). Each
deal's amount is converted into the tenant's currency at the rate of its won day and rounded to cents (no rate:
FAILED_PRECONDITION naming the currency and day; commissions are never computed on a guess). With category rates,
the deal's amount is split in the proportions of its quote's net line amounts per product category (the quote of
its signed contract, else its newest quote): the part of a rated category earns that category's rate and does not
count towards the tiers; the rest goes through the tiers. Parts are exact; each deal's commission is rounded
half-up to cents and the total is the sum of the rounded deals (as quote lines: the statement adds up).

Plans are versioned (ADR 0022): each version of a scope and subject is in force from its `effective_from` day until
the next version's; setting a plan adds a version (the same day again replaces that day's version, a correction)
and never edits another. Each deal is paid with the plans in force on its won day: the rep's own, else their
team's (roster), else the tenant's ("tenant"), each as of that day; the tiers still count the cumulative amount of
the whole period, whichever version paid the earlier deals. A version dated after a deal's won day does not touch
it; a version dated back applies to the deals won since its date. Won days are UTC days (opportunities.utc_day),
so is the default `effective_from` (today): a plan set now applies to a deal won now.

Managers set the plans of their team and its reps, admin any; reps compute their own commissions, managers their
team's reps', admin and auditor anyone's. Listing versions: admin and auditor all; a rep or manager the tenant's,
their team's, their own and (a manager) their team's reps'.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.db import TENANT, utcnow
from services.core.errors import FailedPrecondition, InvalidArgument, Validator
from services.core.i18n import t
from services.sales import access, rates, settings, targets
from services.sales.models import CommissionPlan, Contract, Opportunity, Product, Quote, QuoteLine, SalesMember
from services.sales.money import round_cents
from services.sales.opportunities import WON, utc_day

PLAN_SCOPES = ("tenant", "team", "rep")
PLAN_ROLES = ("manager", "admin")
PLAN_READER_ROLES = ("sales", "manager")
# The version the plans of before ADR 0022 became (sales_0008), and the last day a version may start.
EPOCH = date(1970, 1, 1)
LAST_DAY = date(2999, 12, 31)
MAX_TIERS = 20
MAX_CATEGORIES = 50
HUNDRED = Decimal(100)
EXACT = rates.EXACT


@dataclass(frozen=True)
class Tier:
    lower: Decimal
    upper: Decimal | None
    rate: Decimal

    @property
    def label(self) -> str:
        return f"{self.lower}-{'' if self.upper is None else self.upper}"


@dataclass(frozen=True)
class Plan:
    tiers: tuple[Tier, ...]
    category_rates: Mapping[str, Decimal] = field(default_factory=dict)


def _number(value: Any, field_name: str, check: Validator, *, maximum: Decimal | None = None) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        check.check(False, field_name, t("must be a decimal number with at most 4 decimals"))
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    ok = number is not None and number.is_finite() and number >= 0 and -number.as_tuple().exponent <= 4
    if not check.check(ok, field_name, t("must be a decimal number with at most 4 decimals")):
        return None
    if maximum is not None and not check.check(number <= maximum, field_name, t("must be at most {max}",
                                                                                 max=maximum)):
        return None
    return number


def parse_rules(raw: Any, field_name: str = "rules_json") -> Plan:
    """A validated plan; InvalidArgument names each bad field (rules_json.tiers[1].up_to, ...)."""
    check = Validator()
    if not check.check(isinstance(raw, Mapping), field_name, t("must be a JSON object")):
        check.raise_if_any()
    unknown = sorted(set(raw) - {"tiers", "category_rates"})
    check.check(not unknown, field_name, t("unknown keys: {keys}", keys=", ".join(unknown)))
    given = raw.get("tiers")
    tiers: list[Tier] = []
    if check.check(isinstance(given, list) and 0 < len(given) <= MAX_TIERS, f"{field_name}.tiers",
                   t("must be a list of 1 to {max} tiers", max=MAX_TIERS)):
        lower = Decimal(0)
        for position, tier in enumerate(given):
            name = f"{field_name}.tiers[{position}]"
            if not check.check(isinstance(tier, Mapping) and set(tier) <= {"up_to", "rate"}, name,
                               t("must be an object with up_to and rate")):
                continue
            rate = _number(tier.get("rate"), f"{name}.rate", check, maximum=HUNDRED)
            last = position == len(given) - 1
            upper = None
            if last:
                check.check("up_to" not in tier, f"{name}.up_to", t("the last tier has no upper bound"))
            else:
                upper = _number(tier.get("up_to"), f"{name}.up_to", check)
                if upper is not None and not check.check(upper > lower, f"{name}.up_to",
                                                         t("must be greater than the previous bound {bound}",
                                                           bound=lower)):
                    upper = None
            if rate is not None and (last or upper is not None):
                tiers.append(Tier(lower, upper, rate))
                lower = upper if upper is not None else lower
    categories: dict[str, Decimal] = {}
    given = raw.get("category_rates", {})
    if check.check(isinstance(given, Mapping) and len(given) <= MAX_CATEGORIES, f"{field_name}.category_rates",
                   t("must map at most {max} categories to rates", max=MAX_CATEGORIES)):
        for category, rate in sorted(given.items()):
            name = f"{field_name}.category_rates.{category}"
            if check.check(isinstance(category, str) and 0 < len(category.strip()) <= 64, name,
                           t("is not a product category")):
                value = _number(rate, name, check, maximum=HUNDRED)
                if value is not None:
                    categories[category.strip()] = value
    check.raise_if_any()
    return Plan(tuple(tiers), categories)


@dataclass
class Part:
    kind: str  # "tier" or "category"
    label: str
    basis: Decimal
    rate: Decimal
    commission: Decimal  # exact


def tiered(amounts: Sequence[Decimal], tiers: Sequence[Tier], start: Decimal = Decimal(0)) -> list[list[Part]]:
    """The tier parts of each amount, the amounts taken in order on top of the cumulative `start`: marginal
    rates, each part exact (rate x basis / 100 in a 60-digit context)."""
    cumulative = start
    result = []
    for amount in amounts:
        low, high = cumulative, cumulative + amount
        parts = []
        for tier in tiers:
            top = high if tier.upper is None else min(high, tier.upper)
            basis = top - max(low, tier.lower)
            if basis > 0:
                parts.append(Part("tier", tier.label, basis, tier.rate,
                                  EXACT.divide(EXACT.multiply(basis, tier.rate), HUNDRED)))
        result.append(parts)
        cumulative = high
    return result


# --- plans --------------------------------------------------------------------------------------------------


def set_plan(session: Session, *, caller: Caller, scope: str, subject: str = "", name: str = "",
             rules: Any, effective_from: date | None = None) -> CommissionPlan:
    """A new version of the plan of scope/subject in force from `effective_from` (today, UTC, by default); a
    version of the same day is replaced, any other is left as it is."""
    caller.require_role(*PLAN_ROLES)
    check = Validator()
    scope, subject = (scope or "").strip(), (subject or "").strip()
    check.check(scope in PLAN_SCOPES, "scope", t("must be one of: {values}", values=", ".join(PLAN_SCOPES)))
    if scope == "tenant":
        check.check(not subject, "subject", t("must be empty for the tenant's plan"))
    else:
        check.require(subject, "subject", max_length=100)
    check.at_most(name, "name", 200)
    effective_from = effective_from or utc_day(utcnow())
    check.check(EPOCH <= effective_from <= LAST_DAY, "effective_from",
                t("must be a day from {first} to {last}", first=EPOCH.isoformat(), last=LAST_DAY.isoformat()))
    check.raise_if_any()
    parse_rules(rules)
    if scope == "tenant":
        caller.require_role("admin")
    else:
        targets.authorise(session, caller, scope, subject, change=True)
    key = (session.info[TENANT], scope, subject, effective_from)
    row = session.get(CommissionPlan, key, with_for_update=True)
    if row is None:
        try:
            with session.begin_nested():
                row = CommissionPlan(tenant_id=key[0], scope=scope, subject=subject, effective_from=effective_from,
                                     name=name.strip(), rules=dict(rules), set_by=caller.subject)
                session.add(row)
                session.flush()
            return row
        except IntegrityError:  # the same version set at the same moment: the last writer's rules stand
            row = session.get(CommissionPlan, key, with_for_update=True, populate_existing=True)
    row.name, row.rules, row.set_by = name.strip(), dict(rules), caller.subject
    session.flush()
    return row


def _keys(session: Session, owner_id: str) -> list[tuple[str, str]]:
    """(scope, subject) of the plans that may pay `owner_id`, in precedence order: rep, team (roster), tenant."""
    member = access.member(session, owner_id)
    keys = [("rep", owner_id)]
    if member is not None and member.team:
        keys.append(("team", member.team))
    keys.append(("tenant", ""))
    return keys


class PlanChain:
    """The versions of a rep's applicable plans (until a day), and the one in force on any day."""

    def __init__(self, session: Session, owner_id: str, until: date):
        self.keys = _keys(session, owner_id)
        rows = session.scalars(
            select(CommissionPlan)
            .where(or_(*(and_(CommissionPlan.scope == scope, CommissionPlan.subject == subject)
                         for scope, subject in self.keys)), CommissionPlan.effective_from <= until)
            .order_by(CommissionPlan.effective_from))
        self.versions: dict[tuple[str, str], list[CommissionPlan]] = {}
        for row in rows:
            self.versions.setdefault((row.scope, row.subject), []).append(row)
        self._days = {key: [row.effective_from for row in found] for key, found in self.versions.items()}

    def at(self, day: date) -> CommissionPlan | None:
        """The rep's version in force on `day`, else their team's, else the tenant's."""
        for key in self.keys:
            position = bisect.bisect_right(self._days.get(key, []), day)
            if position:
                return self.versions[key][position - 1]
        return None


def plan_for(session: Session, owner_id: str, day: date | None = None) -> CommissionPlan | None:
    """The version paying a deal of `owner_id` won on `day` (today, UTC, by default)."""
    day = day or utc_day(utcnow())
    return PlanChain(session, owner_id, day).at(day)


@dataclass(frozen=True)
class PlanVersion:
    row: CommissionPlan
    # The day the next version of the same scope and subject takes over; None while this is the newest.
    effective_until: date | None


def _readable_plans(session: Session, caller: Caller) -> ColumnElement[bool]:
    who = access.scope_of(session, caller)
    if who.read_all or who.change_all:
        return true()
    if not caller.has_any_role(*PLAN_READER_ROLES) or not who.subject:
        return false()
    member = access.member(session, who.subject)
    allowed = [CommissionPlan.scope == "tenant",
               and_(CommissionPlan.scope == "rep", CommissionPlan.subject == who.subject)]
    if member is not None and member.team:
        allowed.append(and_(CommissionPlan.scope == "team", CommissionPlan.subject == member.team))
    if who.team:  # a manager: their team's reps
        allowed.append(and_(CommissionPlan.scope == "rep", CommissionPlan.subject.in_(
            select(SalesMember.user_id).where(SalesMember.team == who.team))))
    return or_(*allowed)


def list_plans(session: Session, *, caller: Caller, scope: str = "", subject: str = "", offset: int = 0,
               limit: int = 50) -> tuple[list[PlanVersion], bool]:
    """The plan versions the caller may read (others are left out), by scope (tenant, team, rep), subject and newest
    version first, each with the day the next version takes over; optionally one scope, and one subject of it.
    Whether more follow."""
    check = Validator()
    scope, subject = (scope or "").strip(), (subject or "").strip()
    check.check(not scope or scope in PLAN_SCOPES, "scope",
                t("must be one of: {values}", values=", ".join(PLAN_SCOPES)))
    check.check(not subject or bool(scope), "subject", t("give the scope of the subject"))
    check.at_most(subject, "subject", 100)
    check.raise_if_any()
    until = func.lead(CommissionPlan.effective_from, type_=Date).over(
        partition_by=(CommissionPlan.scope, CommissionPlan.subject), order_by=CommissionPlan.effective_from)
    statement = select(CommissionPlan, until.label("effective_until")).where(_readable_plans(session, caller))
    if scope:
        statement = statement.where(CommissionPlan.scope == scope)
    if subject:
        statement = statement.where(CommissionPlan.subject == subject)
    order = case({name: position for position, name in enumerate(PLAN_SCOPES)}, value=CommissionPlan.scope)
    page = session.execute(statement.order_by(order, CommissionPlan.subject, CommissionPlan.effective_from.desc())
                           .offset(offset).limit(limit + 1)).all()
    return [PlanVersion(row, effective_until) for row, effective_until in page[:limit]], len(page) > limit


# --- computation ----------------------------------------------------------------------------------------------


@dataclass
class CommissionLine:
    opportunity_id: str
    name: str
    won_date: date
    amount: Decimal
    currency: str
    converted: Decimal
    # The plan version in force on the won day that paid the deal.
    plan: CommissionPlan
    parts: list[Part] = field(default_factory=list)

    @property
    def commission(self) -> Decimal:
        return round_cents(sum((part.commission for part in self.parts), Decimal(0)))


@dataclass
class Commissions:
    owner_id: str
    period: targets.Period
    currency: str
    # The version in force on the period's last day (each line names the version that paid it).
    plan: CommissionPlan
    lines: list[CommissionLine]

    @property
    def won(self) -> Decimal:
        return sum((line.converted for line in self.lines), Decimal(0))

    @property
    def total(self) -> Decimal:
        return sum((line.commission for line in self.lines), Decimal(0))


def _category_shares(session: Session, opportunity_ids: list[str],
                     categories: Sequence[str]) -> dict[str, dict[str, Decimal]]:
    """opportunity -> {category: share of its quote's net amount} for the rated categories (a few aggregates)."""
    if not opportunity_ids or not categories:
        return {}
    chosen: dict[str, str] = {}
    # The newest quote of each deal first, then the quote of its newest signed contract over it.
    for opportunity_id, quote_id in session.execute(
            select(Quote.opportunity_id, Quote.id).where(Quote.opportunity_id.in_(opportunity_ids))
            .order_by(Quote.created_at, Quote.id)):
        chosen[opportunity_id] = quote_id
    for opportunity_id, quote_id in session.execute(
            select(Contract.opportunity_id, Contract.quote_id)
            .where(Contract.opportunity_id.in_(opportunity_ids), Contract.status == "signed")
            .order_by(Contract.signed_at, Contract.id)):
        chosen[opportunity_id] = quote_id
    if not chosen:
        return {}
    totals = dict(session.execute(select(Quote.id, Quote.net_total).where(Quote.id.in_(set(chosen.values())))).all())
    by_quote: dict[str, dict[str, Decimal]] = {}
    for quote_id, category, net in session.execute(
            select(QuoteLine.quote_id, Product.category, func.sum(QuoteLine.net_amount))
            .join(Product, Product.id == QuoteLine.product_id)
            .where(QuoteLine.quote_id.in_(set(chosen.values())), Product.category.in_(sorted(categories)))
            .group_by(QuoteLine.quote_id, Product.category)):
        total = Decimal(totals.get(quote_id) or 0)
        if total > 0 and net:
            by_quote.setdefault(quote_id, {})[category] = EXACT.divide(Decimal(net), total)
    return {opportunity_id: by_quote[quote_id] for opportunity_id, quote_id in chosen.items()
            if quote_id in by_quote}


def _parsed(row: CommissionPlan, owner_id: str) -> Plan:
    try:
        return parse_rules(row.rules)
    except InvalidArgument:  # pragma: no cover - plans are validated when set
        raise FailedPrecondition(t("the commission plan of {owner} is invalid", owner=repr(owner_id))) from None


def compute(session: Session, *, caller: Caller, owner_id: str, period: str) -> Commissions:
    check = Validator()
    owner_id = (owner_id or "").strip()
    if not owner_id and not caller.is_service:
        owner_id = caller.subject
    check.require(owner_id, "owner_id", max_length=64)
    parsed = targets.parse_period(period, "period", check)
    check.raise_if_any()
    targets.authorise(session, caller, "rep", owner_id, change=False)
    chain = PlanChain(session, owner_id, parsed.end)
    deals = session.execute(
        select(Opportunity.id, Opportunity.name, Opportunity.amount, Opportunity.currency, Opportunity.close_date)
        .where(Opportunity.owner_id == owner_id, Opportunity.stage == WON, Opportunity.close_date >= parsed.start,
               Opportunity.close_date <= parsed.end)
        .order_by(Opportunity.closed_at, Opportunity.id)
    ).all()
    summary = chain.at(parsed.end)
    if summary is None:  # a deal paid by some version means a version in force on the last day too
        raise FailedPrecondition(t("no commission plan applies to {owner}", owner=repr(owner_id)))
    paying: list[tuple[CommissionPlan, Plan]] = []
    plans: dict[tuple[str, str, date], Plan] = {}
    for deal in deals:
        row = chain.at(deal.close_date)
        if row is None:
            raise FailedPrecondition(t("no commission plan applies to {owner} on {day}", owner=repr(owner_id),
                                       day=deal.close_date.isoformat()))
        key = (row.scope, row.subject, row.effective_from)
        if key not in plans:
            plans[key] = _parsed(row, owner_id)
        paying.append((row, plans[key]))
    currency = settings.load(session).currency
    converter = rates.Converter(session, currency)
    categories = sorted({category for plan in plans.values() for category in plan.category_rates})
    shares = _category_shares(session, [deal.id for deal in deals], categories)
    lines: list[CommissionLine] = []
    cumulative = Decimal(0)  # the tiers count the whole period's amount, whichever version paid each deal
    for deal, (row, plan) in zip(deals, paying, strict=True):
        amount = Decimal(deal.amount or 0)
        converted = converter.convert(amount, deal.currency, deal.close_date)
        if converted is None:
            raise FailedPrecondition(t("no exchange rate from {base} to {quote} on or before {day}",
                                       base=deal.currency, quote=currency, day=deal.close_date.isoformat()))
        line = CommissionLine(deal.id, deal.name, deal.close_date, amount, deal.currency, round_cents(converted), row)
        remaining = line.converted
        rated: list[Part] = []
        for category, share in sorted(shares.get(deal.id, {}).items()):
            rate = plan.category_rates.get(category)
            basis = min(round_cents(EXACT.multiply(line.converted, share)), remaining)
            if rate is not None and basis > 0:
                rated.append(Part("category", category, basis, rate, EXACT.divide(EXACT.multiply(basis, rate),
                                                                                  HUNDRED)))
                remaining -= basis
        [tier_parts] = tiered([remaining], plan.tiers, start=cumulative)
        cumulative += remaining
        line.parts = tier_parts + rated
        lines.append(line)
    return Commissions(owner_id, parsed, currency, summary, lines)
