"""Console pages for auditors and admins: the audit log (R-SEC-3), personal data requests (R-SEC-5), and access
administration (users and API keys, R-SEC-1/2).

The audit log and the privacy requests come from the services (analytics, identity) as the logged-in person, so the
services' role rules decide; the pages check the roles first only to answer with a friendly page instead of an
error. Users and API keys are the gateway's own rows (services/gateway/accounts.py) in the principal's tenant, for
admins only, like the REST endpoints of rest/admin.py. A new key and a temporary password are shown once, on the
answer to the form that made them, and never stored in clear.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from functools import wraps
from urllib.parse import quote

import grpc
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.analytics.v1 import analytics_pb2
from crm.common.v1 import common_pb2
from crm.identity.v1 import identity_pb2 as pb
from services.core.auth import ROLES
from services.core.errors import DomainError, FailedPrecondition, InvalidArgument
from services.core.i18n import SUPPORTED_LOCALES, localize, t
from services.core.settings import SERVICE_NAMES
from services.gateway import accounts
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
    typed_time,
    when,
)
from services.gateway.models import ApiKey, User
from services.gateway.principal import current_principal, login_required
from services.gateway.problems import http_status_of, message_of

log = logging.getLogger("crm.gateway.console.admin")

blueprint = Blueprint("admin", __name__, template_folder="../templates")

AUDIT_ROLES = ("auditor", "admin")
PRIVACY_ROLES = ("admin", "auditor")  # auditors follow the requests; only admins start them (identity's rule too)
PRIVACY_START_ROLES = ("admin",)
ACCESS_ROLES = ("admin",)

add_nav("admin.audit", t("Audit log"), roles=AUDIT_ROLES)
add_nav("admin.privacy", t("Privacy requests"), roles=PRIVACY_ROLES)
add_nav("admin.users", t("Users and keys"), roles=ACCESS_ROLES)

PAGE_SIZE = 50
EXPORT_TIMEOUT_SECONDS = 600.0  # the whole audit export streams within one call
REFRESH_SECONDS = 5  # a running privacy request's page reloads itself (Refresh header: no script, CSP-proof)
CSV_BOM = "\ufeff".encode()  # spreadsheet programs then read the UTF-8 file (Chinese names) as UTF-8

FORBIDDEN = {
    "audit": (t("The audit log is for auditors and admins"),
              t("It shows who changed which customer data, and when. If your work needs it, ask an admin for the "
                "auditor role.")),
    "privacy": (t("Privacy requests are for admins and auditors"),
                t("Admins export or erase a person's data when the person asks; auditors follow the progress. If a "
                  "customer asked you for their data, tell an admin.")),
    "access": (t("Access administration is for admins"),
               t("Users, passwords, two-factor authentication and API keys are managed by your tenant's admins. "
                 "Ask one of them for help.")),
}

AUDIT_ACTIONS = {
    "created": (t("Added"), analytics_pb2.AUDIT_ACTION_CREATED),
    "updated": (t("Updated"), analytics_pb2.AUDIT_ACTION_UPDATED),
    "deleted": (t("Deleted"), analytics_pb2.AUDIT_ACTION_DELETED),
}
ACTION_OF = {number: key for key, (_, number) in AUDIT_ACTIONS.items()}
AUDIT_FIELDS = ("service", "entity", "record_id", "actor", "action", "start", "end")
ACTOR_KINDS = {"service": t("service"), "system": t("system")}

KINDS = {
    "export": (t("Export"), pb.PRIVACY_REQUEST_KIND_EXPORT),
    "erase": (t("Erase"), pb.PRIVACY_REQUEST_KIND_ERASE),
}
KIND_OF = {number: key for key, (_, number) in KINDS.items()}
REQUEST_STATUSES = {
    pb.PRIVACY_REQUEST_STATUS_PENDING: ("pending", t("Pending")),
    pb.PRIVACY_REQUEST_STATUS_RUNNING: ("running", t("Running")),
    pb.PRIVACY_REQUEST_STATUS_COMPLETED: ("completed", t("Completed")),
    pb.PRIVACY_REQUEST_STATUS_FAILED: ("failed", t("Failed")),
}
STEP_STATUSES = {
    pb.PRIVACY_STEP_STATUS_PENDING: ("pending", t("Pending")),
    pb.PRIVACY_STEP_STATUS_COMPLETED: ("completed", t("Completed")),
    pb.PRIVACY_STEP_STATUS_FAILED: ("failed", t("Failed")),
    pb.PRIVACY_STEP_STATUS_SKIPPED: ("skipped", t("Skipped")),
}
SERVICE_LABELS = {"leads": t("Leads"), "sales": t("Sales"), "support": t("Support"), "marketing": t("Marketing"),
                  "analytics": t("Analytics"), "identity": t("Customer identities")}
PRIVACY_FIELDS = ("customer_id", "kind", "reason")

ROLE_LABELS = {"sales": t("Sales rep"), "service_agent": t("Service agent"), "marketing": t("Marketing"),
               "manager": t("Manager"), "admin": t("Admin"), "auditor": t("Auditor")}
LOCALE_LABELS = {"": t("Browser's choice"), "en": "English", "zh_CN": "简体中文"}
USER_FIELDS = ("employee_id", "display_name", "manager_id", "locale")
KEY_FIELDS = ("name", "subject")

NO_PAGING: dict[str, str | None] = {"previous": None, "next": None, "first": None}


@blueprint.context_processor
def helpers() -> dict:
    return {"when": when, "zone_name": display_zone().key, "role_labels": labels(ROLE_LABELS),
            "service_labels": labels(SERVICE_LABELS)}


def _forbidden(area: str) -> tuple[str, int]:
    heading, body = FORBIDDEN[area]
    return render_template("console/admin_forbidden.html", heading=say(heading), body=say(body)), 403


def for_roles(*roles: str, area: str) -> Callable:
    """A page for some roles only (inside login_required): the others get a friendly 403 page."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            if not current_principal().has_any_role(*roles):
                return _forbidden(area)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def _error_page(error: grpc.RpcError, back: str) -> tuple[str, int]:
    status = http_status_of(error)
    return render_template("console/admin_error.html", message=message_of(error), status=status, back=back), status


def _attachment(response: Response, file_name: str) -> Response:
    response.headers["Content-Disposition"] = f"attachment; filename=\"{file_name}\"; " \
                                              f"filename*=UTF-8''{quote(file_name)}"
    return response


# --- the audit log (R-SEC-3) --------------------------------------------------------------------------------------


def _audit_filter(args) -> tuple[dict[str, str], analytics_pb2.AuditLogFilter, dict[str, str]]:  # noqa: ANN001
    """The form's values, the service's filter, and the fields the person must correct (times they typed)."""
    values = {name: args.get(name, "").strip()[:200] for name in AUDIT_FIELDS}
    if values["action"] not in AUDIT_ACTIONS:
        values["action"] = ""
    if values["service"] not in SERVICE_NAMES:
        values["service"] = ""
    query = analytics_pb2.AuditLogFilter(
        service=values["service"], entity=values["entity"], record_id=values["record_id"], actor=values["actor"],
        action=AUDIT_ACTIONS[values["action"]][1] if values["action"] else analytics_pb2.AUDIT_ACTION_UNSPECIFIED)
    errors: dict[str, str] = {}
    for name, field in (("start", "start_time"), ("end", "end_time")):
        moment = typed_time(values, name, errors)
        if moment is not None:
            getattr(query, field).CopyFrom(moment)
    return values, query, errors


def _audit_form_errors(error: grpc.RpcError) -> dict[str, str]:
    """The service's violations ("filter.end_time") under the form's fields ("end"); the rest above the form."""
    aliases = {"start_time": "start", "end_time": "end"}
    found: dict[str, str] = {}
    for field, message in errors_by_field(error).items():
        name = field.removeprefix("filter.")
        name = aliases.get(name, name)
        key = name if name in AUDIT_FIELDS else ""
        found[key] = f"{found[key]}; {message}" if key in found else message
    return found


def _readable(value: str | None) -> str | None:
    """A stored instant ("2024-05-01T09:00:00.123+00:00") in the person's zone; any other value as it is."""
    if value is None or len(value) < 20 or value[4:5] != "-" or "T" not in value:
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.astimezone(display_zone()).strftime("%Y-%m-%d %H:%M:%S") if moment.tzinfo else value


def _entry_view(entry: analytics_pb2.AuditEntry) -> dict:
    action = ACTION_OF.get(entry.action, "")
    changes = [{"field": change.field,
                "old": _readable(change.old_value) if change.HasField("old_value") else None,
                "new": _readable(change.new_value) if change.HasField("new_value") else None}
               for change in entry.changes]
    if action == "created":  # a new record: the values it was given, not every empty column
        changes = [change for change in changes if change["new"] not in (None, "")]
    return {"entry": entry, "time": when(entry, "occur_time", "%Y-%m-%d %H:%M:%S"), "action": action,
            "action_label": say(AUDIT_ACTIONS[action][0]) if action else "",
            "actor_kind": say(ACTOR_KINDS[entry.actor_kind]) if entry.actor_kind in ACTOR_KINDS else "",
            "changes": changes}


@blueprint.get("/console/audit")
@login_required
@for_roles(*AUDIT_ROLES, area="audit")
def audit():  # noqa: ANN201
    values, query, errors = _audit_filter(request.args)
    entries, paging, status = [], NO_PAGING, 400 if errors else 200
    if not errors:
        try:
            answer = backend("analytics").SearchAuditLog(analytics_pb2.SearchAuditLogRequest(
                filter=query, page=common_pb2.PageRequest(page_size=PAGE_SIZE,
                                                          page_token=request.args.get("page_token", ""))))
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.PERMISSION_DENIED:
                return _forbidden("audit")
            if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
                errors, status = _audit_form_errors(error), 400
            else:
                status = flash_error(error)
        else:
            entries = [_entry_view(entry) for entry in answer.entries]
            paging = paging_links(answer.page.next_page_token)
    chosen = {name: value for name, value in values.items() if value}
    return render_template(
        "console/admin_audit.html", values=values, errors=errors, entries=entries, paging=paging,
        actions=labels(AUDIT_ACTIONS), services=SERVICE_NAMES, filtered=bool(chosen),
        export_url=url_for("admin.audit_export", **chosen),
    ), status


@blueprint.get("/console/audit/export.csv")
@login_required
@for_roles(*AUDIT_ROLES, area="audit")
def audit_export():  # noqa: ANN201
    """Every matching entry as CSV, streamed from the service's chunks to the browser as they arrive."""
    values, query, errors = _audit_filter(request.args)
    back = url_for("admin.audit", **{name: value for name, value in values.items() if value})
    if errors:
        for field, message in errors.items():
            flash(f"{field}: {message}", "error")
        return redirect(back)
    call = backend("analytics").ExportAuditLog(analytics_pb2.ExportAuditLogRequest(
        filter=query, format=analytics_pb2.AUDIT_EXPORT_FORMAT_CSV), timeout=EXPORT_TIMEOUT_SECONDS)
    try:
        first = next(call, None)  # the call's errors (roles, filter) arrive with the first chunk: still a page
    except grpc.RpcError as error:
        flash_error(error)
        return redirect(back)

    def chunks() -> Iterator[bytes]:
        try:
            yield CSV_BOM
            if first is not None:
                yield first.chunk
            for piece in call:
                yield piece.chunk
        except grpc.RpcError as error:
            # Too late for a page: the download breaks off, which the browser shows as a failed download.
            log.warning("audit export broke off: %s %s", error.code(), message_of(error))
            raise
        finally:
            call.cancel()

    stamp = datetime.now(UTC).astimezone(display_zone()).strftime("%Y%m%d-%H%M")
    response = Response(stream_with_context(chunks()), mimetype="text/csv")
    response.mimetype_params["charset"] = "utf-8"
    return _attachment(response, f"audit-log-{stamp}.csv")


# --- personal data requests (R-SEC-5) -----------------------------------------------------------------------------


def _request_view(request_: pb.PrivacyRequest) -> dict:
    status, status_label = REQUEST_STATUSES.get(request_.status, ("pending", t("Pending")))
    kind = KIND_OF.get(request_.kind, "")
    steps = []
    for step in request_.steps:
        key, label = STEP_STATUSES.get(step.status, ("pending", t("Pending")))
        steps.append({"step": step, "status": key, "status_label": say(label),
                      "service": say(SERVICE_LABELS.get(step.service, step.service)),
                      "finished": when(step, "finish_time", "%Y-%m-%d %H:%M:%S")})
    answered = sum(1 for step in steps if step["status"] != "pending")
    return {"req": request_, "status": status, "status_label": say(status_label), "kind": kind,
            "kind_label": say(KINDS[kind][0]) if kind else "", "steps": steps, "answered": answered,
            "running": status in ("pending", "running"),
            "percent": int(100 * answered / len(steps)) if steps else 0}


def _new_form() -> dict[str, str]:
    """An empty start form; its request id makes a double submit (or a reload) start one request, not two."""
    customer = request.args.get("customer_id") or request.args.get("customer") or ""
    return {"customer_id": customer.strip()[:32], "kind": "export", "reason": "",
            "request_id": str(uuid.uuid4())}


def _privacy_page(*, form: tuple[dict, dict] | None = None, status: int = 200):  # noqa: ANN202
    customer = request.args.get("customer", "").strip()[:32]
    found, paging = [], NO_PAGING
    try:
        answer = backend("identity").ListPrivacyRequests(pb.ListPrivacyRequestsRequest(
            customer_id=customer, page=common_pb2.PageRequest(page_size=PAGE_SIZE,
                                                              page_token=request.args.get("page_token", ""))))
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.PERMISSION_DENIED:
            return _forbidden("privacy")
        status = max(status, flash_error(error))
    else:
        found, paging = [_request_view(item) for item in answer.requests], paging_links(answer.page.next_page_token)
    values, errors = form or (_new_form(), {})
    return render_template(
        "console/admin_privacy.html", requests=found, paging=paging, customer=customer, values=values,
        errors=errors, kinds=labels(KINDS), may_start=current_principal().has_any_role(*PRIVACY_START_ROLES),
    ), status


@blueprint.get("/console/privacy")
@login_required
@for_roles(*PRIVACY_ROLES, area="privacy")
def privacy():  # noqa: ANN201
    return _privacy_page()


def _customer_of(customer_id: str) -> tuple[pb.Customer | None, grpc.RpcError | None]:
    """Who an erasure is about, for the confirm step; (None, error) when identity cannot say."""
    try:
        return backend("identity").GetCustomer(pb.GetCustomerRequest(id=customer_id)).customer, None
    except grpc.RpcError as error:
        return None, error


@blueprint.post("/console/privacy")
@login_required
@for_roles(*PRIVACY_ROLES, area="privacy")
def start_privacy_request():  # noqa: ANN201
    if not current_principal().has_any_role(*PRIVACY_START_ROLES):
        flash(say(t("Only admins start privacy requests.")), "error")
        return redirect(url_for("admin.privacy"))
    values = {name: request.form.get(name, "").strip() for name in (*PRIVACY_FIELDS, "request_id")}
    values["request_id"] = values["request_id"][:64] or str(uuid.uuid4())
    errors = {}
    if not values["customer_id"]:
        errors["customer_id"] = say(t("is required"))
    if values["kind"] not in KINDS:
        errors["kind"] = say(t("choose export or erase"))
    if not values["reason"]:
        errors["reason"] = say(t("give the legal basis, e.g. the person's request and its date"))
    if errors:
        return _privacy_page(form=(values, errors), status=400)
    if values["kind"] == "erase" and request.form.get("confirmed") != "yes":
        customer, error = _customer_of(values["customer_id"])
        if error is not None and error.code() == grpc.StatusCode.NOT_FOUND:
            return _privacy_page(form=(values, {"customer_id": message_of(error)}), status=404)
        return render_template("console/admin_privacy_confirm.html", values=values, customer=customer)
    try:
        answer = backend("identity").StartPrivacyRequest(pb.StartPrivacyRequestRequest(
            customer_id=values["customer_id"], kind=KINDS[values["kind"]][1], reason=values["reason"],
            request_id=values["request_id"]))
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.NOT_FOUND:
            return _privacy_page(form=(values, {"customer_id": message_of(error)}), status=404)
        if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
            found = {field if field in PRIVACY_FIELDS else "": message
                     for field, message in errors_by_field(error).items()}
            return _privacy_page(form=(values, found), status=400)
        status = flash_error(error)
        return _privacy_page(form=(values, {}), status=status)
    if values["kind"] == "erase":
        flash(say(t("Erasure started: every service anonymises the person's data.")), "ok")
    else:
        flash(say(t("Export started: every service collects what it holds about the person.")), "ok")
    return redirect(url_for("admin.privacy_request", request_id=answer.request.id))


@blueprint.get("/console/privacy/<request_id>")
@login_required
@for_roles(*PRIVACY_ROLES, area="privacy")
def privacy_request(request_id: str):  # noqa: ANN201
    try:
        answer = backend("identity").GetPrivacyRequest(pb.GetPrivacyRequestRequest(id=request_id))
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.PERMISSION_DENIED:
            return _forbidden("privacy")
        return _error_page(error, url_for("admin.privacy"))
    view = _request_view(answer.request)
    response = Response(render_template("console/admin_privacy_request.html", **view,
                                        has_export=bool(answer.export_json), refresh_seconds=REFRESH_SECONDS))
    if view["running"]:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@blueprint.get("/console/privacy/<request_id>/export.json")
@login_required
@for_roles(*PRIVACY_ROLES, area="privacy")
def privacy_export(request_id: str):  # noqa: ANN201
    try:
        answer = backend("identity").GetPrivacyRequest(pb.GetPrivacyRequestRequest(id=request_id))
    except grpc.RpcError as error:
        flash_error(error)
        return redirect(url_for("admin.privacy"))
    if not answer.export_json:
        flash(say(t("There is no export to download: it is only there once an export completed, and only for "
                    "admins.")), "error")
        return redirect(url_for("admin.privacy_request", request_id=request_id))
    return download(answer.export_json.encode(), f"privacy-export-{answer.request.customer_id}-{request_id}.json",
                     "application/json; charset=utf-8")


# --- access administration: users and API keys (gateway-owned, admins only) ---------------------------------------


def _accounts() -> AbstractContextManager[Session]:
    """A transaction on the gateway's own database, in the admin's tenant."""
    return current_app.extensions["crm.database"].session(current_principal().tenant_id)


def _domain_errors(error: DomainError, known: tuple[str, ...]) -> dict[str, str]:
    """A domain error's field violations under the form's fields, in the person's language; the rest under ""."""
    found: dict[str, str] = {}
    pairs = [(v.field, v.description) for v in error.violations] if isinstance(error, InvalidArgument) \
        else [("", error.message)]
    for field, message in pairs:
        key = field if field in known else ""
        text = localize(message, g.locale)
        found[key] = f"{found[key]}; {text}" if key in found else text
    return found


def _flash_domain(error: DomainError) -> None:
    for field, message in _domain_errors(error, ()).items():
        flash(f"{field}: {message}" if field else message, "error")


def _chosen_roles() -> list[str]:
    return [role for role in request.form.getlist("roles") if role in ROLES]


def _keyset(session: Session, statement, column, *, descending: bool = False) -> tuple[list, str]:  # noqa: ANN001
    """One page of rows by a unique column, and the next page's token (the last row's value)."""
    token = request.args.get("page_token", "")
    if token:
        statement = statement.where(column < token if descending else column > token)
    rows = list(session.scalars(statement.order_by(column.desc() if descending else column).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], (getattr(rows[PAGE_SIZE - 1], column.key) if len(rows) > PAGE_SIZE else "")


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(display_zone())


def _local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    local = _aware(moment)
    return local.strftime(fmt) if local else ""


def _user_view(user: User, now: datetime) -> dict:
    locked = user.locked_until is not None and _aware(user.locked_until) > now
    return {"id": user.id, "employee_id": user.employee_id, "display_name": user.display_name,
            "roles": list(user.roles), "manager_id": user.manager_id or "", "active": user.active, "locked": locked,
            "must_change_password": user.must_change_password, "totp": user.totp_enrolled_at is not None,
            "last_login": _local(user.last_login_at), "created": _local(user.created_at, "%Y-%m-%d"),
            "me": user.id == current_principal().user_id}


def _users_page(*, form: tuple[dict, dict] | None = None, status: int = 200):  # noqa: ANN202
    now = datetime.now(UTC)
    with _accounts() as session:
        users, token = _keyset(session, select(User), User.employee_id)
        found = [_user_view(user, now) for user in users]
    values, errors = form or ({"roles": ["sales"]}, {})
    return render_template("console/admin_users.html", users=found, paging=paging_links(token), values=values,
                           errors=errors, roles=ROLES, locales=labels(LOCALE_LABELS)), status


@blueprint.get("/console/admin/users")
@login_required
@for_roles(*ACCESS_ROLES, area="access")
def users():  # noqa: ANN201
    return _users_page()


@blueprint.post("/console/admin/users")
@login_required
@for_roles(*ACCESS_ROLES, area="access")
def create_user():  # noqa: ANN201
    values: dict = {name: request.form.get(name, "").strip() for name in USER_FIELDS}
    values["roles"] = _chosen_roles()
    if values["locale"] not in SUPPORTED_LOCALES:
        values["locale"] = ""
    if not values["roles"]:
        return _users_page(form=(values, {"roles": say(t("choose at least one role"))}), status=400)
    password = accounts.temporary_password()
    try:
        with _accounts() as session:
            user = accounts.create_user(
                session, tenant=current_principal().tenant_id, employee_id=values["employee_id"],
                display_name=values["display_name"], roles=values["roles"], initial_password=password,
                manager_id=values["manager_id"] or None, locale=values["locale"] or None)
            shown = {"employee_id": user.employee_id, "display_name": user.display_name}
    except DomainError as error:
        return _users_page(form=(values, _domain_errors(error, (*USER_FIELDS, "roles"))), status=400)
    return render_template("console/admin_secret.html", kind="new_user", secret=password, **shown), 201


def _with_user(user_id: str, act: Callable[[Session, User], str]):  # noqa: ANN202
    """Run `act(session, user)` on one of the tenant's users; its answer is flashed, errors too; back to the list."""
    try:
        with _accounts() as session:
            user = session.get(User, user_id)
            if user is None:
                flash(say(t("no user {id}", id=user_id)), "error")
            else:
                flash(act(session, user), "ok")
    except DomainError as error:
        _flash_domain(error)
    return redirect(url_for("admin.users", _anchor=f"user-{user_id}"))


def _not_yourself(user: User) -> None:
    if user.id == current_principal().user_id:
        raise FailedPrecondition(t("not on your own account: ask another admin"))


@blueprint.post("/console/admin/users/<user_id>/reset-password")
@login_required
@for_roles(*ACCESS_ROLES, area="access")
def reset_password(user_id: str):  # noqa: ANN201
    password = accounts.temporary_password()
    try:
        with _accounts() as session:
            user = session.get(User, user_id)
            if user is None:
                flash(say(t("no user {id}", id=user_id)), "error")
                return redirect(url_for("admin.users"))
            _not_yourself(user)
            accounts.reset_password(session, user=user, temporary_password=password)
            shown = {"employee_id": user.employee_id, "display_name": user.display_name}
    except DomainError as error:
        _flash_domain(error)
        return redirect(url_for("admin.users"))
    return render_template("console/admin_secret.html", kind="reset_password", secret=password, **shown)


@blueprint.post("/console/admin/users/<user_id>/reset-2fa")
@login_required
@for_roles(*ACCESS_ROLES, area="access")
def reset_second_factor(user_id: str):  # noqa: ANN201
    def act(session: Session, user: User) -> str:
        _not_yourself(user)
        accounts.reset_second_factor(session, user=user)
        return say(t("{name} sets up a new authenticator app at the next login.", name=user.display_name))

    return _with_user(user_id, act)


@blueprint.post("/console/admin/users/<user_id>/deactivate")
@login_required
@for_roles(*ACCESS_ROLES, area="access")
def deactivate_user(user_id: str):  # noqa: ANN201
    def act(session: Session, user: User) -> str:
        accounts.deactivate_user(session, user=user, acting_user_id=current_principal().user_id)
        return say(t("{name} can no longer log in; their sessions ended.", name=user.display_name))

    return _with_user(user_id, act)


@blueprint.post("/console/admin/users/<user_id>/reactivate")
@login_required
@for_roles(*ACCESS_ROLES, area="access")
def reactivate_user(user_id: str):  # noqa: ANN201
    def act(session: Session, user: User) -> str:
        accounts.reactivate_user(session, user=user)
        return say(t("{name} can log in again.", name=user.display_name))

    return _with_user(user_id, act)


def _key_view(key: ApiKey) -> dict:
    return {"id": key.id, "name": key.name, "roles": list(key.roles), "subject": key.subject,
            "created_by": key.created_by, "created": _local(key.created_at), "last_used": _local(key.last_used_at),
            "revoked": _local(key.revoked_at)}


def _keys_page(*, form: tuple[dict, dict] | None = None, status: int = 200):  # noqa: ANN202
    with _accounts() as session:
        keys, token = _keyset(session, select(ApiKey), ApiKey.id, descending=True)  # newest first (UUIDv7)
        found = [_key_view(key) for key in keys]
    values, errors = form or ({"roles": []}, {})
    return render_template("console/admin_api_keys.html", keys=found, paging=paging_links(token), values=values,
                           errors=errors, roles=ROLES), status


@blueprint.get("/console/admin/api-keys")
@login_required
@for_roles(*ACCESS_ROLES, area="access")
def api_keys():  # noqa: ANN201
    return _keys_page()


@blueprint.post("/console/admin/api-keys")
@login_required
@for_roles(*ACCESS_ROLES, area="access")
def create_api_key():  # noqa: ANN201
    values: dict = {name: request.form.get(name, "").strip() for name in KEY_FIELDS}
    values["roles"] = _chosen_roles()
    try:
        with _accounts() as session:
            issued = accounts.create_api_key(session, name=values["name"], roles=values["roles"],
                                             created_by=current_principal().subject, subject=values["subject"] or None)
            shown = {"name": issued.record.name, "subject": issued.record.subject, "roles": list(issued.record.roles)}
    except DomainError as error:
        return _keys_page(form=(values, _domain_errors(error, (*KEY_FIELDS, "roles"))), status=400)
    return render_template("console/admin_secret.html", kind="api_key", secret=issued.key, **shown), 201


@blueprint.post("/console/admin/api-keys/<key_id>/revoke")
@login_required
@for_roles(*ACCESS_ROLES, area="access")
def revoke_api_key(key_id: str):  # noqa: ANN201
    try:
        with _accounts() as session:
            accounts.revoke_api_key(session, key_id=key_id)  # NotFound for another tenant's key
            name = session.get(ApiKey, key_id).name
    except DomainError as error:
        _flash_domain(error)
    else:
        flash(say(t("API key {name} revoked: it no longer works.", name=name)), "ok")
    return redirect(url_for("admin.api_keys"))

