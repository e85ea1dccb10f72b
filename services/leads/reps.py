"""The rep roster: the leads service's own copy of the sales users it assigns leads to (R-LEAD-9).

The gateway owns user accounts; an admin (or the gateway, as a service caller) keeps this copy: team, regions,
industries, capacity, absences. A manager's own row carries the team they manage (services/leads/access.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.db import TENANT, utcnow
from services.core.errors import NotFound, PermissionDenied, Validator
from services.core.i18n import t
from services.leads import access, assignment, rules, territories
from services.leads.industries import resolve_industry, sections
from services.leads.models import Rep, SalesTerritory

MANAGE_ROLES = ("admin", "manager")
LIST_ROLES = ("admin", "manager", "auditor")
MAX_ENTRIES = 200


@dataclass(frozen=True)
class RepView:
    rep: Rep
    absent: bool
    open_leads: int
    assigned_today: int
    claimed_today: int
    territories: tuple[SalesTerritory, ...] = ()


def _managed_team(session: Session, caller: Caller) -> str | None:
    """None for callers who manage every team (admin, service); the manager's own team otherwise ("" = none)."""
    if caller.is_service or caller.has_any_role("admin"):
        return None
    return access.scope_of(session, caller).team


def _industry_codes(values: Sequence[str], check: Validator) -> list[str]:
    letters = {section.code for section in sections()}
    codes: list[str] = []
    for position, value in enumerate(values):
        text = value.strip()
        code = text.upper() if text.upper() in letters else resolve_industry(text)
        if check.check(code is not None, f"industries[{position}]", t("is not a GB/T 4754 section or division")):
            codes.append(code)
    return list(dict.fromkeys(codes))


def _regions(values: Sequence[str], check: Validator) -> list[str]:
    regions = []
    for position, value in enumerate(values):
        if check.require(value, f"regions[{position}]", max_length=100):
            regions.append(value.strip())
    return list(dict.fromkeys(regions))


def upsert_rep(
    session: Session, *, caller: Caller, user_id: str, name: str = "", team: str = "", takes_leads: bool = True,
    active: bool = True, regions: Sequence[str] = (), industries: Sequence[str] = (), daily_cap: int = 0,
    holding_limit: int = 0,
) -> tuple[Rep, bool]:
    """UpsertRep: write every field of the rep (absence and round-robin position are kept); (rep, created)."""
    caller.require_role(*MANAGE_ROLES)
    check = Validator()
    check.require(user_id, "user_id", max_length=64)
    check.at_most(name, "name", 200)
    check.at_most(team, "team", 100)
    check.check(len(regions) <= MAX_ENTRIES, "regions", t("must have at most {max} entries", max=MAX_ENTRIES))
    check.check(len(industries) <= MAX_ENTRIES, "industries", t("must have at most {max} entries", max=MAX_ENTRIES))
    region_list = _regions(regions, check)
    industry_list = _industry_codes(industries, check)
    check.check(0 <= daily_cap <= 10_000, "daily_cap", t("must be between {min} and {max}", min=0, max=10_000))
    check.check(0 <= holding_limit <= 100_000, "holding_limit",
                t("must be between {min} and {max}", min=0, max=100_000))
    check.raise_if_any()
    tenant = session.info[TENANT]
    user_id, team = user_id.strip(), team.strip()
    rep = session.get(Rep, (tenant, user_id))
    managed = _managed_team(session, caller)
    if managed is not None:
        if not managed:
            raise PermissionDenied(t("you manage no team in the rep roster"))
        if team != managed or (rep is not None and rep.team != managed):
            raise PermissionDenied(t("a manager may only change the reps of their own team"))
    created = rep is None
    if created:
        rep = Rep(tenant_id=tenant, user_id=user_id)
        session.add(rep)
    rep.name, rep.team, rep.takes_leads, rep.active = name.strip(), team, takes_leads, active
    rep.regions, rep.industries = region_list, industry_list
    rep.daily_cap, rep.holding_limit, rep.updated_by = daily_cap, holding_limit, caller.subject
    session.flush()
    access.forget_scopes(session)
    return rep, created


def _rep_for_change(session: Session, caller: Caller, user_id: str) -> Rep:
    caller.require_role(*MANAGE_ROLES)
    rep = session.get(Rep, (session.info[TENANT], user_id)) if user_id else None
    if rep is None:
        raise NotFound(t("rep {id} is not in the roster", id=repr(user_id)))
    managed = _managed_team(session, caller)
    if managed is not None and (not managed or rep.team != managed):
        raise PermissionDenied(t("rep {id} is not in your team", id=repr(user_id)))
    return rep


def set_absence(session: Session, *, caller: Caller, user_id: str, start: datetime | None, end: datetime | None,
                now: datetime | None = None) -> Rep:
    """SetRepAbsence: absent from `start` (default now) until `end` (None: until further notice); both None: present."""
    rep = _rep_for_change(session, caller, user_id)
    if start is None and end is None:
        rep.absent_from = rep.absent_until = None
    else:
        start = start or now or utcnow()
        check = Validator()
        check.check(end is None or end > start, "absence_end_time", t("must be after the start of the absence"))
        check.raise_if_any()
        rep.absent_from, rep.absent_until = start, end
    rep.updated_by = caller.subject
    session.flush()
    return rep


def views(session: Session, reps: Iterable[Rep], now: datetime | None = None) -> list[RepView]:
    """Each rep with their load now (open leads, assigned and claimed today in the tenant's day)."""
    reps = list(reps)
    now = now or utcnow()
    ids = [rep.user_id for rep in reps]
    since = assignment.day_start(now, rules.load(session).pool.zone)
    holding = assignment.open_leads(session, ids)
    assigned = assignment.received_today(session, ids, since, assignment.DAILY_CAP_REASONS)
    claimed = assignment.received_today(session, ids, since, [assignment.CLAIM])
    covered = territories.of_reps(session, ids)
    return [RepView(rep, assignment.is_absent(rep, now), holding.get(rep.user_id, 0), assigned.get(rep.user_id, 0),
                    claimed.get(rep.user_id, 0), tuple(covered.get(rep.user_id, ()))) for rep in reps]


def list_reps(session: Session, *, caller: Caller, team: str = "", offset: int = 0, limit: int = 50,
              now: datetime | None = None) -> tuple[list[RepView], bool]:
    """ListReps: admin and auditor see every team, a manager their own; ordered by team, then user id."""
    caller.require_role(*LIST_ROLES)
    statement = select(Rep).order_by(Rep.team, Rep.user_id)
    if not caller.has_any_role("admin", "auditor"):
        managed = _managed_team(session, caller)
        if not managed or (team and team != managed):
            return [], False
        team = managed
    if team:
        statement = statement.where(Rep.team == team)
    found = list(session.scalars(statement.offset(offset).limit(limit + 1)))
    return views(session, found[:limit], now), len(found) > limit


def get_view(session: Session, rep: Rep, now: datetime | None = None) -> RepView:
    return views(session, [rep], now)[0]
