"""The health pages in a real Airflow (make up, API server with the news_health plugin), driven
by headless Chromium: log in on Airflow's login page, open "News health" in the UI's
navigation, read a source's page, tick a failed URL, retry it, and see the ledger and Airflow
act on it: the URL is due, a run of news_daily for that source is queued (the paused DAG stays
paused), and once ops unpause it the retry run fetches the URL (the demo archive replayed) and
the ledger marks it resolved.

Screenshots go to .data/test-artifacts/ (their paths are printed); the overview inside the
Airflow UI is also saved as docs/health-view.png for the README.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from tests.fixtures import PROJECT_ROOT
from tests.fixtures.analyst_month import load_analyst_month
from tests.fixtures.browser import chromium_driver
from tests.fixtures.demo_day import ZAMBIA
from tests.fixtures.ops_stack import Stack, running_stack

sys.path.insert(0, str(PROJECT_ROOT / "tools"))
from airflow_api import AirflowAPI

pytestmark = pytest.mark.airflow

ARTIFACTS = PROJECT_ROOT / ".data" / "test-artifacts"
README_SCREENSHOT = PROJECT_ROOT / "docs" / "health-view.png"
GONE = "https://www.aljazeera.com/news/2026/11/19/a-page-the-site-removed"


@pytest.fixture(scope="module")
def stack(server_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("health")
    with running_stack(server_dsn, root, "health_ui", {"NEWS_TASK_RETRIES": "0"}) as stack:
        _load_warehouse(stack.warehouse_dsn)
        yield stack


def _load_warehouse(dsn: str) -> None:
    """The month of news (make up migrated the warehouse), and Al Jazeera's ledger: a demo page
    that failed twice and waits for its next try, and one the ledger gave up on (a 404)."""
    now = datetime.now(UTC)
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("set time zone 'UTC'")
        load_analyst_month(cur)
        cur.execute("""insert into ops.sources (source, name, domains, language, enabled)
                       values ('aljazeera', 'Al Jazeera English', '{www.aljazeera.com}', 'en', true)
                       on conflict (source) do nothing""")
        cur.execute("""insert into ops.failed_urls (source, normalized_url, url, kind, reason, http_status, attempts,
                         first_failed_at, last_failed_at, next_retry_at, gave_up_at)
                       values ('aljazeera', %(z)s, %(z)s, 'page', 'http_503', 503, 2, %(first)s, %(last)s, %(next)s, null),
                              ('aljazeera', %(g)s, %(g)s, 'page', 'http_404', 404, 1, %(first)s, %(first)s, null, %(first)s)""",
                    {"z": ZAMBIA, "g": GONE, "first": now - timedelta(hours=30), "last": now - timedelta(hours=6),
                     "next": now + timedelta(hours=6)})
    conn.close()


def ledger(dsn: str, url: str) -> dict[str, Any]:
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("select state, next_retry_at, resolved_at from marts.failed_urls where normalized_url = %s",
                        (url,))
            state, due, resolved = cur.fetchone()
            return {"state": state, "next_retry_at": due, "resolved_at": resolved}
    finally:
        conn.close()


def shot(driver: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    print(f"\nscreenshot: {path}")
    return path


def wait_for(driver: Any, condition: Any, what: str, timeout: float = 60) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout).until(condition)
    except Exception as exc:
        shot(driver, f"health-failed-{what.replace(' ', '-')}.png")
        raise AssertionError(f"{what}: not seen within {timeout}s; page: {driver.current_url}") from exc


def test_the_health_view_in_airflow_shows_the_sources_and_retries_a_chosen_url(stack: Stack) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen

    base = f"http://localhost:{stack.port}"
    warehouse = stack.warehouse_dsn
    api = AirflowAPI.for_stack(base, stack.state_dir)
    api.wait_for_dag("news_daily")
    assert api.is_paused("news_daily")

    # Airflow does not guard a plugin's app: the plugin must (no cookie, no token: 401).
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(f"{base}/news-health/", timeout=30)
    assert anonymous.value.code == 401

    user, password = next(iter(json.loads((stack.state_dir / "simple_auth_manager_passwords.json").read_text()).items()))
    driver = chromium_driver(width=1400, height=1000)
    try:
        driver.get(f"{base}/")
        wait_for(driver, seen.presence_of_element_located((By.NAME, "username")), "the login form")
        driver.find_element(By.NAME, "username").send_keys(user)
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_for(driver, lambda d: "login" not in d.current_url, "the UI after login")

        # The plugin's entry in the UI's navigation, and its page inside the UI.
        driver.get(f"{base}/plugin/news-health")
        frame = wait_for(driver, seen.presence_of_element_located((By.TAG_NAME, "iframe")), "the plugin's frame")
        driver.switch_to.frame(frame)
        table = wait_for(driver, seen.presence_of_element_located((By.ID, "sources")), "the sources table")
        assert "Tagesblatt" in table.text and "Al Jazeera English" in table.text
        tagesblatt = driver.find_element(By.CSS_SELECTOR, "tr[data-source=tagesblatt]").text
        assert "every request failed: 6 of 6 pages failed (http_503: 6)" in tagesblatt
        driver.switch_to.default_content()
        assert "News health" in driver.find_element(By.TAG_NAME, "body").text  # the navigation entry
        README_SCREENSHOT.write_bytes(shot(driver, "health-overview-in-airflow.png").read_bytes())

        # A source's page: its ledger, one URL ticked, retried.
        driver.switch_to.frame(driver.find_element(By.TAG_NAME, "iframe"))
        driver.find_element(By.LINK_TEXT, "Al Jazeera English").click()
        ledger_table = wait_for(driver, seen.presence_of_element_located((By.ID, "ledger")), "the ledger")
        assert ZAMBIA in ledger_table.text and GONE in ledger_table.text
        assert "given up" in ledger_table.text and "waiting" in ledger_table.text
        assert "Crawled by DAG news_daily" in driver.find_element(By.TAG_NAME, "body").text
        driver.find_element(By.CSS_SELECTOR, f"input[name=url][value='{ZAMBIA}']").click()
        shot(driver, "health-source-ledger.png")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        message = wait_for(driver, seen.presence_of_element_located((By.CSS_SELECTOR, ".message.ok")),
                           "the retry's confirmation").text
        shot(driver, "health-retry-done.png")
    finally:
        driver.quit()

    assert "1 URL(s) marked for retry now" in message and "news_daily is paused" in message, message
    assert ledger(warehouse, ZAMBIA)["state"] == "due"
    assert ledger(warehouse, GONE)["state"] == "given_up"  # not chosen: untouched
    runs = api.get("/dags/news_daily/dagRuns", limit=20)["dag_runs"]
    retry_runs = [r for r in runs if r["conf"] == {"sources": ["aljazeera"]} and r["dag_run_id"] in message]
    assert len(retry_runs) == 1, runs
    assert retry_runs[0]["state"] == "queued" and api.is_paused("news_daily")  # queued, nothing unpaused

    # Ops unpause: the retry run's crawl fetches the due URL (the demo archive replays it) and
    # the ledger resolves it. Unpausing also starts the DAG's scheduled run, whose crawl may be
    # the one that gets there first: either way a news_daily crawl fetched the chosen URL.
    api.unpause("news_daily")
    retry_run = retry_runs[0]["dag_run_id"]
    state = api.wait_for_run("news_daily", retry_run, timeout=600)
    after = ledger(warehouse, ZAMBIA)
    assert after["state"] == "resolved", (state, after, stack.task_errors())
    states = {t["task_id"]: t["state"] for t in api.task_instances("news_daily", retry_run)}
    assert states["plan"] == "success" and states["aljazeera.crawl"] == "success", (states, stack.task_errors())
    assert states.get("news_repost.crawl") in ("skipped", None), states  # only the chosen source
    assert ledger(warehouse, GONE)["state"] == "given_up"
