"""Login with employee id, password and TOTP; first-login password change and 2FA enrolment; lockout (R-SEC-1)."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp

from services.core.db import utcnow
from services.gateway import accounts
from services.gateway.models import User
from tests.unit.gateway.conftest import INITIAL_PASSWORD, TENANT, csrf_of

NEW_PASSWORD = "a-much-better-passw0rd"


def login(client, employee_id="rep-1", password=INITIAL_PASSWORD, tenant=TENANT):
    token = csrf_of(client.get("/login").get_data(True))
    return client.post("/login", data={"csrf_token": token, "tenant": tenant, "employee_id": employee_id,
                                       "password": password})


def post_form(client, path, **fields):
    page = client.get(path)
    return client.post(path, data={"csrf_token": csrf_of(page.get_data(True)), **fields}), page


def first_login(client, employee_id="rep-1") -> str:
    """Walk a new user through password change and 2FA enrolment; returns the TOTP secret."""
    assert login(client, employee_id).headers["Location"].startswith("/account/password")
    answer, _ = post_form(client, "/account/password", current_password=INITIAL_PASSWORD,
                          new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert answer.headers["Location"].startswith("/account/2fa")
    page = client.get("/account/2fa").get_data(True)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    answer = client.post("/account/2fa", data={"csrf_token": csrf_of(page), "code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 302, answer.get_data(True)
    return secret


def test_first_login_forces_a_new_password_and_2fa_enrolment_before_any_page(gateway_app, make_user):
    make_user()
    client = gateway_app.test_client()
    login(client)
    # Half-way through (password not yet changed), neither 2FA enrolment nor any page can be reached.
    assert client.get("/account/2fa").status_code == 302
    assert client.get("/account/2fa").headers["Location"].startswith("/login")
    secret = first_login(gateway_app.test_client())
    assert len(secret) == 32
    with gateway_app.extensions["crm.database"].session(TENANT) as session:
        user = session.query(User).one()
        assert user.must_change_password is False and user.totp_enrolled_at is not None


def test_the_same_totp_code_is_refused_twice_and_a_wrong_one_counts_towards_lockout(gateway_app, make_user):
    make_user()
    secret = first_login(gateway_app.test_client())
    other = gateway_app.test_client()
    assert login(other, password=NEW_PASSWORD).headers["Location"].startswith("/login/2fa")
    used_code = pyotp.TOTP(secret).now()
    replay, _ = post_form(other, "/login/2fa", code=used_code)
    assert replay.status_code == 400  # the step was consumed at enrolment
    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    accepted, _ = post_form(other, "/login/2fa", code=next_code)
    assert accepted.status_code == 302


def test_a_new_password_must_be_long_differ_and_be_typed_twice(gateway_app, make_user):
    make_user()
    client = gateway_app.test_client()
    login(client)
    answer, _ = post_form(client, "/account/password", current_password="wrong", new_password="short",
                          confirm_password="other")
    html = answer.get_data(True)
    assert answer.status_code == 400
    assert "is not your current password" in html and "must be at least 10 characters" in html
    assert "does not match the new password" in html


def test_wrong_passwords_lock_the_account_and_the_answer_never_reveals_who_exists(gateway_app, make_user):
    make_user()
    client = gateway_app.test_client()
    unknown = login(client, employee_id="nobody", password="whatever")
    for _ in range(accounts.MAX_FAILED_LOGINS):
        wrong = login(client, password="not-the-password")
    assert unknown.status_code == wrong.status_code == 401
    assert "wrong employee id or password" in unknown.get_data(True)
    locked = login(client)  # the right password, but too late
    assert locked.status_code == 401 and "too many failed logins" in locked.get_data(True)
    with gateway_app.extensions["crm.database"].session(TENANT) as session:
        user = session.query(User).one()
        assert user.locked_until > utcnow()
        user.locked_until = utcnow() - timedelta(seconds=1)  # the lockout ends by itself
    assert login(client).status_code == 302


def test_a_post_without_the_csrf_token_is_refused(gateway_app, make_user):
    make_user()
    gateway_app.config["WTF_CSRF_ENABLED"] = True
    answer = gateway_app.test_client().post("/login", data={"tenant": TENANT, "employee_id": "rep-1",
                                                              "password": INITIAL_PASSWORD})
    assert answer.status_code == 400


def test_the_login_page_speaks_the_browsers_language_or_the_chosen_one(gateway_app):
    client = gateway_app.test_client()
    assert "员工编号" in client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(True)
    assert "Employee ID" in client.get("/login", headers={"Accept-Language": "en"}).get_data(True)
    client.set_cookie("crm_lang", "zh_CN")
    assert "员工编号" in client.get("/login", headers={"Accept-Language": "en"}).get_data(True)


def test_after_login_redirects_only_to_this_site(gateway_app, make_user):
    from services.gateway.web_auth import safe_next

    with gateway_app.test_request_context():
        assert safe_next("https://evil.example/x") == "/"
        assert safe_next("//evil.example/x") == "/"
        assert safe_next("/leads?page=2") == "/leads?page=2"


def test_logout_ends_the_session_on_the_server(gateway_app, make_user):
    make_user()
    client = gateway_app.test_client()
    first_login(client)
    with gateway_app.extensions["crm.database"].kernel_session() as session:
        assert session.query(accounts.WebSession).filter_by(stage=accounts.ACTIVE).count() == 1
    gateway_app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own test
    assert client.post("/logout").status_code == 302
    with gateway_app.extensions["crm.database"].kernel_session() as session:
        assert session.query(accounts.WebSession).count() == 0
    assert client.get("/login").status_code == 200  # no longer logged in: the form, not a redirect
