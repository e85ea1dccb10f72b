"""Activities (R-SALES-5, issue #5 item 1): the log of calls, meetings, e-mails and notes on an account, a contact or
an opportunity: who, when, kind, subject, notes, outcome; a meeting also has an end, a place and attendees (user
ids), and is in the calendar of whoever holds or attends it (services/sales/calendar.py).

Who sees what is the record's rule (services/sales/access.py): an account's and its contacts' activities are read by
the account's owner, their team's manager, admin and auditor; an opportunity's by whoever reads the opportunity
(territory managers included). Who changes the record (owner, team manager, admin, services) logs activities on it
and edits them (`update_activity`: subject, notes, outcome, time; a meeting's end, place and attendees, its
calendar rows following); kind, record and who did it stay.
`user_id` is who did it: the caller, or, when a manager, admin or service logs it, one of their team (anyone for
admin and services). A record the caller may not read is NOT_FOUND.

Tasks use the same record reference (`Record`, `record_from`, `readable_record`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.auth import Caller
from services.core.db import utcnow
from services.core.errors import NotFound, PermissionDenied, Validator
from services.core.i18n import t
from services.sales import access, opportunities
from services.sales.models import Account, Activity, ActivityAttendee, Contact

CALL, MEETING, EMAIL, NOTE = "call", "meeting", "email", "note"
KINDS = (CALL, MEETING, EMAIL, NOTE)
ACCOUNT, CONTACT, OPPORTUNITY = "account", "contact", "opportunity"
RECORD_KINDS = (ACCOUNT, CONTACT, OPPORTUNITY)
MAX_MEETING = timedelta(days=14)
MAX_ATTENDEES = 50
LOG_ROLES = ("sales", "manager", "admin")


@dataclass(frozen=True)
class Record:
    """An account, contact or opportunity, with the owner and team that decide who sees it."""

    kind: str
    id: str
    account_id: str
    owner_id: str
    team: str


def record_from(check: Validator, *, account_id: str = "", contact_id: str = "", opportunity_id: str = "",
                required: bool = True) -> tuple[str, str] | None:
    """(kind, id) of the one record given, or None (with a violation when required or when several are given)."""
    given = [(kind, value.strip()) for kind, value in
             ((ACCOUNT, account_id or ""), (CONTACT, contact_id or ""), (OPPORTUNITY, opportunity_id or ""))
             if value and value.strip()]
    if len(given) > 1 or (required and not given):
        check.check(False, "account_id", t("give one of account_id, contact_id or opportunity_id"))
        return None
    for kind, value in given:
        check.at_most(value, f"{kind}_id", 36)
    return given[0] if given else None


def _team_of(session: Session, user_id: str) -> str:
    row = access.member(session, user_id)
    return row.team if row is not None else ""


def readable_record(session: Session, *, caller: Caller, kind: str, record_id: str) -> Record:
    """The record when the caller may read it; NOT_FOUND otherwise (its existence is not their business)."""
    if kind == OPPORTUNITY:
        opportunity = opportunities.readable(session, caller=caller, opportunity_id=record_id)
        return Record(OPPORTUNITY, opportunity.id, opportunity.account_id, opportunity.owner_id, opportunity.team)
    if kind == CONTACT:
        contact = session.get(Contact, record_id) if record_id else None
        account = session.get(Account, contact.account_id) if contact is not None else None
        missing = t("contact {id} not found", id=repr(record_id))
    else:
        contact = None
        account = session.get(Account, record_id) if record_id else None
        missing = t("account {id} not found", id=repr(record_id))
    if account is None:
        raise NotFound(missing)
    record = Record(kind, contact.id if contact is not None else account.id, account.id, account.owner_id,
                    _team_of(session, account.owner_id))
    if not access.may_read(session, caller, owner_id=record.owner_id, team=record.team):
        raise NotFound(missing)
    return record


def may_act_for(session: Session, caller: Caller, user_id: str) -> bool:
    """The caller themselves; a manager for the members of their team; admin and services for anyone."""
    scope = access.scope_of(session, caller)
    if scope.change_all or (user_id and user_id == scope.subject):
        return True
    return bool(scope.team) and _team_of(session, user_id) == scope.team


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None and moment.tzinfo is not None else moment


def log_activity(session: Session, *, caller: Caller, kind: str, subject: str, account_id: str = "",
                 contact_id: str = "", opportunity_id: str = "", user_id: str = "", notes: str = "",
                 outcome: str = "", occurred_at: datetime | None = None, ends_at: datetime | None = None,
                 location: str = "", attendees: Sequence[str] = (), now: datetime | None = None) -> Activity:
    if not caller.is_service:
        caller.require_role(*LOG_ROLES)
    check = Validator()
    kind = (kind or "").strip().lower()
    check.check(kind in KINDS, "kind", t("must be one of: {values}", values=", ".join(KINDS)))
    reference = record_from(check, account_id=account_id, contact_id=contact_id, opportunity_id=opportunity_id)
    check.require(subject, "subject", max_length=200)
    check.at_most(notes, "notes", 10000)
    check.at_most(outcome, "outcome", 200)
    user_id = (user_id or "").strip() or ("" if caller.is_service else caller.subject)
    check.require(user_id, "user_id", max_length=64)
    for field, value in (("occur_time", occurred_at), ("end_time", ends_at)):
        check.check(value is None or value.tzinfo is not None, field, t("must carry a time zone"))
    if kind == MEETING:
        check.check(occurred_at is not None, "occur_time", t("is required for a meeting"))
        check.check(ends_at is not None, "end_time", t("is required for a meeting"))
        if occurred_at is not None and ends_at is not None and occurred_at.tzinfo and ends_at.tzinfo:
            check.check(occurred_at < ends_at <= occurred_at + MAX_MEETING, "end_time",
                        t("must be after the start and at most {days} days later", days=MAX_MEETING.days))
        check.at_most(location, "location", 200)
        attendees = _attendee_list(check, attendees, user_id, "attendee_ids")
    else:
        attendees = [attendee for attendee in attendees if attendee.strip() not in ("", user_id)]
        for field, value in (("end_time", ends_at), ("location", location), ("attendee_ids", attendees)):
            check.check(not value, field, t("is only for meetings"))
    check.raise_if_any()
    record = readable_record(session, caller=caller, kind=reference[0], record_id=reference[1])
    if not access.may_change(session, caller, owner_id=record.owner_id, team=record.team):
        raise PermissionDenied(t("you may read {kind} {id} but not log activities on it", kind=record.kind,
                                 id=repr(record.id)))
    if not may_act_for(session, caller, user_id):
        raise PermissionDenied(t("you may not log activities for {user}", user=user_id))
    now = now or utcnow()
    activity = Activity(
        kind=kind, record_kind=record.kind, record_id=record.id, account_id=record.account_id, user_id=user_id,
        logged_by=caller.subject, subject=subject.strip(), notes=notes.strip(), outcome=outcome.strip(),
        occurred_at=_utc(occurred_at) or now, ends_at=_utc(ends_at), location=location.strip(),
        attendees=attendees, owner_id=record.owner_id, team=record.team, created_at=now,
    )
    session.add(activity)
    session.flush()
    if kind == MEETING:
        session.add_all(ActivityAttendee(activity_id=activity.id, user_id=person, starts_at=activity.occurred_at,
                                         ends_at=activity.ends_at) for person in [user_id, *attendees])
        session.flush()
    return activity


def _attendee_list(check: Validator, attendees: Sequence[str], user_id: str, field: str) -> list[str]:
    """Attendees without blanks, duplicates and the holder, with their violations."""
    cleaned = list(dict.fromkeys(attendee.strip() for attendee in attendees if attendee.strip()))
    cleaned = [attendee for attendee in cleaned if attendee != user_id]
    check.check(len(cleaned) <= MAX_ATTENDEES, field, t("must have at most {max} entries", max=MAX_ATTENDEES))
    for position, attendee in enumerate(cleaned):
        check.at_most(attendee, f"{field}[{position}]", 64)
    return cleaned


def changeable(session: Session, *, caller: Caller, activity_id: str) -> Activity:
    """The activity, locked, when the caller may change its record; NOT_FOUND when they may not read the record."""
    activity = session.get(Activity, activity_id) if activity_id else None
    if activity is None:
        raise NotFound(t("activity {id} not found", id=repr(activity_id)))
    try:
        record = readable_record(session, caller=caller, kind=activity.record_kind, record_id=activity.record_id)
    except NotFound:
        raise NotFound(t("activity {id} not found", id=repr(activity_id))) from None
    if not access.may_change(session, caller, owner_id=record.owner_id, team=record.team):
        raise PermissionDenied(t("you may read activity {id} but not change it", id=repr(activity.id)))
    session.refresh(activity, with_for_update=True)
    return activity


def update_activity(session: Session, *, caller: Caller, activity_id: str, subject: str | None = None,
                    notes: str | None = None, outcome: str | None = None, occurred_at: datetime | None = None,
                    ends_at: datetime | None = None, location: str | None = None,
                    attendees: Sequence[str] | None = None) -> Activity:
    """Replace the fields given (None: unchanged). Who may log on the record edits its activities; a meeting's
    calendar rows (activity_attendee) follow its new start, end and attendees in the same transaction."""
    if not caller.is_service:
        caller.require_role(*LOG_ROLES)
    check = Validator()
    if subject is not None:
        check.require(subject, "subject", max_length=200)
    if notes is not None:
        check.at_most(notes, "notes", 10000)
    if outcome is not None:
        check.at_most(outcome, "outcome", 200)
    for field, value in (("occur_time", occurred_at), ("end_time", ends_at)):
        check.check(value is None or value.tzinfo is not None, field, t("must carry a time zone"))
    if location is not None:
        check.at_most(location.strip(), "location", 200)
    check.raise_if_any()
    activity = changeable(session, caller=caller, activity_id=(activity_id or "").strip())
    if activity.kind == MEETING:
        if attendees is not None:
            attendees = _attendee_list(check, attendees, activity.user_id, "attendees.user_ids")
        start, end = _utc(occurred_at) or activity.occurred_at, _utc(ends_at) or activity.ends_at
        if occurred_at is not None or ends_at is not None:
            check.check(end is not None and start < end <= start + MAX_MEETING,
                        "end_time" if ends_at is not None else "occur_time",
                        t("must be after the start and at most {days} days later", days=MAX_MEETING.days))
    else:
        for field, value in (("end_time", ends_at), ("location", location), ("attendees", attendees)):
            check.check(not value, field, t("is only for meetings"))
    check.raise_if_any()
    for name, value in (("subject", subject), ("notes", notes), ("outcome", outcome), ("location", location)):
        if value is not None:
            setattr(activity, name, value.strip())
    if occurred_at is not None:
        activity.occurred_at = _utc(occurred_at)
    if activity.kind == MEETING:
        if ends_at is not None:
            activity.ends_at = _utc(ends_at)
        if attendees is not None:
            activity.attendees = attendees
        _calendar_rows(session, activity)
    activity.revise(utcnow())
    session.flush()
    return activity


def _calendar_rows(session: Session, activity: Activity) -> None:
    """The meeting's activity_attendee rows: its holder and attendees, with its start and end."""
    wanted = [activity.user_id, *(activity.attendees or [])]
    rows = {row.user_id: row for row in session.scalars(
        select(ActivityAttendee).where(ActivityAttendee.activity_id == activity.id))}
    for user_id, row in rows.items():
        if user_id not in wanted:
            session.delete(row)
        else:
            row.starts_at, row.ends_at = activity.occurred_at, activity.ends_at
    session.add_all(ActivityAttendee(activity_id=activity.id, user_id=person, starts_at=activity.occurred_at,
                                     ends_at=activity.ends_at) for person in wanted if person not in rows)


def list_activities(session: Session, *, caller: Caller, account_id: str = "", contact_id: str = "",
                    opportunity_id: str = "", kind: str = "", offset: int = 0,
                    limit: int = 50) -> tuple[list[Activity], bool]:
    """One record's activities, newest first (then by id, newest first)."""
    check = Validator()
    reference = record_from(check, account_id=account_id, contact_id=contact_id, opportunity_id=opportunity_id)
    kind = (kind or "").strip().lower()
    check.check(not kind or kind in KINDS, "kind", t("must be one of: {values}", values=", ".join(KINDS)))
    check.raise_if_any()
    record = readable_record(session, caller=caller, kind=reference[0], record_id=reference[1])
    statement = select(Activity).where(Activity.record_kind == record.kind, Activity.record_id == record.id)
    if kind:
        statement = statement.where(Activity.kind == kind)
    found = list(session.scalars(statement.order_by(Activity.occurred_at.desc(), Activity.id.desc())
                                 .offset(offset).limit(limit + 1)))
    return found[:limit], len(found) > limit
