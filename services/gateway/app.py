"""The gateway: login and sessions, the web console, the REST API, the public lead forms, liveness/readiness.

It owns tenants, users, sessions and API keys (its own schema) and reaches customer data only through the
services' gRPC APIs, with a caller token minted for the authenticated principal (see principal.py).
"""

from __future__ import annotations

import hashlib
import hmac
import os

from flask import Flask, g, jsonify, redirect, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from services.core.client import health_of
from services.core.db import Database
from services.core.i18n import Text, localize
from services.core.migrate import upgrade
from services.core.settings import SERVICE_NAMES, Settings
from services.gateway import people, web_auth
from services.gateway.forms import public_forms
from services.gateway.principal import Backends, gettext
from services.gateway.schema import SCHEMA

# Console menu entries (endpoint, label); pages register themselves with add_nav.
NAV: list[tuple[str, Text]] = []
# Entries only some roles see (endpoint -> roles); an entry not listed here is for everyone.
NAV_ROLES: dict[str, tuple[str, ...]] = {}


def add_nav(endpoint: str, label: Text, roles: tuple[str, ...] = ()) -> None:
    if endpoint not in [e for e, _ in NAV]:
        NAV.append((endpoint, label))
    if roles:
        NAV_ROLES[endpoint] = tuple(roles)


def _may_see(endpoint: str) -> bool:
    roles = NAV_ROLES.get(endpoint)
    principal = g.get("principal")
    return not roles or (principal is not None and principal.has_any_role(*roles))


def service_health(settings: Settings, timeout: float = 1.0) -> dict[str, str]:
    """Each service's overall gRPC health: SERVING, NOT_SERVING or UNREACHABLE."""
    return {name: health_of(settings.addr_of(name), timeout).split(" ", 1)[0] for name in SERVICE_NAMES}


def gateway_database(settings: Settings) -> Database:
    return Database("gateway", settings.database_url_for("gateway"))


def create_app(settings: Settings, database: Database | None = None, *, migrate: bool = True) -> Flask:
    app = Flask("crm.gateway", root_path=os.path.dirname(__file__))
    database = database or gateway_database(settings)
    if migrate:
        upgrade(SCHEMA, database)  # replicas starting together take turns (advisory lock on PostgreSQL)
    # Signs the Flask session cookie that carries the CSRF secret; derived so that replicas agree.
    app.secret_key = hmac.new(settings.token_key.encode(), b"crm-gateway-flask", hashlib.sha256).hexdigest()
    secure_cookies = os.environ.get("CRM_COOKIE_SECURE", "false").lower() in ("1", "true", "yes")
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure_cookies,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the browser session that holds it
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,  # lead imports upload files; anything larger is refused (413)
    )
    app.extensions["crm.database"] = database
    app.extensions["crm.backends"] = Backends(settings)
    app.extensions["crm.settings"] = settings
    # First of the before_request hooks: rate limits are counted per principal, so it must be known.
    web_auth.install(app, database)
    csrf = CSRFProtect(app)
    limiter = Limiter(get_remote_address, app=app,
                      storage_uri=os.environ.get("CRM_RATE_LIMIT_STORAGE", "memory://"))
    app.extensions["crm.csrf"] = csrf
    app.jinja_env.globals.update(
        _=gettext, person=people.person,
        console_nav=lambda: [(endpoint, localize(label, g.locale)) for endpoint, label in NAV
                             if endpoint in app.view_functions and _may_see(endpoint)],
    )

    @app.get("/healthz")
    def healthz():  # noqa: ANN202
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():  # noqa: ANN202
        statuses = service_health(settings)
        ready = all(status == "SERVING" for status in statuses.values())
        return jsonify(ready=ready, services=statuses), 200 if ready else 503

    @app.get("/")
    def index():  # noqa: ANN202
        if "console.home" in app.view_functions:
            return redirect(url_for("console.home"))
        return redirect(url_for("web_auth.login"))

    forms = public_forms(settings)
    csrf.exempt(forms)  # embedded in tenants' own sites; spam defences live in the leads service
    app.register_blueprint(forms)
    app.register_blueprint(web_auth.web_auth(database, limiter, secure_cookies=secure_cookies))
    _register_areas(app, csrf, limiter)

    @app.after_request
    def secure_headers(response):  # noqa: ANN001, ANN202
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
            "form-action 'self'; base-uri 'none'",
        )
        if secure_cookies:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if g.get("principal") is not None and g.principal.kind == "user":
            response.headers.setdefault("Cache-Control", "no-store")  # pages with customer data stay off disk
        return response

    return app


def _register_areas(app: Flask, csrf: CSRFProtect, limiter: Limiter) -> None:
    """The console and the REST API, each in its own package."""
    from services.gateway import console, rest

    console.register(app, csrf=csrf, limiter=limiter)
    rest.register(app, csrf=csrf, limiter=limiter)
