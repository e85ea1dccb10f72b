"""The web console: server-rendered pages for sales reps, service agents, marketers and managers (R-USR-1).

Each area is a module with its own blueprint; every page is `login_required` and reaches data only through
the services' gRPC APIs as the logged-in person (common.backend), so the services' rules decide what they see.
"""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, url_for
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect

from services.gateway.console import admin, customers, dashboard, leads, sales, work
from services.gateway.principal import current_principal, login_required

AREAS = (leads, sales, work, customers, dashboard, admin)  # also the order of the menu


def _menu_in_area_order() -> None:
    from services.gateway.app import NAV

    areas = [area.blueprint.name for area in AREAS]
    NAV.sort(key=lambda item: areas.index(item[0].split(".")[0]) if item[0].split(".")[0] in areas else len(areas))


def register(app: Flask, *, csrf: CSRFProtect, limiter: Limiter) -> None:  # noqa: ARG001 - same shape as rest
    console = Blueprint("console", __name__)

    @console.get("/console")
    @login_required
    def home():  # noqa: ANN202
        """Managers start on the dashboard, everyone else on their leads."""
        principal = current_principal()
        wanted = "dashboard.show" if principal.has_any_role("manager", "admin") else "leads.index"
        return redirect(url_for(wanted) if wanted in app.view_functions else url_for("web_auth.login"))

    app.register_blueprint(console)
    _menu_in_area_order()
    for area in AREAS:
        app.register_blueprint(area.blueprint)
