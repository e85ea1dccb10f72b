"""The public pool (R-LEAD-10, R-LC-4d): leads flow back from reps who do not work them, and reps claim them.

Every assignment starts two reclaim clocks for the new owner, as durable timers (services/core/timers.py), each with
a warning before it strikes (lead.reclaim_warning):
- follow-up: no follow-up within `follow_up_hours` (default 48) of the assignment; `followed_up` stops it;
- conversion: not converted within `conversion_days` (default 30).
A reclaim clears the owner, sets Lead.pooled_at, keeps the previous owner in the ownership history and emits
lead.reclaimed; the tenant may have the lead reassigned at once by the rules (never to the rep who lost it), by a
timer of its own (`pool.reassign`, due at once).
A lead that leaves "open" (qualified, converted, lost, duplicate) stops its clocks.

Honest clocks: a timer carries the owner and the assignment time it was started for, and does nothing when the lead
has changed hands since; a new owner gets fresh clocks, the same owner keeps the running ones.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import Counter
from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crm.events.v1.leads_pb2 import LeadReclaimed, LeadReclaimWarning, LeadReleased
from services.core.auth import Caller
from services.core.db import TENANT, utcnow
from services.core.errors import FailedPrecondition, NotFound, Validator
from services.core.events import emit
from services.core.i18n import t
from services.core.kernel_models import Timer
from services.core.timers import Due, FiredTimer, schedule, schedule_many
from services.leads import access, assignment, rules
from services.leads.models import OPEN, Lead, LeadOwnership, Rep

FOLLOW_UP, CONVERSION = "follow_up", "conversion"
CLOCKS = (FOLLOW_UP, CONVERSION)
WARNING, RECLAIM = "warning", "reclaim"
CLAIM_ROLES = ("sales", "manager")

RECLAIMS = Counter("crm_leads_reclaimed", "Leads reclaimed into the public pool, by clock.", ["clock"])
CLAIMS = Counter("crm_leads_claimed", "Leads claimed from the public pool.")
RELEASES = Counter("crm_leads_released", "Leads their owner returned to the public pool.")
BUSY_RETRIES = Counter("crm_leads_pool_timer_busy_retries", "Pool timers put back because a row was locked.", ["kind"])


def timer_kind(clock: str, stage: str) -> str:
    return f"pool.{clock}.{stage}"


# -- clocks ---------------------------------------------------------------------------------------------------


@dataclass
class Deadlines:
    """Reclaim deadlines of an assignment (None: no such clock runs)."""

    follow_up: datetime | None = None
    conversion: datetime | None = None


def _cancel_kinds(session: Session, lead_id: str, kinds: list[str]) -> None:
    """services.core.timers.cancel for several kinds of one key in one statement."""
    if kinds:
        table = Timer.__table__
        session.connection().execute(delete(table).where(
            table.c.tenant_id == session.info[TENANT], table.c.kind.in_(kinds), table.c.key == lead_id))


def cancel_clocks(session: Session, lead_id: str, clocks: tuple[str, ...] = CLOCKS) -> None:
    _cancel_kinds(session, lead_id, [timer_kind(clock, stage) for clock in clocks for stage in (WARNING, RECLAIM)])


def start_clocks(session: Session, lead: Lead, settings: rules.PoolSettings, now: datetime) -> Deadlines:
    """Fresh reclaim clocks for the lead's owner, assigned at `now`; replaces any clock of a previous owner."""
    deadlines = Deadlines()
    if not lead.owner_id or lead.status != OPEN:
        cancel_clocks(session, lead.id)
        return deadlines
    unused, due = [], []
    clocks = {FOLLOW_UP: (timedelta(hours=settings.follow_up_hours), timedelta(hours=settings.follow_up_warning_hours)),
              CONVERSION: (timedelta(days=settings.conversion_days), timedelta(days=settings.conversion_warning_days))}
    for clock, (length, warning) in clocks.items():
        if not length:
            unused += [timer_kind(clock, WARNING), timer_kind(clock, RECLAIM)]
            continue
        reclaim_at = now + length
        payload = {"owner": lead.owner_id, "assigned_at": now.isoformat(), "reclaim_at": reclaim_at.isoformat()}
        due.append(Due(timer_kind(clock, RECLAIM), lead.id, reclaim_at, payload))
        if warning and reclaim_at - warning > now:
            due.append(Due(timer_kind(clock, WARNING), lead.id, reclaim_at - warning, payload))
        else:
            unused.append(timer_kind(clock, WARNING))
        setattr(deadlines, clock, reclaim_at)
    schedule_many(session, due)  # one statement for all clocks: this runs on every capture by a rep
    _cancel_kinds(session, lead.id, unused)  # a previous owner's clocks that this assignment does not replace
    return deadlines


def followed_up(session: Session, lead: Lead, at: datetime | None = None) -> None:
    """A follow-up of `lead` happened `at` (default now): remember it, and stop the owner's follow-up clock when it
    happened since the lead was assigned to them. The follow-ups area calls this."""
    at = at or utcnow()
    if lead.last_follow_up_at is None or at > lead.last_follow_up_at:
        lead.last_follow_up_at = at
    if lead.owner_id and lead.assigned_at is not None and at >= lead.assigned_at:
        cancel_clocks(session, lead.id, (FOLLOW_UP,))


def status_changed(session: Session, lead: Lead) -> None:
    """Call after changing Lead.status: a lead that is no longer open (qualified, converted, lost, duplicate) stops
    its reclaim clocks. (A clock that fires on such a lead does nothing either.)"""
    if lead.status != OPEN:
        cancel_clocks(session, lead.id)


def _same_assignment(lead: Lead, payload: dict) -> bool:
    if lead.status != OPEN or not lead.owner_id or lead.owner_id != payload.get("owner") or lead.assigned_at is None:
        return False
    started = datetime.fromisoformat(payload["assigned_at"])
    return abs((lead.assigned_at - started).total_seconds()) < 0.001


class Busy(Exception):
    """A row a timer handler needs is locked by another transaction: the timer fires again a little later."""


def _lock_lead(session: Session, lead_id: str) -> Lead | None:
    """The lead row, locked, as committed now; None when it does not exist. Never waits: a lead another transaction
    holds raises Busy (SKIP LOCKED, then a plain read to tell "locked" from "gone")."""
    statement = select(Lead).where(Lead.id == lead_id).execution_options(populate_existing=True)
    lead = session.scalars(statement.with_for_update(skip_locked=True)).first()
    if lead is None and session.scalar(select(Lead.id).where(Lead.id == lead_id)) is not None:
        raise Busy(lead_id)
    return lead


def _still_due(session: Session, lead: Lead | None, timer: FiredTimer, clock: str) -> bool:
    """The clock that fired still applies to the lead: same owner and assignment, still open, and (follow-up) not
    followed up since and of a temperature the tenant reclaims."""
    if lead is None or not _same_assignment(lead, timer.payload):
        return False
    if clock == FOLLOW_UP:
        if lead.last_follow_up_at is not None and lead.last_follow_up_at >= lead.assigned_at:
            return False
        if not rules.load(session).pool.reclaims_temperature(lead.temperature):
            return False
    return True


# Timer handlers never wait for a row lock. The firer holds the rows of the timers it fired until it commits, and a
# request that holds a lead and restarts its clocks waits for those rows: a handler waiting for that lead would close
# the circle (a deadlock). A handler that finds a row busy fires again a little later instead: its lead is locked with
# SKIP LOCKED (see _lock_lead), rep rows with NOWAIT inside a savepoint (see _when_free).
NOWAIT = "crm_leads_nowait"  # Session.info: row locks fail at once instead of waiting
RETRY_BUSY_AFTER = timedelta(seconds=2)  # doubling with each busy firing, up to RETRY_BUSY_AT_MOST
RETRY_BUSY_AT_MOST = timedelta(minutes=5)
LOCK_NOT_AVAILABLE = "55P03"


@contextlib.contextmanager
def _without_waiting(session: Session) -> Iterator[None]:
    session.info[NOWAIT] = True
    try:
        if session.get_bind().dialect.name == "postgresql":
            with session.begin_nested():
                yield
        else:  # SQLite has one writer and no row locks: nothing to wait for
            yield
    finally:
        session.info.pop(NOWAIT, None)


def _busy(error: OperationalError) -> bool:
    return getattr(error.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE


def _when_free(handler, *, savepoint: bool = False):  # noqa: ANN001, ANN202
    """Run `handler(session, timer)` without waiting for row locks; when a row is busy, fire the timer again soon.

    `savepoint`: the handler locks rows with NOWAIT (rep rows: skipping a locked one would change the choice), whose
    failure aborts the transaction up to a savepoint; otherwise it only locks its lead with SKIP LOCKED (Busy)."""
    @functools.wraps(handler)
    def run(session: Session, timer: FiredTimer) -> None:
        try:
            if savepoint:
                with _without_waiting(session):
                    handler(session, timer)
            else:
                handler(session, timer)
        except (Busy, OperationalError) as error:
            if isinstance(error, OperationalError) and not _busy(error):
                raise
            BUSY_RETRIES.labels(timer.kind).inc()
            busy = int(timer.payload.get("busy", 0))
            delay = min(RETRY_BUSY_AFTER * 2 ** busy, RETRY_BUSY_AT_MOST)
            schedule(session, kind=timer.kind, key=timer.key, due_at=max(utcnow(), timer.due_at) + delay,
                     payload={**timer.payload, "busy": busy + 1})
    return run


def _warning_handler(clock: str):  # noqa: ANN202
    def on_warning(session: Session, timer: FiredTimer) -> None:
        lead = session.scalars(select(Lead).where(Lead.id == timer.key)
                               .execution_options(populate_existing=True)).first()
        if not _still_due(session, lead, timer, clock):
            return
        event = LeadReclaimWarning(lead_id=lead.id, owner_id=lead.owner_id, clock=clock, name=lead.name,
                                   company=lead.company)
        event.reclaim_time.FromDatetime(datetime.fromisoformat(timer.payload["reclaim_at"]))
        emit(session, event, producer="leads")

    on_warning.__name__ = f"on_{clock}_warning"
    return on_warning


def _reclaim_handler(clock: str):  # noqa: ANN202
    def on_reclaim(session: Session, timer: FiredTimer) -> None:
        lead = _lock_lead(session, timer.key)
        if _still_due(session, lead, timer, clock):
            # A timer that fires late (no replica ran) reclaims at the time it fires, never before it was due.
            reclaim(session, lead, clock=clock, now=max(utcnow(), timer.due_at))

    on_reclaim.__name__ = f"on_{clock}_reclaim"
    return _when_free(on_reclaim)


REASSIGN = "pool.reassign"


@functools.partial(_when_free, savepoint=True)
def on_reassign(session: Session, timer: FiredTimer) -> None:
    """Reassign a reclaimed lead by the rules (tenant setting), never to the rep who lost it. A timer of its own, so
    that the reclaim never waits for the rep rows an assignment locks."""
    lead = _lock_lead(session, timer.key)
    if lead is None or lead.status != OPEN or lead.pooled_at is None:
        return  # claimed or closed meanwhile
    if abs((lead.pooled_at - datetime.fromisoformat(timer.payload["pooled_at"])).total_seconds()) >= 0.001:
        return  # released or reclaimed again since: that pooling decides
    settings = rules.load(session)
    assignment.auto_assign(session, lead, settings=settings, now=max(utcnow(), timer.due_at),
                           exclude={timer.payload.get("previous", "")}, note=str(t("reassigned after a reclaim")))


TIMERS = {timer_kind(clock, stage): (_warning_handler if stage == WARNING else _reclaim_handler)(clock)
          for clock in CLOCKS for stage in (WARNING, RECLAIM)}
TIMERS[REASSIGN] = on_reassign


# -- into the pool ------------------------------------------------------------------------------------------------


def to_pool(session: Session, lead: Lead, *, reason: str, actor: str, now: datetime, note: str = "") -> str:
    """Move an owned lead into the public pool; returns the previous owner."""
    previous = lead.owner_id
    lead.owner_id, lead.pooled_at, lead.assigned_at = "", now, None
    assignment.record(session, lead_id=lead.id, from_owner=previous, to_owner="", reason=reason, actor=actor,
                      note=note, at=now)
    cancel_clocks(session, lead.id)
    return previous


def reclaim(session: Session, lead: Lead, *, clock: str, now: datetime) -> None:
    reason = assignment.RECLAIM_FOLLOW_UP if clock == FOLLOW_UP else assignment.RECLAIM_CONVERSION
    previous = to_pool(session, lead, reason=reason, actor=assignment.SYSTEM, now=now)
    event = LeadReclaimed(lead_id=lead.id, previous_owner_id=previous, clock=clock)
    event.reclaim_time.FromDatetime(now)
    emit(session, event, producer="leads")
    RECLAIMS.labels(clock).inc()
    if rules.load(session).pool.reassign_on_reclaim:
        schedule(session, kind=REASSIGN, key=lead.id, due_at=now,
                 payload={"previous": previous, "pooled_at": now.isoformat()})


def release(session: Session, *, caller: Caller, lead_id: str, note: str = "", now: datetime | None = None) -> Lead:
    """ReleaseLead: the owner (or whoever may change the lead) returns an open lead to the pool."""
    check = Validator()
    check.at_most(note, "note", assignment.MAX_NOTE)
    check.raise_if_any()
    now = now or utcnow()
    lead = access.lead_for_change(session, caller=caller, lead_id=lead_id)
    if not lead.owner_id:
        raise FailedPrecondition(t("lead {id} has no owner", id=repr(lead_id)))
    if lead.status != OPEN:
        raise FailedPrecondition(t("lead {id} is not open", id=repr(lead_id)))
    previous = to_pool(session, lead, reason=assignment.RELEASE, actor=caller.subject, now=now, note=note)
    emit(session, LeadReleased(lead_id=lead.id, previous_owner_id=previous, actor=caller.subject, note=note),
         producer="leads")
    RELEASES.inc()
    return lead


# -- out of the pool -----------------------------------------------------------------------------------------------


def cooldown_until(session: Session, *, lead_id: str, user_id: str, days: int, now: datetime) -> datetime | None:
    """When `user_id` may claim the lead again, if a cool-down runs: it was reclaimed from them, or they released it,
    less than `days` ago."""
    return cooldowns(session, lead_ids=[lead_id], user_id=user_id, days=days, now=now).get(lead_id)


def cooldowns(session: Session, *, lead_ids: Sequence[str], user_id: str, days: int, now: datetime
              ) -> dict[str, datetime]:
    """cooldown_until for several leads in one query: {lead id: end} for those with a cool-down running."""
    if not days or not lead_ids:
        return {}
    rows = session.execute(
        select(LeadOwnership.lead_id, func.max(LeadOwnership.at)).where(
            LeadOwnership.lead_id.in_(lead_ids), LeadOwnership.from_owner == user_id, LeadOwnership.to_owner == "",
            LeadOwnership.at > now - timedelta(days=days),
        ).group_by(LeadOwnership.lead_id)
    )
    return {lead_id: last + timedelta(days=days) for lead_id, last in rows}


def claim_blocks(session: Session, caller: Caller, leads: Sequence[Lead], now: datetime | None = None
                 ) -> dict[str, datetime]:
    """For the pool leads among `leads` the caller could claim but for a cool-down: {lead id: when they may}."""
    pooled = [lead.id for lead in leads if lead.pooled_at is not None]
    if not pooled or caller.is_service or not caller.has_any_role(*CLAIM_ROLES):
        return {}
    days = rules.load(session).pool.claim_cooldown_days
    return cooldowns(session, lead_ids=pooled, user_id=caller.subject, days=days, now=now or utcnow())


def claim(session: Session, *, caller: Caller, lead_id: str, now: datetime | None = None) -> Lead:
    """ClaimLead: a rep of the roster takes a pool lead, within the limits. Of two reps claiming at once, the first
    to lock the lead wins; the other finds it gone from the pool. Claiming a lead one already owns returns it."""
    caller.require_role(*CLAIM_ROLES)
    now = now or utcnow()
    tenant = session.info[TENANT]
    rep = session.get(Rep, (tenant, caller.subject))
    if rep is None or not rep.active or not rep.takes_leads:
        raise FailedPrecondition(t("only active reps of the roster may claim leads"))
    lead = session.scalars(select(Lead).where(Lead.id == lead_id).with_for_update()
                           .execution_options(populate_existing=True)).first() if lead_id else None
    if lead is not None and lead.owner_id and lead.owner_id == caller.subject:
        return lead  # a repeated claim (the first answer was lost): the lead is already theirs
    if lead is None or lead.pooled_at is None or not access.may_read(session, caller, lead):
        raise NotFound(t("lead {id} is not in the public pool", id=repr(lead_id)))
    if lead.status != OPEN:
        raise FailedPrecondition(t("lead {id} is not open", id=repr(lead_id)))
    [rep] = assignment.lock_reps(session, user_ids=[caller.subject])  # claims of one rep, one at a time
    settings = rules.load(session)
    config = settings.pool
    until = cooldown_until(session, lead_id=lead.id, user_id=caller.subject, days=config.claim_cooldown_days, now=now)
    if until is not None:
        raise FailedPrecondition(t("you may claim this lead again from {time}",
                                   time=until.astimezone(config.zone).isoformat(timespec="minutes")))
    if config.claims_per_day:
        since = assignment.day_start(now, config.zone)
        today = assignment.received_today(session, [rep.user_id], since, [assignment.CLAIM]).get(rep.user_id, 0)
        if today >= config.claims_per_day:
            raise FailedPrecondition(t("you have claimed {count} leads today, the most allowed", count=today))
    if rep.holding_limit:
        holding = assignment.open_leads(session, [rep.user_id]).get(rep.user_id, 0)
        if holding >= rep.holding_limit:
            raise FailedPrecondition(t("you already hold {count} open leads, your limit", count=holding))
    assignment.give(session, lead, to=rep.user_id, reason=assignment.CLAIM, actor=caller.subject, now=now,
                    settings=settings, rep=rep)
    CLAIMS.inc()
    return lead
