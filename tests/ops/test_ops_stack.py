"""make up / make down for real: Airflow 3 (api-server, scheduler, dag-processor, triggerer) on the
project's DAGs, driven through the REST API, a backfill and a headless browser, on the replay archive.

One stack for the module (starting Airflow costs half a minute); `make down` runs at the end
whatever happens, and the last test proves no process of the stack is left.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.fixtures import PROJECT_ROOT
from tests.fixtures.browser import chromium_driver
from tests.fixtures.demo_day import EXPECTED
from tests.fixtures.fault_server import TEST_CRAWL_SETTINGS, FaultServer, write_source
from tests.fixtures.ops_stack import DEMO_SOURCES, Stack, marked_processes, running_stack, warehouse_rows

sys.path.insert(0, str(PROJECT_ROOT / "tools"))
from airflow_api import AirflowAPI

pytestmark = pytest.mark.airflow
UTC = UTC
AJ = "https://www.aljazeera.com"
# demo/site/README.md: the two pages of 18 Nov, which only a backfill of that day loads.
NOV_18 = {f"{AJ}/news/2026/11/18/indonesia-pauses-new-nickel-smelter-permits-on-sulawesi",
          f"{AJ}/features/2026/11/18/on-the-mekong-the-last-ferry-pilots-of-kratie"}
SCREENSHOT = PROJECT_ROOT / ".data" / "artifacts" / "airflow-ui.png"


@pytest.fixture(scope="module")
def stack(server_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("stack")
    fault_dags, fault_sources, scratch = root / "fault-dags", root / "fault-sources", root / "scratch"
    for folder in (fault_dags, fault_sources, scratch):
        folder.mkdir()
    (fault_dags / "ops_fault_timeout.py").write_text(TIMEOUT_DAG, encoding="utf-8")
    bundles = [{"name": "dags-folder", "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
                "kwargs": {"path": str(PROJECT_ROOT / "dags")}},
               {"name": "ops-fault-dags", "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
                "kwargs": {"path": str(fault_dags)}}]
    with running_stack(server_dsn, root, "ops", {
            "NEWS_TASK_RETRIES": "0", "TMPDIR": str(scratch),
            "NEWS_SOURCES_EXTRA_DIRS": f"{DEMO_SOURCES}:{fault_sources}",
            "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(bundles)}) as stack:
        stack.fault_sources = fault_sources  # type: ignore[attr-defined]
        stack.scratch = scratch  # type: ignore[attr-defined]
        yield stack


@pytest.fixture(scope="module")
def api(stack: Stack) -> AirflowAPI:
    client = AirflowAPI.for_stack(f"http://localhost:{stack.port}", stack.state_dir)
    client.wait_for_dag("news_daily")
    client.unpause("news_daily")
    return client


def test_make_up_prints_the_login_once_and_keeps_it_private(stack: Stack) -> None:
    passwords = stack.state_dir / "simple_auth_manager_passwords.json"
    password = json.loads(passwords.read_text())["admin"]
    assert f"password {password}" in stack.up_output
    assert f"http://localhost:{stack.port}" in stack.up_output
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600
    again = stack.stack_sh("up")  # what make up runs after the (idempotent) migrations
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stderr and password not in again.stdout + again.stderr
    pids = {p.name: int(p.read_text()) for p in (stack.state_dir / "pids").glob("*.pid")}
    assert set(pids) == {"api-server.pid", "scheduler.pid", "dag-processor.pid", "triggerer.pid", "pool-keeper.pid"}
    for pid in pids.values():
        assert os.getpgid(pid) == pid  # its own process group: make down signals it whole


def test_backfill_runs_load_only_their_own_window(stack: Stack, api: AirflowAPI) -> None:
    """airflow backfill create over three past days, through the date sitemaps."""
    created = stack.airflow("backfill", "create", "--dag-id", "news_daily", "--from-date", "2026-11-18",
                            "--to-date", "2026-11-20T05:00:00+00:00", "--max-active-runs", "3")
    assert created.returncode == 0, created.stdout + created.stderr
    runs = _wait_for_backfill(api, expected=3)
    assert [r["state"] for r in runs] == ["success"] * 3, stack.task_errors()

    crawls = warehouse_rows(stack, """select crawl_run_id, dag_run_id, window_start, window_end
                                      from ops.crawl_runs where dag_run_id like 'backfill%%'""")
    assert {c[1] for c in crawls} == {r["dag_run_id"] for r in runs}
    assert len(crawls) == 2 * 3  # two sources a run
    loaded: set[str] = set()
    for crawl_run_id, _, start, end in crawls:
        articles = warehouse_rows(stack, "select url, published_at from core.articles where crawl_run_id = %s",
                                  (crawl_run_id,))
        for url, published in articles:
            assert start <= published < end, (url, published, start, end)
        loaded |= {url for url, _ in articles}
    # Three windows: [17th 04:00, 18th 04:00), [18th 04:00, 19th 04:00), [19th 04:00, 20th 04:00).
    expected = NOV_18 | set(EXPECTED)
    assert loaded == expected
    total = warehouse_rows(stack, "select count(*) from core.articles")[0][0]
    assert total == len(expected)


def test_news_daily_through_the_rest_api_matches_the_backfill(stack: Stack, api: AirflowAPI) -> None:
    """The on-time run of 20 Nov after the backfill: succeeds, and leaves the same warehouse."""
    before = dict(warehouse_rows(stack, "select url, content_hash from core.articles"))
    run_id = api.trigger("news_daily", "2026-11-20")
    state = api.wait_for_run("news_daily", run_id, timeout=420)
    tasks = {ti["task_id"]: ti["state"] for ti in api.task_instances("news_daily", run_id)}
    assert state == "success", (tasks, stack.logs_tail())
    assert tasks["publish"] == "success" and tasks["outcome"] == "skipped"
    assert {tasks[f"{s}.{t}"] for s in ("aljazeera", "news_repost") for t in ("crawl", "extract_load", "check")} == {"success"}
    after = dict(warehouse_rows(stack, "select url, content_hash from core.articles"))
    assert after == before
    assert warehouse_rows(stack, "select max(version) from core.articles")[0][0] == 1
    titles = dict(warehouse_rows(stack, "select url, title from core.articles"))
    for url, (title, _, _) in EXPECTED.items():
        assert titles[url] == title
    events = api.get("/assets/events", limit=100)["asset_events"]
    assert any(e["source_run_id"] == run_id for e in events), events


TIMEOUT_DAG = '''
"""A crawl task whose crawl outlives the task's execution_timeout."""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from airflow.sdk import dag, task


@dag(dag_id="ops_fault_timeout", schedule=None, start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
     catchup=False, tags=["test"])
def ops_fault_timeout():
    @task(execution_timeout=timedelta(seconds=10), retries=0)
    def crawl() -> str:
        from scrapers.crawl_process import CrawlRequest, run_crawl
        from common.window import window_from_args

        settings = json.loads((Path(__file__).parent / "crawl-settings.json").read_text())
        request = CrawlRequest("faultsite", window_from_args("2026-11-19", "2026-11-19"), settings=settings)
        # The crawl's own limit far beyond the task's: only execution_timeout can stop it. The
        # stack replays the demo archive; this crawl goes to the live test server instead.
        return run_crawl(request, extra_env={"NEWS_CRAWL_TIME_LIMIT": "600", "REPLAY_WARC": ""})

    crawl()


ops_fault_timeout()
'''


def crawl_children(source: str, stack: Stack) -> list[int]:
    """This stack's crawl processes of the source (they carry its marker): other checkouts on a
    shared machine run crawls of the same test source at the same time."""
    found = []
    for pid in marked_processes(stack.state_dir):
        entry = Path(f"/proc/{pid}")
        if entry.exists():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"scrapy" in cmdline and source.encode() in cmdline:
                found.append(int(entry.name))
    return found


def test_faults_25_a_crawl_past_execution_timeout_is_killed_and_leaves_nothing(stack: Stack, api: AirflowAPI) -> None:
    day = datetime(2026, 11, 19, 12, tzinfo=UTC)
    with FaultServer() as server:
        for n in range(40):  # 40 pages answering after 3 s each: half a minute of crawling at least
            server.article("slow", day, f"p{n}")
        write_source(stack.fault_sources, server)  # type: ignore[attr-defined]
        fault_dags = Path(json.loads(stack.env["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"])[1]["kwargs"]["path"])
        (fault_dags / "crawl-settings.json").write_text(json.dumps({**TEST_CRAWL_SETTINGS, "DOWNLOAD_TIMEOUT": "30"}))
        api.wait_for_dag("ops_fault_timeout")
        api.unpause("ops_fault_timeout")
        run_id = api.trigger("ops_fault_timeout")
        started = time.monotonic()
        state = api.wait_for_run("ops_fault_timeout", run_id, timeout=240)
        elapsed = time.monotonic() - started
        page_hits = len(server.hits("/news/"))
    log = stack.task_log("ops_fault_timeout", "crawl")
    assert state == "failed"
    assert page_hits > 0, "the crawl was stopped before fetching anything: " + stack.task_errors()
    assert "AirflowTaskTimeout" in log or "Timeout" in log, log[-3000:]
    assert elapsed < 120, elapsed  # the timeout and Scrapy's grace period, not the crawl's own 600 s
    assert crawl_children("faultsite", stack) == []  # the crawl child did not outlive its task
    assert list(stack.scratch.glob("news-crawl-faultsite-*")) == []  # type: ignore[attr-defined]
    assert not list((stack.archive / "faultsite").rglob("*")) if (stack.archive / "faultsite").exists() else True
    assert warehouse_rows(stack, "select count(*) from ops.crawl_runs where source = 'faultsite'") == [(0,)]
    assert warehouse_rows(stack, "select count(*) from raw.captures c join ops.crawl_runs r using (crawl_run_id) "
                                 "where r.source = 'faultsite'") == [(0,)]


def test_browser_logs_in_and_sees_news_daily_succeed(stack: Stack, api: AirflowAPI) -> None:
    driver = chromium_driver()
    password = json.loads((stack.state_dir / "simple_auth_manager_passwords.json").read_text())["admin"]
    base = f"http://localhost:{stack.port}"
    try:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        wait = WebDriverWait(driver, 60)
        driver.get(base + "/")
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "input[name='username']")))
        driver.find_element(By.CSS_SELECTOR, "input[name='username']").send_keys("admin")
        driver.find_element(By.CSS_SELECTOR, "input[name='password']").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
        wait.until(lambda d: "/auth/login" not in d.current_url and "login" not in d.current_url)
        driver.get(base + "/dags")
        wait.until(ec.presence_of_element_located((By.XPATH, "//a[contains(., 'news_daily')]")))
        driver.get(base + "/dags/news_daily/runs")
        wait.until(ec.presence_of_element_located((By.XPATH, "//*[normalize-space(text())='success' or normalize-space(text())='Success']")))
        time.sleep(2)  # let the table and the charts settle before the picture
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOT))
        page = driver.page_source
    finally:
        driver.quit()
    assert "news_daily" in page
    assert SCREENSHOT.stat().st_size > 10_000
    print(f"\nscreenshot of the Airflow UI: {SCREENSHOT}")


def test_make_down_stops_everything(stack: Stack) -> None:
    down = stack.make("down", timeout=120)
    assert down.returncode == 0, down.stdout + down.stderr
    assert "no process left" in down.stderr
    assert marked_processes(stack.state_dir) == []
    assert not list((stack.state_dir / "pids").glob("*.pid"))
    import socket

    for port in (stack.port, stack.log_port):
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still answers"


def _wait_for_backfill(api: AirflowAPI, expected: int, timeout: float = 480) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout
    runs: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        runs = [r for r in api.get("/dags/news_daily/dagRuns", limit=100)["dag_runs"] if r["run_type"] == "backfill"]
        if len(runs) == expected and all(r["state"] in ("success", "failed") for r in runs):
            return sorted(runs, key=lambda r: str(r["logical_date"]))
        time.sleep(4)
    raise TimeoutError(f"backfill not finished after {timeout:.0f}s: {runs}")
