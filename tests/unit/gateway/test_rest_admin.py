"""The gateway's own admin endpoints: API keys (shown once, listed, revoked) and console users (temporary
password, list, reset), for role admin only and inside the caller's tenant."""

from __future__ import annotations

import pytest

from services.core.errors import DomainError
from services.gateway import accounts
from tests.unit.gateway.conftest import TENANT, api_key_headers
from tests.unit.gateway.test_rest_api import LEAD


@pytest.fixture
def admin(services_gateway):
    return api_key_headers(services_gateway, "it-1", roles=("admin",))


def test_an_admin_issues_an_api_key_shown_once_that_works_until_revoked(services_gateway, admin):
    client = services_gateway.test_client()
    created = client.post("/api/v1/api-keys", json={"name": "shop", "roles": ["sales"], "subject": "shop-bot"},
                          headers=admin)
    assert created.status_code == 201, created.get_json()
    key, record = created.get_json()["key"], created.get_json()["api_key"]
    assert key.startswith("crm_") and record["created_by"] == "it-1" and record["revoked_at"] is None
    headers = {"Authorization": f"Bearer {key}"}
    lead = client.post("/api/v1/leads", json=LEAD, headers=headers)
    assert lead.status_code == 201 and lead.get_json()["lead"]["owner_id"] == "shop-bot"
    listed = client.get("/api/v1/api-keys", headers=admin).get_json()
    assert record["id"] in {k["id"] for k in listed["api_keys"]}
    assert key.split("_")[-1] not in str(listed)  # the secret is never shown again
    revoked = client.post(f"/api/v1/api-keys/{record['id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.get_json()["api_key"]["revoked_at"]
    assert client.get("/api/v1/leads", headers=headers).status_code == 401
    bad = client.post("/api/v1/api-keys", json={"name": "", "roles": ["wizard"], "colour": "red"}, headers=admin)
    assert bad.status_code == 400 and {"colour"} <= {v["field"] for v in bad.get_json()["errors"]}
    bad = client.post("/api/v1/api-keys", json={"name": "", "roles": ["wizard"]}, headers=admin)
    assert bad.status_code == 400 and {"name", "roles"} <= {v["field"] for v in bad.get_json()["errors"]}


def test_an_admin_creates_a_user_with_a_temporary_password_and_resets_it(services_gateway, admin):
    client = services_gateway.test_client()
    created = client.post("/api/v1/users", json={"employee_id": "rep-9", "display_name": "李娜",
                                                 "roles": ["sales"], "manager_id": "m-1", "locale": "zh_CN"},
                          headers=admin)
    assert created.status_code == 201, created.get_json()
    user, password = created.get_json()["user"], created.get_json()["temporary_password"]
    assert user["must_change_password"] and not user["totp_enrolled"] and len(password) >= 16
    database = services_gateway.extensions["crm.database"]
    with database.session(TENANT) as session:  # the first login must choose a new password
        assert accounts.authenticate(session, employee_id="rep-9", password=password).stage == accounts.CHANGE_PASSWORD
    duplicate = client.post("/api/v1/users", json={"employee_id": "rep-9", "display_name": "x", "roles": ["sales"]},
                            headers=admin)
    assert duplicate.status_code == 400 and duplicate.get_json()["errors"][0]["field"] == "employee_id"
    reset = client.post(f"/api/v1/users/{user['id']}/reset-password", headers=admin)
    assert reset.status_code == 200 and reset.get_json()["temporary_password"] != password
    with database.session(TENANT) as session, pytest.raises(DomainError):
        accounts.authenticate(session, employee_id="rep-9", password=password)
    with database.session(TENANT) as session:
        accounts.authenticate(session, employee_id="rep-9", password=reset.get_json()["temporary_password"])
    assert client.post("/api/v1/users/no-such-user/reset-password", headers=admin).status_code == 404


def test_users_list_page_by_page(services_gateway, admin, make_user):
    client = services_gateway.test_client()
    for number in range(5):
        make_user(f"rep-{number}")
    seen, token = [], ""
    while True:
        page = client.get(f"/api/v1/users?page_size=2&page_token={token}", headers=admin).get_json()
        seen += [user["employee_id"] for user in page["users"]]
        token = page["page"]["next_page_token"]
        if not token:
            break
    assert seen == [f"rep-{number}" for number in range(5)]
    assert client.get("/api/v1/users?page_size=0", headers=admin).status_code == 400
    assert client.get("/api/v1/users?sort=name", headers=admin).status_code == 400


def test_only_admins_of_the_same_tenant_get_in(services_gateway, admin, make_user):
    client = services_gateway.test_client()
    user = make_user("rep-1")
    manager = api_key_headers(services_gateway, "m-1", roles=("manager", "sales"))
    for method, path in (("get", "/api/v1/api-keys"), ("post", "/api/v1/api-keys"), ("get", "/api/v1/users"),
                         ("post", "/api/v1/users"), ("post", f"/api/v1/users/{user.id}/reset-password")):
        answer = getattr(client, method)(path, json={}, headers=manager)
        assert answer.status_code == 403 and answer.mimetype == "application/problem+json", path
        assert getattr(client, method)(path, json={}).status_code == 401, path
    their_admin = api_key_headers(services_gateway, "it-9", roles=("admin",), tenant="other")
    assert client.get("/api/v1/users", headers=their_admin).get_json()["users"] == []
    assert "it-1" not in client.get("/api/v1/api-keys", headers=their_admin).get_data(as_text=True)
    assert client.post(f"/api/v1/users/{user.id}/reset-password", headers=their_admin).status_code == 404
    ours = client.get("/api/v1/api-keys", headers=admin).get_json()["api_keys"]
    assert client.post(f"/api/v1/api-keys/{ours[0]['id']}/revoke", headers=their_admin).status_code == 404
    assert client.get("/api/v1/users", headers=admin).get_json()["users"][0]["employee_id"] == "rep-1"
