"""`crm up` as a child process on free ports and a fresh data directory, and a headless Chromium to drive it.

Browser tests need Debian's chromium and chromium-driver (.ci/ensure-deps installs them); they fail, not skip,
when the browser is missing. Screenshots go to tests/e2e/screenshots/ (ignored by git) for people to look at.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.integration.conftest import free_port

SERVICES = ("identity", "leads", "sales", "support", "marketing", "analytics")
SCREENSHOTS = Path(__file__).parent / "screenshots"


@contextmanager
def running_crm_up(tmp_path: Path, *args: str):
    ports = {name: free_port() for name in SERVICES}
    metrics_port, http_port = free_port(), free_port()
    env = dict(os.environ, CRM_DATA_DIR=str(tmp_path / "data"), CRM_METRICS_PORT=str(metrics_port),
               CRM_HTTP_PORT=str(http_port), CRM_LOG_LEVEL="INFO")
    for variable in ("CRM_DATABASE_URL", "CRM_BUS_URL", "CRM_TOKEN_KEY", "CRM_GRPC_PORT"):
        env.pop(variable, None)
    env.update({f"CRM_{name.upper()}_ADDR": f"127.0.0.1:{port}" for name, port in ports.items()})
    log = open(tmp_path / "up.log", "wb")  # noqa: SIM115
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "services.core.cli", "up", *args], env=env, cwd=tmp_path,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        yield {"ports": ports, "metrics": metrics_port, "http": http_port, "env": env, "started": started,
               "process": process, "log": tmp_path / "up.log", "tmp": tmp_path,
               "url": f"http://127.0.0.1:{http_port}"}
    finally:
        process.terminate()
        try:
            assert process.wait(timeout=20) == 0, "crm up did not stop cleanly on SIGTERM"
        finally:
            process.kill()
            log.close()


@pytest.fixture
def crm_up(tmp_path: Path):
    """An empty platform (no demo tenant), for tests that count what they did themselves."""
    with running_crm_up(tmp_path, "--no-demo") as running:
        yield running


def wait_for_demo(running: dict, timeout: float = 90) -> None:
    """Until `crm up` has logged the demo tenant's credentials (it seeds after every service is SERVING)."""
    deadline = time.monotonic() + timeout
    while b"demo tenant 'demo'" not in running["log"].read_bytes():
        assert running["process"].poll() is None, running["log"].read_text()
        assert time.monotonic() < deadline, "no demo data in time:\n" + running["log"].read_text()[-5000:]
        time.sleep(0.3)


@pytest.fixture(scope="module")
def demo_platform(tmp_path_factory):
    """`crm up` with its demo tenant, shared by a module's browser journeys."""
    with running_crm_up(tmp_path_factory.mktemp("crm-up")) as running:
        wait_for_demo(running)
        yield running


def cli(running: dict, *args: str) -> str:
    """Run a `crm` command against the running platform (same data directory and token key)."""
    return subprocess.run([sys.executable, "-m", "services.core.cli", *args], env=running["env"],
                          cwd=running["tmp"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900",
                 "--lang=en-US"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options,
                              service=Service(os.environ.get("CRM_CHROMEDRIVER", "/usr/bin/chromedriver")))
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def screenshot(driver, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


# --- driving pages --------------------------------------------------------------------------------------------


@contextmanager
def page_change(driver, seconds: float = 20) -> Iterator[None]:
    """Until the page the block left (a click that submits a form or follows a link) has been replaced and the new
    one has loaded: WebDriver's click may return before a form's navigation starts."""
    old = driver.find_element(By.TAG_NAME, "html")
    yield
    WebDriverWait(driver, seconds).until(lambda _: _detached(old))
    WebDriverWait(driver, seconds).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _detached(element) -> bool:  # noqa: ANN001
    """Whether `element` left the document. While the page is being swapped, Chromium may answer "node does not
    belong to the document" instead of a stale-element error: that also means it is gone."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in (error.msg or ""):
            return True
        raise
    return False


def click_through(driver, element, *, confirm: bool = False) -> None:
    """Click a button or link that opens another page (accepting the page's confirm() first when asked to)."""
    with page_change(driver):
        element.click()
        if confirm:
            driver.switch_to.alert.accept()


def fill(driver, **fields: str) -> None:
    for name, value in fields.items():
        element = driver.find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)
    click_through(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
