"""A tenant's sales settings: stage probabilities, the approval chain with its conditions, the business calendar.

Stored as JSON in `sales_settings` (absent = DEFAULTS); validated here, so a tenant cannot store settings the
service cannot use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.db import TENANT
from services.core.errors import Validator
from services.core.i18n import t
from services.sales.models import SalesSettings

OPEN_STAGES = ("02", "03", "04")
STAGES = ("02", "03", "04", "05")
DUTIES = ("manager", "finance", "legal")

DEFAULTS: dict[str, Any] = {
    # Win probability per stage in percent (weighted forecast).
    "probabilities": {"02": "10", "03": "30", "04": "60", "05": "100"},
    # Steps in order; a step with "when" is required only if one of its conditions holds.
    "approval_chain": [
        {"duty": "manager", "expected_working_days": 1},
        {"duty": "finance", "expected_working_days": 1},
        {"duty": "legal", "expected_working_days": 1},
    ],
    # Business calendar: Monday=0 .. Sunday=6; holidays are days off, extra_working_days make-up days (调休).
    "calendar": {
        "timezone": "Asia/Shanghai",
        "weekend": [5, 6],
        "holidays": [],
        "extra_working_days": [],
        "day_starts": "09:00",
    },
    # The tenant's currency: targets, commission plans and converted reports are in it.
    "currency": "CNY",
    # When a delivery commitment is at risk: after this fraction of the time from signature to due (0 < f < 1), or
    # this many working days before due (then the fraction is ignored).
    "commitments": {"at_risk_fraction": "0.8", "at_risk_working_days_before": 0},
}


@dataclass(frozen=True)
class ChainStep:
    duty: str
    expected_working_days: int
    discount_percent_over: Decimal | None = None
    total_over: Decimal | None = None

    def required(self, *, discount_percent: Decimal, total: Decimal) -> tuple[bool, str]:
        """(required, the condition that made it so in words, "" when always)."""
        if self.discount_percent_over is None and self.total_over is None:
            return True, ""
        if self.discount_percent_over is not None and discount_percent > self.discount_percent_over:
            return True, f"discount > {self.discount_percent_over}%"
        if self.total_over is not None and total > self.total_over:
            return True, f"total > {self.total_over}"
        return False, ""


@dataclass(frozen=True)
class Calendar:
    zone: ZoneInfo
    weekend: frozenset[int]
    holidays: frozenset[date]
    extra_working_days: frozenset[date]
    day_starts: time

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        return day.weekday() not in self.weekend and day not in self.holidays

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """`days` working days after `start`, at the same local time; a start on a day off counts from the next
        working day's opening ("legal review, expected 1 working day")."""
        local = start.astimezone(self.zone)
        if not self.is_working_day(local.date()):
            day = local.date() + timedelta(days=1)
            while not self.is_working_day(day):
                day += timedelta(days=1)
            local = datetime.combine(day, self.day_starts, tzinfo=self.zone)
        day, left = local.date(), days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=self.zone)

    def minus_working_days(self, end: datetime, days: int) -> datetime:
        """`days` working days before `end`, at the same local time (a commitment's "2 working days before due")."""
        local = end.astimezone(self.zone)
        day, left = local.date(), days
        while left > 0:
            day -= timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=self.zone)


@dataclass(frozen=True)
class CommitmentAlerts:
    at_risk_fraction: Decimal
    at_risk_working_days_before: int


@dataclass(frozen=True)
class Settings:
    raw: Mapping[str, Any]
    probabilities: Mapping[str, Decimal]
    chain: tuple[ChainStep, ...]
    calendar: Calendar
    currency: str = "CNY"
    commitments: CommitmentAlerts = CommitmentAlerts(Decimal("0.8"), 0)

    def probability(self, stage: str) -> Decimal:
        return self.probabilities.get(stage, Decimal(0))


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def parse(raw: Mapping[str, Any]) -> Settings:
    """Validate settings (missing keys take the defaults); InvalidArgument names every bad field."""
    check = Validator()
    if not isinstance(raw, Mapping):
        check.check(False, "settings", t("must be a JSON object"))
        check.raise_if_any()
    unknown = sorted(set(raw) - set(DEFAULTS))
    check.check(not unknown, "settings", t("unknown keys: {keys}", keys=", ".join(unknown)))
    merged = {**DEFAULTS, **raw}

    probabilities: dict[str, Decimal] = {}
    given = merged["probabilities"]
    if check.check(isinstance(given, Mapping) and set(given) <= set(STAGES), "probabilities",
                   t("must map stages 02..05 to percentages")):
        for stage in STAGES:
            value = _decimal(given.get(stage, DEFAULTS["probabilities"][stage]))
            if check.check(value is not None and 0 <= value <= 100, f"probabilities.{stage}",
                           t("must be a percentage between 0 and 100")):
                probabilities[stage] = value

    chain: list[ChainStep] = []
    steps = merged["approval_chain"]
    if check.check(isinstance(steps, list) and 0 < len(steps) <= 10, "approval_chain",
                   t("must be a list of 1 to 10 steps")):
        for position, step in enumerate(steps):
            field = f"approval_chain[{position}]"
            if not check.check(isinstance(step, Mapping), field, t("must be a JSON object")):
                continue
            duty = step.get("duty")
            check.check(isinstance(duty, str) and 0 < len(duty) <= 32, f"{field}.duty", t("is required"))
            days = step.get("expected_working_days", 1)
            check.check(isinstance(days, int) and not isinstance(days, bool) and 0 <= days <= 60,
                        f"{field}.expected_working_days", t("must be between {min} and {max}", min=0, max=60))
            when = step.get("when", {})
            discount = total = None
            if check.check(isinstance(when, Mapping) and set(when) <= {"discount_percent_over", "total_over"},
                           f"{field}.when", t("may hold discount_percent_over and total_over")):
                if "discount_percent_over" in when:
                    discount = _decimal(when["discount_percent_over"])
                    check.check(discount is not None, f"{field}.when.discount_percent_over", t("must be a number"))
                if "total_over" in when:
                    total = _decimal(when["total_over"])
                    check.check(total is not None, f"{field}.when.total_over", t("must be a number"))
            if not check.violations:
                chain.append(ChainStep(duty, days, discount, total))

    cal = merged["calendar"]
    calendar = None
    if check.check(isinstance(cal, Mapping), "calendar", t("must be a JSON object")):
        cal = {**DEFAULTS["calendar"], **cal}
        zone = None
        try:
            zone = ZoneInfo(cal["timezone"]) if isinstance(cal["timezone"], str) else None
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
        check.check(zone is not None, "calendar.timezone", t("is not a time zone"))
        weekend = cal["weekend"]
        check.check(isinstance(weekend, list) and all(isinstance(d, int) and 0 <= d <= 6 for d in weekend)
                    and len(set(weekend)) < 7, "calendar.weekend", t("must list weekdays 0..6, not all of them"))
        days: dict[str, list[date]] = {}
        for key in ("holidays", "extra_working_days"):
            values = cal[key] if isinstance(cal[key], list) else [None]
            parsed = [_day(value) for value in values]
            check.check(None not in parsed, f"calendar.{key}", t("must list ISO dates (YYYY-MM-DD)"))
            days[key] = [d for d in parsed if d is not None]
        starts = None
        try:
            starts = time.fromisoformat(cal["day_starts"]) if isinstance(cal["day_starts"], str) else None
        except ValueError:
            starts = None
        check.check(starts is not None, "calendar.day_starts", t("must be a time HH:MM"))
        if not check.violations:
            calendar = Calendar(zone, frozenset(weekend), frozenset(days["holidays"]),
                                frozenset(days["extra_working_days"]), starts)
    currency = merged["currency"]
    check.check(isinstance(currency, str) and len(currency) == 3 and currency.isascii() and currency.isupper()
                and currency.isalpha(), "currency", t("must be an ISO 4217 currency code"))
    alerts = None
    given = merged["commitments"]
    if check.check(isinstance(given, Mapping) and set(given) <= set(DEFAULTS["commitments"]), "commitments",
                   t("may hold at_risk_fraction and at_risk_working_days_before")):
        given = {**DEFAULTS["commitments"], **given}
        fraction = _decimal(given["at_risk_fraction"])
        days = given["at_risk_working_days_before"]
        check.check(fraction is not None and 0 < fraction < 1, "commitments.at_risk_fraction",
                    t("must be a number between 0 and 1 (exclusive)"))
        check.check(isinstance(days, int) and not isinstance(days, bool) and 0 <= days <= 60,
                    "commitments.at_risk_working_days_before", t("must be between {min} and {max}", min=0, max=60))
        if not check.violations:
            alerts = CommitmentAlerts(fraction, days)
    check.raise_if_any()
    return Settings(raw=merged, probabilities=probabilities, chain=tuple(chain), calendar=calendar,
                    currency=currency, commitments=alerts)


_CACHE = "crm_sales_settings"


def load(session: Session) -> Settings:
    """The tenant's settings (the session is tenant-scoped), once per transaction."""
    cached = session.info.get(_CACHE)
    if cached is None:
        row = session.get(SalesSettings, session.info[TENANT])
        cached = parse(row.settings if row is not None else {})
        session.info[_CACHE] = cached
    return cached


def update(session: Session, *, caller: Caller, raw: Mapping[str, Any]) -> Settings:
    caller.require_role("admin")
    parsed = parse(raw)
    tenant = session.info[TENANT]
    row = session.get(SalesSettings, tenant)
    if row is None:
        session.add(SalesSettings(tenant_id=tenant, settings=dict(raw), updated_by=caller.subject))
    else:
        row.settings, row.updated_by = dict(raw), caller.subject
    session.info[_CACHE] = parsed
    return parsed
