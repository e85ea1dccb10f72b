"""A gateway app on its own SQLite schema, with a tenant and users; services are not needed for login."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from services.core.settings import load_settings
from services.gateway import accounts
from services.gateway.app import create_app
from tests.unit.conftest import TOKEN_KEY

TENANT = "acme"
INITIAL_PASSWORD = "initial-password-1"


@pytest.fixture
def gateway_app(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    settings = replace(load_settings(), token_key=TOKEN_KEY)
    app = create_app(settings)
    app.config["TESTING"] = True
    database = app.extensions["crm.database"]
    with database.kernel_session() as session:
        accounts.create_tenant(session, tenant_id=TENANT, name="Acme Ltd")
    yield app
    database.dispose()


@pytest.fixture
def make_user(gateway_app):
    def make(employee_id: str = "rep-1", roles: tuple[str, ...] = ("sales",), tenant: str = TENANT,
             manager_id: str | None = None):
        with gateway_app.extensions["crm.database"].session(tenant) as session:
            return accounts.create_user(session, tenant=tenant, employee_id=employee_id, display_name=employee_id,
                                        roles=list(roles), initial_password=INITIAL_PASSWORD, manager_id=manager_id)

    return make


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)
