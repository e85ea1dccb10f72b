"""Console pages: leads (list, detail with score, follow-ups and reminders), the public pool, batch import.

Every page reaches the leads service as the logged-in person (common.backend): the service decides what they may
see (a rep: own leads and the pool with masked contacts; a manager: the team's) and answers failures with
messages in their language, which the pages show instead of a stack trace. The list is one ListLeads call per
view; the detail page asks its five questions at once (gRPC futures), so it costs one round trip of latency.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import grpc
from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for

from crm.common.v1 import common_pb2
from crm.leads.v1 import leads_pb2
from services.core.i18n import t
from services.gateway.app import add_nav
from services.gateway.console.common import (
    backend,
    display_zone,
    download,
    errors_by_field,
    flash_error,
    labels,
    local_time,
    paging_links,
    say,
    stamp,
    when,
)
from services.gateway.principal import current_principal, login_required
from services.gateway.problems import http_status_of, message_of, rpc_problem

blueprint = Blueprint("leads", __name__, template_folder="../templates")

add_nav("leads.index", t("Leads"))
add_nav("leads.pool", t("Public pool"))
add_nav("leads.imports", t("Import"))

PAGE_SIZE = 50
UPLOAD_PIECE_BYTES = 1 << 20  # each StartImport message stays far below gRPC's 4 MB limit
IMPORT_TIMEOUT_SECONDS = 120.0  # the service reads and validates the whole file before it answers

STATUSES = {"open": t("Open"), "qualified": t("Qualified"), "converted": t("Converted"), "lost": t("Lost"),
            "duplicate": t("Duplicate")}
TEMPERATURES = {"hot": t("Hot"), "warm": t("Warm"), "cold": t("Cold")}
FOLLOW_UP_KINDS = {"call": t("Call"), "visit": t("Visit"), "email": t("E-mail"), "note": t("Note")}
REMINDER_STATUSES = {"scheduled": t("Scheduled"), "fired": t("Fired"), "cancelled": t("Cancelled")}
FACTORS = {"frequency": t("Interaction frequency"), "depth": t("Behaviour depth"), "industry": t("Industry fit"),
           "region": t("Region fit"), "size": t("Company size fit"), "budget": t("Budget fit")}
BEHAVIOURS = {"page_view": t("Page views"), "email_open": t("E-mails opened"), "call_answered": t("Calls answered"),
              "demo_attended": t("Demos attended"), "contract_template_viewed": t("Contract templates viewed")}
# URL value -> (label, ListLeads order)
ORDERS = {
    "newest": (t("Newest first"), leads_pb2.LEAD_ORDER_CREATE_TIME_DESC),
    "oldest": (t("Oldest first"), leads_pb2.LEAD_ORDER_CREATE_TIME_ASC),
    "score": (t("Highest score first"), leads_pb2.LEAD_ORDER_SCORE_DESC),
    "assigned": (t("Recently assigned first"), leads_pb2.LEAD_ORDER_ASSIGN_TIME_DESC),
    "pool": (t("Longest in the pool first"), leads_pb2.LEAD_ORDER_POOL_TIME_ASC),
}
# URL value -> (label, pool filter); "mine" also filters on the caller as owner
SCOPES = {
    "": (t("All I may see"), leads_pb2.POOL_FILTER_UNSPECIFIED),
    "mine": (t("Mine"), leads_pb2.POOL_FILTER_NOT_IN_POOL),
    "pool": (t("Public pool"), leads_pb2.POOL_FILTER_IN_POOL),
    "assigned": (t("Not in the pool"), leads_pb2.POOL_FILTER_NOT_IN_POOL),
}
IMPORT_STATUSES = {
    leads_pb2.IMPORT_JOB_STATUS_QUEUED: ("queued", t("Queued")),
    leads_pb2.IMPORT_JOB_STATUS_RUNNING: ("running", t("Running")),
    leads_pb2.IMPORT_JOB_STATUS_SUCCEEDED: ("succeeded", t("Succeeded")),
    leads_pb2.IMPORT_JOB_STATUS_FAILED: ("failed", t("Failed")),
}
TEMPLATE_FORMATS = {"xlsx": leads_pb2.IMPORT_FORMAT_XLSX, "csv": leads_pb2.IMPORT_FORMAT_CSV}
# Follow-up form: a reminder as a person says it (ReminderTime anchors, resolved by the service at 09:00).
REMIND_CHOICES = {
    "": (t("No reminder"), None),
    "in_days_1": (t("Tomorrow"), {"anchor": "in_days", "count": 1}),
    "in_weeks_1": (t("In a week"), {"anchor": "in_weeks", "count": 1}),
    "in_weeks_2": (t("In two weeks"), {"anchor": "in_weeks", "count": 2}),
    "end_of_month": (t("At the end of this month"), {"anchor": "end_of_month"}),
    "end_of_quarter": (t("At the end of this quarter"), {"anchor": "end_of_quarter"}),
}
FOLLOW_UP_FIELDS = ("kind", "content", "objection", "budget_cycle", "next_step", "remind")
_INDUSTRIES: dict[str, tuple[str, str]] = {}  # GB/T 4754 division code -> (Chinese, English): a national standard


def overdue(message, name: str) -> bool:  # noqa: ANN001
    moment = stamp(message, name)
    return moment is not None and moment < datetime.now(UTC)


def industry_name(code: str) -> str:
    """ "65 Software and information technology services" in the person's language; the code when unknown."""
    if not code:
        return ""
    if not _INDUSTRIES:
        if g.get("industries_unavailable"):
            return code
        try:
            for section in backend("leads").ListIndustries(leads_pb2.ListIndustriesRequest()).sections:
                for item in [section.section, *section.divisions]:
                    _INDUSTRIES[item.code] = (item.name_zh, item.name_en)
        except grpc.RpcError:
            g.industries_unavailable = True  # asked once per page, not once per row
            return code
    names = _INDUSTRIES.get(code)
    if names is None:
        return code
    return f"{code} {names[0] if g.locale == 'zh_CN' else names[1]}"


@blueprint.context_processor
def helpers() -> dict:
    principal = current_principal()
    return {
        "when": when, "overdue": overdue, "industry_name": industry_name, "zone_name": display_zone().key,
        "me": principal.subject if principal else "",
        "status_labels": labels(STATUSES), "temperature_labels": labels(TEMPERATURES),
        "kind_labels": labels(FOLLOW_UP_KINDS), "reminder_labels": labels(REMINDER_STATUSES),
    }


def _page(token: str, size: int = 0) -> common_pb2.PageRequest:
    return common_pb2.PageRequest(page_size=size or PAGE_SIZE, page_token=token)


def _error_page(error: grpc.RpcError) -> tuple[str, int]:
    status = http_status_of(error)
    return render_template("console/leads_error.html", message=message_of(error), status=status), status


# --- the list -----------------------------------------------------------------------------------------------------


@blueprint.get("/console/leads")
@login_required
def index():  # noqa: ANN201
    args = request.args
    scope = args.get("scope", "") if args.get("scope", "") in SCOPES else ""
    order = args.get("order", "newest") if args.get("order") in ORDERS else "newest"
    status = args.get("status", "") if args.get("status", "") in STATUSES else ""
    temperature = args.get("temperature", "") if args.get("temperature", "") in TEMPERATURES else ""
    channel = args.get("channel", "").strip()[:100]
    owner = args.get("owner", "").strip()[:64]
    if scope == "mine":
        owner = current_principal().subject
    query = leads_pb2.ListLeadsRequest(status=status, pool=SCOPES[scope][1], owner_id=owner, temperature=temperature,
                                       channel=channel, order=ORDERS[order][1],
                                       page=_page(args.get("page_token", "")))
    try:
        answer = backend("leads").ListLeads(query)
    except grpc.RpcError as error:
        status_code = flash_error(error)
        found, paging = [], {"previous": None, "next": None, "first": None}
    else:
        found, paging, status_code = list(answer.leads), paging_links(answer.page.next_page_token), 200
    filters = {"scope": scope, "order": order, "status": status, "temperature": temperature, "channel": channel,
               "owner": "" if scope == "mine" else owner}
    return render_template(
        "console/leads_list.html", leads=found, paging=paging, filters=filters,
        scopes=labels(SCOPES), orders=labels(ORDERS),
        may_filter_owner=current_principal().has_any_role("manager", "admin", "auditor", "marketing"),
    ), status_code


# --- the detail page ----------------------------------------------------------------------------------------------


def _detail(lead_id: str, *, forms: dict | None = None, status: int = 200):  # noqa: ANN202
    """The lead page; `forms`: {"follow_up"/"reminder": (values, errors)} of a form shown again after an error."""
    stub = backend("leads")
    calls = {
        "lead": stub.GetLead.future(leads_pb2.GetLeadRequest(id=lead_id)),
        "score": stub.GetLeadScore.future(leads_pb2.GetLeadScoreRequest(lead_id=lead_id)),
        "history": stub.ListScoreHistory.future(leads_pb2.ListScoreHistoryRequest(lead_id=lead_id,
                                                                                  page=_page("", 20))),
        "follow_ups": stub.ListFollowUps.future(leads_pb2.ListFollowUpsRequest(lead_id=lead_id, page=_page(""))),
        "reminders": stub.ListReminders.future(leads_pb2.ListRemindersRequest(lead_id=lead_id, status="all",
                                                                              page=_page(""))),
    }
    try:
        lead = calls["lead"].result().lead
    except grpc.RpcError as error:
        for call in calls.values():
            call.cancel()
        return _error_page(error)
    answers, problems = {}, []
    for name, call in calls.items():
        try:
            answers[name] = call.result()
        except grpc.RpcError as error:
            answers[name] = None
            problems.append(message_of(error))
    score = answers["score"]
    history = list(answers["history"].scores) if answers["history"] else []
    principal = current_principal()
    forms = forms or {}
    return render_template(
        "console/leads_detail.html", lead=lead, score=score.score if score else None,
        behaviour={say(BEHAVIOURS.get(kind, kind)): count for kind, count in sorted(score.behaviour_counts.items())
                   if count} if score else {},
        factor_labels=labels(FACTORS), factor_top=max([f.contribution for f in score.score.factors] + [1.0])
        if score else 1.0, history=history, sparkline=_sparkline([s.score for s in reversed(history)]),
        follow_ups=answers["follow_ups"].follow_ups if answers["follow_ups"] else [],
        reminders=answers["reminders"].reminders if answers["reminders"] else [],
        problems=problems, remind_choices=labels(REMIND_CHOICES),
        may_claim=lead.in_pool and principal.has_any_role("sales", "manager"),
        may_release=not lead.in_pool and lead.status in ("open", "qualified") and bool(lead.owner_id)
        and (lead.owner_id == principal.subject or principal.has_any_role("manager", "admin")),
        follow_up_form=forms.get("follow_up", ({"kind": "call"}, {})),
        reminder_form=forms.get("reminder", ({}, {})),
    ), status


def _sparkline(values: list[float], width: int = 240, height: int = 48) -> str:
    """SVG polyline points of a score history (0..100, oldest first); "" when there is nothing to draw."""
    if len(values) < 3:
        return ""
    step = width / (len(values) - 1)
    return " ".join(f"{index * step:.1f},{height - max(0.0, min(100.0, value)) / 100 * height:.1f}"
                    for index, value in enumerate(values))


@blueprint.get("/console/leads/<lead_id>")
@login_required
def detail(lead_id: str):  # noqa: ANN201
    return _detail(lead_id)


def _form_errors(error: grpc.RpcError, aliases: Callable[[str], str], known: tuple[str, ...]) -> dict[str, str]:
    """Field violations keyed by the form's fields; what fits no field goes under "" (shown above the form)."""
    found: dict[str, str] = {}
    for field, message in errors_by_field(error).items():
        name = aliases(field)
        key = name if name in known else ""
        found[key] = f"{found[key]}; {message}" if key in found else message
    return found


def _follow_up_alias(field: str) -> str:
    return "remind" if field.startswith("reminder") else field


def _reminder_alias(field: str) -> str:
    return "remind_at" if field.startswith("when") else field


@blueprint.post("/console/leads/<lead_id>/follow-ups")
@login_required
def add_follow_up(lead_id: str):  # noqa: ANN201
    values = {name: request.form.get(name, "").strip() for name in FOLLOW_UP_FIELDS}
    message = leads_pb2.AddFollowUpRequest(
        lead_id=lead_id, kind=values["kind"], content=values["content"], objection=values["objection"],
        budget_cycle=values["budget_cycle"], next_step=values["next_step"])
    choice = REMIND_CHOICES.get(values["remind"], REMIND_CHOICES[""])[1]
    if choice is not None:
        message.reminder.CopyFrom(leads_pb2.ReminderRequest(when=leads_pb2.ReminderTime(**choice)))
    try:
        answer = backend("leads").AddFollowUp(message)
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.INVALID_ARGUMENT:
            flash_error(error)
            return redirect(url_for("leads.detail", lead_id=lead_id))
        errors = _form_errors(error, _follow_up_alias, FOLLOW_UP_FIELDS)
        return _detail(lead_id, forms={"follow_up": (values, errors)}, status=400)
    if answer.HasField("reminder"):
        flash(say(t("Follow-up added; reminder set for {time}.", time=when(answer.reminder, "remind_time"))), "ok")
    else:
        flash(say(t("Follow-up added.")), "ok")
    return redirect(url_for("leads.detail", lead_id=lead_id, _anchor="follow-ups"))


@blueprint.post("/console/leads/<lead_id>/reminders")
@login_required
def schedule_reminder(lead_id: str):  # noqa: ANN201
    values = {"remind_at": request.form.get("remind_at", "").strip(), "note": request.form.get("note", "").strip()}
    at = local_time(values["remind_at"]) if values["remind_at"] else None
    if at is None:
        problem = t("is required") if not values["remind_at"] else t("is not a date and time")
        return _detail(lead_id, forms={"reminder": (values, {"remind_at": say(problem)})}, status=400)
    try:
        answer = backend("leads").ScheduleReminder(leads_pb2.ScheduleReminderRequest(
            lead_id=lead_id, when=leads_pb2.ReminderTime(at=at), note=values["note"]))
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.INVALID_ARGUMENT:
            flash_error(error)
            return redirect(url_for("leads.detail", lead_id=lead_id))
        errors = _form_errors(error, _reminder_alias, ("remind_at", "note"))
        return _detail(lead_id, forms={"reminder": (values, errors)}, status=400)
    flash(say(t("Reminder set for {time}.", time=when(answer.reminder, "remind_time"))), "ok")
    return redirect(url_for("leads.detail", lead_id=lead_id, _anchor="reminders"))


@blueprint.post("/console/leads/<lead_id>/reminders/<reminder_id>/cancel")
@login_required
def cancel_reminder(lead_id: str, reminder_id: str):  # noqa: ANN201
    try:
        backend("leads").CancelReminder(leads_pb2.CancelReminderRequest(reminder_id=reminder_id))
    except grpc.RpcError as error:
        flash_error(error)
    else:
        flash(say(t("Reminder cancelled.")), "ok")
    return redirect(url_for("leads.detail", lead_id=lead_id, _anchor="reminders"))


def _back(default: str) -> str:
    """Where a button's form asked to return to: a path of this site only."""
    target = request.form.get("next", "")
    safe = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if safe else default


@blueprint.post("/console/leads/<lead_id>/claim")
@login_required
def claim(lead_id: str):  # noqa: ANN201
    try:
        answer = backend("leads").ClaimLead(leads_pb2.ClaimLeadRequest(lead_id=lead_id))
    except grpc.RpcError as error:
        flash_error(error)  # claim limit, cool-down, someone else was faster: the service says which
        return redirect(_back(url_for("leads.pool")))
    flash(say(t("{name} is yours now: follow the lead up soon.", name=answer.lead.name or lead_id)), "ok")
    return redirect(url_for("leads.detail", lead_id=lead_id))


@blueprint.post("/console/leads/<lead_id>/release")
@login_required
def release(lead_id: str):  # noqa: ANN201
    try:
        backend("leads").ReleaseLead(leads_pb2.ReleaseLeadRequest(lead_id=lead_id,
                                                                  note=request.form.get("note", "").strip()[:500]))
    except grpc.RpcError as error:
        flash_error(error)
    else:
        flash(say(t("The lead went back to the public pool.")), "ok")
    return redirect(url_for("leads.detail", lead_id=lead_id))


# --- the public pool ----------------------------------------------------------------------------------------------


@blueprint.get("/console/pool")
@login_required
def pool():  # noqa: ANN201
    args = request.args
    order = args.get("order", "pool") if args.get("order") in ("pool", "score", "newest") else "pool"
    temperature = args.get("temperature", "") if args.get("temperature", "") in TEMPERATURES else ""
    channel = args.get("channel", "").strip()[:100]
    query = leads_pb2.ListLeadsRequest(pool=leads_pb2.POOL_FILTER_IN_POOL, status="", temperature=temperature,
                                       channel=channel, order=ORDERS[order][1], page=_page(args.get("page_token", "")))
    try:
        answer = backend("leads").ListLeads(query)
    except grpc.RpcError as error:
        status_code = flash_error(error)
        found, paging = [], {"previous": None, "next": None, "first": None}
    else:
        found, paging, status_code = list(answer.leads), paging_links(answer.page.next_page_token), 200
    orders = {key: value for key, value in labels(ORDERS).items() if key in ("pool", "score", "newest")}
    return render_template(
        "console/pool_list.html", leads=found, paging=paging, orders=orders,
        filters={"order": order, "temperature": temperature, "channel": channel},
        may_claim=current_principal().has_any_role("sales", "manager"),
    ), status_code


# --- import -------------------------------------------------------------------------------------------------------


def _job_view(job: leads_pb2.ImportJob) -> dict:
    key, label = IMPORT_STATUSES.get(job.status, ("queued", t("Queued")))
    return {"job": job, "status": key, "status_label": say(label), "done": key in ("succeeded", "failed"),
            "percent": int(100 * job.processed_rows / job.total_rows) if job.total_rows else 0}


def _imports_page(*, errors: dict[str, str] | None = None, values: dict | None = None, status: int = 200):  # noqa: ANN202
    jobs, denied = [], ""
    try:
        jobs = [_job_view(job) for job in backend("leads").ListImportJobs(
            leads_pb2.ListImportJobsRequest(page=_page("", 20))).jobs]
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.PERMISSION_DENIED:
            denied = say(t("Importing leads is for managers, marketing and admins. Ask one of them to import "
                           "your file."))
        else:
            flash_error(error)
    return render_template("console/import_index.html", jobs=jobs, denied=denied, errors=errors or {},
                           values=values or {}), status


@blueprint.get("/console/leads/import")
@login_required
def imports():  # noqa: ANN201
    return _imports_page()


def _upload_parts(upload, header: leads_pb2.ImportFileHeader) -> Iterator[leads_pb2.StartImportRequest]:  # noqa: ANN001
    """The header, then the file in pieces straight from the upload's spooled file (never all of it in memory)."""
    yield leads_pb2.StartImportRequest(header=header)
    while True:
        piece = upload.stream.read(UPLOAD_PIECE_BYTES)
        if not piece:
            return
        yield leads_pb2.StartImportRequest(chunk=piece)


@blueprint.post("/console/leads/import")
@login_required
def upload():  # noqa: ANN201
    upload_ = request.files.get("file")
    values = {"default_channel": request.form.get("default_channel", "").strip()[:100]}
    if upload_ is None or not upload_.filename:
        return _imports_page(errors={"file": say(t("choose a file to import"))}, values=values, status=400)
    header = leads_pb2.ImportFileHeader(file_name=upload_.filename[-255:], default_channel=values["default_channel"])
    try:
        answer = backend("leads").StartImport(_upload_parts(upload_, header), timeout=IMPORT_TIMEOUT_SECONDS)
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
            errors = _form_errors(error, lambda field: "file" if field in ("file", "file_name", "header") else field,
                                  ("file", "default_channel"))
            return _imports_page(errors=errors, values=values, status=400)
        status = flash_error(error)
        return _imports_page(values=values, status=status)
    return redirect(url_for("leads.import_job", job_id=answer.job.id))


@blueprint.get("/console/leads/import/template.<fmt>")
@login_required
def import_template(fmt: str):  # noqa: ANN201
    if fmt not in TEMPLATE_FORMATS:
        abort(404)
    try:
        answer = backend("leads").GetImportTemplate(leads_pb2.GetImportTemplateRequest(format=TEMPLATE_FORMATS[fmt]))
    except grpc.RpcError as error:
        flash_error(error)
        return redirect(url_for("leads.imports"))
    return download(answer.content, answer.file_name or f"leads-import-template.{fmt}",
                     answer.content_type or "application/octet-stream")


@blueprint.get("/console/leads/import/<job_id>")
@login_required
def import_job(job_id: str):  # noqa: ANN201
    stub = backend("leads")
    token = request.args.get("page_token", "")
    job_call = stub.GetImportJob.future(leads_pb2.GetImportJobRequest(id=job_id))
    errors_call = stub.ListImportRowErrors.future(leads_pb2.ListImportRowErrorsRequest(job_id=job_id,
                                                                                      page=_page(token, 100)))
    try:
        job = job_call.result().job
        row_errors = errors_call.result()
    except grpc.RpcError as error:
        errors_call.cancel()
        return _error_page(error)
    return render_template("console/import_job.html", **_job_view(job), row_errors=row_errors.errors,
                           paging=paging_links(row_errors.page.next_page_token))


@blueprint.get("/console/leads/import/<job_id>/progress")
@login_required
def import_progress(job_id: str):  # noqa: ANN201
    """For the job page's poll (static/leads.js): the counters, and whether the job has ended."""
    try:
        job = backend("leads").GetImportJob(leads_pb2.GetImportJobRequest(id=job_id)).job
    except grpc.RpcError as error:
        return rpc_problem(error)
    view = _job_view(job)
    return jsonify(status=view["status"], status_label=view["status_label"], done=view["done"],
                   percent=view["percent"], total=job.total_rows, processed=job.processed_rows,
                   imported=job.imported_rows, rejected=job.rejected_rows)


@blueprint.get("/console/leads/import/<job_id>/errors.csv")
@login_required
def import_errors(job_id: str):  # noqa: ANN201
    try:
        answer = backend("leads").GetImportErrorReport(leads_pb2.GetImportErrorReportRequest(job_id=job_id))
    except grpc.RpcError as error:
        flash_error(error)
        return redirect(url_for("leads.import_job", job_id=job_id))
    return download(answer.content, answer.file_name or f"import-{job_id}-errors.csv", "text/csv; charset=utf-8")
