"""A gateway app on its own SQLite schema, with a tenant and users; `services_gateway` adds real services.

`logged_in(client, user)` skips the login pages (tested in test_login.py) by opening an active session directly.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from services.core.settings import SERVICE_NAMES, load_settings
from services.gateway import accounts
from services.gateway.app import create_app
from services.gateway.principal import SESSION_COOKIE
from tests.unit.conftest import TOKEN_KEY
from tests.unit.services.conftest import RunningService, grpc_service  # noqa: F401 - fixtures used here

TENANT = "acme"
INITIAL_PASSWORD = "initial-password-1"


def _app(tmp_path, monkeypatch, peer_addrs: dict[str, str] | None = None):  # noqa: ANN202
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    settings = replace(load_settings(), token_key=TOKEN_KEY)
    if peer_addrs:
        settings = replace(settings, peer_addrs={**settings.peer_addrs, **peer_addrs})
    app = create_app(settings)
    app.config["TESTING"] = True
    with app.extensions["crm.database"].kernel_session() as session:
        accounts.create_tenant(session, tenant_id=TENANT, name="Acme Ltd")
        accounts.create_tenant(session, tenant_id="other", name="Other Inc")
    return app


@pytest.fixture
def gateway_app(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch)
    yield app
    app.extensions["crm.database"].dispose()


@pytest.fixture
def services_gateway(tmp_path, monkeypatch, grpc_service):  # noqa: F811
    """The gateway in front of all six services, each in-process on its own port and SQLite database (no bus:
    events stay in each service's outbox). `app.extensions["crm.services"][name]` is the RunningService."""
    running: dict[str, RunningService] = {name: grpc_service(name) for name in SERVICE_NAMES}
    app = _app(tmp_path / "gateway", monkeypatch, {name: s.address for name, s in running.items()})
    app.extensions["crm.services"] = running
    yield app
    app.extensions["crm.database"].dispose()


@pytest.fixture
def make_user(request):
    """make_user(employee_id, roles, tenant=..., manager_id=...) -> User in whichever gateway app the test uses."""
    app = request.getfixturevalue("services_gateway" if "services_gateway" in request.fixturenames
                                  else "gateway_app")

    def make(employee_id: str = "rep-1", roles: tuple[str, ...] = ("sales",), tenant: str = TENANT,
             manager_id: str | None = None):
        with app.extensions["crm.database"].session(tenant) as session:
            return accounts.create_user(session, tenant=tenant, employee_id=employee_id, display_name=employee_id,
                                        roles=list(roles), initial_password=INITIAL_PASSWORD, manager_id=manager_id)

    return make


def logged_in(app, client, user) -> None:
    """Give `client` an active session for `user`, as if they had passed password and 2FA."""
    with app.extensions["crm.database"].session(user.tenant_id) as session:
        found = session.get(accounts.User, user.id)
        opened = accounts._open_session(session, found, accounts.ACTIVE, accounts.utcnow(), "127.0.0.1", "test")
    client.set_cookie(SESSION_COOKIE, opened.token)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def api_key_headers(app, subject: str, roles: tuple[str, ...] = ("sales",), tenant: str = TENANT) -> dict[str, str]:
    """The Authorization header of a new API key of `tenant` whose caller tokens name `subject`."""
    with app.extensions["crm.database"].session(tenant) as session:
        issued = accounts.create_api_key(session, name=f"key-{subject}", roles=list(roles), created_by="test",
                                         subject=subject)
    return {"Authorization": f"Bearer {issued.key}"}
