"""Sales targets and attainment (R-SALES-5).

A target is an amount in the tenant's currency (settings "currency") for a rep, a team, a region or a territory
over a month ("2026-05"), a quarter ("2026-Q2") or a year ("2026"). Attainment = won in the period / target: won
means stage 05 with the close date (the day it was won) in the period. The open pipeline is that of the forecast:
open opportunities expected to close in the period, amount and amount x the stage's probability. Both are SQL
aggregates by currency and stage (pipeline.stage_sums), converted into the tenant's currency at the rate of the
period's last day; a currency without a rate is reported apart (`unconverted_*`), never guessed.

Who: managers and admin set targets (a manager: their own team, its reps, and the territories they manage); a rep
reads their own attainment, a manager their team's, its reps' and their territories', admin and auditor all.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.errors import PermissionDenied, Validator
from services.core.i18n import t
from services.sales import access, pipeline, rates, settings, territories
from services.sales.models import Opportunity, SalesTarget
from services.sales.money import MAX_AMOUNT, parse_currency, parse_decimal, round_cents
from services.sales.opportunities import WON

SCOPES = ("rep", "team", "region", "territory")
TARGET_ROLES = ("manager", "admin")
_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?$")


@dataclass(frozen=True)
class Period:
    text: str
    start: date
    end: date


def parse_period(text: str, field: str, check: Validator) -> Period | None:
    """"2026" (year), "2026-Q2" (quarter) or "2026-05" (month)."""
    text = (text or "").strip().upper()
    match = _PERIOD.match(text)
    if not check.check(match is not None and 2000 <= int(match.group(1)) <= 2999, field,
                       t("must be a year (2026), a quarter (2026-Q2) or a month (2026-05)")):
        return None
    year, quarter, month = int(match.group(1)), match.group(2), match.group(3)
    if quarter:
        first = (int(quarter) - 1) * 3 + 1
        return Period(text, date(year, first, 1), date(year, first + 2, monthrange(year, first + 2)[1]))
    if month:
        return Period(text, date(year, int(month), 1), date(year, int(month), monthrange(year, int(month))[1]))
    return Period(text, date(year, 1, 1), date(year, 12, 31))


def _check_scope(scope: str, subject: str, check: Validator) -> None:
    check.check(scope in SCOPES, "scope", t("must be one of: {values}", values=", ".join(SCOPES)))
    check.require(subject, "subject", max_length=100)


def authorise(session: Session, caller: Caller, scope: str, subject: str, *, change: bool) -> None:
    """PermissionDenied unless the caller may set (change) or read the figures of scope/subject."""
    who = access.scope_of(session, caller)
    if who.change_all or (who.read_all and not change):
        return
    if caller.has_any_role(*access.MANAGER_ROLES):
        if scope == "team" and who.team and subject == who.team:
            return
        if scope == "rep" and subject == who.subject:
            if not change:  # a manager's own target is set above them
                return
        elif scope == "rep" and who.team:
            member = access.member(session, subject)
            if member is not None and member.team == who.team:
                return
        if scope == "territory" and any(rule.id == subject for rule in who.territories):
            return
    elif not change and scope == "rep" and subject == who.subject:
        return
    raise PermissionDenied(t("you may not see or set the figures of {scope} {subject}", scope=scope,
                             subject=repr(subject)))


def set_target(session: Session, *, caller: Caller, scope: str, subject: str, period: str, amount: str,
               currency: str = "") -> SalesTarget:
    """amount: a decimal string (crm.common.v1.Money.amount) in the tenant's currency."""
    caller.require_role(*TARGET_ROLES)
    check = Validator()
    scope, subject = (scope or "").strip(), (subject or "").strip()
    _check_scope(scope, subject, check)
    parsed = parse_period(period, "period", check)
    amount = parse_decimal(amount, "amount.amount", check, minimum=Decimal(0), maximum=MAX_AMOUNT)
    tenant_currency = settings.load(session).currency
    code = parse_currency(currency or tenant_currency, "amount.currency", check)
    check.check(code == tenant_currency, "amount.currency",
                t("targets are in the tenant's currency {currency}", currency=tenant_currency))
    check.raise_if_any()
    if scope == "territory":
        territories.get(session, subject)
    authorise(session, caller, scope, subject, change=True)
    row = session.scalar(select(SalesTarget).where(SalesTarget.scope == scope, SalesTarget.subject == subject,
                                                   SalesTarget.period == parsed.text))
    if row is None:
        row = SalesTarget(scope=scope, subject=subject, period=parsed.text, start_date=parsed.start,
                          end_date=parsed.end, amount=amount, currency=code, set_by=caller.subject)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:  # set at the same time by someone else: theirs is replaced
            row = session.scalar(select(SalesTarget).where(
                SalesTarget.scope == scope, SalesTarget.subject == subject, SalesTarget.period == parsed.text))
    row.amount, row.currency, row.set_by = amount, code, caller.subject
    session.flush()
    return row


@dataclass
class Attainment:
    scope: str
    subject: str
    period: Period
    currency: str
    target: SalesTarget | None
    won: Decimal = Decimal(0)
    won_count: int = 0
    open_pipeline: Decimal = Decimal(0)
    weighted_pipeline: Decimal = Decimal(0)
    open_count: int = 0
    unconverted_won: dict[str, Decimal] = field(default_factory=dict)
    unconverted_open: dict[str, Decimal] = field(default_factory=dict)

    @property
    def percent(self) -> Decimal | None:
        if self.target is None or not self.target.amount:
            return None
        return (self.won * 100 / Decimal(self.target.amount)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def subject_filter(session: Session, scope: str, subject: str):  # noqa: ANN201 - a SQL condition
    if scope == "rep":
        return Opportunity.owner_id == subject
    if scope == "team":
        return Opportunity.team == subject
    if scope == "region":
        return Opportunity.region == subject
    return access.TerritoryRule.of(territories.get(session, subject)).predicate()


def attainment(session: Session, *, caller: Caller, scope: str, subject: str, period: str) -> Attainment:
    check = Validator()
    scope, subject = (scope or "").strip() or "rep", (subject or "").strip()
    if scope == "rep" and not subject and not caller.is_service:
        subject = caller.subject
    _check_scope(scope, subject, check)
    parsed = parse_period(period, "period", check)
    check.raise_if_any()
    authorise(session, caller, scope, subject, change=False)
    tenant = settings.load(session)
    result = Attainment(scope, subject, parsed, tenant.currency, session.scalar(select(SalesTarget).where(
        SalesTarget.scope == scope, SalesTarget.subject == subject, SalesTarget.period == parsed.text)))
    converter = rates.Converter(session, tenant.currency)
    for currency, stage, count, amount in pipeline.stage_sums(session, start=parsed.start, end=parsed.end,
                                                             filters=[subject_filter(session, scope, subject)]):
        amount = Decimal(amount or 0)
        converted = converter.convert(amount, currency, parsed.end)
        if stage == WON:
            result.won_count += int(count)
            if converted is None:
                result.unconverted_won[currency] = result.unconverted_won.get(currency, Decimal(0)) + amount
            else:
                result.won += converted
        else:
            result.open_count += int(count)
            if converted is None:
                result.unconverted_open[currency] = result.unconverted_open.get(currency, Decimal(0)) + amount
            else:
                result.open_pipeline += converted
                result.weighted_pipeline += converted * tenant.probability(stage) / 100
    result.won, result.open_pipeline = round_cents(result.won), round_cents(result.open_pipeline)
    result.weighted_pipeline = round_cents(result.weighted_pipeline)
    result.unconverted_won = {code: round_cents(value) for code, value in sorted(result.unconverted_won.items())}
    result.unconverted_open = {code: round_cents(value) for code, value in sorted(result.unconverted_open.items())}
    return result
