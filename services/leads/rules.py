"""A tenant's assignment rules and public-pool settings (R-LEAD-9, R-LEAD-10): defaults, validation, storage.

Both live in one row of `assignment_settings`; a tenant without a row runs on the defaults below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.db import TENANT
from services.core.errors import Validator
from services.core.i18n import t
from services.leads.models import COLD, HOT, WARM, AssignmentSettings

# Rule kinds. Hard rules stop an assignment when they leave nobody; soft rules are skipped then.
AVAILABILITY, TERRITORY, INDUSTRY, CAPACITY, CONVERSION = "availability", "territory", "industry", "capacity", \
    "conversion"
RULE_KINDS = (AVAILABILITY, TERRITORY, INDUSTRY, CAPACITY, CONVERSION)
HARD_RULES = (AVAILABILITY, CAPACITY)
SIMILAR_BY = ("industry", "channel")
TEMPERATURES = (HOT, WARM, COLD)

READ_ROLES = ("admin", "manager", "auditor")
WRITE_ROLES = ("admin",)


@dataclass(frozen=True)
class Rule:
    kind: str
    # Conversion only: look-back window, what makes a lead similar, the prior's weight, the tolerance.
    window_days: int = 90
    similar_by: tuple[str, ...] = SIMILAR_BY
    prior_leads: int = 10
    tolerance_points: int = 5

    def to_json(self) -> dict[str, Any]:
        if self.kind != CONVERSION:
            return {"kind": self.kind}
        return {**asdict(self), "similar_by": list(self.similar_by)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rule:
        known = {name: data[name] for name in ("window_days", "prior_leads", "tolerance_points") if name in data}
        if "similar_by" in data:
            known["similar_by"] = tuple(data["similar_by"])
        return cls(kind=data["kind"], **known)


# Hard rules first: a soft rule may then only choose among reps who can take the lead.
DEFAULT_RULES = (Rule(AVAILABILITY), Rule(CAPACITY), Rule(TERRITORY), Rule(INDUSTRY), Rule(CONVERSION))


@dataclass(frozen=True)
class PoolSettings:
    follow_up_hours: int = 48
    follow_up_warning_hours: int = 4
    follow_up_temperatures: tuple[str, ...] = ()  # empty = every temperature
    conversion_days: int = 30
    conversion_warning_days: int = 2
    reassign_on_reclaim: bool = False
    claims_per_day: int = 5
    claim_cooldown_days: int = 7
    time_zone: str = "Asia/Shanghai"

    def reclaims_temperature(self, temperature: str) -> bool:
        return not self.follow_up_temperatures or temperature in self.follow_up_temperatures

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


POOL_FIELDS = tuple(PoolSettings.__dataclass_fields__)


@dataclass(frozen=True)
class Settings:
    rules: tuple[Rule, ...] = DEFAULT_RULES
    pool: PoolSettings = field(default_factory=PoolSettings)
    auto_assign_new_leads: bool = True


_LOADED = "crm_leads_assignment_settings"  # Session.info: the settings read in this transaction


def load(session: Session) -> Settings:
    """The tenant's settings (the session is tenant-scoped); the defaults when it never changed them. Read once per
    transaction (a batch of timers runs many handlers in one)."""
    loaded = session.info.get(_LOADED)
    if loaded is None:
        loaded = session.info[_LOADED] = _read(session)
    return loaded


def preload(session: Session, row: Sequence | None) -> None:
    """The tenant's settings row (STORED_COLUMNS, None: no row), read by a statement that also asked something else
    (capture reads it with its repeat check: one round trip), for load() to use in this transaction. A change of
    the settings earlier in the transaction (loaded already) wins."""
    if _LOADED not in session.info:
        session.info[_LOADED] = _parse(row)


_TABLE = AssignmentSettings.__table__
# What a settings row holds (a Core statement naming the tenant: a third of an ORM get's cost).
STORED_COLUMNS = (_TABLE.c.rules, _TABLE.c.pool)
_STORED = select(*STORED_COLUMNS).where(_TABLE.c.tenant_id == bindparam("tenant"))


def _read(session: Session) -> Settings:
    return _parse(session.connection().execute(_STORED, {"tenant": session.info[TENANT]}).first())


def _parse(row: Sequence | None) -> Settings:
    if row is None:
        return Settings()
    stored_rules, stored_pool = row
    stored = dict(stored_pool or {})
    auto = bool(stored.pop("auto_assign_new_leads", True))
    pool = {name: value for name, value in stored.items() if name in POOL_FIELDS}
    if "follow_up_temperatures" in pool:
        pool["follow_up_temperatures"] = tuple(pool["follow_up_temperatures"])
    rules = tuple(Rule.from_json(rule) for rule in stored_rules) if stored_rules else DEFAULT_RULES
    return Settings(rules=rules, pool=PoolSettings(**pool), auto_assign_new_leads=auto)


def _save(session: Session, caller: Caller, settings: Settings) -> Settings:
    tenant = session.info[TENANT]
    row = session.get(AssignmentSettings, tenant)
    if row is None:
        row = AssignmentSettings(tenant_id=tenant)
        session.add(row)
    row.rules = [rule.to_json() for rule in settings.rules]
    pool = asdict(settings.pool)
    pool["follow_up_temperatures"] = list(settings.pool.follow_up_temperatures)
    row.pool = {**pool, "auto_assign_new_leads": settings.auto_assign_new_leads}
    row.updated_by = caller.subject
    session.flush()
    session.info.pop(_LOADED, None)
    return load(session)


def get(session: Session, *, caller: Caller) -> Settings:
    caller.require_role(*READ_ROLES)
    return load(session)


def update_rules(session: Session, *, caller: Caller, rules: Sequence[Rule], auto_assign_new_leads: bool | None = None
                 ) -> Settings:
    """Replace the ordered rules (and, when given, whether new leads are assigned at capture)."""
    caller.require_role(*WRITE_ROLES)
    check = Validator()
    kinds = [rule.kind for rule in rules]
    for position, rule in enumerate(rules):
        name = f"rules[{position}]"
        if not check.check(rule.kind in RULE_KINDS, f"{name}.kind", t("is not an assignment rule")):
            continue
        if rule.kind == CONVERSION:
            check.check(1 <= rule.window_days <= 365, f"{name}.window_days",
                        t("must be between {min} and {max}", min=1, max=365))
            check.check(1 <= rule.prior_leads <= 1000, f"{name}.prior_leads",
                        t("must be between {min} and {max}", min=1, max=1000))
            check.check(0 <= rule.tolerance_points <= 100, f"{name}.tolerance_points",
                        t("must be between {min} and {max}", min=0, max=100))
            check.check(bool(rule.similar_by) and set(rule.similar_by) <= set(SIMILAR_BY)
                        and len(set(rule.similar_by)) == len(rule.similar_by), f"{name}.similar_by",
                        t("must name industry, channel or both"))
    check.check(len(set(kinds)) == len(kinds), "rules", t("must not repeat a rule"))
    check.check(all(kind in kinds for kind in HARD_RULES), "rules",
                t("must include the availability and capacity rules"))
    positions = [position for position, kind in enumerate(kinds) if kind in HARD_RULES]
    soft = [position for position, kind in enumerate(kinds) if kind not in HARD_RULES]
    check.check(not positions or not soft or max(positions) < min(soft), "rules",
                t("availability and capacity must come before the other rules"))
    check.raise_if_any()
    current = load(session)
    auto = current.auto_assign_new_leads if auto_assign_new_leads is None else auto_assign_new_leads
    return _save(session, caller, replace(current, rules=tuple(rules), auto_assign_new_leads=auto))


def update_pool(session: Session, *, caller: Caller, values: Mapping[str, Any], fields: Iterable[str] = ()
                ) -> Settings:
    """Change the named pool settings (`fields`; empty = all) to `values`; unnamed ones keep their value."""
    caller.require_role(*WRITE_ROLES)
    check = Validator()
    fields = list(fields) or list(POOL_FIELDS)
    for name in fields:
        check.check(name in POOL_FIELDS, f"update_fields[{name}]", t("is not a pool setting"))
    check.raise_if_any()
    current = load(session)
    changed = {name: values[name] for name in fields}
    if "follow_up_temperatures" in changed:
        changed["follow_up_temperatures"] = tuple(changed["follow_up_temperatures"])
    pool = replace(current.pool, **changed)
    ranges = {"follow_up_hours": 8760, "follow_up_warning_hours": 8760, "conversion_days": 3650,
              "conversion_warning_days": 3650, "claims_per_day": 1000, "claim_cooldown_days": 365}
    for name, maximum in ranges.items():
        check.check(0 <= getattr(pool, name) <= maximum, name, t("must be between {min} and {max}", min=0,
                                                                  max=maximum))
    if pool.follow_up_hours > 0 and pool.follow_up_warning_hours:
        check.check(pool.follow_up_warning_hours < pool.follow_up_hours, "follow_up_warning_hours",
                    t("must be less than {other}", other="follow_up_hours"))
    if pool.conversion_days > 0 and pool.conversion_warning_days:
        check.check(pool.conversion_warning_days < pool.conversion_days, "conversion_warning_days",
                    t("must be less than {other}", other="conversion_days"))
    temperatures = pool.follow_up_temperatures
    check.check(set(temperatures) <= set(TEMPERATURES) and len(set(temperatures)) == len(temperatures),
                "follow_up_temperatures", t("must name hot, warm or cold, each at most once"))
    check.check(_is_time_zone(pool.time_zone), "time_zone", t("is not an IANA time zone"))
    check.raise_if_any()
    return _save(session, caller, replace(current, pool=pool))


def _is_time_zone(name: str) -> bool:
    if not name or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
