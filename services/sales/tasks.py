"""Tasks (R-SALES-5, issue #5 item 1): a rep's to-do on an account, a contact or an opportunity, with a due time, a
priority (low, normal, high) and a status: open -> done or cancelled (both final).

Each open task has one durable timer (services/core/timers.py, kind `sales.task.reminder`, key = task id) at its
reminder time (the due time unless an earlier `remind_at` is given): it emits `task.due` for the notification of the
assignee, once. Completing or cancelling the task cancels the timer, and the handler re-checks that the task is
still open and not yet reminded, so a closed task never reminds. A task is overdue while open past its due time
(`list_tasks(overdue=True)`).

Who: whoever reads the record (services/sales/activities.py) creates a task on it for themselves; a manager for the
reps of their team; admin and services for anyone. A task is read and closed by its assignee, its creator, the
manager of the assignee's team (the team is copied when assigned), admin (auditors read). Others get NOT_FOUND.
Who closes an open task edits it (`update_task`); a new due or reminder time reschedules the reminder timer in the
same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from crm.events.v1.sales_pb2 import TaskDue
from services.core import timers
from services.core.auth import Caller
from services.core.db import utcnow
from services.core.errors import FailedPrecondition, NotFound, PermissionDenied, Validator
from services.core.events import emit
from services.core.i18n import t
from services.core.timers import FiredTimer
from services.sales import access, activities
from services.sales.convert import timestamp
from services.sales.models import SalesTask

OPEN, DONE, CANCELLED = "open", "done", "cancelled"
STATUSES = (OPEN, DONE, CANCELLED)
LOW, NORMAL, HIGH = "low", "normal", "high"
PRIORITIES = (LOW, NORMAL, HIGH)
REMINDER_TIMER = "sales.task.reminder"
CREATE_ROLES = ("sales", "manager", "admin")


def _aware(check: Validator, value: datetime | None, field: str) -> None:
    check.check(value is None or value.tzinfo is not None, field, t("must carry a time zone"))


def create_task(session: Session, *, caller: Caller, title: str, due_at: datetime | None, account_id: str = "",
                contact_id: str = "", opportunity_id: str = "", assignee_id: str = "",
                remind_at: datetime | None = None, priority: str = "", notes: str = "",
                now: datetime | None = None) -> SalesTask:
    if not caller.is_service:
        caller.require_role(*CREATE_ROLES)
    check = Validator()
    check.require(title, "title", max_length=200)
    check.at_most(notes, "notes", 4000)
    reference = activities.record_from(check, account_id=account_id, contact_id=contact_id,
                                       opportunity_id=opportunity_id)
    assignee_id = (assignee_id or "").strip() or ("" if caller.is_service else caller.subject)
    check.require(assignee_id, "assignee_id", max_length=64)
    priority = (priority or NORMAL).strip().lower()
    check.check(priority in PRIORITIES, "priority", t("must be one of: {values}", values=", ".join(PRIORITIES)))
    check.check(due_at is not None, "due_time", t("is required"))
    _aware(check, due_at, "due_time")
    _aware(check, remind_at, "remind_time")
    if due_at is not None and remind_at is not None and due_at.tzinfo and remind_at.tzinfo:
        check.check(remind_at <= due_at, "remind_time", t("must not be after the due time"))
    check.raise_if_any()
    record = activities.readable_record(session, caller=caller, kind=reference[0], record_id=reference[1])
    if not activities.may_act_for(session, caller, assignee_id):
        raise PermissionDenied(t("you may not assign tasks to {user}", user=assignee_id))
    member = access.member(session, assignee_id)
    due_at = due_at.astimezone(UTC)
    task = SalesTask(
        title=title.strip(), notes=notes.strip(), record_kind=record.kind, record_id=record.id,
        account_id=record.account_id, assignee_id=assignee_id, team=member.team if member is not None else "",
        priority=priority, status=OPEN, due_at=due_at, remind_at=(remind_at or due_at).astimezone(UTC),
        created_by=caller.subject, created_at=now or utcnow(),
    )
    session.add(task)
    session.flush()
    timers.schedule(session, kind=REMINDER_TIMER, key=task.id, due_at=task.remind_at)
    return task


# --- who sees and closes a task ---------------------------------------------------------------------------------


def _mine(scope: access.Scope, task: SalesTask) -> bool:
    return ((bool(scope.subject) and scope.subject in (task.assignee_id, task.created_by))
            or (bool(scope.team) and task.team == scope.team))


def visible(session: Session, caller: Caller) -> ColumnElement[bool]:
    scope = access.scope_of(session, caller)
    if scope.read_all or scope.change_all:
        return true()
    allowed = [SalesTask.assignee_id == scope.subject, SalesTask.created_by == scope.subject] if scope.subject else []
    if scope.team:
        allowed.append(SalesTask.team == scope.team)
    return or_(*allowed) if allowed else SalesTask.id.is_(None)


def readable(session: Session, *, caller: Caller, task_id: str) -> SalesTask:
    task = session.get(SalesTask, task_id) if task_id else None
    scope = access.scope_of(session, caller)
    if task is None or not (scope.read_all or scope.change_all or _mine(scope, task)):
        raise NotFound(t("task {id} not found", id=repr(task_id)))
    return task


def _require_change(session: Session, caller: Caller, task: SalesTask) -> None:
    """Assignee, creator, the manager of the task's team, admin, services; not auditors."""
    scope = access.scope_of(session, caller)
    if not (scope.change_all or (not caller.has_any_role("auditor") and _mine(scope, task))):
        raise PermissionDenied(t("you may read task {id} but not change it", id=repr(task.id)))


def _lock_for_change(session: Session, caller: Caller, task_id: str) -> SalesTask:
    """The task, locked, its pending reminder timer removed (the caller schedules a new one if it needs one), once
    the caller may change it. The timer row is taken before the task row: the order in which a firing reminder
    takes them (its handler writes the task), so an edit racing the reminder waits for it instead of deadlocking."""
    task = readable(session, caller=caller, task_id=task_id)
    timers.cancel(session, kind=REMINDER_TIMER, key=task.id)
    session.refresh(task, with_for_update=True)
    _require_change(session, caller, task)
    return task


def _close(session: Session, *, caller: Caller, task_id: str, to: str, note: str, now: datetime | None) -> SalesTask:
    check = Validator()
    check.at_most(note or "", "note" if to == DONE else "reason", 1000)
    check.raise_if_any()
    task = _lock_for_change(session, caller, task_id)
    if task.status != OPEN:
        raise FailedPrecondition(t("task {id} is {status}: only an open task is completed or cancelled",
                                   id=repr(task.id), status=task.status))
    task.status, task.closed_by, task.closed_at, task.close_note = to, caller.subject, now or utcnow(), \
        (note or "").strip()
    task.revise(task.closed_at)
    session.flush()
    return task


def complete(session: Session, *, caller: Caller, task_id: str, note: str = "",
             now: datetime | None = None) -> SalesTask:
    """open -> done; the reminder is cancelled."""
    return _close(session, caller=caller, task_id=task_id, to=DONE, note=note, now=now)


def cancel(session: Session, *, caller: Caller, task_id: str, reason: str = "",
           now: datetime | None = None) -> SalesTask:
    """open -> cancelled; the reminder is cancelled."""
    return _close(session, caller=caller, task_id=task_id, to=CANCELLED, note=reason, now=now)


def update_task(session: Session, *, caller: Caller, task_id: str, title: str | None = None,
                notes: str | None = None, priority: str | None = None, assignee_id: str | None = None,
                due_at: datetime | None = None, remind_at: datetime | None = None) -> SalesTask:
    """Replace the fields given (None: unchanged) of an open task; who may close it edits it.

    A new due time without a reminder time moves the reminder with it (same lead time). The reminder timer is
    rescheduled to the (new) reminder time while the reminder has not fired; once it has, a reminder time moved
    later arms it again (a new task.due), an earlier one does not. A new assignee must be someone the caller may
    assign tasks to, and the task takes their team."""
    check = Validator()
    if title is not None:
        check.require(title, "title", max_length=200)
    if notes is not None:
        check.at_most(notes, "notes", 4000)
    if priority is not None:
        priority = priority.strip().lower()
        check.check(priority in PRIORITIES, "priority", t("must be one of: {values}", values=", ".join(PRIORITIES)))
    if assignee_id is not None:
        assignee_id = assignee_id.strip()
        check.require(assignee_id, "assignee_id", max_length=64)
    _aware(check, due_at, "due_time")
    _aware(check, remind_at, "remind_time")
    check.raise_if_any()
    task = _lock_for_change(session, caller, task_id)
    if task.status != OPEN:
        raise FailedPrecondition(t("task {id} is {status}: only an open task can be edited", id=repr(task.id),
                                   status=task.status))
    new_due = due_at.astimezone(UTC) if due_at is not None else task.due_at
    if remind_at is not None:
        new_remind = remind_at.astimezone(UTC)
        check.check(new_remind <= new_due, "remind_time", t("must not be after the due time"))
    else:
        new_remind = new_due - (task.due_at - task.remind_at)
    check.raise_if_any()
    if assignee_id is not None and assignee_id != task.assignee_id:
        if not activities.may_act_for(session, caller, assignee_id):
            raise PermissionDenied(t("you may not assign tasks to {user}", user=assignee_id))
        member = access.member(session, assignee_id)
        task.assignee_id, task.team = assignee_id, member.team if member is not None else ""
    for name, value in (("title", title), ("notes", notes), ("priority", priority)):
        if value is not None:
            setattr(task, name, value.strip())
    if task.reminded_at is not None and new_remind > task.remind_at:
        task.reminded_at = None  # the reminder fired for the old time: remind again at the new one
    task.due_at, task.remind_at = new_due, new_remind
    if task.reminded_at is None:
        timers.schedule(session, kind=REMINDER_TIMER, key=task.id, due_at=task.remind_at)
    task.revise(utcnow())
    session.flush()
    return task


def is_overdue(task: SalesTask, now: datetime) -> bool:
    return task.status == OPEN and task.due_at < now


def list_tasks(session: Session, *, caller: Caller, assignee_id: str = "", team: str = "", status: str = "",
               overdue: bool = False, account_id: str = "", contact_id: str = "", opportunity_id: str = "",
               now: datetime | None = None, offset: int = 0, limit: int = 50) -> tuple[list[SalesTask], bool]:
    """The tasks the caller may read, by due time; `overdue`: open ones past their due time."""
    check = Validator()
    status = (status or "").strip().lower()
    check.check(not status or status in STATUSES, "status",
                t("must be one of: {values}", values=", ".join(STATUSES)))
    check.check(not (overdue and status and status != OPEN), "overdue", t("overdue tasks are open ones"))
    check.at_most(assignee_id, "assignee_id", 64)
    check.at_most(team, "team", 100)
    reference = activities.record_from(check, account_id=account_id, contact_id=contact_id,
                                       opportunity_id=opportunity_id, required=False)
    check.raise_if_any()
    statement = select(SalesTask).where(visible(session, caller))
    if reference is not None:
        record = activities.readable_record(session, caller=caller, kind=reference[0], record_id=reference[1])
        statement = statement.where(SalesTask.record_kind == record.kind, SalesTask.record_id == record.id)
    if assignee_id:
        statement = statement.where(SalesTask.assignee_id == assignee_id.strip())
    if team:
        statement = statement.where(SalesTask.team == team.strip())
    if overdue:
        statement = statement.where(SalesTask.status == OPEN, SalesTask.due_at < (now or utcnow()))
    elif status:
        statement = statement.where(SalesTask.status == status)
    found = list(session.scalars(statement.order_by(SalesTask.due_at, SalesTask.id).offset(offset)
                                 .limit(limit + 1)))
    return found[:limit], len(found) > limit


# --- the reminder -----------------------------------------------------------------------------------------------


def on_reminder(session: Session, timer: FiredTimer) -> None:
    """The reminder time of an open task: task.due, once (reminded_at records it)."""
    task = session.get(SalesTask, timer.key)
    if task is None or task.status != OPEN or task.reminded_at is not None:
        return
    task.reminded_at = utcnow()
    emit(session, TaskDue(
        task_id=task.id, title=task.title, assignee_id=task.assignee_id, team=task.team, priority=task.priority,
        due_time=timestamp(task.due_at), remind_time=timestamp(task.remind_at), record_kind=task.record_kind,
        record_id=task.record_id, account_id=task.account_id, created_by=task.created_by,
    ), producer="sales")


TIMERS = {REMINDER_TIMER: on_reminder}
