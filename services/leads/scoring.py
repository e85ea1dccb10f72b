"""Lead scoring (R-LEAD-5..7): behaviour capture, the default model, plugins, and what a score sets off.

The default model ("builtin") adds up six factors, each its tenant weight (points) times a fit in 0..1:

- frequency: recent interactions, exponentially decayed with a half-life of HALF_LIFE, saturating:
  fit = 1 - exp(-interactions / frequency_scale);
- depth: the deepest kind of behaviour reached, fit = behaviour_depth[kind] / 100 (a demo weighs more than a page
  view; repeats of a shallow kind do not make it deeper), fading with a half-life of DEPTH_HALF_LIFE since the
  last interaction (a contract template viewed a year ago no longer makes a lead hot);
- industry, region: 1 when the lead's value is one of the tenant's targets (or the tenant set none), else 0;
- size, budget: 1 inside the tenant's range (or when it set none), value/min below it, max/value above it,
  0 when the lead's value is unknown.

score = the sum, 0..100; the explanation lists the factors that added points, largest first. `default_score`
scores one lead (the request path); `score_frame` is the same model over a polars frame of many leads (bulk
rescoring, backtests); a unit test holds them equal.

A tenant may choose another model through the `crm_score_lead` plugin hook (see README: "Scoring models"). The
kernel's PluginHost falls back to the implementation registered as "builtin", and the kernel's built-ins hold no
domain logic (services/core/builtin_plugins.py has no scoring hook). So this module is the built-in of that hook:
it runs the default model itself when the tenant's choice is "builtin", and when the chosen plugin fails, times
out, is not installed or returns something that is not a score (the host counts the first three in
crm_plugin_errors_total; this module counts the last one there too, reason "invalid").
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from prometheus_client import Counter
from sqlalchemy import and_, bindparam, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from crm.events.v1.envelope_pb2 import Envelope
from crm.events.v1.leads_pb2 import LeadBehaviourObserved, LeadFirstContactOverdue, LeadNurture, LeadQualified
from services.core.auth import Caller, current_caller
from services.core.db import utcnow
from services.core.errors import FailedPrecondition, InvalidArgument, NotFound, Validator
from services.core.events import MalformedEvent, emit
from services.core.hookspecs import LeadScore, ScoreFactor
from services.core.i18n import Text, t
from services.core.ids import new_id
from services.core.kernel_models import PluginChoice
from services.core.metrics import PLUGIN_ERRORS
from services.core.plugins import BUILTIN, Choice, NoImplementation, PluginHost, choice_for, choose
from services.core.timers import FiredTimer, schedule
from services.leads import leads
from services.leads.contacts import email_key, phone_key
from services.leads.models import (
    BEHAVIOUR_KINDS,
    COLD,
    HOT,
    OPEN,
    QUALIFIED,
    WARM,
    BehaviourEvent,
    Lead,
    LeadActivity,
    ScoreRecord,
    ScoringSettingsRow,
)

log = logging.getLogger("crm.leads.scoring")

SCORE_HOOK = "crm_score_lead"
HALF_LIFE = timedelta(days=7)
HALF_LIFE_SECONDS = HALF_LIFE.total_seconds()
DEPTH_HALF_LIFE_SECONDS = timedelta(days=30).total_seconds()
FIRST_CONTACT = "first_contact"  # timer kind
PRODUCER = "leads"
# A plugin gets the lead's newest behaviour events, at most this many (and every count in lead["behaviour_counts"]).
PLUGIN_BEHAVIOUR_LIMIT = 200
MAX_FUTURE = timedelta(days=1)
WORKED_ON = (OPEN, QUALIFIED)

FACTORS = ("frequency", "depth", "industry", "region", "size", "budget")
DEFAULT_WEIGHTS = {"frequency": 25.0, "depth": 35.0, "industry": 15.0, "region": 5.0, "size": 10.0, "budget": 10.0}
DEFAULT_DEPTH = {"page_view": 10.0, "email_open": 20.0, "call_answered": 50.0, "demo_attended": 75.0,
                 "contract_template_viewed": 100.0}

BEHAVIOUR_RECORDED = Counter("crm_leads_behaviour", "Behaviour events recorded (first delivery only).", ["kind"])
LEADS_SCORED = Counter("crm_leads_scored", "Lead scorings, by the model that answered.", ["model"])
LEADS_QUALIFIED = Counter("crm_leads_qualified", "Leads whose score reached the tenant's threshold.")


# --- settings ----------------------------------------------------------------------------------------------------


@functools.cache
def _divisions_by_section() -> dict[str, frozenset[str]]:
    """GB/T 4754-2017 section letter -> its two-digit division codes (the reference data of the import area)."""
    sections: dict[str, set[str]] = {}
    with (Path(__file__).parent / "reference" / "gbt4754_2017.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["code"].isdigit():
                sections.setdefault(row["section"], set()).add(row["code"])
    return {section: frozenset(codes) for section, codes in sections.items()}


def _all_divisions() -> frozenset[str]:
    return frozenset().union(*_divisions_by_section().values())


@dataclass(frozen=True)
class ScoringSettings:
    """A tenant's settings; the JSON form (to_json/from_json) is what scoring_settings stores."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    behaviour_depth: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_DEPTH))
    frequency_scale: float = 3.0
    target_industries: tuple[str, ...] = ()
    target_regions: tuple[str, ...] = ()
    employees_min: int = 0  # 0: unbounded
    employees_max: int = 0
    budget_min: Decimal | None = None  # None: unbounded
    budget_max: Decimal | None = None
    qualify_threshold: float = 80.0
    hot_from: float = 75.0
    warm_from: float = 50.0
    first_contact_hours: int = 24
    nurture_interval_days: int = 7

    def to_json(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values["weights"], values["behaviour_depth"] = dict(self.weights), dict(self.behaviour_depth)
        values["target_industries"], values["target_regions"] = list(self.target_industries), list(self.target_regions)
        for name in ("budget_min", "budget_max"):
            values[name] = None if values[name] is None else str(values[name])
        return values

    @classmethod
    def from_json(cls, values: Mapping[str, Any]) -> ScoringSettings:
        """Stored settings (validated when written); keys that are missing take the defaults."""
        known = {f.name for f in dataclasses.fields(cls)}
        given = {name: value for name, value in values.items() if name in known}
        if "weights" in given:
            given["weights"] = {**DEFAULT_WEIGHTS, **given["weights"]}
        if "behaviour_depth" in given:
            given["behaviour_depth"] = {**DEFAULT_DEPTH, **given["behaviour_depth"]}
        for name in ("target_industries", "target_regions"):
            if name in given:
                given[name] = tuple(given[name])
        for name in ("budget_min", "budget_max"):
            if given.get(name) is not None:
                given[name] = Decimal(str(given[name]))
        return cls(**given)

    # Derived once per settings object (the dataclass is frozen; cached_property writes the instance dict).
    @functools.cached_property
    def industry_codes(self) -> frozenset[str]:
        """Target division codes, sections expanded to their divisions."""
        sections = _divisions_by_section()
        codes: set[str] = set()
        for target in self.target_industries:
            codes |= sections.get(target, {target})
        return frozenset(codes)

    @functools.cached_property
    def region_keys(self) -> frozenset[str]:
        return frozenset(_region_key(region) for region in self.target_regions)

    @functools.cached_property
    def budget_bounds(self) -> tuple[float, float]:
        return (float(self.budget_min or 0), float(self.budget_max or 0))

    def temperature(self, score: float) -> str:
        return HOT if score >= self.hot_from else WARM if score >= self.warm_from else COLD


def _region_key(region: str) -> str:
    return region.strip().lower()


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _amount(value: Any, field_name: str, check: Validator) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal("1e16"):
        check.check(False, field_name, t("must be an amount of at least 0"))
        return None
    return amount


def validate_settings(values: Mapping[str, Any]) -> ScoringSettings:
    """Every field checked, all violations at once (InvalidArgument); the ScoringSettings they describe."""
    check = Validator()
    merged = {**ScoringSettings().to_json(), **values}

    weights_in = merged.get("weights")
    weights: dict[str, float] = {}
    if not isinstance(weights_in, Mapping):
        check.check(False, "weights", t("must be an object of factor weights"))
    else:
        unknown = sorted(set(weights_in) - set(FACTORS))
        check.check(not unknown, "weights", t("unknown factors: {names}", names=", ".join(map(str, unknown))))
        for name in FACTORS:
            number = _number(weights_in.get(name, DEFAULT_WEIGHTS[name]))
            if check.check(number is not None and 0 <= number <= 100, f"weights.{name}",
                           t("must be a number from 0 to 100")):
                weights[name] = number
        if len(weights) == len(FACTORS) and not unknown:
            check.check(abs(sum(weights.values()) - 100) < 1e-6, "weights",
                        t("must add up to 100, not {total}", total=round(sum(weights.values()), 4)))

    depth_in = merged.get("behaviour_depth")
    depth: dict[str, float] = {}
    if not isinstance(depth_in, Mapping):
        check.check(False, "behaviour_depth", t("must be an object of behaviour kinds"))
    else:
        unknown = sorted(set(depth_in) - set(BEHAVIOUR_KINDS))
        check.check(not unknown, "behaviour_depth",
                    t("unknown behaviour kinds: {names}", names=", ".join(map(str, unknown))))
        for kind in BEHAVIOUR_KINDS:
            number = _number(depth_in.get(kind, DEFAULT_DEPTH[kind]))
            if check.check(number is not None and 0 <= number <= 100, f"behaviour_depth.{kind}",
                           t("must be a number from 0 to 100")):
                depth[kind] = number

    scale = _number(merged.get("frequency_scale"))
    check.check(scale is not None and 0 < scale <= 1000, "frequency_scale", t("must be more than 0 and at most 1000"))

    industries = merged.get("target_industries") or []
    divisions, sections = _all_divisions(), _divisions_by_section()
    if check.check(isinstance(industries, list | tuple) and len(industries) <= 200, "target_industries",
                   t("must be a list of at most {max} entries", max=200)):
        industries = [str(code).strip().upper() for code in industries]
        bad = [code for code in industries if code not in divisions and code not in sections]
        check.check(not bad, "target_industries",
                    t("not GB/T 4754 division codes or section letters: {codes}", codes=", ".join(bad[:10])))
    regions = merged.get("target_regions") or []
    if check.check(isinstance(regions, list | tuple) and len(regions) <= 500, "target_regions",
                   t("must be a list of at most {max} entries", max=500)):
        regions = [str(region).strip() for region in regions]
        check.check(all(0 < len(region) <= 100 for region in regions), "target_regions",
                    t("each region must have 1 to 100 characters"))

    bounds: dict[str, int] = {}
    for name in ("employees_min", "employees_max"):
        number = _number(merged.get(name))
        if check.check(number is not None and number == int(number) and 0 <= number <= 10_000_000, name,
                       t("must be a whole number from 0 to 10000000")):
            bounds[name] = int(number)
    if len(bounds) == 2 and bounds["employees_max"]:
        check.check(bounds["employees_max"] >= bounds["employees_min"], "employees_max",
                    t("must not be less than the minimum"))
    budget_min = _amount(merged.get("budget_min"), "budget_min", check)
    budget_max = _amount(merged.get("budget_max"), "budget_max", check)
    if budget_min is not None and budget_max is not None:
        check.check(budget_max >= budget_min, "budget_max", t("must not be less than the minimum"))

    threshold = _number(merged.get("qualify_threshold"))
    check.check(threshold is not None and 0 < threshold <= 100, "qualify_threshold",
                t("must be more than 0 and at most 100"))
    hot, warm = _number(merged.get("hot_from")), _number(merged.get("warm_from"))
    if check.check(hot is not None and 0 < hot <= 100, "hot_from", t("must be more than 0 and at most 100")) and \
            check.check(warm is not None and 0 <= warm <= 100, "warm_from", t("must be a number from 0 to 100")):
        check.check(warm < hot, "warm_from", t("must be less than hot_from"))
    hours = _number(merged.get("first_contact_hours"))
    check.check(hours is not None and hours == int(hours) and 1 <= hours <= 720, "first_contact_hours",
                t("must be a whole number from 1 to 720"))
    days = _number(merged.get("nurture_interval_days"))
    check.check(days is not None and days == int(days) and 1 <= days <= 365, "nurture_interval_days",
                t("must be a whole number from 1 to 365"))
    check.raise_if_any()
    return ScoringSettings(
        weights=weights, behaviour_depth=depth, frequency_scale=scale, target_industries=tuple(industries),
        target_regions=tuple(regions), employees_min=bounds["employees_min"], employees_max=bounds["employees_max"],
        budget_min=budget_min, budget_max=budget_max, qualify_threshold=threshold, hot_from=hot, warm_from=warm,
        first_contact_hours=int(hours), nurture_interval_days=int(days),
    )


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> ScoringSettings:
    return ScoringSettings.from_json(json.loads(text))


def get_settings(session: Session) -> ScoringSettings:
    """The tenant's settings (the session's tenant), or the defaults."""
    row = session.get(ScoringSettingsRow, session.info["crm_tenant"])
    if row is None or not row.settings:
        return _parsed("{}")
    return _parsed(json.dumps(row.settings, sort_keys=True))


SETTINGS_READERS = ("admin", "manager", "marketing", "auditor")
SETTINGS_WRITERS = ("admin", "manager")


def read_settings(session: Session, *, caller: Caller) -> ScoringSettings:
    caller.require_role(*SETTINGS_READERS)
    return get_settings(session)


def update_settings(
    session: Session, *, caller: Caller, values: Mapping[str, Any], fields: Sequence[str] = ()
) -> ScoringSettings:
    """Validate and store; `fields` names the top-level settings to change (empty: all of `values`)."""
    caller.require_role(*SETTINGS_WRITERS)
    known = {f.name for f in dataclasses.fields(ScoringSettings)}
    check = Validator()
    unknown = sorted(set(fields) - known)
    check.check(not unknown, "update_mask", t("unknown settings: {names}", names=", ".join(unknown)))
    check.raise_if_any()
    current = get_settings(session).to_json()
    changes = {name: values[name] for name in (fields or values) if name in values}
    settings = validate_settings({**current, **changes})
    tenant = session.info["crm_tenant"]
    row = session.get(ScoringSettingsRow, tenant)
    if row is None:
        session.add(ScoringSettingsRow(tenant_id=tenant, settings=settings.to_json(), updated_by=caller.subject))
    else:
        row.settings, row.updated_by = settings.to_json(), caller.subject
    session.flush()
    return settings


# --- the default model --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadFeatures:
    """What the default model looks at."""

    industry: str = ""
    region: str = ""
    employees: int = 0
    budget: float | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    interactions: float = 0.0  # decayed to interactions_at
    interactions_at: datetime | None = None
    last_event_at: datetime | None = None

    @classmethod
    def of(cls, lead: Lead, activity: LeadActivity | None) -> LeadFeatures:
        return cls(
            industry=lead.industry,
            region=lead.region,
            employees=lead.employees or 0,
            budget=None if lead.budget is None else float(lead.budget),
            counts={kind: getattr(activity, kind) or 0 for kind in BEHAVIOUR_KINDS} if activity else {},
            interactions=activity.interactions if activity else 0.0,
            interactions_at=activity.interactions_at if activity else None,
            last_event_at=activity.last_event_at if activity else None,
        )


def decayed(value: float, since: datetime | None, now: datetime) -> float:
    """`value` decayed from `since` to `now` (no growth when `now` is earlier)."""
    if since is None or not value:
        return 0.0
    return value * 2.0 ** (-max((now - since).total_seconds(), 0.0) / HALF_LIFE_SECONDS)


def add_interaction(value: float, since: datetime | None, at: datetime) -> tuple[float, datetime]:
    """One more interaction at `at`: the new (value, reference time). Order-independent for late events."""
    if since is None:
        return 1.0, at
    if at >= since:
        return decayed(value, since, at) + 1.0, at
    return value + 2.0 ** (-(since - at).total_seconds() / HALF_LIFE_SECONDS), since


DEPTH_TEXT = {
    "page_view": "deepest behaviour: viewed a page",
    "email_open": "deepest behaviour: opened an e-mail",
    "call_answered": "deepest behaviour: answered a call",
    "demo_attended": "deepest behaviour: attended a demo",
    "contract_template_viewed": "deepest behaviour: viewed the contract template",
}
# Every message a default-model factor may carry (msgid -> the text, so the i18n scan sees each literal).
FACTOR_TEXTS = {
    "recent": t("{count} recent interactions", count=0).msgid,
    "depth_page_view": t("deepest behaviour: viewed a page").msgid,
    "depth_email_open": t("deepest behaviour: opened an e-mail").msgid,
    "depth_call_answered": t("deepest behaviour: answered a call").msgid,
    "depth_demo_attended": t("deepest behaviour: attended a demo").msgid,
    "depth_contract_template_viewed": t("deepest behaviour: viewed the contract template").msgid,
    "industry_any": t("no target industries set: every industry fits").msgid,
    "industry_hit": t("industry {code} is a target industry", code="").msgid,
    "region_any": t("no target regions set: every region fits").msgid,
    "region_hit": t("region {region} is a target region", region="").msgid,
    "size_any": t("no head-count range set: every size fits").msgid,
    "size_in": t("{employees} employees, in the target range", employees=0).msgid,
    "size_out": t("{employees} employees, outside the target range", employees=0).msgid,
    "budget_any": t("no budget range set: every budget fits").msgid,
    "budget_in": t("budget {budget}, in the target range", budget="").msgid,
    "budget_out": t("budget {budget}, outside the target range", budget="").msgid,
}
assert set(DEPTH_TEXT.values()) <= set(FACTOR_TEXTS.values())
TEXT_CODES = {msgid: code for code, msgid in FACTOR_TEXTS.items()}


def _range_fit(value: float, low: float, high: float) -> float:
    """1 inside [low, high] (0 = unbounded), value/low below, high/value above; 0 for an unknown value."""
    if not low and not high:
        return 1.0
    if value <= 0:
        return 0.0
    if low and value < low:
        return value / low
    if high and value > high:
        return high / value
    return 1.0


def _rounded(value: float, digits: int) -> float:
    """Half-up rounding written so that polars (score_frame) computes bit-identical results."""
    scale = 10.0 ** digits
    return math.floor(value * scale + 0.5) / scale


def _format_amount(value: float) -> str:
    text = str(_rounded(value, 2))
    return text[:-2] if text.endswith(".0") else text


def _format_count(value: float) -> str:
    return str(_rounded(value, 1))


def default_score(features: LeadFeatures, settings: ScoringSettings, now: datetime) -> LeadScore:
    """The default model for one lead; factors that add points, largest first, with translatable details."""
    weights = settings.weights
    factors: list[ScoreFactor] = []

    recent = decayed(features.interactions, features.interactions_at, now)
    fit = 1.0 - math.exp(-recent / settings.frequency_scale)
    factors.append(ScoreFactor("frequency", weights["frequency"] * fit,
                               t("{count} recent interactions", count=_format_count(recent))))

    deepest, depth = "", 0.0
    for kind in BEHAVIOUR_KINDS:
        if features.counts.get(kind, 0) > 0 and settings.behaviour_depth[kind] >= depth:
            deepest, depth = kind, settings.behaviour_depth[kind]
    if features.last_event_at is not None:
        age = max((now - features.last_event_at).total_seconds(), 0.0)
        depth *= 2.0 ** (-age / DEPTH_HALF_LIFE_SECONDS)
    factors.append(ScoreFactor("depth", depth * (weights["depth"] / 100.0),
                               Text(DEPTH_TEXT[deepest]) if deepest else ""))

    if not settings.target_industries:
        factors.append(ScoreFactor("industry", weights["industry"], t("no target industries set: every industry fits")))
    elif features.industry in settings.industry_codes:
        factors.append(ScoreFactor("industry", weights["industry"],
                                   t("industry {code} is a target industry", code=features.industry)))

    if not settings.target_regions:
        factors.append(ScoreFactor("region", weights["region"], t("no target regions set: every region fits")))
    elif _region_key(features.region) in settings.region_keys:
        factors.append(ScoreFactor("region", weights["region"],
                                   t("region {region} is a target region", region=features.region)))

    if not settings.employees_min and not settings.employees_max:
        factors.append(ScoreFactor("size", weights["size"], t("no head-count range set: every size fits")))
    else:
        fit = _range_fit(float(features.employees), settings.employees_min, settings.employees_max)
        text = (t("{employees} employees, in the target range", employees=features.employees) if fit == 1.0 else
                t("{employees} employees, outside the target range", employees=features.employees))
        factors.append(ScoreFactor("size", weights["size"] * fit, text))

    low, high = settings.budget_bounds
    if not low and not high:
        factors.append(ScoreFactor("budget", weights["budget"], t("no budget range set: every budget fits")))
    else:
        budget = features.budget or 0.0
        fit = _range_fit(budget, low, high)
        amount = _format_amount(budget)
        text = (t("budget {budget}, in the target range", budget=amount) if fit == 1.0 else
                t("budget {budget}, outside the target range", budget=amount))
        factors.append(ScoreFactor("budget", weights["budget"] * fit, text))

    total = sum(factor.contribution for factor in factors)
    # Largest first by the points shown (rounded), ties in FACTORS order: as factors_from_json orders them.
    kept = [dataclasses.replace(f, contribution=_rounded(f.contribution, 2)) for f in factors if f.contribution > 0]
    return LeadScore(score=_rounded(min(max(total, 0.0), 100.0), 2),
                     factors=tuple(sorted(kept, key=lambda f: -f.contribution)))


def score_frame(frame, settings: ScoringSettings, now: datetime):  # noqa: ANN001, ANN201 - polars is lazy-imported
    """The default model over many leads (polars), equal to default_score row by row.

    `frame` columns: industry, region (str), employees (int), budget (float, null = unknown), one count column
    per behaviour kind, interactions (float), interactions_at and last_event_at (UTC datetimes, null = none).
    Returns the frame with `score`, `temperature`, one `c_<factor>` column of points per factor and `factors`
    (the JSON explanation as ScoreRecord.factors stores it).
    """
    import polars as pl

    weights = settings.weights
    seconds = (pl.lit(now) - pl.col("interactions_at")).dt.total_microseconds().cast(pl.Float64) / 1e6
    recent = pl.when(pl.col("interactions_at").is_null()).then(0.0).otherwise(
        pl.col("interactions") * (2.0 ** (-seconds.clip(lower_bound=0.0) / HALF_LIFE_SECONDS))
    )
    age = (pl.lit(now) - pl.col("last_event_at")).dt.total_microseconds().cast(pl.Float64) / 1e6
    fade = pl.when(pl.col("last_event_at").is_null()).then(1.0).otherwise(
        2.0 ** (-age.clip(lower_bound=0.0) / DEPTH_HALF_LIFE_SECONDS)
    )
    # The deepest kind reached; ties go to the later (deeper-listed) kind, as in default_score.
    frame = frame.with_columns(_depth=pl.max_horizontal(
        pl.when(pl.col(kind) > 0).then(pl.lit(settings.behaviour_depth[kind])).otherwise(pl.lit(0.0))
        for kind in BEHAVIOUR_KINDS
    ))
    depth = pl.col("_depth")
    deepest = pl.lit(None, dtype=pl.String)
    for kind in BEHAVIOUR_KINDS:
        reached = (pl.col(kind) > 0) & (pl.lit(settings.behaviour_depth[kind]) == depth)
        deepest = pl.when(reached).then(pl.lit(f"depth_{kind}")).otherwise(deepest)

    def range_fit(value: pl.Expr, low: float, high: float) -> pl.Expr:
        if not low and not high:
            return pl.lit(1.0)
        fit = pl.when(value <= 0).then(0.0)
        if low:
            fit = fit.when(value < low).then(value / low)
        if high:
            fit = fit.when(value > high).then(high / value)
        return fit.otherwise(1.0)

    low, high = settings.budget_bounds
    budget = pl.col("budget").fill_null(0.0)
    industry = (pl.lit(1.0) if not settings.target_industries else
                pl.col("industry").is_in(sorted(settings.industry_codes)).cast(pl.Float64))
    region = (pl.lit(1.0) if not settings.target_regions else
              pl.col("region").str.strip_chars().str.to_lowercase().is_in(sorted(settings.region_keys))
              .cast(pl.Float64))
    frame = frame.with_columns(
        _recent=recent,
        _deepest=deepest,
        c_depth=depth * fade * (weights["depth"] / 100.0),
        c_industry=industry * weights["industry"],
        c_region=region * weights["region"],
        c_size=range_fit(pl.col("employees").cast(pl.Float64), settings.employees_min, settings.employees_max)
        * weights["size"],
        c_budget=range_fit(budget, low, high) * weights["budget"],
    ).with_columns(
        c_frequency=(1.0 - (-pl.col("_recent") / settings.frequency_scale).exp()) * weights["frequency"],
    )
    # Rounding in numpy, whose division is IEEE division like Python's (polars divides a column by a constant
    # through its reciprocal, which can differ in the last bit): rounded values equal default_score's.
    total = frame.select(sum(pl.col(f"c_{name}") for name in FACTORS).clip(0.0, 100.0)).to_series()
    frame = frame.with_columns(
        score=_numpy_rounded(total, 2),
        _count=_numpy_rounded(frame["_recent"], 1).cast(pl.String),
        _budget=_numpy_rounded(frame["budget"].fill_null(0.0), 2).cast(pl.String).str.strip_suffix(".0"),
        **{f"r_{name}": _numpy_rounded(frame[f"c_{name}"], 2) for name in FACTORS},
    )
    frame = _with_factors_json(frame, settings).with_columns(
        temperature=pl.when(pl.col("score") >= settings.hot_from).then(pl.lit(HOT))
        .when(pl.col("score") >= settings.warm_from).then(pl.lit(WARM)).otherwise(pl.lit(COLD)),
    )
    return frame.drop("_recent", "_deepest", "_depth", "_count", "_budget", *(f"r_{name}" for name in FACTORS))


def _numpy_rounded(series, digits: int):  # noqa: ANN001, ANN202
    """_rounded over a polars Series (nulls stay null)."""
    import numpy as np
    import polars as pl

    scale = 10.0 ** digits
    values = series.cast(pl.Float64).to_numpy()
    return pl.Series(series.name, np.floor(values * scale + 0.5) / scale).fill_nan(None)


def _with_factors_json(frame, settings: ScoringSettings):  # noqa: ANN001, ANN202
    """The explanation column `factors`: a JSON list like ScoreRecord.factors, built without a Python loop over
    rows (and without per-row lists, which are slow at a million rows)."""
    import polars as pl

    def factor(name: str, text: pl.Expr, **params: pl.Expr) -> pl.Expr:
        """[text code, points] or [text code, points, params] (factors_to_json's form); codes need no escaping."""
        parts = [pl.lit('["'), text, pl.lit('",'), pl.col(f"r_{name}").cast(pl.String)]
        if params:
            parts += [pl.lit(","), pl.struct(**params).struct.json_encode()]
        return pl.concat_str([*parts, pl.lit("]")])

    texts = {code: code for code in FACTOR_TEXTS}  # stored as codes, like factors_to_json
    any_size = not settings.employees_min and not settings.employees_max
    low, high = settings.budget_bounds
    any_budget = not low and not high
    in_size = pl.col("c_size") >= settings.weights["size"]
    in_budget = pl.col("c_budget") >= settings.weights["budget"]
    encoded = [
        factor("frequency", pl.lit(texts["recent"]), count=pl.col("_count")),
        factor("depth", pl.col("_deepest")),
        factor("industry", pl.lit(texts["industry_any"] if not settings.target_industries else texts["industry_hit"]),
               **({} if not settings.target_industries else {"code": pl.col("industry")})),
        factor("region", pl.lit(texts["region_any"] if not settings.target_regions else texts["region_hit"]),
               **({} if not settings.target_regions else {"region": pl.col("region")})),
        factor("size", pl.lit(texts["size_any"]) if any_size else
               pl.when(in_size).then(pl.lit(texts["size_in"])).otherwise(pl.lit(texts["size_out"])),
               **({} if any_size else {"employees": pl.col("employees")})),
        factor("budget", pl.lit(texts["budget_any"]) if any_budget else
               pl.when(in_budget).then(pl.lit(texts["budget_in"])).otherwise(pl.lit(texts["budget_out"])),
               **({} if any_budget else {"budget": pl.col("_budget")})),
    ]
    # In FACTORS order (factors_from_json puts the largest first, as default_score does): ordering a million rows'
    # factors here would cost more than the whole model.
    points = [pl.col(f"c_{name}") for name in FACTORS]
    listed = [pl.when(mine > 0).then(json).otherwise(pl.lit(None, dtype=pl.String))
              for mine, json in zip(points, encoded, strict=True)]
    return frame.with_columns(
        factors=pl.lit("[") + pl.concat_str(listed, separator=",", ignore_nulls=True) + pl.lit("]")
    )


# --- the tenant's model: built-in or a plugin ---------------------------------------------------------------------


_default_host: PluginHost | None = None


def plugin_host(plugins: PluginHost | None = None) -> PluginHost:
    """The host to call plugins through: the service's (api.py passes it) or one for consumers and timers."""
    global _default_host
    if plugins is not None:
        return plugins
    if _default_host is None:
        _default_host = PluginHost()
    return _default_host


def use_plugin_host(plugins: PluginHost) -> None:
    """The service's host serves consumers and timers too (LeadsApi calls this at start)."""
    global _default_host
    _default_host = plugins


def lead_as_plugin_input(lead: Lead, activity: LeadActivity | None, now: datetime) -> dict[str, Any]:
    counts = {kind: (getattr(activity, kind) or 0) if activity else 0 for kind in BEHAVIOUR_KINDS}
    return {
        "id": lead.id, "name": lead.name, "company": lead.company, "industry": lead.industry,
        "region": lead.region, "employees": lead.employees or 0,
        "budget": None if lead.budget is None else float(lead.budget), "channel": lead.channel,
        "status": lead.status, "owner_id": lead.owner_id,
        "created_at": lead.created_at.isoformat() if lead.created_at else None,
        "behaviour_counts": counts,
        "interactions": decayed(activity.interactions, activity.interactions_at, now) if activity else 0.0,
        "last_event_at": activity.last_event_at.isoformat() if activity and activity.last_event_at else None,
    }


def _behaviour_of(session: Session, lead_id: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(BehaviourEvent.kind, BehaviourEvent.occurred_at, BehaviourEvent.source, BehaviourEvent.detail)
        .where(BehaviourEvent.lead_id == lead_id)
        .order_by(BehaviourEvent.occurred_at.desc()).limit(PLUGIN_BEHAVIOUR_LIMIT)
    ).all()
    return [{"kind": kind, "at": at.isoformat(), "source": source, "detail": detail}
            for kind, at, source, detail in rows]


def _valid(answer: Any) -> LeadScore | None:
    if not isinstance(answer, LeadScore):
        return None
    score = _number(answer.score)
    if score is None or not 0 <= score <= 100:
        return None
    try:
        factors = tuple(ScoreFactor(str(f.name), float(f.contribution), str(f.detail)) for f in answer.factors)
    except (AttributeError, TypeError, ValueError):
        return None
    return LeadScore(score=round(score, 2), factors=factors)


def model_score(
    session: Session, *, lead: Lead, activity: LeadActivity | None, settings: ScoringSettings,
    plugins: PluginHost | None, now: datetime, choice: Choice | None = None,
) -> tuple[LeadScore, str]:
    """(score, model that answered): the tenant's plugin, or the default model when it is the choice or fails."""
    choice = choice or choice_for(session, SCORE_HOOK)
    if choice.plugin != BUILTIN:
        host = plugin_host(plugins)
        try:
            answer = host.call(SCORE_HOOK, choice, lead=lead_as_plugin_input(lead, activity, now),
                               behaviour=_behaviour_of(session, lead.id))
        except NoImplementation:
            answer = None  # the host counted the failure; no kernel built-in scores leads: this module does
        else:
            valid = _valid(answer)
            if valid is not None:
                return valid, choice.plugin
            PLUGIN_ERRORS.labels(SCORE_HOOK, choice.plugin, "invalid").inc()
            log.warning("plugin %s returned no valid score (%r); using the default model", choice.plugin, answer)
    return default_score(LeadFeatures.of(lead, activity), settings, now), BUILTIN


def installed_models(plugins: PluginHost | None = None) -> list[str]:
    return sorted({BUILTIN, *plugin_host(plugins).implementations(SCORE_HOOK)})


def get_model(session: Session, *, caller: Caller) -> Choice:
    caller.require_role(*SETTINGS_READERS)
    return choice_for(session, SCORE_HOOK)


def set_model(
    session: Session, *, caller: Caller, plugin: str, settings: Mapping[str, Any] | None = None,
    plugins: PluginHost | None = None,
) -> Choice:
    """Choose the tenant's scoring model: "builtin" or an installed plugin (FailedPrecondition otherwise)."""
    caller.require_role("admin")
    plugin = (plugin or "").strip() or BUILTIN
    if plugin not in installed_models(plugins):
        raise FailedPrecondition(t("scoring model {name} is not installed", name=repr(plugin)))
    check = Validator()
    check.check(settings is None or isinstance(settings, Mapping), "settings_json", t("must be a JSON object"))
    check.raise_if_any()
    choose(session, SCORE_HOOK, plugin, dict(settings or {}))
    return Choice(plugin, dict(settings or {}))


# --- behaviour and scoring of one lead -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    lead: Lead
    score: LeadScore
    model: str
    duplicate: bool = False  # the behaviour event had been recorded before: nothing changed
    activity: LeadActivity | None = None
    record: ScoreRecord | None = None  # the history row this scoring added, if any


BEHAVIOUR_ROLES = ("sales", "manager", "admin", "marketing")


@dataclass
class _Loaded:
    lead: Lead
    activity: LeadActivity | None
    settings: ScoringSettings
    choice: Choice
    recorded: bool | None = None  # the behaviour event given to _load was new (None: none was given)


# Built once: constructing a statement costs about as much as running it on the request path.
_LOAD = (
    select(Lead, LeadActivity, ScoringSettingsRow.settings, PluginChoice.plugin, PluginChoice.settings)
    .outerjoin(LeadActivity, LeadActivity.lead_id == Lead.id)
    .outerjoin(ScoringSettingsRow, ScoringSettingsRow.tenant_id == Lead.tenant_id)
    .outerjoin(PluginChoice, and_(PluginChoice.tenant_id == Lead.tenant_id, PluginChoice.hook == SCORE_HOOK))
    .where(Lead.id == bindparam("lead_id"))
)
_LOAD_LOCKED = _LOAD.with_for_update(of=Lead)
# SQLite records the behaviour event in a statement of its own (PostgreSQL: in _LOAD_RECORDING_SQL).
_RECORD_ON_SQLITE = (
    sqlite_insert(BehaviourEvent.__table__).on_conflict_do_nothing().returning(BehaviourEvent.__table__.c.id)
)

# PostgreSQL, the behaviour event's request path (issue #4: p99 <= 5 ms). One statement records the event (a
# data-modifying CTE: its id comes back, or NULL when the event_key was recorded before; a missing lead rolls it
# back), loads and locks the lead with its aggregates, the tenant's settings and scoring model. It runs on the
# driver's cursor with plain tuple rows: through the ORM, the per-execution cache key, parameter processing, result
# metadata and instance loading cost about 0.4 ms of CPU, a third of the whole request. The tenant conditions the
# kernel adds to ORM statements are written out here.
_LEAD_COLUMNS = tuple(column.name for column in Lead.__table__.columns)
_ACTIVITY_COLUMNS = tuple(column.name for column in LeadActivity.__table__.columns)
_LOAD_RECORDING_SQL = (
    "WITH recorded AS (INSERT INTO behaviour_event (tenant_id, lead_id, kind, occurred_at, source, detail,"
    " event_key, recorded_at) VALUES (%(tenant_id)s, %(lead_id)s, %(kind)s, %(occurred_at)s, %(source)s,"
    " %(detail)s, %(event_key)s, %(recorded_at)s) ON CONFLICT DO NOTHING RETURNING id)"
    " SELECT " + ", ".join(f"lead.{name}" for name in _LEAD_COLUMNS) + ", "
    + ", ".join(f"lead_activity.{name}" for name in _ACTIVITY_COLUMNS) + ","
    " scoring_settings.settings, crm_plugin_choice.plugin, crm_plugin_choice.settings, (SELECT id FROM recorded)"
    " FROM lead LEFT JOIN lead_activity ON lead_activity.lead_id = lead.id"
    " AND lead_activity.tenant_id = lead.tenant_id"
    " LEFT JOIN scoring_settings ON scoring_settings.tenant_id = lead.tenant_id"
    " LEFT JOIN crm_plugin_choice ON crm_plugin_choice.tenant_id = lead.tenant_id"
    " AND crm_plugin_choice.hook = %(hook)s"
    " WHERE lead.id = %(lead_id)s AND lead.tenant_id = %(tenant_id)s FOR UPDATE OF lead"
)


def _load(session: Session, lead_id: str, *, lock: bool) -> _Loaded | None:
    """The lead (locked for update), its aggregates, the tenant's settings and scoring model: one round trip."""
    row = session.execute(_LOAD_LOCKED if lock else _LOAD, {"lead_id": lead_id}).first()
    if row is None:
        return None
    return _loaded(*row[:5])


def _load_recording(session: Session, lead_id: str, record: dict) -> _Loaded | None:
    """PostgreSQL: _load, locked, that also records the behaviour event `record` (_Loaded.recorded: it was new)."""
    with _driver_cursor(session) as cursor:
        row = cursor.execute(_LOAD_RECORDING_SQL, {**record, "lead_id": lead_id, "hook": SCORE_HOOK}).fetchone()
    if row is None:
        return None
    split = len(_LEAD_COLUMNS) + len(_ACTIVITY_COLUMNS)
    lead = _detached(Lead, _LEAD_COLUMNS, row[: len(_LEAD_COLUMNS)])
    activity = None
    if row[len(_LEAD_COLUMNS)] is not None:  # the aggregates' primary key: NULL when the lead has none yet
        activity = _detached(LeadActivity, _ACTIVITY_COLUMNS, row[len(_LEAD_COLUMNS) : split])
    loaded = _loaded(lead, activity, *row[split : split + 3])
    loaded.recorded = row[split + 3] is not None
    return loaded


def _driver_cursor(session: Session) -> Any:
    """A psycopg cursor (plain tuple rows) on the session's connection, in its transaction."""
    return session.connection().connection.driver_connection.cursor()


def _detached(model: type, columns: tuple[str, ...], values: tuple) -> Any:
    """An instance of `model` with these column values that no session tracks (its writes are explicit). The values
    go into its __dict__ as the ORM's own loading puts them there: as loaded state, not as changes."""
    instance = model()  # the constructor also configures the mappers if nothing has yet
    instance.__dict__.update(zip(columns, values, strict=True))
    return instance


def _loaded(lead: Lead, activity: LeadActivity | None, stored: dict | None, plugin: str | None,
            plugin_settings: dict | None) -> _Loaded:
    settings = _parsed(json.dumps(stored, sort_keys=True)) if stored else _parsed("{}")
    choice = Choice(plugin, dict(plugin_settings or {})) if plugin else Choice()
    return _Loaded(lead, activity, settings, choice)


def _locked_lead(
    session: Session, *, caller: Caller, lead_id: str, email: str, phone: str, record: dict | None = None
) -> _Loaded:
    if not lead_id:
        found = leads.find_open_lead_by_contact(session, email_key=email_key(email), phone_key=phone_key(phone))
        if found is None:
            raise NotFound(t("no open lead has this e-mail or phone"))
        lead_id = found.id
    if record is not None:
        record = {**record, "tenant_id": session.info["crm_tenant"]}
    loaded = _load_recording(session, lead_id, record) if record is not None else _load(session, lead_id, lock=True)
    if loaded is None:
        raise NotFound(t("lead {id} not found", id=repr(lead_id)))
    if not caller.is_service:
        leads.get_lead(session, caller=caller, lead_id=lead_id)  # the reading rule (NotFound for others' leads)
    return loaded


def record_behaviour(
    session: Session, *, caller: Caller, kind: str, lead_id: str = "", email: str = "", phone: str = "",
    occurred_at: datetime | None = None, source: str = "", detail: str = "", event_key: str = "",
    plugins: PluginHost | None = None, now: datetime | None = None,
) -> Scored:
    """Record one behaviour event of a lead (by id, or by its contact's e-mail or phone) and rescore the lead."""
    caller.require_role(*BEHAVIOUR_ROLES)
    now = now or utcnow()
    check = Validator()
    check.check(kind in BEHAVIOUR_KINDS, "kind", t("must be one of: {kinds}", kinds=", ".join(BEHAVIOUR_KINDS)))
    check.check(bool(lead_id or email.strip() or phone.strip()), "lead_id",
                t("give the lead id, or an e-mail or phone"))
    check.at_most(lead_id, "lead_id", 36)
    check.at_most(source, "source", 100)
    check.at_most(detail, "detail", 500)
    check.at_most(event_key, "event_key", 100)
    if occurred_at is not None:
        check.check(occurred_at <= now + MAX_FUTURE, "occurred_time", t("must not be more than a day in the future"))
    check.raise_if_any()
    occurred_at = occurred_at or now
    event = {"kind": kind, "occurred_at": occurred_at, "source": source.strip(), "detail": detail.strip(),
             "event_key": event_key or new_id(), "recorded_at": now}
    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    loaded = _locked_lead(session, caller=caller, lead_id=lead_id, email=email, phone=phone,
                          record=event if postgresql else None)
    lead, activity = loaded.lead, loaded.activity
    if postgresql:
        inserted = loaded.recorded
    else:
        inserted = connection.execute(_RECORD_ON_SQLITE,
                                      {"tenant_id": lead.tenant_id, "lead_id": lead.id, **event}).first() is not None
    if not inserted:  # this event_key was recorded before
        return Scored(lead, _current_score(session, lead), activity.model if activity else BUILTIN, duplicate=True)
    BEHAVIOUR_RECORDED.labels(kind).inc()
    if activity is None:
        activity = _new_activity(session, lead)
    setattr(activity, kind, (getattr(activity, kind) or 0) + 1)
    activity.interactions, activity.interactions_at = add_interaction(
        activity.interactions or 0.0, activity.interactions_at, occurred_at
    )
    if activity.last_event_at is None or occurred_at > activity.last_event_at:
        activity.last_event_at = occurred_at
    scored = rescore_lead(session, lead=lead, activity=activity, plugins=plugins, now=now, settings=loaded.settings,
                          choice=loaded.choice)
    if postgresql:
        _write_at_once(session, scored, now)
    return scored


# The request path's writes on PostgreSQL in one statement (a round trip instead of three), on the driver's cursor
# as _LOAD_RECORDING_SQL: the lead's new score, its aggregates and scoring state, its history row.
_ACTIVITY_STATE = (*BEHAVIOUR_KINDS, "interactions", "interactions_at", "last_event_at", "scored_at", "model",
                   "qualified_at", "hot_since", "last_nurture_at")
_WRITE_AT_ONCE_SQL = (
    "WITH lead_row AS (UPDATE lead SET score = %(score)s, temperature = %(temperature)s, status = %(status)s,"
    " first_contact_due = %(first_contact_due)s, updated_at = %(now)s"
    " WHERE id = %(lead_id)s AND tenant_id = %(tenant_id)s),"
    " activity_row AS (INSERT INTO lead_activity (tenant_id, lead_id, " + ", ".join(_ACTIVITY_STATE) + ")"
    " VALUES (%(tenant_id)s, %(lead_id)s, " + ", ".join(f"%({name})s" for name in _ACTIVITY_STATE) + ")"
    " ON CONFLICT (lead_id) DO UPDATE SET " + ", ".join(f"{name} = EXCLUDED.{name}" for name in _ACTIVITY_STATE)
    + " WHERE lead_activity.tenant_id = %(tenant_id)s)"
    " INSERT INTO lead_score (tenant_id, lead_id, score, temperature, model, factors, scored_at)"
    " SELECT %(tenant_id)s, %(lead_id)s, %(score)s, %(temperature)s, %(history_model)s, CAST(%(factors)s AS json),"
    " %(now)s WHERE %(history)s"
)


def _write_at_once(session: Session, scored: Scored, now: datetime) -> None:
    """Write what rescore_lead changed in one statement, then let the session forget the objects it added (so that
    its flush does not write them again)."""
    lead, activity, record = scored.lead, scored.activity, scored.record
    values = {
        "tenant_id": lead.tenant_id, "lead_id": lead.id, "score": lead.score, "temperature": lead.temperature,
        "status": lead.status, "first_contact_due": lead.first_contact_due, "now": now,
        **{name: getattr(activity, name) for name in _ACTIVITY_STATE},
        "history": record is not None, "history_model": record.model if record else "",
        "factors": json.dumps(record.factors if record else []),
    }
    with _driver_cursor(session) as cursor:
        cursor.execute(_WRITE_AT_ONCE_SQL, values)
    for instance in (lead, activity, record):
        if instance is not None and instance in session:
            session.expunge(instance)


def _new_activity(session: Session, lead: Lead) -> LeadActivity:
    activity = LeadActivity(tenant_id=lead.tenant_id, lead_id=lead.id, page_view=0, email_open=0, call_answered=0,
                            demo_attended=0, contract_template_viewed=0, interactions=0.0, model="")
    session.add(activity)
    return activity


def rescore_lead(
    session: Session, *, lead: Lead, activity: LeadActivity | None = None, plugins: PluginHost | None = None,
    now: datetime | None = None, settings: ScoringSettings | None = None, choice: Choice | None = None,
) -> Scored:
    """Score one lead with the tenant's model and apply what the score sets off (history, R-LEAD-6/7).

    `activity`, `settings` and `choice` are loaded when not given."""
    now = now or utcnow()
    if activity is None or settings is None or choice is None:
        loaded = _load(session, lead.id, lock=False)
        activity = activity or loaded.activity or _new_activity(session, lead)
        settings, choice = settings or loaded.settings, choice or loaded.choice
    result, model = model_score(session, lead=lead, activity=activity, settings=settings, plugins=plugins, now=now,
                                choice=choice)
    LEADS_SCORED.labels(model).inc()
    temperature = settings.temperature(result.score)
    first = activity.scored_at is None
    previous = lead.temperature  # a lead is captured cold
    record = None
    if first or result.score != lead.score or temperature != lead.temperature or model != activity.model:
        record = ScoreRecord(tenant_id=lead.tenant_id, lead_id=lead.id, score=result.score, temperature=temperature,
                             model=model, factors=factors_to_json(result.factors), scored_at=now)
        session.add(record)
    lead.score, lead.temperature = result.score, temperature
    activity.scored_at, activity.model = now, model
    apply_consequences(session, lead=lead, activity=activity, previous=previous, settings=settings, model=model,
                       now=now)
    return Scored(lead, result, model, activity=activity, record=record)


def apply_consequences(
    session: Session, *, lead: Lead, activity: LeadActivity, previous: str, settings: ScoringSettings,
    model: str, now: datetime,
) -> None:
    """What a new score sets off; `previous` is the temperature before it (a new lead's is cold).

    - score >= threshold on an open lead: status "qualified" and lead.qualified, once per lead (R-LEAD-6);
    - turning hot: a first-contact deadline (now + first_contact_hours) unless one still runs (R-LEAD-7);
    - turning cold (from warm or hot): lead.nurture, at most once per nurture interval. A lead that was never
      warmer is not "turning" cold: marketing hears of it through lead.created.
    """
    if lead.status == OPEN and lead.score >= settings.qualify_threshold and activity.qualified_at is None:
        lead.status, activity.qualified_at = QUALIFIED, now
        emit(session, qualified_event(lead, settings, model), producer=PRODUCER)
        LEADS_QUALIFIED.inc()
    if lead.status not in WORKED_ON or lead.temperature == previous:
        return
    if lead.temperature == HOT:
        activity.hot_since = now
        if lead.first_contact_due is None or lead.first_contact_due <= now:
            lead.first_contact_due = now + timedelta(hours=settings.first_contact_hours)
            schedule(session, kind=FIRST_CONTACT, key=lead.id, due_at=lead.first_contact_due,
                     payload={"hot_since": now.isoformat()})
    elif lead.temperature == COLD and lead.status == OPEN and nurture_allowed(activity.last_nurture_at, settings, now):
        activity.last_nurture_at = now
        emit(session, nurture_event(lead, previous), producer=PRODUCER)


def nurture_allowed(last: datetime | None, settings: ScoringSettings, now: datetime) -> bool:
    return last is None or now - last >= timedelta(days=settings.nurture_interval_days)


def qualified_event(lead: Lead, settings: ScoringSettings, model: str) -> LeadQualified:
    return LeadQualified(
        lead_id=lead.id, name=lead.name, company=lead.company, email=lead.email, phone=lead.phone,
        channel=lead.channel, owner_id=lead.owner_id, customer_id=lead.customer_id, score=lead.score,
        threshold=settings.qualify_threshold, model=model, industry=lead.industry, region=lead.region,
    )


def nurture_event(lead: Lead, previous: str) -> LeadNurture:
    return LeadNurture(
        lead_id=lead.id, name=lead.name, company=lead.company, email=lead.email, phone=lead.phone,
        channel=lead.channel, customer_id=lead.customer_id, owner_id=lead.owner_id, industry=lead.industry,
        region=lead.region, score=lead.score, previous_temperature=previous,
    )


def _factor_name(code: str) -> str:
    return "frequency" if code == "recent" else code.split("_", 1)[0]


def factors_to_json(factors: Sequence[ScoreFactor]) -> list[Any]:
    """The stored form (ScoreRecord.factors), compact because bulk rescoring writes a million of them: a default-model
    factor is [text code, points] or [text code, points, params] (the factor's name follows from the code); any
    other is {"name", "contribution", "detail"}."""
    stored: list[Any] = []
    for factor in factors:
        points = round(float(factor.contribution), 2)
        code = TEXT_CODES.get(factor.detail.msgid) if isinstance(factor.detail, Text) else None
        if code is not None and _factor_name(code) == factor.name:
            stored.append([code, points, dict(factor.detail.params)] if factor.detail.params else [code, points])
        else:
            stored.append({"name": factor.name, "contribution": points, "detail": str(factor.detail)})
    return stored


def factors_from_json(stored: Sequence[Any]) -> tuple[ScoreFactor, ...]:
    """Stored factors, largest first; a default-model detail comes back as a Text, translatable to the reader's
    language; another model's detail as it gave it."""
    factors = []
    for entry in stored or ():
        if isinstance(entry, list) and entry and entry[0] in FACTOR_TEXTS:
            params = entry[2] if len(entry) > 2 else {}
            factors.append(ScoreFactor(_factor_name(entry[0]), float(entry[1]), Text(FACTOR_TEXTS[entry[0]], params)))
        elif isinstance(entry, Mapping):
            factors.append(ScoreFactor(str(entry.get("name", "")), float(entry.get("contribution", 0.0)),
                                       str(entry.get("detail", ""))))
    return tuple(sorted(factors, key=lambda factor: -factor.contribution))


def _current_score(session: Session, lead: Lead) -> LeadScore:
    latest = session.scalars(
        select(ScoreRecord).where(ScoreRecord.lead_id == lead.id).order_by(ScoreRecord.id.desc()).limit(1)
    ).first()
    return LeadScore(lead.score, factors_from_json(latest.factors) if latest else ())


@dataclass(frozen=True)
class ScoreView:
    lead: Lead
    score: LeadScore
    model: str
    scored_at: datetime | None
    counts: Mapping[str, int]


def lead_score(session: Session, *, caller: Caller, lead_id: str) -> ScoreView:
    lead = leads.get_lead(session, caller=caller, lead_id=lead_id)
    activity = session.get(LeadActivity, lead.id)
    latest = session.scalars(
        select(ScoreRecord).where(ScoreRecord.lead_id == lead.id).order_by(ScoreRecord.id.desc()).limit(1)
    ).first()
    counts = {kind: getattr(activity, kind) or 0 for kind in BEHAVIOUR_KINDS} if activity else {}
    return ScoreView(lead, LeadScore(lead.score, factors_from_json(latest.factors) if latest else ()),
                     latest.model if latest else BUILTIN, latest.scored_at if latest else None, counts)


def score_history(
    session: Session, *, caller: Caller, lead_id: str, limit: int = 50, before_id: int | None = None
) -> list[ScoreRecord]:
    """The lead's scores, newest first; `before_id` continues after the last row of a previous page."""
    lead = leads.get_lead(session, caller=caller, lead_id=lead_id)
    query = select(ScoreRecord).where(ScoreRecord.lead_id == lead.id)
    if before_id is not None:
        query = query.where(ScoreRecord.id < before_id)
    return list(session.scalars(query.order_by(ScoreRecord.id.desc()).limit(limit)))


# --- the first-contact deadline (timer) -------------------------------------------------------------------------


def on_first_contact_due(session: Session, timer: FiredTimer) -> None:
    """A hot lead's first-contact deadline passed: lead.first_contact_overdue unless a follow-up happened since it
    turned hot (then the deadline is simply cleared)."""
    lead = session.get(Lead, timer.key)
    if lead is None or lead.status not in WORKED_ON:
        return
    hot_since = datetime.fromisoformat(timer.payload["hot_since"])
    if lead.last_follow_up_at is not None and lead.last_follow_up_at >= hot_since:
        if lead.first_contact_due == timer.due_at:
            lead.first_contact_due = None
        return
    overdue = LeadFirstContactOverdue(lead_id=lead.id, name=lead.name, company=lead.company, owner_id=lead.owner_id,
                                      score=lead.score)
    overdue.hot_since.FromDatetime(hot_since)
    overdue.due_at.FromDatetime(timer.due_at)
    emit(session, overdue, producer=PRODUCER)


# --- behaviour from the bus ----------------------------------------------------------------------------------------


BEHAVIOUR_UNMATCHED = Counter("crm_leads_behaviour_unmatched", "Behaviour events from the bus that named no lead here.")


def on_behaviour_observed(session: Session, event: LeadBehaviourObserved, *, envelope: Envelope, tenant: str) -> None:
    """lead.behaviour_observed: recorded like RecordBehaviour; the event_key (or the envelope id) counts once."""
    stamp = event.occurred_at if event.HasField("occurred_at") else envelope.occurred_at
    try:
        record_behaviour(
            session, caller=current_caller(), kind=event.kind, lead_id=event.lead_id, email=event.email,
            phone=event.phone, occurred_at=stamp.ToDatetime(tzinfo=UTC), source=event.source, detail=event.detail,
            event_key=event.event_key or envelope.id,
        )
    except InvalidArgument as error:  # a redelivery cannot fix it: straight to the dead-letter queue
        raise MalformedEvent(f"lead.behaviour_observed {envelope.id}: {error}") from None
    except NotFound:
        # Behaviour of a contact that has no open lead here (yet): nothing to score. Counted, not retried.
        BEHAVIOUR_UNMATCHED.inc()
        log.info("behaviour event %s names no lead of tenant %s", envelope.id, tenant)
