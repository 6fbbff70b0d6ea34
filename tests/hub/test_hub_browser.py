"""The dashboard in a real browser: Debian's chromium, headless, driven by Selenium through Debian's
chromedriver. Sign in with a programme-team token, filter by months and practice, download the CSV
(it must be the API's summary.csv byte for byte), sign out; screenshots of the pages on the way.

The screenshots go to the test's temporary folder; with COACHDESK_UPDATE_SCREENSHOTS=1 they also
replace docs/screenshots/hub-login.png and hub-dashboard.png. Without chromium this test is skipped
on a developer's machine (apt-get install chromium chromium-driver) and fails in CI (`CI` set),
where .ci/run installs them."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hubkit import PROGRAMME, SAMPLE_NAMES, SAMPLE_PRACTICES, Client, fill_sample, serve_in_thread
from sqlalchemy.engine import URL

from coachdesk.domain.months import months_between as months
from coachdesk.hub.access import add_user
from coachdesk.hub.app import create_app
from coachdesk.hub.config import HubConfig
from coachdesk.hub.store import Store

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH = 1366  # a common laptop screen


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401 - only this test needs it
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).exists() and os.access(path, os.X_OK)):
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the browser test must run in CI: {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where chromium's sandbox cannot start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={WIDTH},900",
        "--force-device-scale-factor=1",
        "--lang=en-GB",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    # Debian's driver by path: Selenium Manager must not try to download one.
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[str, str, Store]]:
    store = Store.open(URL.create("sqlite", database=str(tmp_path / "hub.sqlite3")))
    fill_sample(store, months("2015-04", "2016-03"), unknown=("2015-09", "P02", "sessions_dna"))
    token = add_user(store, "Programme Analyst")
    config = HubConfig(
        programme=PROGRAMME, practices=frozenset(SAMPLE_PRACTICES), practice_names=tuple(SAMPLE_NAMES.items())
    )
    with serve_in_thread(create_app(store, config)) as base:
        yield base, token, store
    store.close()


def screenshot(driver: Any, name: str, folder: Path) -> Path:
    """The whole page at laptop width (the window grown to the page's height), into `folder` and,
    when asked, into docs/screenshots."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(WIDTH, min(max(height + 200, 700), 8000))
    path = folder / name
    driver.save_screenshot(str(path))
    if os.environ.get("COACHDESK_UPDATE_SCREENSHOTS"):
        shutil.copyfile(path, SCREENSHOTS / name)
    driver.set_window_size(WIDTH, 900)
    return path


def wait_for(condition: Any, what: str, seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"waited {seconds} s for {what}")


def at(driver: Any, check: Any) -> bool:
    """The browser shows a page whose address passes `check`, and has finished loading it."""
    return bool(check(driver.current_url)) and driver.execute_script("return document.readyState") == "complete"


def test_sign_in_filter_download_and_sign_out(browser: Any, running: tuple[str, str, Store], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, token, _store = running
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})

    browser.get(f"{base}/")
    assert browser.current_url == f"{base}/login" and browser.title.startswith("Sign in")
    assert browser.get_cookies() == []
    screenshot(browser, "hub-login.png", tmp_path)

    browser.find_element(By.ID, "token").send_keys("not-the-token")
    browser.find_element(By.CSS_SELECTOR, "button.primary").click()
    [error] = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".error"), "the login page's error")
    assert "not a programme-team token" in error.text

    browser.find_element(By.ID, "token").send_keys(token)
    browser.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait_for(lambda: at(browser, lambda url: url == f"{base}/"), "the dashboard after signing in")
    [cookie] = browser.get_cookies()
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["name"] == "coachdesk-hub-session"
    assert browser.execute_script("return document.cookie") == ""  # HttpOnly: out of any script's reach
    assert "Signed in as Programme Analyst" in browser.find_element(By.TAG_NAME, "header").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) == 4
    months_shown = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "#key-measures tbody th")]
    assert months_shown[0] == "Apr 2015" and months_shown[-1] == "Mar 2016"
    screenshot(browser, "hub-dashboard.png", tmp_path)

    for field, value in (("from", "2015-07"), ("to", "2015-12")):
        box = browser.find_element(By.ID, field)
        box.clear()
        box.send_keys(value)
    Select(browser.find_element(By.ID, "practice")).select_by_value("P02")
    browser.find_element(By.CSS_SELECTOR, "form.filter button").click()
    wait_for(lambda: at(browser, lambda url: "practice=P02" in url), "the filtered page")
    assert "from=2015-07" in browser.current_url and "to=2015-12" in browser.current_url
    assert "P02 – Goodinge Group Practice" in browser.find_element(By.TAG_NAME, "h2").text
    months_shown = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "#key-measures tbody th")]
    assert months_shown == ["Jul 2015", "Aug 2015", "Sep 2015", "Oct 2015", "Nov 2015", "Dec 2015"]
    assert "unknown" in browser.find_element(By.ID, "key-measures").text  # P02's DNA count in September
    screenshot(browser, "hub-dashboard-filtered.png", tmp_path)

    browser.find_element(By.LINK_TEXT, "Download these figures (CSV)").click()
    name = "coachdesk-summary-2015-07-to-2015-12.csv"
    wait_for(lambda: (downloads / name).exists() and not list(downloads.glob("*.crdownload")), "the CSV download")
    api = Client(base, token).summary("from=2015-07&to=2015-12&practice=P02", csv=True)
    assert api.status == 200 and (downloads / name).read_bytes() == api.body
    assert api.body.startswith(b"period,practice,measure,value\r\n2015-07,P02,")

    browser.find_element(By.CSS_SELECTOR, "header form button").click()
    wait_for(lambda: at(browser, lambda url: url == f"{base}/login"), "the login page after signing out")
    assert browser.get_cookies() == []
    browser.get(f"{base}/")
    assert browser.current_url == f"{base}/login"
