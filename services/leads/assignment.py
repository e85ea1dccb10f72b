"""Lead assignment (R-LEAD-9, R-LC-4c): give each lead to the rep best suited to it, by the tenant's ordered rules.

Rules (services/leads/rules.py), applied in the tenant's order to the reps of the roster (services/leads/reps.py):
availability and capacity are hard (a rule that leaves nobody stops the assignment: the lead waits, and
lead.assignment_failed says why); territory, industry and conversion are soft (a rule that knows nothing of the
lead or would leave nobody is skipped). The tenant's `crm_assign_lead` plugin may then pick among the reps left;
otherwise round-robin (the longest waiting since their last assignment) breaks the tie.

Concurrency: an assignment locks the rep rows it chooses among (SELECT ... FOR UPDATE, in user id order) before it
counts loads, so two simultaneous assignments neither both take a rep's last slot nor both pick the same rep in a
round. Lock order everywhere: lead rows first (in id order), then rep rows (in user id order).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from prometheus_client import Counter
from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session

from crm.events.v1.leads_pb2 import LeadAssigned, LeadAssignmentFailed
from services.core.auth import Caller
from services.core.db import TENANT, utcnow
from services.core.errors import FailedPrecondition, NotFound, PermissionDenied, Validator
from services.core.events import emit
from services.core.i18n import Text, t
from services.core.metrics import PLUGIN_ERRORS
from services.core.plugins import BUILTIN, PluginHost, choice_for
from services.leads import access, industries, pool, rules, territories
from services.leads.models import CONVERTED, OPEN, Lead, LeadOwnership, Rep, SalesTerritory

log = logging.getLogger("crm.leads.assignment")

SYSTEM = "leads"  # actor of automatic changes
HOOK = "crm_assign_lead"

# LeadOwnership.reason values.
CAPTURE = "capture"  # owner named when the lead was captured
AUTO = "auto"  # chosen by the rules (or the tenant's plugin)
MANUAL = "manual"  # a manager or admin named the rep
CLAIM = "claim"  # a rep took it from the public pool
RELEASE = "release"  # its owner returned it to the pool
RECLAIM_FOLLOW_UP = "reclaim_follow_up"  # no follow-up in time: back to the pool
RECLAIM_CONVERSION = "reclaim_conversion"  # not converted in time: back to the pool
# What counts towards a rep's daily cap; what counts as a rep receiving a lead (conversion record).
DAILY_CAP_REASONS = (AUTO, MANUAL)
RECEIVED_REASONS = (CAPTURE, AUTO, MANUAL, CLAIM)

# AssignmentOutcome.reason values besides the hard rules' names.
ASSIGNED, NO_REPS, NOT_OPEN, UNCHANGED = "assigned", "no_reps", "not_open", "unchanged"

ASSIGN_ROLES = ("admin", "manager")
MAX_BULK = 500
MAX_NOTE = 500

ASSIGNMENTS = Counter("crm_leads_assignments", "Leads given to a rep, by how.", ["reason"])
ASSIGNMENT_FAILURES = Counter("crm_leads_assignment_failures", "Assignments that found no rep, by why.", ["reason"])


@dataclass
class Candidate:
    rep: Rep
    open_leads: int = 0
    assigned_today: int = 0
    conversion_rate: float | None = None
    # The sales territories that list the rep: their regions and industries count as the rep's own.
    territories: list[SalesTerritory] = field(default_factory=list)

    @property
    def user_id(self) -> str:
        return self.rep.user_id

    @property
    def regions(self) -> list[str]:
        return coverage(self.rep.regions, (territory.regions for territory in self.territories))

    @property
    def industries(self) -> list[str]:
        return coverage(self.rep.industries, (territory.industries for territory in self.territories))

    def facts(self) -> dict:
        """What the crm_assign_lead hook sees of a rep: plain values only."""
        rep = self.rep
        return {
            "user_id": rep.user_id, "team": rep.team, "regions": self.regions, "industries": self.industries,
            "territories": [territory.name for territory in self.territories], "daily_cap": rep.daily_cap,
            "holding_limit": rep.holding_limit,
            "open_leads": self.open_leads, "assigned_today": self.assigned_today,
            "conversion_rate": self.conversion_rate,
            "last_assigned_at": rep.last_assigned_at.isoformat() if rep.last_assigned_at else None,
        }


@dataclass(frozen=True)
class Step:
    rule: str
    before: int
    after: int
    applied: bool


@dataclass(frozen=True)
class Outcome:
    assigned: bool
    owner_id: str = ""
    reason: str = ASSIGNED
    explanation: str = ""
    steps: tuple[Step, ...] = ()
    plugin: str = ""


# -- facts about reps -----------------------------------------------------------------------------------------


def coverage(own: Iterable[str] | None, from_territories: Iterable[Iterable[str]]) -> list[str]:
    """A rep's regions (or industries): their own, then their territories', each once."""
    merged = list(own or [])
    for values in from_territories:
        merged.extend(values or [])
    return list(dict.fromkeys(merged))


def day_start(now: datetime, zone: ZoneInfo) -> datetime:
    """Midnight of `now`'s day in the tenant's time zone, in UTC."""
    return now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def is_absent(rep: Rep, now: datetime) -> bool:
    if rep.absent_from is None and rep.absent_until is None:
        return False
    started = rep.absent_from is None or rep.absent_from <= now
    return started and (rep.absent_until is None or now < rep.absent_until)


def received_today(session: Session, user_ids: Sequence[str], since: datetime, reasons: Sequence[str]
                   ) -> dict[str, int]:
    if not user_ids:
        return {}
    rows = session.execute(
        select(LeadOwnership.to_owner, func.count()).where(
            LeadOwnership.to_owner.in_(user_ids), LeadOwnership.at >= since, LeadOwnership.reason.in_(reasons)
        ).group_by(LeadOwnership.to_owner)
    ).all()
    return {owner: count for owner, count in rows}


def open_leads(session: Session, user_ids: Sequence[str]) -> dict[str, int]:
    if not user_ids:
        return {}
    rows = session.execute(
        select(Lead.owner_id, func.count())
        .where(Lead.owner_id != "", Lead.owner_id.in_(user_ids), Lead.status == OPEN)  # the partial index's predicate
        .group_by(Lead.owner_id)
    ).all()
    return {owner: count for owner, count in rows}


def lock_reps(session: Session, *, user_ids: Iterable[str] | None = None, team: str | None = None) -> list[Rep]:
    """The tenant's rep rows (or those named, or of one team), locked until the transaction ends, as committed now."""
    nowait = bool(session.info.get(pool.NOWAIT))  # inside a timer handler: fail at once rather than wait
    statement = select(Rep).order_by(Rep.user_id).with_for_update(nowait=nowait).execution_options(
        populate_existing=True)
    if user_ids is not None:
        statement = statement.where(Rep.user_id.in_(sorted(set(user_ids))))
    if team is not None:
        statement = statement.where(Rep.team == team)
    return list(session.scalars(statement))


# -- the rules ------------------------------------------------------------------------------------------------


def _covers_region(regions: Iterable[str], region: str) -> bool:
    wanted = region.strip().casefold()
    for covered in regions:
        covered = covered.strip().casefold()
        if covered == wanted or (covered.isdigit() and wanted.isdigit() and wanted.startswith(covered)):
            return True
    return False


def _knows_industry(codes: Iterable[str], industry: str) -> bool:
    division = industries.division(industry)
    section = division.section if division is not None else ""
    return any(code == industry or (code.isalpha() and code == section) or
               (code.isdigit() and industry.startswith(code)) for code in codes)


def _available(candidates: list[Candidate], now: datetime) -> list[Candidate]:
    return [c for c in candidates if c.rep.active and not is_absent(c.rep, now)]


def _under_capacity(candidates: list[Candidate]) -> list[Candidate]:
    return [c for c in candidates
            if (not c.rep.daily_cap or c.assigned_today < c.rep.daily_cap)
            and (not c.rep.holding_limit or c.open_leads < c.rep.holding_limit)]


# Conversion records change slowly (a lead converts in weeks) and cost a scan of the window's ownership history: each
# process keeps one per (database, tenant, rule, similar-lead key) for a minute of the clock the caller passes.
CONVERSION_CACHE_SECONDS = 60
_CONVERSION_CACHE_SIZE = 4096
_conversion_cache: OrderedDict[tuple, dict[str, tuple[int, int]]] = OrderedDict()
_conversion_lock = threading.Lock()


def conversion_record(session: Session, lead: Lead, rule: rules.Rule, now: datetime) -> dict[str, tuple[int, int]]:
    """Rep -> (leads received, of them converted while theirs) on leads similar to `lead` (same industry and/or
    channel, as the rule says) received in the rule's window; empty when the lead has nothing to compare by."""
    similar = {}
    if "industry" in rule.similar_by and lead.industry:
        similar["industry"] = lead.industry
    if "channel" in rule.similar_by and lead.channel:
        similar["channel"] = lead.channel
    if not similar:
        return {}
    key = (str(session.get_bind().engine.url), session.info[TENANT], rule.window_days, tuple(sorted(similar.items())),
           int(now.timestamp() // CONVERSION_CACHE_SECONDS))
    with _conversion_lock:
        found = _conversion_cache.get(key)
        if found is not None:
            _conversion_cache.move_to_end(key)
            return found
    converted = case((and_(Lead.status == CONVERTED, Lead.owner_id == LeadOwnership.to_owner), LeadOwnership.lead_id))
    rows = session.execute(
        select(LeadOwnership.to_owner, func.count(distinct(LeadOwnership.lead_id)), func.count(distinct(converted)))
        .join(Lead, Lead.id == LeadOwnership.lead_id)
        .where(LeadOwnership.at >= now - timedelta(days=rule.window_days), LeadOwnership.to_owner != "",
               LeadOwnership.reason.in_(RECEIVED_REASONS), *(getattr(Lead, name) == value
                                                              for name, value in similar.items()))
        .group_by(LeadOwnership.to_owner)
    ).all()
    found = {owner: (received, won) for owner, received, won in rows}
    with _conversion_lock:
        _conversion_cache[key] = found
        while len(_conversion_cache) > _CONVERSION_CACHE_SIZE:
            _conversion_cache.popitem(last=False)
    return found


def _best_converting(record: dict[str, tuple[int, int]], candidates: list[Candidate], rule: rules.Rule
                     ) -> list[Candidate] | None:
    """Reps within the tolerance of the best smoothed conversion rate; None when there is no record to go by.

    Rate = (converted + k * tenant rate) / (received + k): a Beta prior centred on the tenant's rate on these leads
    with the weight of k leads, so that one lead out of one does not beat 40 out of 50.
    """
    received = sum(n for n, _ in record.values())
    if not received:
        return None
    mean = sum(won for _, won in record.values()) / received
    k = rule.prior_leads
    for candidate in candidates:
        n, won = record.get(candidate.user_id, (0, 0))
        candidate.conversion_rate = (won + k * mean) / (n + k)
    best = max(c.conversion_rate for c in candidates)
    floor = best - rule.tolerance_points / 100 - 1e-9
    return [c for c in candidates if c.conversion_rate >= floor]


def _apply(rule: rules.Rule, lead: Lead, candidates: list[Candidate], now: datetime,
           record: dict[str, tuple[int, int]]) -> list[Candidate] | None:
    """The candidates the rule keeps; None when it knows nothing of this lead (a soft rule is then skipped)."""
    if rule.kind == rules.AVAILABILITY:
        return _available(candidates, now)
    if rule.kind == rules.CAPACITY:
        return _under_capacity(candidates)
    if rule.kind == rules.TERRITORY:
        return [c for c in candidates if _covers_region(c.regions, lead.region)] if lead.region else None
    if rule.kind == rules.INDUSTRY:
        return [c for c in candidates if _knows_industry(c.industries, lead.industry)] \
            if lead.industry else None
    if rule.kind == rules.CONVERSION:
        return _best_converting(record, candidates, rule)
    raise ValueError(f"unknown assignment rule {rule.kind!r}")


def _round_robin_key(candidate: Candidate) -> tuple[datetime, str]:
    return candidate.rep.last_assigned_at or datetime.min.replace(tzinfo=UTC), candidate.user_id


def _lead_facts(lead: Lead) -> dict:
    return {"id": lead.id, "name": lead.name, "company": lead.company, "industry": lead.industry,
            "region": lead.region, "employees": lead.employees, "channel": lead.channel, "score": lead.score,
            "temperature": lead.temperature, "owner_id": lead.owner_id, "customer_id": lead.customer_id}


_host: PluginHost | None = None


def use_plugin_host(host: PluginHost) -> None:
    """The service's plugin host, for assignments made without one at hand (capture, reclaim timers)."""
    global _host
    _host = host


@functools.cache
def _fallback_host() -> PluginHost:
    return PluginHost()


def _default_host() -> PluginHost:
    return _host if _host is not None else _fallback_host()


def _failure_text(reason: str) -> Text:
    if reason == NO_REPS:
        return t("no rep of the roster takes leads")
    if reason == rules.AVAILABILITY:
        return t("every rep is inactive or absent")
    return t("every available rep has reached their daily cap or holding limit")


def choose(session: Session, lead: Lead, *, settings: rules.Settings, now: datetime,
           plugins: PluginHost | None = None, exclude: Iterable[str] = (), team: str | None = None) -> Outcome:
    """Which rep the rules (or the tenant's plugin) give `lead` to; locks the reps chosen among. Changes nothing."""
    excluded = set(exclude)
    # The conversion record needs no lock and is the costly part: read it before the reps are locked.
    records = {rule.kind: conversion_record(session, lead, rule, now) for rule in settings.rules
               if rule.kind == rules.CONVERSION}
    reps = lock_reps(session, team=team)
    candidates = [Candidate(rep) for rep in reps if rep.takes_leads and rep.user_id not in excluded]
    if not candidates:
        return Outcome(False, reason=NO_REPS, explanation=_failure_text(NO_REPS))
    ids = [c.user_id for c in candidates]
    since = day_start(now, settings.pool.zone)
    today, holding = received_today(session, ids, since, DAILY_CAP_REASONS), open_leads(session, ids)
    covered = territories.of_reps(session, ids)
    for candidate in candidates:
        candidate.assigned_today = today.get(candidate.user_id, 0)
        candidate.open_leads = holding.get(candidate.user_id, 0)
        candidate.territories = covered.get(candidate.user_id, [])

    steps: list[Step] = []
    for rule in settings.rules:
        before = len(candidates)
        kept = _apply(rule, lead, candidates, now, records.get(rule.kind, {}))
        if rule.kind in rules.HARD_RULES:
            candidates = kept or []
            steps.append(Step(rule.kind, before, len(candidates), True))
            if not candidates:
                return Outcome(False, reason=rule.kind, explanation=_failure_text(rule.kind), steps=tuple(steps))
        else:
            applied = bool(kept)
            if applied:
                candidates = kept
            steps.append(Step(rule.kind, before, len(candidates), applied))
    candidates.sort(key=_round_robin_key)

    choice = choice_for(session, HOOK)
    if choice.plugin != BUILTIN:
        picked = (plugins or _default_host()).call(HOOK, choice, lead=_lead_facts(lead),
                                                   candidates=[c.facts() for c in candidates])
        if picked is not None and any(c.user_id == picked for c in candidates):
            steps.append(Step("plugin", len(candidates), 1, True))
            return Outcome(True, picked, explanation=t("chosen by the plugin {plugin} among {count} reps",
                                                       plugin=choice.plugin, count=len(candidates)),
                           steps=tuple(steps), plugin=choice.plugin)
        if picked is not None:
            PLUGIN_ERRORS.labels(HOOK, choice.plugin, "invalid").inc()
            log.warning("plugin %s chose %r for lead %s, who is not a candidate; the rules decide",
                        choice.plugin, picked, lead.id)
    steps.append(Step("round_robin", len(candidates), 1, True))
    winner = candidates[0]
    applied = ", ".join(step.rule for step in steps if step.applied)
    return Outcome(True, winner.user_id, steps=tuple(steps),
                   explanation=t("chosen by the rules ({rules}) among {count} reps",
                                 rules=applied, count=len(candidates)))


# -- changing owners ------------------------------------------------------------------------------------------


# Session.info: a list while capture assigns a lead it has not written yet; the history rows go there, and capture
# writes them with the lead, in one statement (services/leads/leads.py).
_STAGED_OWNERSHIP = "crm_leads_staged_ownership"


@contextlib.contextmanager
def staged_history(session: Session) -> Iterator[list[LeadOwnership]]:
    """Collect the ownership history rows recorded inside instead of adding them to the session (as
    services.core.timers.staged does for timers): the caller writes them itself."""
    rows: list[LeadOwnership] = []
    session.info[_STAGED_OWNERSHIP] = rows
    try:
        yield rows
    finally:
        session.info.pop(_STAGED_OWNERSHIP, None)


def record(session: Session, *, lead_id: str, from_owner: str, to_owner: str, reason: str, actor: str,
           note: str = "", at: datetime) -> None:
    row = LeadOwnership(lead_id=lead_id, from_owner=from_owner, to_owner=to_owner, reason=reason,
                        actor=actor, note=note[:MAX_NOTE], at=at)
    staged = session.info.get(_STAGED_OWNERSHIP)
    if staged is not None:
        staged.append(row)
    else:
        session.add(row)


def give(session: Session, lead: Lead, *, to: str, reason: str, actor: str, now: datetime,
         settings: rules.Settings, note: str = "", rep: Rep | None = None, previous: str | None = None
         ) -> pool.Deadlines:
    """Make `to` the lead's owner from `now`: history, fresh reclaim clocks for the new owner, lead.assigned.

    The caller has checked that `to` may take it and holds the lead's row lock (and the rep's, when it counted).
    `previous`: the owner before, when it is not the lead's owner_id (capture has filled that in already).
    """
    previous = lead.owner_id if previous is None else previous
    lead.owner_id, lead.assigned_at, lead.pooled_at = to, now, None
    record(session, lead_id=lead.id, from_owner=previous, to_owner=to, reason=reason, actor=actor, note=note, at=now)
    if rep is not None and reason in DAILY_CAP_REASONS:
        # Strictly later than the last one, so that several assignments at one instant (a bulk) still take turns.
        last = rep.last_assigned_at
        rep.last_assigned_at = now if last is None or now > last else last + timedelta(microseconds=1)
    deadlines = pool.start_clocks(session, lead, settings.pool, now)
    event = LeadAssigned(lead_id=lead.id, owner_id=to, previous_owner_id=previous, reason=reason, actor=actor,
                         note=note[:MAX_NOTE], name=lead.name, company=lead.company)
    event.assign_time.FromDatetime(now)
    if deadlines.follow_up is not None:
        event.follow_up_due_time.FromDatetime(deadlines.follow_up)
    if deadlines.conversion is not None:
        event.conversion_due_time.FromDatetime(deadlines.conversion)
    emit(session, event, producer="leads")
    ASSIGNMENTS.labels(reason).inc()
    return deadlines


def auto_assign(session: Session, lead: Lead, *, settings: rules.Settings, now: datetime, actor: str = SYSTEM,
                plugins: PluginHost | None = None, exclude: Iterable[str] = (), team: str | None = None,
                note: str = "", announce_failure: bool = True) -> Outcome:
    """Give `lead` to the rep the rules choose; when nobody may take it, leave it as it is and say why
    (lead.assignment_failed, unless `announce_failure` is false)."""
    outcome = choose(session, lead, settings=settings, now=now, plugins=plugins, exclude=exclude, team=team)
    if outcome.assigned:
        rep = session.get(Rep, (session.info[TENANT], outcome.owner_id))
        give(session, lead, to=outcome.owner_id, reason=AUTO, actor=actor, now=now, settings=settings,
             note=note or str(outcome.explanation), rep=rep)
    elif announce_failure:
        ASSIGNMENT_FAILURES.labels(outcome.reason).inc()
        emit(session, LeadAssignmentFailed(lead_id=lead.id, reason=outcome.reason,
                                           explanation=str(outcome.explanation)), producer="leads")
    return outcome


def assign_new_lead(session: Session, lead: Lead, *, actor: str = "", plugins: PluginHost | None = None,
                    now: datetime | None = None) -> Outcome | None:
    """Capture calls this after creating `lead` (flushed). An owner named at capture is recorded and gets the reclaim
    clocks; a lead without owner goes to the rep the rules choose. None when nothing was done: a duplicate (not
    worked on), a tenant that turned automatic assignment off, or one without reps in its roster."""
    if lead.status != OPEN:
        return None
    now = now or utcnow()
    settings = rules.load(session)
    if lead.owner_id:
        give(session, lead, to=lead.owner_id, reason=CAPTURE, actor=actor or lead.owner_id, now=now,
             settings=settings, previous="")
        return Outcome(True, lead.owner_id, reason=CAPTURE)
    if not settings.auto_assign_new_leads or not session.scalar(select(Rep.user_id).limit(1)):
        return None  # a tenant without a roster does not use assignment: nothing to report
    return auto_assign(session, lead, settings=settings, now=now, plugins=plugins)


# -- the RPCs -------------------------------------------------------------------------------------------------


def _manager_team(session: Session, caller: Caller) -> str | None:
    """None when the caller assigns across the tenant (admin, service); the manager's team otherwise."""
    if caller.is_service or caller.has_any_role(*access.CHANGE_ALL_ROLES):
        return None
    return access.scope_of(session, caller).team


def _target_rep(session: Session, caller: Caller, owner_id: str, now: datetime) -> Rep:
    """The named rep, locked, when they may take another lead now; the reason as an error otherwise."""
    [rep] = lock_reps(session, user_ids=[owner_id]) or [None]
    if rep is None:
        raise NotFound(t("rep {id} is not in the roster", id=repr(owner_id)))
    team = _manager_team(session, caller)
    if team is not None and (not team or rep.team != team):
        raise PermissionDenied(t("rep {id} is not in your team", id=repr(owner_id)))
    if not rep.takes_leads:
        raise FailedPrecondition(t("rep {id} takes no leads", id=repr(owner_id)))
    if not rep.active or is_absent(rep, now):
        raise FailedPrecondition(t("rep {id} is inactive or absent", id=repr(owner_id)))
    return rep


def _check_capacity(session: Session, rep: Rep, settings: rules.Settings, now: datetime) -> None:
    if rep.daily_cap:
        since = day_start(now, settings.pool.zone)
        today = received_today(session, [rep.user_id], since, DAILY_CAP_REASONS).get(rep.user_id, 0)
        if today >= rep.daily_cap:
            raise FailedPrecondition(t("rep {id} has reached their daily cap of {cap} leads", id=repr(rep.user_id),
                                       cap=rep.daily_cap))
    if rep.holding_limit:
        holding = open_leads(session, [rep.user_id]).get(rep.user_id, 0)
        if holding >= rep.holding_limit:
            raise FailedPrecondition(t("rep {id} already holds {count} open leads, their limit",
                                       id=repr(rep.user_id), count=holding))


def _validate(owner_id: str, note: str) -> None:
    check = Validator()
    check.at_most(owner_id, "owner_id", 64)
    check.at_most(note, "note", MAX_NOTE)
    check.raise_if_any()


def _reassign_one(session: Session, caller: Caller, lead: Lead, *, owner_id: str, note: str, now: datetime,
                  settings: rules.Settings, plugins: PluginHost | None) -> Outcome:
    """Give a locked lead the caller may change to `owner_id` (or by the rules, never to its current owner)."""
    if lead.status != OPEN:
        raise FailedPrecondition(t("lead {id} is not open", id=repr(lead.id)))
    if owner_id:
        if owner_id == lead.owner_id:
            # Same owner: nothing changes, the reclaim clocks keep running (no dodging a reclaim).
            return Outcome(True, owner_id, reason=UNCHANGED, explanation=t("the lead already has this owner"))
        rep = _target_rep(session, caller, owner_id, now)
        _check_capacity(session, rep, settings, now)
        give(session, lead, to=owner_id, reason=MANUAL, actor=caller.subject, now=now, settings=settings, note=note,
             rep=rep)
        return Outcome(True, owner_id, explanation=t("named by {actor}", actor=caller.subject))
    exclude = {lead.owner_id} if lead.owner_id else set()
    team = _manager_team(session, caller)
    if team == "":
        raise PermissionDenied(t("you manage no team in the rep roster"))
    return auto_assign(session, lead, settings=settings, now=now, actor=caller.subject or SYSTEM, plugins=plugins,
                       exclude=exclude, team=team, note=note,
                       announce_failure=not lead.owner_id)


def assign_lead(session: Session, *, caller: Caller, lead_id: str, owner_id: str = "", note: str = "",
                plugins: PluginHost | None = None, now: datetime | None = None) -> tuple[Lead, Outcome]:
    """AssignLead: to the named rep, or by the rules (an owned lead then goes to another rep)."""
    caller.require_role(*ASSIGN_ROLES)
    _validate(owner_id, note)
    now = now or utcnow()
    lead = access.lead_for_change(session, caller=caller, lead_id=lead_id)
    outcome = _reassign_one(session, caller, lead, owner_id=owner_id, note=note, now=now,
                            settings=rules.load(session), plugins=plugins)
    return lead, outcome


@dataclass
class BulkResult:
    lead_id: str
    ok: bool = False
    changed: bool = False
    owner_id: str = ""
    error_code: str = ""
    error: str = ""
    outcome: Outcome | None = field(default=None, repr=False)


_ERROR_CODES = {NotFound: "not_found", PermissionDenied: "permission_denied", FailedPrecondition: "failed_precondition"}


def bulk_reassign(session: Session, *, caller: Caller, lead_ids: Sequence[str], owner_id: str = "", note: str = "",
                  plugins: PluginHost | None = None, now: datetime | None = None) -> list[BulkResult]:
    """BulkReassign: one result per lead id (in the request's order, repeats once); a refused lead does not stop the
    others. A lead whose owner changes gets fresh deadlines; one that keeps its owner keeps its deadlines."""
    caller.require_role(*ASSIGN_ROLES)
    check = Validator()
    ids = list(dict.fromkeys(lead_ids))
    check.check(1 <= len(ids) <= MAX_BULK, "lead_ids", t("must name between {min} and {max} leads", min=1,
                                                           max=MAX_BULK))
    check.raise_if_any()
    _validate(owner_id, note)
    now = now or utcnow()
    settings = rules.load(session)
    # Lock every lead first, in id order, then (inside each assignment) the reps: the order every writer follows.
    locked = {lead.id: lead for lead in session.scalars(
        select(Lead).where(Lead.id.in_(sorted(ids))).order_by(Lead.id).with_for_update()
        .execution_options(populate_existing=True)
    )}
    results = []
    for lead_id in ids:
        result = BulkResult(lead_id)
        lead = locked.get(lead_id)
        try:
            if lead is None or not access.may_read(session, caller, lead):
                raise NotFound(t("lead {id} not found", id=repr(lead_id)))
            if not access.may_change(session, caller, lead):
                raise PermissionDenied(t("you may read lead {id} but not change it", id=repr(lead_id)))
            before = lead.owner_id
            outcome = _reassign_one(session, caller, lead, owner_id=owner_id, note=note, now=now, settings=settings,
                                    plugins=plugins)
            result.outcome = outcome
            if outcome.assigned:
                result.ok, result.owner_id, result.changed = True, lead.owner_id, lead.owner_id != before
            else:
                result.error_code, result.error = "failed_precondition", str(outcome.explanation)
        except (NotFound, PermissionDenied, FailedPrecondition) as error:
            result.error_code, result.error = _ERROR_CODES[type(error)], error.message
        results.append(result)
    return results


def ownership_history(session: Session, *, caller: Caller, lead_id: str, offset: int = 0, limit: int = 50
                      ) -> tuple[list[LeadOwnership], bool]:
    """ListLeadOwnership: the lead's owner changes, newest first; (page, whether more follow)."""
    access.readable_lead(session, caller=caller, lead_id=lead_id)
    rows = list(session.scalars(
        select(LeadOwnership).where(LeadOwnership.lead_id == lead_id)
        .order_by(LeadOwnership.at.desc(), LeadOwnership.id.desc()).offset(offset).limit(limit + 1)
    ))
    return rows[:limit], len(rows) > limit
