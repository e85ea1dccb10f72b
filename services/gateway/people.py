"""Employees by name: the console shows "Wang Fang", not "E1024", wherever a service answers with an employee id
(owners, authors, recipients). The gateway owns the accounts, so it knows every name of the tenant."""

from __future__ import annotations

import threading
import time

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import select

from services.gateway.models import User
from services.gateway.principal import current_principal

FRESH_FOR_SECONDS = 60.0  # a renamed or new user shows by name within a minute

_lock = threading.Lock()
_names: dict[tuple[int, str], tuple[float, dict[str, str]]] = {}  # (app, tenant) -> (loaded at, id -> name)


def names_of(tenant: str) -> dict[str, str]:
    """Every employee id of the tenant with its display name, read at most once a minute per gateway process."""
    key = (id(current_app._get_current_object()), tenant)  # noqa: SLF001 - one cache per app, as tests run several
    now = time.monotonic()
    with _lock:
        cached = _names.get(key)
    if cached is not None and now - cached[0] < FRESH_FOR_SECONDS:
        return cached[1]
    with current_app.extensions["crm.database"].session(tenant) as session:
        found = {employee_id: name for employee_id, name in session.execute(
            select(User.employee_id, User.display_name)) if name}
    with _lock:
        _names[key] = (now, found)
    return found


def person(employee_id: str) -> Markup:
    """`{{ person(id) }}` in templates: the display name, with the id as its tooltip; the id alone when unknown
    (a service account, a user of another system)."""
    principal = current_principal()
    name = names_of(principal.tenant_id).get(employee_id) if employee_id and principal is not None else None
    if not name or name == employee_id:
        return escape(employee_id)
    return Markup('<span class="person" title="{}">{}</span>').format(employee_id, name)
