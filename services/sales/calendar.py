"""The sales calendar (R-SALES-5, issue #5 item 1): a person's or a team's meetings (activities of kind meeting,
services/sales/activities.py) and task due times (services/sales/tasks.py) in a period, in one list ordered by start;
and the same as an iCalendar file (RFC 5545, written by the `icalendar` package: escaping, line folding at 75
octets, CRLF): meetings as VEVENT, tasks as VTODO with their reminder as a VALARM.

Whose: a user (meetings they hold or attend, tasks assigned to them) or a team (its members in the roster); the
caller's own when neither is given. Who may look: the user themselves; the manager of the user's team (or of the
team); admin, auditor and services anyone's. Others: PERMISSION_DENIED. Entries: meetings overlapping [start, end)
(a meeting lasts at most 14 days, so the range scan starts 14 days early), tasks due in [start, end) that are not
cancelled; at most 2000, then `truncated`. The period is at most 366 days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, Todo
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.errors import PermissionDenied, Validator
from services.core.i18n import t
from services.sales import access, activities, tasks
from services.sales.models import Activity, ActivityAttendee, SalesMember, SalesTask

MAX_PERIOD = timedelta(days=366)
MAX_ENTRIES = 2000
MEETING, TASK = "meeting", "task"
PRODID = "-//crm-platform//sales calendar//EN"
# RFC 5545 PRIORITY: 1 highest .. 9 lowest (0 undefined).
ICAL_PRIORITY = {tasks.HIGH: 1, tasks.NORMAL: 5, tasks.LOW: 9}


@dataclass(frozen=True)
class Entry:
    kind: str
    id: str
    title: str
    start: datetime
    end: datetime
    record_kind: str
    record_id: str
    account_id: str
    user_ids: tuple[str, ...]
    location: str = ""
    status: str = ""
    priority: str = ""
    # Last change (iCalendar DTSTAMP and LAST-MODIFIED) and how many changes (SEQUENCE: a calendar program replaces
    # its copy when it grows); a task's reminder and completion time.
    revised: datetime | None = None
    sequence: int = 0
    remind_at: datetime | None = None
    completed_at: datetime | None = None
    sort_key: tuple = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class CalendarView:
    entries: list[Entry]
    truncated: bool
    # Whose calendar: "user <id>" or "team <name>", for the file name and the calendar's name.
    owner: str


def _whose(session: Session, caller: Caller, user_id: str, team: str) -> tuple[list[str], str]:
    """The user ids whose calendar is asked for, when the caller may see it."""
    scope = access.scope_of(session, caller)
    sees_all = scope.read_all or scope.change_all
    if team:
        if not (sees_all or (scope.team and scope.team == team)):
            raise PermissionDenied(t("you may not see the calendar of team {team}", team=team))
        members = list(session.scalars(select(SalesMember.user_id).where(SalesMember.team == team)
                                       .order_by(SalesMember.user_id)))
        return members, f"team {team}"
    user_id = user_id or scope.subject
    if not (sees_all or user_id == scope.subject or activities.may_act_for(session, caller, user_id)):
        raise PermissionDenied(t("you may not see the calendar of {user}", user=user_id))
    return [user_id], f"user {user_id}"


def entries(session: Session, *, caller: Caller, start: datetime | None, end: datetime | None, user_id: str = "",
            team: str = "") -> CalendarView:
    check = Validator()
    user_id, team = (user_id or "").strip(), (team or "").strip()
    check.check(start is not None and start.tzinfo is not None, "start_time", t("is required"))
    check.check(end is not None and end.tzinfo is not None, "end_time", t("is required"))
    if start is not None and end is not None and start.tzinfo and end.tzinfo:
        check.check(start < end <= start + MAX_PERIOD, "end_time",
                    t("must be after the start and at most {days} days later", days=MAX_PERIOD.days))
    check.check(not (user_id and team), "user_id", t("give a user or a team, not both"))
    check.check(bool(user_id or team or (caller.subject and not caller.is_service)), "user_id",
                t("give a user or a team"))
    check.at_most(user_id, "user_id", 64)
    check.at_most(team, "team", 100)
    check.raise_if_any()
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    users, owner = _whose(session, caller, user_id, team)
    if not users:
        return CalendarView([], False, owner)
    found = _meetings(session, users, start, end) + _tasks(session, users, start, end)
    found.sort(key=lambda entry: entry.sort_key)
    return CalendarView(found[:MAX_ENTRIES], len(found) > MAX_ENTRIES, owner)


def _meetings(session: Session, users: list[str], start: datetime, end: datetime) -> list[Entry]:
    ids = select(ActivityAttendee.activity_id).where(
        ActivityAttendee.user_id.in_(users), ActivityAttendee.starts_at >= start - activities.MAX_MEETING,
        ActivityAttendee.starts_at < end, ActivityAttendee.ends_at > start).distinct()
    rows = session.scalars(select(Activity).where(Activity.id.in_(ids))
                           .order_by(Activity.occurred_at, Activity.id).limit(MAX_ENTRIES + 1))
    return [Entry(MEETING, row.id, row.subject, row.occurred_at, row.ends_at or row.occurred_at, row.record_kind,
                  row.record_id, row.account_id, (row.user_id, *(row.attendees or [])), location=row.location,
                  revised=row.revised_at or row.created_at, sequence=row.sequence or 0,
                  sort_key=(row.occurred_at, 0, row.id))
            for row in rows]


def _tasks(session: Session, users: list[str], start: datetime, end: datetime) -> list[Entry]:
    rows = session.scalars(select(SalesTask).where(
        SalesTask.assignee_id.in_(users), SalesTask.status != tasks.CANCELLED, SalesTask.due_at >= start,
        SalesTask.due_at < end).order_by(SalesTask.due_at, SalesTask.id).limit(MAX_ENTRIES + 1))
    return [Entry(TASK, row.id, row.title, row.due_at, row.due_at, row.record_kind, row.record_id, row.account_id,
                  (row.assignee_id,), status=row.status, priority=row.priority,
                  revised=row.revised_at or row.created_at, sequence=row.sequence or 0,
                  remind_at=row.remind_at if row.status == tasks.OPEN else None,
                  completed_at=row.closed_at if row.status == tasks.DONE else None,
                  sort_key=(row.due_at, 1, row.id))
            for row in rows]


# --- iCalendar (RFC 5545) -----------------------------------------------------------------------------------------


def to_ical(view: CalendarView, *, name: str = "") -> bytes:
    """The entries as an iCalendar object: UTC times, UIDs stable across exports (the record ids)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name or view.owner)
    for entry in view.entries:
        if entry.kind == MEETING:
            component = Event()
            component.add("uid", f"activity-{entry.id}@crm-sales")
            component.add("dtstamp", entry.revised or entry.start)
            component.add("dtstart", entry.start)
            component.add("dtend", entry.end)
            component.add("summary", entry.title)
            if entry.location:
                component.add("location", entry.location)
        else:
            component = Todo()
            component.add("uid", f"task-{entry.id}@crm-sales")
            component.add("dtstamp", entry.revised or entry.start)
            component.add("due", entry.start)
            component.add("summary", entry.title)
            component.add("priority", ICAL_PRIORITY.get(entry.priority, 0))
            component.add("status", "COMPLETED" if entry.status == tasks.DONE else "NEEDS-ACTION")
            if entry.completed_at is not None:
                component.add("completed", entry.completed_at)
            if entry.remind_at is not None:
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", entry.title)
                # An absolute trigger must say so (the default value type is a duration).
                alarm.add("trigger", entry.remind_at, parameters={"VALUE": "DATE-TIME"})
                component.add_component(alarm)
        component.add("sequence", entry.sequence)
        if entry.revised is not None:
            component.add("last-modified", entry.revised)
        component.add("x-crm-record", f"{entry.record_kind}:{entry.record_id}")
        calendar.add_component(component)
    return calendar.to_ical()


def export(session: Session, *, caller: Caller, start: datetime | None, end: datetime | None, user_id: str = "",
           team: str = "") -> tuple[bytes, str]:
    """(the iCalendar bytes, a file name) of `entries`."""
    view = entries(session, caller=caller, start=start, end=end, user_id=user_id, team=team)
    safe = "".join(char if (char.isascii() and char.isalnum()) or char in "-_" else "-"
                   for char in view.owner.replace(" ", "-"))
    return to_ical(view), f"calendar-{safe}.ics"
