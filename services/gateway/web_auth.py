"""Login with employee id, password and TOTP; first-login password change and 2FA enrolment (R-SEC-1).

Also the one place that turns a request into a principal (see principal.py): an API key or a session cookie.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import segno
from flask import Blueprint, Flask, Response, g, redirect, render_template, request, url_for
from flask_limiter import Limiter

from services.core.db import Database
from services.core.errors import DomainError, InvalidArgument
from services.core.i18n import localize
from services.gateway import accounts
from services.gateway.models import Tenant
from services.gateway.principal import (
    LOCALE_COOKIE,
    SESSION_COOKIE,
    Principal,
    choose_locale,
    current_principal,
)

LOGIN_RATE_LIMIT = "20 per minute"  # per client address, on top of the per-account lockout


def authenticate_request(database: Database) -> None:
    """before_request: set g.principal (API key or active session), g.pending (a login in progress), g.locale."""
    g.principal = None
    g.pending = None
    if request.endpoint == "static":  # stylesheets and scripts are the same for everyone: no session lookup
        g.locale = choose_locale()
        return
    user_locale = None
    api_key = _presented_api_key()
    if api_key is not None:
        parsed = accounts.parse_api_key(api_key)
        if parsed is not None:
            with database.kernel_session() as session:
                try:
                    record = accounts.verify_api_key(session, key_id=parsed[0], secret=parsed[1])
                except DomainError:
                    record = None
                if record is not None:
                    g.principal = Principal(tenant_id=record.tenant_id, subject=record.subject,
                                            roles=tuple(record.roles), kind="api_key", display_name=record.name)
        g.api_key_rejected = g.principal is None
    else:
        token = request.cookies.get(SESSION_COOKIE, "")
        if token:
            with database.kernel_session() as session:
                found = accounts.session_of(session, token)
                if found is not None:
                    web_session, user = found
                    user_locale = user.locale
                    if web_session.stage == accounts.ACTIVE:
                        g.principal = Principal(tenant_id=user.tenant_id, subject=user.employee_id,
                                                roles=tuple(user.roles), kind="user",
                                                display_name=user.display_name, user_id=user.id)
                    else:
                        g.pending = (web_session.stage, user.tenant_id, user.id)
    g.locale = choose_locale(user_locale)


def _presented_api_key() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-API-Key")


def safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect after login would hand phishers a trusted link."""
    if not target:
        return url_for("console.home") if "console.home" in _endpoints() else "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)


def web_auth(database: Database, limiter: Limiter, *, secure_cookies: bool) -> Blueprint:
    blueprint = Blueprint("web_auth", __name__, template_folder="templates")

    def set_session_cookie(response: Response, token: str) -> Response:
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Lax", secure=secure_cookies,
                            max_age=int(accounts.SESSION_ABSOLUTE.total_seconds()))
        return response

    def next_step(stage: str, target: str) -> Response:
        endpoint = {accounts.CHANGE_PASSWORD: "web_auth.change_password", accounts.ENROL_TOTP: "web_auth.enrol",
                    accounts.VERIFY_TOTP: "web_auth.second_factor"}.get(stage)
        return redirect(url_for(endpoint, next=target) if endpoint else safe_next(target))

    def errors_of(error: DomainError) -> dict[str, str]:
        locale = g.locale
        if isinstance(error, InvalidArgument):
            return {v.field: localize(v.description, locale) for v in error.violations}
        return {"": localize(error.message, locale)}

    @blueprint.route("/login", methods=["GET", "POST"])
    @limiter.limit(LOGIN_RATE_LIMIT, methods=["POST"])
    def login():  # noqa: ANN202
        target = request.values.get("next", "")
        if request.method == "GET":
            if current_principal() is not None and current_principal().kind == "user":
                return redirect(safe_next(target))
            return render_template("login.html", tenant=request.cookies.get("crm_tenant", request.args.get(
                "tenant", "")), employee_id="", errors={}, next=target)
        tenant_id = request.form.get("tenant", "").strip()
        employee_id = request.form.get("employee_id", "").strip()
        password = request.form.get("password", "")
        with database.session(tenant_id or "-") as session:
            try:
                opened = accounts.authenticate(session, employee_id=employee_id, password=password,
                                               client_address=request.remote_addr or "",
                                               user_agent=request.headers.get("User-Agent", ""))
            except DomainError as error:
                # Committed on the way out: the failure counts towards the lockout.
                return render_template("login.html", tenant=tenant_id, employee_id=employee_id,
                                       errors=errors_of(error), next=target), 401
        response = next_step(opened.stage, target)
        response.set_cookie("crm_tenant", tenant_id, httponly=True, samesite="Lax", secure=secure_cookies,
                            max_age=3600 * 24 * 365)
        return set_session_cookie(response, opened.token)

    def with_pending_session(stage: str, action):  # noqa: ANN001, ANN202
        """Run `action(session, web_session, user)` for a login waiting at `stage`; else back to the login."""
        pending = g.pending
        if pending is None or pending[0] != stage:
            return None
        token = request.cookies.get(SESSION_COOKIE, "")
        with database.session(pending[1]) as session:
            found = accounts.session_of(session, token)
            if found is None:
                return None
            return action(session, *found)

    @blueprint.route("/account/password", methods=["GET", "POST"])
    def change_password():  # noqa: ANN202
        target = request.values.get("next", "")

        def act(session, web_session, user):  # noqa: ANN001, ANN202
            if request.method == "GET":
                return render_template("change_password.html", errors={}, next=target)
            try:
                accounts.change_password(session, web_session=web_session, user=user,
                                         current=request.form.get("current_password", ""),
                                         new=request.form.get("new_password", ""),
                                         confirm=request.form.get("confirm_password", ""))
            except DomainError as error:
                return render_template("change_password.html", errors=errors_of(error), next=target), 400
            return next_step(web_session.stage, target)

        return with_pending_session(accounts.CHANGE_PASSWORD, act) or redirect(url_for("web_auth.login"))

    @blueprint.route("/account/2fa", methods=["GET", "POST"])
    def enrol():  # noqa: ANN202
        target = request.values.get("next", "")

        def page(session, user, errors: dict[str, str], status: int = 200):  # noqa: ANN001, ANN202
            tenant = session.get(Tenant, user.tenant_id)
            uri = accounts.totp_uri(user, tenant.name if tenant else user.tenant_id)
            qr = segno.make(uri, error="m").svg_inline(scale=4, dark="#1f2937")
            return render_template("enrol_totp.html", qr=qr, secret=user.totp_secret, errors=errors,
                                   next=target), status

        def act(session, web_session, user):  # noqa: ANN001, ANN202
            if request.method == "GET" or not user.totp_secret:
                # Every visit of the page shows a new secret: one shown earlier may have been seen by others.
                accounts.start_totp_enrolment(user)
                return page(session, user, {})
            try:
                accounts.confirm_totp(session, web_session=web_session, user=user, code=request.form.get("code", ""))
            except DomainError as error:
                return page(session, user, errors_of(error), 400)
            return redirect(safe_next(target))

        return with_pending_session(accounts.ENROL_TOTP, act) or redirect(url_for("web_auth.login"))

    @blueprint.route("/login/2fa", methods=["GET", "POST"])
    @limiter.limit(LOGIN_RATE_LIMIT, methods=["POST"])
    def second_factor():  # noqa: ANN202
        target = request.values.get("next", "")

        def act(session, web_session, user):  # noqa: ANN001, ANN202
            if request.method == "GET":
                return render_template("verify_totp.html", errors={}, next=target)
            try:
                accounts.verify_totp(session, web_session=web_session, user=user, code=request.form.get("code", ""))
            except DomainError as error:
                # Committed on the way out: the failure counts towards the lockout.
                return render_template("verify_totp.html", errors=errors_of(error), next=target), 400
            return redirect(safe_next(target))

        return with_pending_session(accounts.VERIFY_TOTP, act) or redirect(url_for("web_auth.login"))

    @blueprint.post("/logout")
    def logout():  # noqa: ANN202
        token = request.cookies.get(SESSION_COOKIE, "")
        with database.kernel_session() as session:
            accounts.end_session(session, token)
        response = redirect(url_for("web_auth.login"))
        response.delete_cookie(SESSION_COOKIE)
        return response

    @blueprint.post("/language")
    def language():  # noqa: ANN202
        chosen = request.form.get("locale", "")
        response = redirect(safe_next(request.form.get("next") or request.referrer and urlsplit(
            request.referrer).path))
        if chosen in ("en", "zh_CN"):
            response.set_cookie(LOCALE_COOKIE, chosen, samesite="Lax", secure=secure_cookies,
                                max_age=3600 * 24 * 365)
        return response

    return blueprint


def install(app: Flask, database: Database) -> None:
    app.before_request(lambda: authenticate_request(database))
