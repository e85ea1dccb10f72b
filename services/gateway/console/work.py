"""Console pages for a sales rep's daily work (issue #5 item 1, R-SALES-5): an opportunity's contacts, activities and
tasks (sections of the opportunity page, console/sales.py), a contact's and a task's own pages, My tasks and My week
(the calendar, with its iCalendar download).

As everywhere in the console, the sales service decides what a person sees and does: the pages offer only the forms
the person's roles and the record suggest they may use (an auditor gets none), and a refusal comes back as a message
in their language. Times are typed and shown in the person's zone (common.display_zone). A form the service refuses
for its fields is shown again with what was typed and each message next to its input; every accepted POST
redirects (post/redirect/get).

Whose tasks and calendar a manager may pick: the people who name them as their manager in the gateway's accounts
(the service's roster decides in the end: another person's list comes back empty or refused).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import grpc
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import select

from crm.common.v1 import common_pb2
from crm.sales.v1 import sales_pb2
from services.core.i18n import t
from services.gateway.app import add_nav
from services.gateway.console.common import (
    backend,
    display_zone,
    download,
    errors_by_field,
    flash_error,
    labels,
    paging_links,
    say,
    stamp,
    typed_time,
    when,
)
from services.gateway.console.sales import failure_text, may_change, opportunity_page
from services.gateway.models import User
from services.gateway.people import names_of
from services.gateway.principal import current_principal, login_required
from services.gateway.web_auth import safe_next

blueprint = Blueprint("work", __name__, template_folder="../templates")

WORK_ROLES = ("sales", "manager", "admin")  # who logs activities, keeps contacts and has tasks
add_nav("work.tasks", t("My tasks"), roles=WORK_ROLES)
add_nav("work.calendar", t("My week"), roles=WORK_ROLES)

ACTIVITY_KINDS = {"call": t("Call"), "meeting": t("Meeting"), "email": t("E-mail"), "note": t("Note")}
PRIORITIES = {"high": t("High"), "normal": t("Normal"), "low": t("Low")}
TASK_STATUSES = {"open": t("To do"), "done": t("Done"), "cancelled": t("Cancelled")}
TASK_FILTERS = {"open": t("To do"), "overdue": t("Overdue"), "done": t("Done"), "cancelled": t("Cancelled")}
WEEKDAYS = (t("Mon"), t("Tue"), t("Wed"), t("Thu"), t("Fri"), t("Sat"), t("Sun"))
# The new-task form's reminder, as a lead time before the due time (minutes).
REMIND_BEFORE = {"0": (t("At the due time"), 0), "15": (t("15 minutes before"), 15), "60": (t("1 hour before"), 60),
                 "1440": (t("1 day before"), 1440)}
CONTACT_FIELDS = ("name", "title", "email", "phone")
ACTIVITY_FIELDS = ("kind", "subject", "occur", "end", "location", "outcome", "notes")
TASK_FIELDS = ("title", "due", "remind", "priority", "assignee", "notes")
# Service field -> form field; what fits no field shows above the form.
ACTIVITY_ALIASES = {"occur_time": "occur", "end_time": "end", "attendee_ids": "attendees"}
TASK_ALIASES = {"due_time": "due", "remind_time": "remind", "assignee_id": "assignee"}
ACTIVITIES_PAGE_SIZE = 20
RECORD_TASKS = 100  # an opportunity's tasks on its page, all statuses
CONTACTS_SHOWN = 100
TASKS_PAGE_SIZE = 50
MAX_NAMES_LOOKED_UP = 60  # records named on My tasks and My week, asked at once
LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # an <input type="datetime-local"> value
EVERYONE = "all"  # My tasks: every task the person may see


# --- who may do what (only which forms to offer: the service decides) ------------------------------------------


def may_work() -> bool:
    principal = current_principal()
    return principal is not None and principal.has_any_role(*WORK_ROLES)


def may_close(task: sales_pb2.Task) -> bool:
    """Whether to offer complete, cancel and edit: an open task, to its assignee, its creator, a manager (the task's
    team is theirs when they can see it) and admin; never to an auditor."""
    principal = current_principal()
    if task.status != "open" or principal is None:
        return False
    if principal.has_any_role("admin"):
        return True
    if principal.has_any_role("auditor"):
        return False
    return principal.subject in (task.assignee_id, task.created_by) or principal.has_any_role("manager")


def _reports() -> list[tuple[str, str]]:
    """(employee id, name) of the active people who name the caller as their manager, by name."""
    principal = current_principal()
    with current_app.extensions["crm.database"].session(principal.tenant_id) as session:
        rows = session.execute(select(User.employee_id, User.display_name).where(
            User.manager_id == principal.subject, User.active.is_(True)).order_by(User.display_name))
        return [(employee_id, name or employee_id) for employee_id, name in rows]


def assignees() -> list[tuple[str, str]]:
    """Whom the person may give a task to, themselves first: a manager their reports too, admin anyone."""
    principal = current_principal()
    me = [(principal.subject, say(t("Me")))]
    if principal.has_any_role("admin"):
        others = sorted(names_of(principal.tenant_id).items(), key=lambda item: (item[1], item[0]))
        return me + [(employee_id, name) for employee_id, name in others if employee_id != principal.subject]
    if principal.has_any_role("manager"):
        return me + [item for item in _reports() if item[0] != principal.subject]
    return me


def whose_choices(chosen: str, *, everyone: bool) -> list[tuple[str, str]]:
    """The "whose" picker of My tasks and My week: "" (me), then the people the caller may look at (a manager their
    reports; admin and auditors anyone), then (`everyone`) all they may see; one shown but not offered stays."""
    principal = current_principal()
    choices = [("", say(t("Me")))]
    if principal.has_any_role("admin", "auditor"):
        people = sorted(names_of(principal.tenant_id).items(), key=lambda item: (item[1], item[0]))
    elif principal.has_any_role("manager"):
        people = _reports()
    else:
        people = []
    choices += [(employee_id, name) for employee_id, name in people if employee_id != principal.subject]
    if everyone and principal.has_any_role("manager", "admin", "auditor"):
        choices.append((EVERYONE, say(t("Everyone I may see"))))
    if chosen and chosen not in {value for value, _ in choices}:
        choices.append((chosen, chosen))
    return choices


# --- small helpers ----------------------------------------------------------------------------------------------


def _page(token: str = "", size: int = TASKS_PAGE_SIZE) -> common_pb2.PageRequest:
    return common_pb2.PageRequest(page_size=size, page_token=token)


def _form_errors(error: grpc.RpcError, aliases: Mapping[str, str], known: tuple[str, ...]) -> dict[str, str]:
    """The service's field violations keyed by the form's fields (attendee_ids[2] -> attendees); the rest under ""."""
    found: dict[str, str] = {}
    for name, message in errors_by_field(error).items():
        base = name.split("[", 1)[0].split(".", 1)[0]
        key = aliases.get(base, base)
        key = key if key in known else ""
        found[key] = f"{found[key]}; {message}" if key in found else message
    return found


def _local_input(message, name: str) -> str:  # noqa: ANN001 - a proto message
    moment = stamp(message, name)
    return moment.strftime(LOCAL_INPUT) if moment else ""


def span(message, start: str, end: str) -> str:  # noqa: ANN001 - a proto message
    """A time and, when set, an end: "2026-11-25 10:00 – 11:30" (the end's date only when it is another day)."""
    begins, ends = stamp(message, start), stamp(message, end)
    if begins is None:
        return ""
    text = begins.strftime("%Y-%m-%d %H:%M")
    if ends is None or ends == begins:
        return text
    return f"{text} – {ends.strftime('%H:%M' if ends.date() == begins.date() else '%Y-%m-%d %H:%M')}"


def _back(default: str) -> str:
    target = request.form.get("next", "") or request.args.get("next", "")
    return safe_next(target) if target else default


def record_url(kind: str, record_id: str) -> str:
    """The console page of an activity's or task's record; "" when it has none (accounts)."""
    if kind == "opportunity" and record_id:
        return url_for("sales.opportunity", opportunity_id=record_id)
    if kind == "contact" and record_id:
        return url_for("work.contact", contact_id=record_id)
    return ""


def record_names(stub, records: set[tuple[str, str]]) -> dict[tuple[str, str], str]:  # noqa: ANN001 - sales stub
    """(kind, id) -> the record's name, asked at once; a record the person may not read keeps none."""
    asks = {"opportunity": (stub.GetOpportunity, sales_pb2.GetOpportunityRequest, "opportunity"),
            "contact": (stub.GetContact, sales_pb2.GetContactRequest, "contact"),
            "account": (stub.GetAccount, sales_pb2.GetAccountRequest, "account")}
    calls = {}
    for kind, record_id in sorted(records)[:MAX_NAMES_LOOKED_UP]:
        if kind in asks and record_id:
            method, message, _ = asks[kind]
            calls[(kind, record_id)] = method.future(message(id=record_id))
    names = {}
    for key, call in calls.items():
        try:
            names[key] = getattr(call.result(), asks[key[0]][2]).name
        except grpc.RpcError:
            continue
    return names


@blueprint.record_once
def _template_helpers(state) -> None:  # noqa: ANN001 - flask BlueprintSetupState
    """Helpers for the work templates, as Jinja globals (the opportunity page includes them from another area)."""
    state.app.jinja_env.globals.update(wk_record_url=record_url, wk_may_close=may_close, wk_local=_local_input,
                                       wk_span=span)


def _labels() -> dict:
    return {"kinds": labels(ACTIVITY_KINDS), "priorities": labels(PRIORITIES), "statuses": labels(TASK_STATUSES),
            "zone_name": display_zone().key}


def _weekday(day: date) -> str:
    return say(WEEKDAYS[day.weekday()])


# --- the opportunity page's sections ----------------------------------------------------------------------------


@dataclass
class OpportunityWork:
    """An opportunity's contacts (its account's), activities (newest first) and tasks (open ones first), for its
    page (console/sales.opportunity_page): the calls go out at once, the contacts' as soon as the account is known."""

    stub: object
    opportunity_id: str
    activities_token: str = ""
    calls: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.calls["activities"] = self.stub.ListActivities.future(sales_pb2.ListActivitiesRequest(
            opportunity_id=self.opportunity_id, page=_page(self.activities_token, ACTIVITIES_PAGE_SIZE)))
        self.calls["tasks"] = self.stub.ListTasks.future(sales_pb2.ListTasksRequest(
            opportunity_id=self.opportunity_id, page=_page("", RECORD_TASKS)))

    def ask_contacts(self, account_id: str) -> None:
        if account_id:
            self.calls["contacts"] = self.stub.ListContacts.future(sales_pb2.ListContactsRequest(
                account_id=account_id, page=_page("", CONTACTS_SHOWN)))

    def cancel(self) -> None:
        for call in self.calls.values():
            call.cancel()

    def view(self, opportunity: sales_pb2.Opportunity, account: sales_pb2.Account | None, forms: dict) -> dict:
        answers, failed = {}, {}
        for name, call in self.calls.items():
            try:
                answers[name] = call.result()
            except grpc.RpcError as error:
                failed[name] = failure_text(error)  # the rest of the page still shows; this section says why not
        tasks = list(answers["tasks"].tasks) if "tasks" in answers else []
        # Open ones first, by due time (as listed); then the closed ones, the latest closed first.
        tasks = ([task for task in tasks if task.status == "open"]
                 + sorted((task for task in tasks if task.status != "open"),
                          key=lambda task: task.close_time.ToNanoseconds(), reverse=True))
        activities = answers.get("activities")
        next_token = activities.page.next_page_token if activities else ""
        principal = current_principal()
        may_log = may_work() and may_change(opportunity.owner_id)
        account_owner = account.owner_id if account is not None else opportunity.owner_id
        here = url_for("sales.opportunity", opportunity_id=opportunity.id)
        colleagues = sorted(((employee_id, name) for employee_id, name in names_of(principal.tenant_id).items()
                             if employee_id != principal.subject), key=lambda item: (item[1], item[0])) \
            if may_log else []  # a meeting's attendees to choose from
        return {
            "here": here, "account_id": opportunity.account_id,
            "contacts": list(answers["contacts"].contacts) if "contacts" in answers else [],
            "contacts_more": bool(answers["contacts"].page.next_page_token) if "contacts" in answers else False,
            "contacts_failed": failed.get("contacts", ""),
            "may_edit_contacts": may_work() and bool(opportunity.account_id) and "contacts" in answers
            and may_change(account_owner),
            "activities": list(activities.activities) if activities else [],
            "activities_failed": failed.get("activities", ""),
            "activities_next_url": url_for("sales.opportunity", opportunity_id=opportunity.id,
                                           activities_page=next_token, _anchor="activities") if next_token else "",
            "activities_first_url": url_for("sales.opportunity", opportunity_id=opportunity.id,
                                            _anchor="activities") if self.activities_token else "",
            "may_log": may_log, "colleagues": colleagues,
            "tasks": tasks, "tasks_failed": failed.get("tasks", ""),
            "tasks_more": bool(answers["tasks"].page.next_page_token) if "tasks" in answers else False,
            "may_add_task": may_work(), "assignees": assignees() if may_work() else [],
            "remind_choices": labels(REMIND_BEFORE),
            "contact_form": forms.get("contact", ({}, {})),
            "activity_form": forms.get("activity", ({"kind": "call"}, {})),
            "task_form": forms.get("task", ({"priority": "normal", "remind": "0"}, {})),
            **_labels(),
        }


def _refused(opportunity_id: str, form: str, values: dict, errors: dict, status: int = 400):  # noqa: ANN202
    return opportunity_page(opportunity_id, forms={form: (values, errors)}, status=status)


def _fields(names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.form.get(name, "").strip() for name in names}


@blueprint.post("/console/opportunities/<opportunity_id>/contacts")
@login_required
def add_contact(opportunity_id: str):  # noqa: ANN201
    """A person at the opportunity's account."""
    values = _fields(CONTACT_FIELDS)
    try:
        added = backend("sales").CreateContact(sales_pb2.CreateContactRequest(
            account_id=request.form.get("account_id", "").strip(), **values)).contact
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.INVALID_ARGUMENT:
            flash_error(error)
            return redirect(url_for("sales.opportunity", opportunity_id=opportunity_id, _anchor="contacts"))
        return _refused(opportunity_id, "contact", values, _form_errors(error, {}, CONTACT_FIELDS))
    flash(say(t("Contact {name} added.", name=added.name)), "ok")
    return redirect(url_for("sales.opportunity", opportunity_id=opportunity_id, _anchor="contacts"))


@blueprint.post("/console/opportunities/<opportunity_id>/activities")
@login_required
def log_activity(opportunity_id: str):  # noqa: ANN201
    """A call, meeting, e-mail or note on the opportunity; a meeting with its end, place and attendees."""
    values = _fields(ACTIVITY_FIELDS)
    attendees = [value.strip() for value in request.form.getlist("attendees") if value.strip()]
    meeting = values["kind"] == "meeting"
    errors: dict[str, str] = {}
    message = sales_pb2.LogActivityRequest(
        kind=values["kind"], opportunity_id=opportunity_id, subject=values["subject"], notes=values["notes"],
        outcome=values["outcome"])
    occur = typed_time(values, "occur", errors)
    if occur is not None:
        message.occur_time.CopyFrom(occur)
    if meeting:  # the meeting fields travel only with a meeting (the form hides them for the other kinds)
        end = typed_time(values, "end", errors)
        if end is not None:
            message.end_time.CopyFrom(end)
        message.location = values["location"]
        message.attendee_ids.extend(attendees)
    form_values = {**values, "attendees": attendees}
    if errors:
        return _refused(opportunity_id, "activity", form_values, errors)
    try:
        logged = backend("sales").LogActivity(message).activity
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.INVALID_ARGUMENT:
            flash_error(error)
            return redirect(url_for("sales.opportunity", opportunity_id=opportunity_id, _anchor="activities"))
        errors = _form_errors(error, ACTIVITY_ALIASES, (*ACTIVITY_FIELDS, "attendees"))
        return _refused(opportunity_id, "activity", form_values, errors)
    flash(say(t("{kind} logged: {subject}", kind=say(ACTIVITY_KINDS.get(logged.kind, logged.kind)),
                subject=logged.subject)), "ok")
    return redirect(url_for("sales.opportunity", opportunity_id=opportunity_id, _anchor="activities"))


@blueprint.post("/console/opportunities/<opportunity_id>/tasks")
@login_required
def add_task(opportunity_id: str):  # noqa: ANN201
    """A to-do on the opportunity: due time, a reminder some time before it, priority, assignee."""
    values = _fields(TASK_FIELDS)
    errors: dict[str, str] = {}
    message = sales_pb2.CreateTaskRequest(title=values["title"], notes=values["notes"], opportunity_id=opportunity_id,
                                          assignee_id=values["assignee"], priority=values["priority"])
    due = typed_time(values, "due", errors)
    if due is not None:
        message.due_time.CopyFrom(due)
        before = REMIND_BEFORE.get(values["remind"], REMIND_BEFORE["0"])[1]
        message.remind_time.FromDatetime(due.ToDatetime(tzinfo=UTC) - timedelta(minutes=before))
    if errors:
        return _refused(opportunity_id, "task", values, errors)
    try:
        created = backend("sales").CreateTask(message).task
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.INVALID_ARGUMENT:
            flash_error(error)
            return redirect(url_for("sales.opportunity", opportunity_id=opportunity_id, _anchor="tasks"))
        return _refused(opportunity_id, "task", values, _form_errors(error, TASK_ALIASES, TASK_FIELDS))
    flash(say(t("Task added: {title}, due {time}.", title=created.title,
                time=when(created, "due_time"))), "ok")
    return redirect(url_for("sales.opportunity", opportunity_id=opportunity_id, _anchor="tasks"))


# --- a contact ----------------------------------------------------------------------------------------------------


def _contact_page(contact_id: str, values: dict | None = None, errors: dict | None = None,
                  status: int = 200):  # noqa: ANN202
    stub = backend("sales")
    try:
        found = stub.GetContact(sales_pb2.GetContactRequest(id=contact_id)).contact
    except grpc.RpcError as error:
        status = flash_error(error)
        return render_template("console/work_contact.html", contact=None), status
    try:
        account = stub.GetAccount(sales_pb2.GetAccountRequest(id=found.account_id)).account
    except grpc.RpcError:
        account = None
    back = safe_next(request.values.get("next", "")) if request.values.get("next") else ""
    return render_template(
        "console/work_contact.html", contact=found, account=account, back=back,
        customers_page="customers.show" in current_app.view_functions,
        may_edit=may_work() and account is not None and may_change(account.owner_id),
        values=values if values is not None else {name: getattr(found, name) for name in CONTACT_FIELDS},
        errors=errors or {},
    ), status


@blueprint.get("/console/contacts/<contact_id>")
@login_required
def contact(contact_id: str):  # noqa: ANN201
    return _contact_page(contact_id)


@blueprint.post("/console/contacts/<contact_id>")
@login_required
def update_contact(contact_id: str):  # noqa: ANN201
    values = _fields(CONTACT_FIELDS)
    try:
        changed = backend("sales").UpdateContact(sales_pb2.UpdateContactRequest(id=contact_id, **values)).contact
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.INVALID_ARGUMENT:
            flash_error(error)
            return redirect(url_for("work.contact", contact_id=contact_id))
        return _contact_page(contact_id, values, _form_errors(error, {}, CONTACT_FIELDS), 400)
    flash(say(t("Contact {name} saved.", name=changed.name)), "ok")
    return redirect(_back(url_for("work.contact", contact_id=contact_id)))


# --- a task -------------------------------------------------------------------------------------------------------


def _task_page(task_id: str, values: dict | None = None, errors: dict | None = None, status: int = 200):  # noqa: ANN202
    stub = backend("sales")
    try:
        found = stub.GetTask(sales_pb2.GetTaskRequest(id=task_id)).task
    except grpc.RpcError as error:
        status = flash_error(error)
        return render_template("console/work_task.html", task=None), status
    names = record_names(stub, {(found.record_kind, found.record_id)})
    shown = {"title": found.title, "notes": found.notes, "priority": found.priority, "assignee": found.assignee_id,
             "due": _local_input(found, "due_time"), "remind": _local_input(found, "remind_time")}
    choices = assignees() if may_close(found) else []
    if found.assignee_id not in {value for value, _ in choices}:
        choices.append((found.assignee_id, found.assignee_id))
    return render_template(
        "console/work_task.html", task=found, record_name=names.get((found.record_kind, found.record_id), ""),
        values=values if values is not None else shown, was=shown, errors=errors or {}, assignees=choices,
        may_edit=may_close(found), back=_back(url_for("work.tasks")), **_labels(),
    ), status


@blueprint.get("/console/tasks/<task_id>")
@login_required
def task(task_id: str):  # noqa: ANN201
    return _task_page(task_id)


@blueprint.post("/console/tasks/<task_id>")
@login_required
def update_task(task_id: str):  # noqa: ANN201
    """Edit an open task; a new due time alone moves the reminder with it (the service keeps its lead time)."""
    values = _fields(TASK_FIELDS)
    was = {"due": request.form.get("due_was", ""), "remind": request.form.get("remind_was", "")}
    errors: dict[str, str] = {}
    message = sales_pb2.UpdateTaskRequest(id=task_id, title=values["title"], notes=values["notes"],
                                          priority=values["priority"])
    if values["assignee"]:
        message.assignee_id = values["assignee"]
    if values["due"] != was["due"]:
        due = typed_time(values, "due", errors)
        if due is not None:
            message.due_time.CopyFrom(due)
        elif "due" not in errors:
            errors["due"] = say(t("is required"))
    if values["remind"] and values["remind"] != was["remind"]:
        remind = typed_time(values, "remind", errors)
        if remind is not None:
            message.remind_time.CopyFrom(remind)
    if errors:
        return _task_page(task_id, values, errors, 400)
    try:
        changed = backend("sales").UpdateTask(message).task
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.INVALID_ARGUMENT:
            flash_error(error)
            return redirect(url_for("work.task", task_id=task_id, next=request.form.get("next", "")))
        return _task_page(task_id, values, _form_errors(error, TASK_ALIASES, TASK_FIELDS), 400)
    flash(say(t("Task saved: due {time}, reminder {reminder}.", time=when(changed, "due_time"),
                reminder=when(changed, "remind_time"))), "ok")
    return redirect(_back(url_for("work.tasks")))


@blueprint.post("/console/tasks/<task_id>/complete")
@login_required
def complete_task(task_id: str):  # noqa: ANN201
    try:
        done = backend("sales").CompleteTask(sales_pb2.CompleteTaskRequest(
            id=task_id, note=request.form.get("note", "").strip()[:1000])).task
    except grpc.RpcError as error:
        flash_error(error)
    else:
        flash(say(t("Task done: {title}.", title=done.title)), "ok")
    return redirect(_back(url_for("work.tasks")))


@blueprint.post("/console/tasks/<task_id>/cancel")
@login_required
def cancel_task(task_id: str):  # noqa: ANN201
    try:
        cancelled = backend("sales").CancelTask(sales_pb2.CancelTaskRequest(
            id=task_id, reason=request.form.get("reason", "").strip()[:1000])).task
    except grpc.RpcError as error:
        flash_error(error)
    else:
        flash(say(t("Task cancelled: {title}.", title=cancelled.title)), "ok")
    return redirect(_back(url_for("work.tasks")))


# --- My tasks -----------------------------------------------------------------------------------------------------


@blueprint.get("/console/tasks")
@login_required
def tasks():  # noqa: ANN201
    """The caller's tasks by due time (open ones unless another status is asked for); overdue ones marked. A manager
    picks one of their people, or everything they may see."""
    principal = current_principal()
    show = request.args.get("show", "open")
    show = show if show in TASK_FILTERS else "open"
    whose = request.args.get("user", "").strip()[:64]
    assignee = "" if whose == EVERYONE else (whose or principal.subject)
    stub = backend("sales")
    try:
        reply = stub.ListTasks(sales_pb2.ListTasksRequest(
            assignee_id=assignee, status="" if show == "overdue" else show, overdue=show == "overdue",
            page=_page(request.args.get("page_token", ""))))
    except grpc.RpcError as error:
        status, found, paging = flash_error(error), [], {"previous": None, "next": None, "first": None}
    else:
        status, found, paging = 200, list(reply.tasks), paging_links(reply.page.next_page_token)
    names = record_names(stub, {(task.record_kind, task.record_id) for task in found})
    return render_template(
        "console/work_tasks.html", tasks=found, names=names, paging=paging, show=show, whose=whose,
        filters=labels(TASK_FILTERS), choices=whose_choices(whose, everyone=True), **_labels(),
    ), status


# --- My week ------------------------------------------------------------------------------------------------------


@dataclass
class Day:
    day: date
    start: datetime
    end: datetime
    name: str  # the weekday in the person's language
    entries: list[dict] = field(default_factory=list)


def _week_of(value: str) -> date:
    """The Monday of the week holding `value` (YYYY-MM-DD), else of today, in the person's zone."""
    try:
        chosen = date.fromisoformat(value)
    except ValueError:
        chosen = datetime.now(display_zone()).date()
    return chosen - timedelta(days=chosen.weekday())


def _period(monday: date) -> tuple[datetime, datetime]:
    zone = display_zone()
    return (datetime.combine(monday, time(0), tzinfo=zone),
            datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone))


def _stamp_of(moment: datetime) -> Timestamp:
    value = Timestamp()
    value.FromDatetime(moment.astimezone(UTC))
    return value


def _span(entry: sales_pb2.CalendarEntry, day: Day) -> str:
    """When an entry happens, as its day's column says it: "10:00–11:30"; a task "10:00"; a meeting reaching over
    the day's edge with the other end's date."""
    start, end = stamp(entry, "start_time"), stamp(entry, "end_time")
    if entry.kind != "meeting" or start == end:
        return start.strftime("%H:%M")
    left = start.strftime("%H:%M") if start >= day.start else start.strftime("%m-%d %H:%M")
    right = end.strftime("%H:%M") if end <= day.end else end.strftime("%m-%d %H:%M")
    return f"{left}–{right}"


@blueprint.get("/console/calendar")
@login_required
def calendar():  # noqa: ANN201
    """A week of meetings and task due times, a column per day (Monday first), in the person's zone."""
    monday = _week_of(request.args.get("week", ""))
    start, end = _period(monday)
    whose = request.args.get("user", "").strip()[:64]
    stub = backend("sales")
    days = []
    for offset in range(7):
        day_start = datetime.combine(monday + timedelta(days=offset), time(0), tzinfo=display_zone())
        days.append(Day(day_start.date(), day_start, day_start + timedelta(days=1), _weekday(day_start.date())))
    entries, truncated, status = [], False, 200
    try:
        reply = stub.ListCalendar(sales_pb2.ListCalendarRequest(start_time=_stamp_of(start), end_time=_stamp_of(end),
                                                                user_id=whose))
    except grpc.RpcError as error:
        status = flash_error(error)
    else:
        entries, truncated = list(reply.entries), reply.truncated
    names = record_names(stub, {(entry.record_kind, entry.record_id) for entry in entries})
    for entry in entries:
        begins, ends = stamp(entry, "start_time"), stamp(entry, "end_time")
        for day in days:
            inside = (day.start <= begins < day.end) if begins == ends else (begins < day.end and ends > day.start)
            if inside:
                day.entries.append({"entry": entry, "span": _span(entry, day),
                                    "record": names.get((entry.record_kind, entry.record_id), "")})
    today = datetime.now(display_zone()).date()
    args = {"user": whose} if whose else {}
    return render_template(
        "console/work_calendar.html", days=days, today=today, monday=monday, sunday=monday + timedelta(days=6),
        truncated=truncated, whose=whose, choices=whose_choices(whose, everyone=False),
        previous_url=url_for("work.calendar", week=(monday - timedelta(days=7)).isoformat(), **args),
        next_url=url_for("work.calendar", week=(monday + timedelta(days=7)).isoformat(), **args),
        this_week_url=url_for("work.calendar", **args) if not (monday <= today < monday + timedelta(days=7)) else "",
        ics_url=url_for("work.calendar_ics", week=monday.isoformat(), **args), **_labels(),
    ), status


@blueprint.get("/console/calendar.ics")
@login_required
def calendar_ics():  # noqa: ANN201
    """The same week as an iCalendar file (meetings as events, tasks as to-dos with their reminders)."""
    monday = _week_of(request.args.get("week", ""))
    start, end = _period(monday)
    whose = request.args.get("user", "").strip()[:64]
    try:
        exported = backend("sales").ExportCalendar(sales_pb2.ExportCalendarRequest(
            start_time=_stamp_of(start), end_time=_stamp_of(end), user_id=whose))
    except grpc.RpcError as error:
        flash_error(error)
        return redirect(url_for("work.calendar", week=monday.isoformat(), **({"user": whose} if whose else {})))
    return download(exported.ics, exported.file_name or f"calendar-{monday.isoformat()}.ics",
                    "text/calendar; charset=utf-8")

