"""Browser journey (headless Chromium): a new employee's first login with a forced password change and TOTP
enrolment, then a later login with the second factor; a replayed code is refused (R-SEC-1)."""

from __future__ import annotations

import time

import pyotp
from selenium.webdriver.common.by import By

from tests.e2e.conftest import cli, click_through, fill, screenshot

PASSWORD = "initial-pass-123"
NEW_PASSWORD = "my-own-passw0rd-42"


def test_first_login_then_2fa_login(demo_platform, browser):
    base = demo_platform["url"]
    cli(demo_platform, "gateway", "create-user", "--tenant", "demo", "--employee-id", "newbie", "--name",
        "New Person", "--role", "sales", "--password", PASSWORD)

    browser.get(f"{base}/console")
    assert "/login" in browser.current_url
    screenshot(browser, "01-login")
    fill(browser, tenant="demo", employee_id="newbie", password=PASSWORD)
    assert "/account/password" in browser.current_url
    fill(browser, current_password=PASSWORD, new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert "/account/2fa" in browser.current_url
    screenshot(browser, "02-enrol-2fa")
    secret = browser.find_element(By.CSS_SELECTOR, "[data-testid=totp-secret]").text
    enrolment_code = pyotp.TOTP(secret).now()
    fill(browser, code=enrolment_code)
    assert "/login" not in browser.current_url and "/account" not in browser.current_url
    assert "New Person" in browser.find_element(By.CSS_SELECTOR, ".topbar .who").text
    screenshot(browser, "03-first-page")

    click_through(browser, browser.find_element(By.XPATH, "//form[contains(@action, '/logout')]//button"))
    assert "/login" in browser.current_url
    fill(browser, tenant="demo", employee_id="newbie", password=NEW_PASSWORD)
    assert "/login/2fa" in browser.current_url
    fill(browser, code=enrolment_code)  # already used at enrolment: refused
    assert "/login/2fa" in browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, ".error").text
    fill(browser, code=pyotp.TOTP(secret).at(time.time() + 30))
    assert "/login" not in browser.current_url
    assert "New Person" in browser.find_element(By.CSS_SELECTOR, ".topbar .who").text
