"""The funnel (R-AN-4) and the weighted forecast (R-SALES-5) over a period of UTC days.

Funnel: per stage 02..05, the opportunities that reached it for the first time in the period (a skipped stage
counts as passed), conversion from the previous and the first stage, average days spent in it by the changes that
left it in the period, and the loss reasons. A team's (or the tenant's) funnel sums `funnel_day` (days x teams x
stages rows, whatever the size of the history); one rep's funnel reads that rep's stage changes through the
covering index (tenant, owner, at).

Forecast: open and won opportunities whose expected (or actual) close date falls in the period, amount x the
stage's probability, per rep, team, region or territory and currency; optionally converted into the tenant's
currency at the rate of the period's last day (services/sales/rates.py). Sums are exact until the end, then rounded
half-up to cents per group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.errors import PermissionDenied, Validator
from services.core.i18n import t
from services.sales import access, rates, settings
from services.sales.models import Account, FunnelDay, Opportunity, StageChange, Territory
from services.sales.money import round_cents
from services.sales.opportunities import LOST, STAGES

MAX_PERIOD_DAYS = 3660
SECONDS_PER_DAY = Decimal(86400)
GROUPS = {"owner": Opportunity.owner_id, "team": Opportunity.team, "region": Opportunity.region}
TERRITORY = "territory"
GROUP_NAMES = (*GROUPS, TERRITORY)


@dataclass
class FunnelStage:
    stage: str
    reached: int = 0
    exits: int = 0
    dwell_seconds: int = 0
    conversion_from_previous: Decimal | None = None
    conversion_from_first: Decimal | None = None

    @property
    def average_dwell_days(self) -> Decimal | None:
        if not self.exits:
            return None
        return (Decimal(self.dwell_seconds) / self.exits / SECONDS_PER_DAY).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class Funnel:
    stages: list[FunnelStage]
    loss_reasons: list[tuple[str, int]] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return sum(count for _, count in self.loss_reasons)


def _period(start: date | None, end: date | None, check: Validator) -> None:
    check.check(start is not None, "start_date", t("is required"))
    check.check(end is not None, "end_date", t("is required"))
    if start is not None and end is not None:
        check.check(start <= end, "end_date", t("must not be before start_date"))
        check.check((end - start).days <= MAX_PERIOD_DAYS, "end_date",
                    t("the period may span at most {days} days", days=MAX_PERIOD_DAYS))


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _authorise(session: Session, caller: Caller, team: str, owner_id: str) -> tuple[str, str]:
    """(team, owner) the caller may see: a rep only themselves, a manager their team or one of its members."""
    scope = access.scope_of(session, caller)
    if scope.read_all or scope.change_all:
        return team, owner_id
    if scope.team:
        if owner_id:
            member = access.member(session, owner_id)
            if owner_id != scope.subject and (member is None or member.team != scope.team):
                raise PermissionDenied(t("you may see the funnel of your own team only"))
            return "", owner_id
        if team and team != scope.team:
            raise PermissionDenied(t("you may see the funnel of your own team only"))
        return scope.team, ""
    if owner_id and owner_id != scope.subject or team:
        raise PermissionDenied(t("a sales rep sees their own funnel only"))
    return "", scope.subject


def funnel(session: Session, *, caller: Caller, start: date | None, end: date | None, team: str = "",
           owner_id: str = "") -> Funnel:
    check = Validator()
    _period(start, end, check)
    check.check(not (team and owner_id), "owner_id", t("give a team or a rep, not both"))
    check.at_most(team, "team", 100)
    check.at_most(owner_id, "owner_id", 64)
    check.raise_if_any()
    team, owner_id = _authorise(session, caller, team.strip(), owner_id.strip())
    stages = {stage: FunnelStage(stage) for stage in STAGES}
    losses: dict[str, int] = defaultdict(int)
    if owner_id:
        _from_changes(session, owner_id, start, end, stages, losses)
    else:
        statement = (
            select(FunnelDay.stage, FunnelDay.reason, func.sum(FunnelDay.reached), func.sum(FunnelDay.exits),
                   func.sum(FunnelDay.dwell_seconds))
            .where(FunnelDay.day >= start, FunnelDay.day <= end)
            .group_by(FunnelDay.stage, FunnelDay.reason)
        )
        if team:
            statement = statement.where(FunnelDay.team == team)
        for stage, reason, reached, exits, dwell in session.execute(statement):
            if stage == LOST:
                losses[reason] += int(reached or 0)
            elif stage in stages:
                entry = stages[stage]
                entry.reached += int(reached or 0)
                entry.exits += int(exits or 0)
                entry.dwell_seconds += int(dwell or 0)
    ordered = [stages[stage] for stage in STAGES]
    for previous, entry in zip(ordered, ordered[1:], strict=False):
        entry.conversion_from_previous = _percent(entry.reached, previous.reached)
        entry.conversion_from_first = _percent(entry.reached, ordered[0].reached)
    reasons = sorted(((reason, count) for reason, count in losses.items() if count), key=lambda rc: (-rc[1], rc[0]))
    return Funnel(ordered, reasons)


def _from_changes(session: Session, owner_id: str, start: date, end: date, stages: dict[str, FunnelStage],
                  losses: dict[str, int]) -> None:
    """One rep's funnel from their stage changes: one aggregate over the covering index."""
    since = datetime.combine(start, time(), tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC)
    columns = [
        func.coalesce(func.sum(case(((StageChange.reached_low <= int(stage)) & (StageChange.reached_high
                                                                                  >= int(stage)), 1), else_=0)), 0)
        for stage in STAGES
    ]
    rows = session.execute(
        select(StageChange.from_stage, StageChange.to_stage, StageChange.reason, func.count(),
               func.sum(StageChange.dwell_seconds), *columns)
        .where(StageChange.owner_id == owner_id, StageChange.at >= since, StageChange.at < until)
        .group_by(StageChange.from_stage, StageChange.to_stage, StageChange.reason)
    )
    for from_stage, to_stage, reason, count, dwell, *reached in rows:
        for stage, number in zip(STAGES, reached, strict=True):
            stages[stage].reached += int(number or 0)
        if from_stage in stages:
            stages[from_stage].exits += int(count)
            stages[from_stage].dwell_seconds += int(dwell or 0)
        if to_stage == LOST:
            losses[reason] += int(count)


@dataclass
class ForecastGroup:
    key: str
    currency: str
    opportunities: int = 0
    pipeline: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    won: Decimal = Decimal(0)


def stage_sums(session: Session, *, start: date, end: date, filters: Sequence[ColumnElement[bool]] = (),
               keys: Sequence[ColumnElement] = (), join_account: bool = False):  # noqa: ANN201 - rows
    """(*keys, currency, stage, count, sum of amounts) of the open and won opportunities whose close date is in
    the period: one aggregate (the forecast's covering index on PostgreSQL)."""
    statement = (
        select(*keys, Opportunity.currency, Opportunity.stage, func.count(), func.sum(Opportunity.amount))
        .where(Opportunity.stage != LOST, Opportunity.close_date >= start, Opportunity.close_date <= end, *filters)
        .group_by(*keys, Opportunity.currency, Opportunity.stage)
    )
    if join_account:
        statement = statement.join(Account, Account.id == Opportunity.account_id)
    return session.execute(statement)


def forecast(session: Session, *, caller: Caller, start: date | None, end: date | None, group_by: str = "owner",
             team: str = "", in_tenant_currency: bool = False) -> list[ForecastGroup]:
    check = Validator()
    _period(start, end, check)
    group_by = group_by or "owner"
    check.check(group_by in GROUP_NAMES, "group_by", t("must be one of: {values}", values=", ".join(GROUP_NAMES)))
    check.at_most(team, "team", 100)
    check.raise_if_any()
    scope = access.scope_of(session, caller)
    filters = []
    if team:
        if not (scope.read_all or scope.change_all) and team != scope.team:
            raise PermissionDenied(t("you may see the forecast of your own team only"))
        filters.append(Opportunity.team == team)
    if not (scope.read_all or scope.change_all):
        filters.append(access.visible_opportunities(session, caller))
    probabilities = settings.load(session)
    groups: dict[tuple[str, str], ForecastGroup] = {}

    def add(key: str, currency: str, stage: str, count: int, amount: Decimal) -> None:
        entry = groups.setdefault((key, currency), ForecastGroup(key, currency))
        entry.opportunities += count
        entry.pipeline += amount
        entry.weighted += amount * probabilities.probability(stage) / 100
        if stage == "05":
            entry.won += amount

    if group_by == TERRITORY:
        # Aggregated by (region, industry) first, then each group goes to the territories holding it: the
        # territory mapping reads regions x industries x stages rows, not opportunities.
        rules = [access.TerritoryRule.of(row) for row in session.scalars(select(Territory))]
        for region, industry, currency, stage, count, amount in stage_sums(
                session, start=start, end=end, filters=filters, keys=(Opportunity.region, Account.industry),
                join_account=True):
            holders = [rule.id for rule in rules if rule.holds(region or "", industry or "")] or [""]
            for key in holders:
                add(key, currency, stage, int(count), Decimal(amount or 0))
    else:
        for key, currency, stage, count, amount in stage_sums(session, start=start, end=end, filters=filters,
                                                             keys=(GROUPS[group_by],)):
            add(key or "", currency, stage, int(count), Decimal(amount or 0))
    if in_tenant_currency:
        groups = _converted(session, groups, probabilities.currency, end)
    for entry in groups.values():
        entry.pipeline, entry.weighted, entry.won = (round_cents(entry.pipeline), round_cents(entry.weighted),
                                                     round_cents(entry.won))
    return sorted(groups.values(), key=lambda g: (-g.weighted, g.key, g.currency))


def _converted(session: Session, groups: dict[tuple[str, str], ForecastGroup], currency: str,
               on: date) -> dict[tuple[str, str], ForecastGroup]:
    """Groups merged into `currency` per key at the rate of day `on`; a currency without a rate stays apart."""
    converter = rates.Converter(session, currency)
    merged: dict[tuple[str, str], ForecastGroup] = {}
    for (key, code), entry in sorted(groups.items()):
        rate = converter.rate(code, on)
        if rate is None:
            merged[(key, code)] = entry
            continue
        target = merged.setdefault((key, currency), ForecastGroup(key, currency))
        target.opportunities += entry.opportunities
        target.pipeline += rates.EXACT.multiply(entry.pipeline, rate)
        target.weighted += rates.EXACT.multiply(entry.weighted, rate)
        target.won += rates.EXACT.multiply(entry.won, rate)
    return merged
