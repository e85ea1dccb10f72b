"""Follow-ups and reminders (R-LEAD-8).

A follow-up records a contact with a lead's prospect (call, visit, e-mail, note) with the objection heard, the
budget cycle and the next step; recording one sets the lead's last follow-up time, which stops the public
pool's "no follow-up within 48 h" clock. A reminder is scheduled from a follow-up or on its own, for an explicit
time or an anchor as people say it ("budget frozen in Q4: remind me at the end of Q3"), resolved in the
tenant's time zone at 09:00 local time. A durable timer (kind "reminder", key = reminder id) fires it exactly
once, also with several replicas and after a restart: the reminder turns "fired" and lead.reminder_due tells
the recipient.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from prometheus_client import Counter
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm.events.v1.leads_pb2 import LeadReminderDue
from services.core import timers
from services.core.auth import Caller
from services.core.db import TENANT
from services.core.errors import FailedPrecondition, NotFound, PermissionDenied, Validator
from services.core.events import emit_many
from services.core.i18n import t
from services.core.paging import DEFAULT_PAGE_SIZE
from services.leads import leads, pool, rules
from services.leads.models import (
    FOLLOW_UP_KINDS,
    REMINDER_CANCELLED,
    REMINDER_FIRED,
    REMINDER_SCHEDULED,
    REMINDER_STATUSES,
    FollowUp,
    Lead,
    Reminder,
)

FOLLOW_UPS_RECORDED = Counter("crm_lead_follow_ups", "Follow-ups recorded, by kind.", ["kind"])
REMINDERS_SCHEDULED = Counter("crm_lead_reminders_scheduled", "Reminders scheduled.")
REMINDERS_FIRED = Counter("crm_lead_reminders_fired", "Reminders that fell due and were sent as lead.reminder_due.")

TIMER_KIND = "reminder"
REMIND_HOUR = 9  # anchors resolve to this local hour of the tenant's time zone
ANCHORS = ("end_of_quarter", "start_of_quarter", "end_of_month", "in_days", "in_weeks")
MAX_YEARS_AHEAD = 5
MAX_DAYS = 365 * MAX_YEARS_AHEAD
MAX_WEEKS = 52 * MAX_YEARS_AHEAD
CLOCK_SKEW = timedelta(minutes=5)  # a follow-up "now" from a client whose clock runs a little ahead
LIST_FILTERS = (*REMINDER_STATUSES, "all")
# Roles that may schedule a reminder for someone else.
DELEGATE_ROLES = ("manager", "admin")


@dataclass(frozen=True)
class ReminderTime:
    """When a reminder fires: `at`, or an anchor (see ANCHORS) with its quarter, year, month or count."""

    at: datetime | None = None
    anchor: str = ""
    quarter: int = 0  # 1..4; 0 = the current quarter
    year: int = 0  # 0 = the current year
    month: int = 0  # 1..12; 0 = the current month
    count: int = 0  # in_days, in_weeks


@dataclass(frozen=True)
class ReminderRequest:
    """A reminder asked for together with a follow-up."""

    when: ReminderTime
    note: str = ""  # empty: the follow-up's next step
    recipient_id: str = ""  # empty: the caller (a service caller: the lead's owner)


# --- reminder times ----------------------------------------------------------------------------------------


def tenant_zone(session: Session) -> ZoneInfo:
    """The tenant's time zone (the public pool's setting, default Asia/Shanghai)."""
    return rules.load(session).pool.zone


def resolve_reminder_time(
    when: ReminderTime, *, now: datetime, zone: ZoneInfo, check: Validator, field: str = "when"
) -> tuple[datetime | None, str]:
    """(UTC time, how it was asked for) of `when`; violations go to `check` (None is returned then).

    Anchors land on a day at REMIND_HOUR local time: the first or last day of a quarter or month, or today plus
    N days or weeks. The result must lie after `now`: an anchor that has passed is a violation naming it.
    """
    if when.at is not None:
        ok = check.check(not when.anchor, f"{field}.anchor", t("must be empty when a time is given"))
        ok = check.check(when.at > now, f"{field}.at", t("must be in the future")) and ok
        ok = check.check(
            when.at <= now + timedelta(days=MAX_DAYS), f"{field}.at",
            t("must be at most {years} years ahead", years=MAX_YEARS_AHEAD),
        ) and ok
        return (when.at.astimezone(UTC), "") if ok else (None, "")
    if not check.check(bool(when.anchor), field, t("give a time or an anchor")):
        return None, ""
    if not check.check(when.anchor in ANCHORS, f"{field}.anchor", t("must be one of: {values}",
                                                                      values=", ".join(ANCHORS))):
        return None, ""
    today = now.astimezone(zone).date()
    day, label = _anchor_day(when, today, check, field)
    if day is None:
        return None, ""
    moment = datetime.combine(day, time(REMIND_HOUR), tzinfo=zone)
    if not check.check(
        moment > now, f"{field}.anchor",
        t("{anchor} ({time}) has passed: choose a later one", anchor=label, time=moment.strftime("%Y-%m-%d %H:%M")),
    ):
        return None, ""
    return moment.astimezone(UTC), label


def _anchor_day(when: ReminderTime, today: date, check: Validator, field: str) -> tuple[date | None, str]:
    if when.anchor in ("in_days", "in_weeks"):
        days, most = (1, MAX_DAYS) if when.anchor == "in_days" else (7, MAX_WEEKS)
        if not check.check(1 <= when.count <= most, f"{field}.count",
                           t("must be between {min} and {max}", min=1, max=most)):
            return None, ""
        return today + timedelta(days=days * when.count), f"{when.anchor} {when.count}"
    year = when.year or today.year
    ok = check.check(today.year <= year <= today.year + MAX_YEARS_AHEAD, f"{field}.year",
                     t("must be between {min} and {max}", min=today.year, max=today.year + MAX_YEARS_AHEAD))
    if when.anchor == "end_of_month":
        month = when.month or today.month
        ok = check.check(1 <= month <= 12, f"{field}.month", t("must be between {min} and {max}", min=1, max=12)) and ok
        if not ok:
            return None, ""
        return date(year, month, calendar.monthrange(year, month)[1]), f"end_of_month {year}-{month:02d}"
    quarter = when.quarter or (today.month - 1) // 3 + 1
    ok = check.check(1 <= quarter <= 4, f"{field}.quarter", t("must be between {min} and {max}", min=1, max=4)) and ok
    if not ok:
        return None, ""
    label = f"{when.anchor} Q{quarter} {year}"
    if when.anchor == "start_of_quarter":
        return date(year, 3 * quarter - 2, 1), label
    last_month = 3 * quarter
    return date(year, last_month, calendar.monthrange(year, last_month)[1]), label


# --- follow-ups ------------------------------------------------------------------------------------------------


def add_follow_up(
    session: Session,
    *,
    caller: Caller,
    lead_id: str,
    kind: str,
    content: str = "",
    objection: str = "",
    budget_cycle: str = "",
    next_step: str = "",
    occurred_at: datetime | None = None,
    reminder: ReminderRequest | None = None,
    now: datetime | None = None,
) -> tuple[FollowUp, Reminder | None]:
    """Record a follow-up on a lead the caller may change, and the reminder asked for with it."""
    now = now or datetime.now(UTC)
    check = Validator()
    check.check(kind in FOLLOW_UP_KINDS, "kind", t("must be one of: {values}", values=", ".join(FOLLOW_UP_KINDS)))
    check.at_most(content, "content", 4000)
    check.at_most(objection, "objection", 1000)
    check.at_most(budget_cycle, "budget_cycle", 200)
    check.at_most(next_step, "next_step", 1000)
    check.check(any(text.strip() for text in (content, objection, next_step)), "content",
                t("content, objection or next step is required"))
    if occurred_at is not None:
        check.check(occurred_at <= now + CLOCK_SKEW, "occur_time", t("must not be in the future"))
    remind_at, anchor = None, ""
    if reminder is not None:
        check.at_most(reminder.note, "reminder.note", 1000)
        remind_at, anchor = resolve_reminder_time(reminder.when, now=now, zone=tenant_zone(session), check=check,
                                                  field="reminder.when")
    check.raise_if_any()

    lead = leads.get_lead_for_change(session, caller=caller, lead_id=lead_id)
    follow_up = FollowUp(
        lead_id=lead.id, kind=kind, content=content.strip(), objection=objection.strip(),
        budget_cycle=budget_cycle.strip(), next_step=next_step.strip(), occurred_at=occurred_at or now,
        author_id=caller.subject, created_at=now,
    )
    session.add(follow_up)
    session.flush()
    pool.followed_up(session, lead, follow_up.occurred_at)  # stops the public pool's follow-up clock
    FOLLOW_UPS_RECORDED.labels(kind).inc()
    created = None
    if reminder is not None:
        created = _create_reminder(
            session, caller=caller, lead=lead, remind_at=remind_at, anchor=anchor,
            note=reminder.note.strip() or follow_up.next_step, recipient_id=reminder.recipient_id,
            follow_up_id=follow_up.id, now=now, recipient_field="reminder.recipient_id",
        )
    return follow_up, created


def list_follow_ups(
    session: Session, *, caller: Caller, lead_id: str, offset: int = 0, limit: int = DEFAULT_PAGE_SIZE
) -> tuple[list[FollowUp], bool]:
    """A page of a lead's follow-ups, newest first, and whether more follow."""
    lead = leads.get_lead(session, caller=caller, lead_id=lead_id)
    found = list(session.scalars(
        select(FollowUp).where(FollowUp.lead_id == lead.id)
        .order_by(FollowUp.occurred_at.desc(), FollowUp.id.desc()).offset(offset).limit(limit + 1)
    ))
    return found[:limit], len(found) > limit


# --- reminders -------------------------------------------------------------------------------------------------


def schedule_reminder(
    session: Session,
    *,
    caller: Caller,
    lead_id: str,
    when: ReminderTime,
    note: str = "",
    recipient_id: str = "",
    follow_up_id: str = "",
    now: datetime | None = None,
) -> Reminder:
    now = now or datetime.now(UTC)
    check = Validator()
    check.at_most(note, "note", 1000)
    remind_at, anchor = resolve_reminder_time(when, now=now, zone=tenant_zone(session), check=check)
    check.raise_if_any()
    lead = leads.get_lead_for_change(session, caller=caller, lead_id=lead_id)
    if follow_up_id:
        follow_up = session.get(FollowUp, follow_up_id)
        if follow_up is None or follow_up.lead_id != lead.id:
            check.check(False, "follow_up_id", t("is not a follow-up of this lead"))
            check.raise_if_any()
    return _create_reminder(session, caller=caller, lead=lead, remind_at=remind_at, anchor=anchor, note=note.strip(),
                            recipient_id=recipient_id, follow_up_id=follow_up_id, now=now,
                            recipient_field="recipient_id")


def _create_reminder(
    session: Session, *, caller: Caller, lead: Lead, remind_at: datetime, anchor: str, note: str, recipient_id: str,
    follow_up_id: str, now: datetime, recipient_field: str,
) -> Reminder:
    recipient = recipient_id.strip() or (lead.owner_id if caller.is_service else caller.subject)
    check = Validator()
    check.check(bool(recipient), recipient_field, t("is required: the lead has no owner"))
    check.at_most(recipient, recipient_field, 64)
    check.raise_if_any()
    if recipient != caller.subject and not caller.is_service and not caller.has_any_role(*DELEGATE_ROLES):
        raise PermissionDenied(t("only a manager or an admin may remind someone else"))
    reminder = Reminder(
        lead_id=lead.id, follow_up_id=follow_up_id, recipient_id=recipient, created_by=caller.subject,
        remind_at=remind_at, anchor=anchor, note=note, status=REMINDER_SCHEDULED, created_at=now,
    )
    session.add(reminder)
    session.flush()
    timers.schedule(session, kind=TIMER_KIND, key=reminder.id, due_at=remind_at)
    REMINDERS_SCHEDULED.inc()
    return reminder


def cancel_reminder(session: Session, *, caller: Caller, reminder_id: str, now: datetime | None = None) -> Reminder:
    """Cancel a scheduled reminder: its recipient, its creator, or whoever may change the lead."""
    # The timer row first, then the reminder: the same order as its firing, so the two never deadlock, and once
    # the timer is gone no replica can fire it.
    timers.cancel(session, kind=TIMER_KIND, key=reminder_id)
    reminder = session.get(Reminder, reminder_id, with_for_update=True) if reminder_id else None
    if reminder is None:
        raise NotFound(t("reminder {id} not found", id=repr(reminder_id)))
    if not caller.is_service and caller.subject not in (reminder.recipient_id, reminder.created_by):
        leads.get_lead_for_change(session, caller=caller, lead_id=reminder.lead_id)
    if reminder.status == REMINDER_CANCELLED:
        return reminder
    if reminder.status == REMINDER_FIRED:
        raise FailedPrecondition(t("the reminder has already fired"))
    reminder.status = REMINDER_CANCELLED
    reminder.cancelled_at = now or datetime.now(UTC)
    session.flush()
    return reminder


def list_reminders(
    session: Session, *, caller: Caller, status: str = "", lead_id: str = "", offset: int = 0,
    limit: int = DEFAULT_PAGE_SIZE,
) -> tuple[list[Reminder], bool]:
    """The caller's reminders, or a lead's (whoever may read it); upcoming ("scheduled") by default."""
    status = status or REMINDER_SCHEDULED
    check = Validator()
    check.check(status in LIST_FILTERS, "status", t("must be one of: {values}", values=", ".join(LIST_FILTERS)))
    check.raise_if_any()
    query = select(Reminder)
    if lead_id:
        query = query.where(Reminder.lead_id == leads.get_lead(session, caller=caller, lead_id=lead_id).id)
    else:
        query = query.where(Reminder.recipient_id == caller.subject)
    if status != "all":
        query = query.where(Reminder.status == status)
    # Upcoming ones soonest first; the rest latest first.
    order = Reminder.remind_at.asc() if status == REMINDER_SCHEDULED else Reminder.remind_at.desc()
    found = list(session.scalars(query.order_by(order, Reminder.id).offset(offset).limit(limit + 1)))
    return found[:limit], len(found) > limit


@timers.in_batches
def fire_reminders(session: Session, due: list[timers.FiredTimer]) -> None:
    """Timer handler (kind "reminder", key = reminder id): mark the reminders fired and tell their recipients
    (lead.reminder_due), in the transaction that removes the timers.

    Set-based Core statements with an explicit tenant filter, for all reminders of one tenant in a claimed batch:
    one UPDATE ... RETURNING, one read of their leads and follow-ups, one multi-row outbox INSERT (100k reminders
    falling due together must fire within a minute).
    """
    tenant = session.info[TENANT]
    connection = session.connection()
    table = Reminder.__table__
    rows = connection.execute(
        update(table)
        .where(table.c.tenant_id == tenant, table.c.id.in_([timer.key for timer in due]),
               table.c.status == REMINDER_SCHEDULED)
        .values(status=REMINDER_FIRED, fired_at=datetime.now(UTC))
        .returning(table.c.id, table.c.lead_id, table.c.recipient_id, table.c.remind_at, table.c.note,
                   table.c.follow_up_id)
    ).all()
    if not rows:
        return  # cancelled (their timers would be gone too) or fired already
    lead_table, follow_up_table = Lead.__table__, FollowUp.__table__
    lead_rows = {row.id: row for row in connection.execute(
        select(lead_table.c.id, lead_table.c.name, lead_table.c.company, lead_table.c.owner_id)
        .where(lead_table.c.tenant_id == tenant, lead_table.c.id.in_({row.lead_id for row in rows}))
    )}
    follow_up_ids = {row.follow_up_id for row in rows if row.follow_up_id}
    next_steps = dict(connection.execute(
        select(follow_up_table.c.id, follow_up_table.c.next_step)
        .where(follow_up_table.c.tenant_id == tenant, follow_up_table.c.id.in_(follow_up_ids))
    ).all()) if follow_up_ids else {}
    order = {timer.key: index for index, timer in enumerate(due)}
    events = []
    for row in sorted(rows, key=lambda row: order[row.id]):
        event = LeadReminderDue(
            reminder_id=row.id, lead_id=row.lead_id, recipient_id=row.recipient_id, note=row.note,
            follow_up_id=row.follow_up_id, next_step=next_steps.get(row.follow_up_id, ""),
        )
        event.remind_at.FromDatetime(row.remind_at)
        lead = lead_rows.get(row.lead_id)
        if lead is not None:
            event.lead_name, event.company, event.owner_id = lead.name, lead.company, lead.owner_id
        events.append(event)
    emit_many(session, events, producer="leads")
    REMINDERS_FIRED.inc(len(events))
