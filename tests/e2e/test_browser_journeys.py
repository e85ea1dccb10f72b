"""Browser journeys (headless Chromium) over one `crm up` with its demo tenant (issue #6, "How good"): a manager
imports a file with a bad row and reads the per-row report; a rep claims a lead another rep released to the public
pool; a rep moves an opportunity across the pipeline board by drag and drop (and by the no-JS move form); an admin
merges two customers after seeing the diff, then undoes it. Every page the journeys see is saved under
tests/e2e/screenshots/ for people to look at.

Demo users log in with the demo password and a TOTP code from the secrets `crm up` prints. A code's time step
can be used once per user (replays are refused), so `log_in` remembers the last step each user spent.

`CRM_README_SCREENSHOT=1` also writes the README's picture of the console (docs/images/console.png) from the
manager's pipeline board; without it the board is only saved with the other screenshots.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from pathlib import Path

import pyotp
import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from services.gateway.demo import DEMO_PASSWORD, DEMO_TENANT, USERS
from tests.e2e.conftest import click_through, fill, screenshot

README_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "images" / "console.png"
README_SIZE = (1366, 800)
SECRET_LINE = re.compile(r"\s+(\S+)\s+([A-Z2-7]{16,})")  # "  rep-1    ABCD..." after "demo tenant 'demo'"
STEP_SECONDS = 30


# --- logging in ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def totp_secrets(demo_platform) -> dict[str, str]:
    """{employee id: TOTP secret} of the demo users, read from the `crm up` log."""
    wanted = {person.employee_id for person in USERS}
    deadline = time.monotonic() + 10
    while True:
        found = {}
        for line in demo_platform["log"].read_text(encoding="utf-8").splitlines():
            try:
                message = json.loads(line).get("message", "")
            except ValueError:
                message = line
            match = SECRET_LINE.fullmatch(message)
            if match and match[1] in wanted:
                found[match[1]] = match[2]
        if set(found) == wanted:
            return found
        assert time.monotonic() < deadline, f"the log names TOTP secrets of {sorted(found)} only"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def log_in(demo_platform, browser, totp_secrets):
    """`log_in("rep-1")`: a fresh session for that demo user, through the login page and its 2FA step."""
    spent: dict[str, int] = {}

    def code_for(user: str) -> str:
        # The server accepts the current step and one either side, each only once per user. The current step is
        # safest (still valid if the clock turns before the server checks); else the next; else wait for one.
        while True:
            now = time.time()
            step = int(now) // STEP_SECONDS
            for candidate in (step, step + 1):
                if candidate > spent.get(user, 0):
                    spent[user] = candidate
                    return pyotp.TOTP(totp_secrets[user]).at(candidate * STEP_SECONDS)
            time.sleep((step + 1) * STEP_SECONDS - now + 0.2)

    def log_in_as(user: str) -> None:
        browser.delete_all_cookies()
        browser.get(f"{demo_platform['url']}/login")
        fill(browser, tenant=DEMO_TENANT, employee_id=user, password=DEMO_PASSWORD)
        assert "/login/2fa" in browser.current_url, f"{user}: no second-factor step: {problems(browser)}"
        fill(browser, code=code_for(user))
        assert "/login" not in browser.current_url, f"{user} could not log in: {problems(browser)}"
        name = next(person.name for person in USERS if person.employee_id == user)
        assert name in browser.find_element(By.CSS_SELECTOR, ".topbar .who").text

    return log_in_as


def problems(driver) -> list[str]:
    """The messages a page shows about what went wrong (for assertion messages)."""
    return [element.text for element in driver.find_elements(By.CSS_SELECTOR, ".error, .flash") if element.text]


def wait(driver, seconds: float = 20) -> WebDriverWait:
    return WebDriverWait(driver, seconds, poll_frequency=0.2,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))


def flashes(driver) -> list[str]:
    return [element.text for element in driver.find_elements(By.CSS_SELECTOR, ".flash") if element.text]


def column_of(driver, opportunity_id: str) -> str:
    """The stage of the board column that holds the opportunity's tile."""
    tile = driver.find_element(By.CSS_SELECTOR, f".tile[data-id='{opportunity_id}']")
    return tile.find_element(By.XPATH, "./ancestor::section[@data-stage]").get_attribute("data-stage")


# --- the README's picture -----------------------------------------------------------------------------------------


def test_manager_sees_the_teams_pipeline(demo_platform, browser, log_in):
    """The manager's board: every stage a column, the team's tiles with both reps as owners (the README picture)."""
    log_in("m-1")
    width, height = README_SIZE
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    try:
        browser.get(f"{demo_platform['url']}/console/pipeline")
        stages = [column.get_attribute("data-stage") for column in browser.find_elements(By.CSS_SELECTOR,
                                                                                         ".board .column")]
        assert stages == ["02", "03", "04", "05", "lost"]
        # Owners by name, their employee id as the tooltip.
        owners = {element.find_element(By.CSS_SELECTOR, ".person").get_attribute("title")
                  for element in browser.find_elements(By.CSS_SELECTOR, ".tile .owner")}
        assert {"rep-1", "rep-2"} <= owners, owners
        browser.execute_script("document.documentElement.style.scrollbarWidth = 'none'")  # a clean picture
        path = screenshot(browser, "10-pipeline-manager")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    if os.environ.get("CRM_README_SCREENSHOT"):
        from PIL import Image

        with Image.open(path) as image:
            assert image.size == README_SIZE
            README_IMAGE.parent.mkdir(parents=True, exist_ok=True)
            image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
                                          ).save(README_IMAGE, optimize=True)
        assert README_IMAGE.stat().st_size < 300_000


# --- import a file with a bad row ---------------------------------------------------------------------------------


def test_import_with_a_bad_row(demo_platform, browser, log_in, tmp_path):
    base = demo_platform["url"]
    log_in("m-1")
    browser.get(f"{base}/console/leads/import")
    screenshot(browser, "20-import-page")

    # The template, downloaded through the page's own link.
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    browser.find_element(By.CSS_SELECTOR, "a[href$='template.csv']").click()
    template = wait(browser).until(
        lambda _: next((p for p in downloads.iterdir() if not p.name.endswith(".crdownload")), None))
    header = next(csv.reader(io.StringIO(template.read_text(encoding="utf-8-sig"))))
    assert "联系电话*/Phone*" in header, header

    # Two good rows around a bad one (row 3 as a spreadsheet numbers it: the header is row 1).
    channel = "E2E import"
    people = [
        {"company": "Journey Good One Ltd", "name": "Ada Good", "phone": "13800138001", "email": "ada@good.test"},
        {"company": "Journey Bad Ltd", "name": "Bob Bad", "phone": "12345", "email": "bob@bad.test"},
        {"company": "Journey Good Two Ltd", "name": "Cy Good", "phone": "13800138002", "email": "cy@good.test"},
    ]
    columns = {"company": "Customer name", "industry": "Industry", "name": "Contact person", "phone": "Phone",
               "email": "E-mail", "channel": "Channel"}
    index = {key: next(i for i, cell in enumerate(header) if english in cell) for key, english in columns.items()}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for person in people:
        row = [""] * len(header)
        for key, value in {**person, "industry": "65", "channel": channel}.items():
            row[index[key]] = value
        writer.writerow(row)
    upload = tmp_path / "journey-leads.csv"
    upload.write_text(buffer.getvalue(), encoding="utf-8")

    browser.find_element(By.ID, "file").send_keys(str(upload))
    click_through(browser, browser.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]"))
    assert "/console/leads/import/" in browser.current_url
    screenshot(browser, "21-import-job-started")
    # The page follows the job (static/leads.js polls, then reloads once the job has ended).
    wait(browser, 60).until(lambda d: d.find_element(By.CSS_SELECTOR, ".page-head .badge").text
                            in ("Succeeded", "Failed"))
    screenshot(browser, "22-import-job-done")
    assert browser.find_element(By.CSS_SELECTOR, ".page-head .badge").text == "Succeeded"
    counters = {name: browser.find_element(By.CSS_SELECTOR, f"[data-field={name}]").text
                for name in ("total", "imported", "rejected")}
    assert counters == {"total": "3", "imported": "2", "rejected": "1"}
    report = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
              for row in browser.find_elements(By.CSS_SELECTOR, "table.row-errors tbody tr")]
    assert len(report) == 1, report
    row_number, column, reason = report[0]
    assert row_number == "3" and "Phone" in column and "not a Chinese mobile or landline number" in reason, report

    # The good rows are leads now; the bad one is not.
    browser.get(f"{base}/console/leads?channel={channel.replace(' ', '+')}")
    screenshot(browser, "23-imported-leads")
    names = {element.text for element in browser.find_elements(By.CSS_SELECTOR, "table.leads tbody tr td:first-child")}
    assert names == {"Ada Good", "Cy Good"}


# --- claim a lead from the public pool ----------------------------------------------------------------------------


def test_claim_a_released_lead_from_the_pool(demo_platform, browser, log_in):
    """The demo leads all have owners, so rep-2 first releases one of theirs; rep-1 then finds it in the pool with
    its contact masked, claims it, and sees it as their own with the contact details."""
    base = demo_platform["url"]
    log_in("rep-2")
    browser.get(f"{base}/console/leads?scope=mine")
    link = browser.find_element(By.CSS_SELECTOR, "table.leads tbody tr td a")
    lead_id = link.get_attribute("href").rstrip("/").rsplit("/", 1)[1]
    click_through(browser, link)
    email = browser.find_element(By.CSS_SELECTOR, "dl.facts a[href^='mailto:']").text
    phone = browser.find_element(By.CSS_SELECTOR, "dl.facts a[href^='tel:']").text
    assert "@" in email and phone
    # "Return this lead to the public pool?"
    click_through(browser, browser.find_element(By.XPATH, "//form[contains(@action, '/release')]//button"),
                  confirm=True)
    assert "The lead went back to the public pool." in flashes(browser)
    screenshot(browser, "30-released-by-rep-2")

    log_in("rep-1")
    browser.get(f"{base}/console/pool")
    row = browser.find_element(By.XPATH, f"//table[contains(@class, 'pool')]//tr[.//a[contains(@href, '{lead_id}')]]")
    masked = row.find_elements(By.CSS_SELECTOR, "td.masked")
    assert len(masked) == 2 and "*" in masked[0].text and email not in row.text and phone not in row.text
    screenshot(browser, "31-pool-before-claim")
    click_through(browser, row.find_element(By.XPATH, ".//button[@type='submit']"))

    assert browser.current_url.endswith(f"/console/leads/{lead_id}")
    assert any("is yours now" in message for message in flashes(browser))
    assert browser.find_element(By.CSS_SELECTOR, "dl.facts a[href^='mailto:']").text == email
    assert browser.find_element(By.CSS_SELECTOR, "dl.facts a[href^='tel:']").text == phone
    assert "Me" in browser.find_element(By.CSS_SELECTOR, ".lead-head .badge.mine").text
    screenshot(browser, "32-claimed-by-rep-1")

    browser.get(f"{base}/console/pool")
    assert lead_id not in browser.page_source
    screenshot(browser, "33-pool-after-claim")
    browser.get(f"{base}/console/leads?scope=mine&order=assigned")
    assert f"/console/leads/{lead_id}" in browser.page_source


# --- move an opportunity across the board -------------------------------------------------------------------------

DRAG_AND_DROP = """
const [tile, column] = arguments;
const data = new DataTransfer();
const fire = (element, type) => element.dispatchEvent(
  new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: data}));
fire(tile, "dragstart");
fire(column, "dragenter");
fire(column, "dragover");
fire(column, "drop");
fire(tile, "dragend");
"""


def test_move_an_opportunity_across_the_board(demo_platform, browser, log_in):
    """Drag and drop (HTML5 events dispatched by script: WebDriver's own drag does not fire them in Chromium),
    then the tile's no-JS Move form; the board after a reload and the opportunity's stage history agree."""
    base = demo_platform["url"]
    log_in("rep-2")
    browser.get(f"{base}/console/pipeline")
    tile = browser.find_element(By.CSS_SELECTOR, ".column[data-stage='02'] .tile[draggable='true']")
    opportunity_id = tile.get_attribute("data-id")
    name = tile.find_element(By.CSS_SELECTOR, ".tile-name").text
    target = browser.find_element(By.CSS_SELECTOR, ".column[data-stage='03']")
    browser.execute_script(DRAG_AND_DROP, tile, target)
    status = browser.find_element(By.ID, "board-status")
    wait(browser).until(lambda _: status.is_displayed() and status.text)
    assert "ok" in status.get_attribute("class").split(), status.text
    assert status.text == f"{name} moved to Intent confirmed"
    assert column_of(browser, opportunity_id) == "03"
    screenshot(browser, "40-board-after-drop")

    browser.refresh()  # the service moved it, not only the page
    assert column_of(browser, opportunity_id) == "03"

    tile = browser.find_element(By.CSS_SELECTOR, f".tile[data-id='{opportunity_id}']")
    tile.find_element(By.CSS_SELECTOR, "details.tile-move summary").click()
    Select(tile.find_element(By.NAME, "stage")).select_by_value("04")
    click_through(browser, tile.find_element(By.CSS_SELECTOR, ".move-form button[type=submit]"))
    assert f"{name} moved to Negotiation" in flashes(browser)
    assert column_of(browser, opportunity_id) == "04"
    screenshot(browser, "41-board-after-move-form")

    click_through(browser, browser.find_element(By.CSS_SELECTOR, f".tile[data-id='{opportunity_id}'] .tile-name"))
    assert browser.current_url.endswith(f"/console/opportunities/{opportunity_id}")
    assert browser.find_element(By.CSS_SELECTOR, "h1 .badge.stage").text == "Negotiation"
    history = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
               for row in browser.find_elements(By.XPATH, "//h2[.='Stage history']/following-sibling::table//tbody/tr")]
    changes = [(change, actor) for _, change, actor, _ in history]
    assert changes[-2:] == [("First contact → Intent confirmed", "rep-2"), ("Intent confirmed → Negotiation", "rep-2")]
    screenshot(browser, "42-opportunity-history")


# --- merge and unmerge a customer ---------------------------------------------------------------------------------


def golden(driver) -> dict[str, str]:
    terms = driver.find_elements(By.CSS_SELECTOR, "dl.golden dt")
    values = driver.find_elements(By.CSS_SELECTOR, "dl.golden dd")
    return {term.text: value.text for term, value in zip(terms, values, strict=True)}


def linked_records(driver) -> set[str]:
    return {element.text for element in driver.find_elements(By.CSS_SELECTOR, ".records li .mono")}


def two_customers(driver, base: str) -> list[str]:
    """Two different customers of demo leads (identity resolves each lead from its lead.created event)."""
    found: list[str] = []
    deadline = time.monotonic() + 30
    index = 1
    while len(found) < 2:
        driver.get(f"{base}/console/customers?q=demo{index}@example.com")
        ids = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "table.list tbody td a.mono")] \
            if "No customer matches." not in driver.page_source else []
        if ids and ids[0] not in found:
            found.append(ids[0])
            index += 1
        elif not ids:
            assert time.monotonic() < deadline, f"no customer for demo{index}@example.com"
            time.sleep(0.5)
        else:
            index += 1
    return found


def test_merge_then_unmerge_a_customer(demo_platform, browser, log_in):
    base = demo_platform["url"]
    log_in("admin")
    survivor, absorbed = two_customers(browser, base)
    browser.get(f"{base}/console/customers/{absorbed}")
    absorbed_before, absorbed_records = golden(browser), linked_records(browser)
    browser.get(f"{base}/console/customers/{survivor}")
    survivor_before, survivor_records = golden(browser), linked_records(browser)
    assert survivor_before["E-mail"] != absorbed_before["E-mail"] and absorbed_records
    screenshot(browser, "50-customer-360")

    browser.find_element(By.ID, "other").send_keys(absorbed)
    click_through(browser, browser.find_element(By.XPATH, "//form[contains(@action, '/merge')]//button"))
    assert f"/console/customers/{survivor}/merge?other={absorbed}" in browser.current_url, flashes(browser)
    preview = {}
    for row in browser.find_elements(By.CSS_SELECTOR, "table.diff tbody tr"):
        label = row.find_element(By.TAG_NAME, "th").text
        stays, merged_in, after = (cell.text for cell in row.find_elements(By.TAG_NAME, "td"))
        changed = "changed" in row.get_attribute("class").split()
        preview[label] = (stays, merged_in, after.split(" → ")[-1] if changed else after, changed)
    assert {label: values[:2] for label, values in preview.items()} == {
        label: (survivor_before[label], absorbed_before[label]) for label in survivor_before}
    assert any(changed for *_, changed in preview.values()), "the diff highlights no change"
    screenshot(browser, "51-merge-preview")

    browser.find_element(By.ID, "reason").send_keys("same person (browser journey)")
    confirm = browser.find_element(By.XPATH, "//form[@method='post' and contains(@action, '/merge')]//button")
    click_through(browser, confirm)
    assert browser.current_url.endswith(f"/console/customers/{survivor}")
    assert f"{absorbed} merged into {survivor}; records moved: {len(absorbed_records)}." in flashes(browser)
    assert golden(browser) == {label: values[2] for label, values in preview.items()}
    assert linked_records(browser) == survivor_records | absorbed_records
    screenshot(browser, "52-merged")
    browser.get(f"{base}/console/customers/{absorbed}")  # the absorbed id leads to the survivor
    assert browser.current_url.endswith(f"/console/customers/{survivor}")
    assert f"{absorbed} was merged into {survivor}." in flashes(browser)

    merge_row = browser.find_element(By.XPATH, f"//table//tr[td[1][normalize-space()='{absorbed}']]")
    # "Undo this merge? ..."
    click_through(browser, merge_row.find_element(By.XPATH, ".//button[@type='submit']"), confirm=True)
    assert f"Merge undone; records moved back to {absorbed}: {len(absorbed_records)}." in flashes(browser)
    assert f"/console/customers/{survivor}/unmerged/" in browser.current_url
    screenshot(browser, "53-unmerged")
    browser.refresh()  # a GET page: reloading it posts nothing again
    assert "Merge undone" in browser.find_element(By.TAG_NAME, "h1").text and not flashes(browser)

    browser.get(f"{base}/console/customers/{survivor}")
    assert golden(browser) == survivor_before and linked_records(browser) == survivor_records
    assert "No merge into this customer is in effect." in browser.page_source
    browser.get(f"{base}/console/customers/{absorbed}")
    assert browser.current_url.endswith(f"/console/customers/{absorbed}")
    assert golden(browser) == absorbed_before and linked_records(browser) == absorbed_records
    screenshot(browser, "54-restored-customer")



# --- a rep's day: log a call, plan a task, find it in My tasks and My week, mark it done ----------------------------


def set_local_time(driver, element, days_ahead: int, hour: int) -> str:
    """Fill a datetime-local input through the DOM (typing into one depends on the browser's locale)."""
    value = driver.execute_script(
        "const d = new Date(); d.setDate(d.getDate() + arguments[1]); d.setHours(arguments[2], 0, 0, 0);"
        "const p = n => String(n).padStart(2, '0');"
        "arguments[0].value = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(arguments[2])}:00`;"
        "return arguments[0].value;", element, days_ahead, hour)
    return value


def errors_shown(driver) -> list[str]:
    return [element.text for element in driver.find_elements(By.CSS_SELECTOR, ".flash.error, .error")
            if element.text]


def test_a_rep_logs_a_call_plans_a_task_and_finds_it_in_the_week(demo_platform, browser, log_in):
    base = demo_platform["url"]
    log_in("rep-1")
    browser.get(f"{base}/console/pipeline")
    click_through(browser, browser.find_element(By.CSS_SELECTOR, ".tile .tile-name"))
    opportunity_url = browser.current_url
    assert "/console/opportunities/" in opportunity_url

    log = browser.find_element(By.CSS_SELECTOR, "form.wk-log")
    log.find_element(By.NAME, "subject").send_keys("Pricing call with the CFO")
    log.find_element(By.NAME, "outcome").send_keys("agreed to a pilot")
    click_through(browser, log.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert not errors_shown(browser), errors_shown(browser)
    timeline = browser.find_element(By.ID, "activities").text
    assert "Pricing call with the CFO" in timeline and "agreed to a pilot" in timeline

    task_form = browser.find_element(By.CSS_SELECTOR, "#tasks form.wk-form")
    task_form.find_element(By.NAME, "title").send_keys("Send the pilot proposal")
    set_local_time(browser, task_form.find_element(By.NAME, "due"), 1, 10)
    click_through(browser, task_form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert not errors_shown(browser), errors_shown(browser)
    assert "Send the pilot proposal" in browser.find_element(By.ID, "tasks").text
    screenshot(browser, "60-opportunity-work")

    browser.get(f"{base}/console/tasks")
    row = browser.find_element(By.XPATH, "//tr[.//*[contains(., 'Send the pilot proposal')]]")
    screenshot(browser, "61-my-tasks")
    browser.get(f"{base}/console/calendar")
    assert "Send the pilot proposal" in browser.find_element(By.TAG_NAME, "main").text
    screenshot(browser, "62-my-week")

    browser.get(f"{base}/console/tasks")
    row = browser.find_element(By.XPATH, "//tr[.//*[contains(., 'Send the pilot proposal')]]")
    click_through(browser, row.find_element(By.XPATH, ".//button[normalize-space()='Mark done']"))
    assert "Task done: Send the pilot proposal." in flashes(browser)
    assert not browser.find_elements(By.XPATH, "//tr[.//*[contains(., 'Send the pilot proposal')]]")  # not to do
