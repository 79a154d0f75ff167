"""Steering a running stack (issue 13): what `make up`, the trigger tool and the task logs say.

One real stack for the module (make up, Airflow 3 on the project's DAGs, the demo archive
replayed): the stack listens on loopback only; triggering a paused DAG is refused unless asked to
unpause; task logs show progress and the run's summary at the default level; a source file
added while the stack runs gets its crawl pool, and `make up` on a running stack reconciles
pools; `make backfill` says what it created and waits with progress; `make up` with other
settings refuses, then restarts when asked to.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures import DEMO_ARCHIVE, PROJECT_ROOT
from tests.fixtures.ops_stack import (
    DEMO_SOURCES,
    Stack,
    api_tool,
    marked_processes,
    project_shell,
    running_stack,
    warehouse_rows,
)
from tests.fixtures.replay_site import (
    NEWDESK_ARTICLES,
    NEWDESK_FEED,
    NEWDESK_SITEMAP,
    build_newdesk_archive,
    newdesk_source,
)

sys.path.insert(0, str(PROJECT_ROOT / "tools"))
from airflow_api import AirflowAPI, AirflowAPIError

pytestmark = pytest.mark.airflow

JOURNEY_WINDOW = {"since": "2026-11-19", "until": "2026-11-20"}


@pytest.fixture(scope="module")
def stack(server_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("steer")
    extra_sources = root / "sources"
    extra_sources.mkdir()
    # The replay archive: the demo's, and New Desk's, a site no source file names yet.
    newdesk_archive = build_newdesk_archive(root / "newdesk.warc.gz")
    with running_stack(server_dsn, root, "steer", {
            "NEWS_TASK_RETRIES": "0",
            "REPLAY_WARC": f"{DEMO_ARCHIVE},{newdesk_archive}",
            "NEWS_SOURCES_EXTRA_DIRS": f"{DEMO_SOURCES}:{extra_sources}",
            "NEWS_POOL_WATCH_SECONDS": "2",
            # Replayed crawls take a second: short intervals make progress lines appear.
            "NEWS_PROGRESS_SECONDS": "0.05", "NEWS_CRAWL_PROGRESS_SECONDS": "0.05"},
            unset=("AIRFLOW__LOGGING__LOGGING_LEVEL",)) as stack:  # Airflow's default level
        stack.extra_sources = extra_sources  # type: ignore[attr-defined]
        stack.newdesk_archive = newdesk_archive  # type: ignore[attr-defined]
        yield stack


@pytest.fixture(scope="module")
def api(stack: Stack) -> AirflowAPI:
    client = AirflowAPI.for_stack(f"http://localhost:{stack.port}", stack.state_dir)
    client.wait_for_dag("news_daily")
    return client


def listening_addresses(pids: list[int]) -> set[tuple[str, int]]:
    """(address, port) of every listening TCP socket the processes hold, from /proc."""
    inodes: set[str] = set()
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:  # closed meanwhile (the listing's own descriptor, for one)
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                address, port = local.split(":")
                found.add((_address(address, width), int(port, 16)))
    return found


def _address(hex_address: str, width: int) -> str:
    if width == 8:
        return ".".join(str(b) for b in reversed(bytes.fromhex(hex_address)))
    words = [bytes.fromhex(hex_address[i:i + 8])[::-1].hex() for i in range(0, 32, 8)]
    text = "".join(words)
    return ":".join(text[i:i + 4] for i in range(0, 32, 4))


LOOPBACK = {"127.0.0.1", "0000:0000:0000:0000:0000:0000:0000:0001",
            "0000:0000:0000:0000:0000:ffff:7f00:0001"}


def stack_processes(stack: Stack) -> list[int]:
    """Every process of the stack's process groups, and any carrying its marker (a process that
    sets its title, as the API server does, overwrites its environment, marker included)."""
    groups = {int(p.read_text()) for p in (stack.state_dir / "pids").glob("*.pid")}
    found = set(marked_processes(stack.state_dir))
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) in groups:
                    found.add(int(entry.name))
            except ProcessLookupError:
                continue
    return sorted(found)


def test_the_local_stack_listens_on_loopback_only(stack: Stack) -> None:
    listening = listening_addresses(stack_processes(stack))
    assert ("127.0.0.1", stack.port) in listening, listening
    assert {address for address, _ in listening} <= LOOPBACK, listening
    assert not {port for _, port in listening} & {stack.log_port, stack.log_port + 1}, listening


def test_trigger_never_unpauses_unless_asked_and_says_what_it_did(stack: Stack, api: AirflowAPI) -> None:
    assert api.is_paused("news_daily")  # new DAGs start paused
    refused = api_tool(stack, "trigger", "news_daily", "--logical-date", "2026-11-20")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "news_daily is paused" in refused.stderr and "--unpause" in refused.stderr
    assert api.get("/dags/news_daily/dagRuns")["total_entries"] == 0
    assert api.is_paused("news_daily")

    ran = api_tool(stack, "trigger", "news_daily", "--logical-date", "2026-11-20", "--unpause", "--wait",
                   "--timeout", "420")
    assert "news_daily: unpaused (it was paused)" in ran.stdout, ran.stdout + ran.stderr
    assert ran.returncode == 0, ran.stdout + ran.stderr + stack.task_errors()
    assert not api.is_paused("news_daily")
    stack.demo_run_id = ran.stdout.split("triggered run ", 1)[1].split()[0]  # type: ignore[attr-defined]

    paused = api_tool(stack, "pause", "news_daily")
    assert paused.returncode == 0 and "news_daily: paused (it was not paused)" in paused.stdout


def run_task_log(stack: Stack, run_id: str, task_id: str) -> str:
    folder = Path(stack.env["AIRFLOW_HOME"]) / "logs" / "dag_id=news_daily" / f"run_id={run_id}" / f"task_id={task_id}"
    return "\n".join(p.read_text(errors="replace") for p in sorted(folder.glob("*.log")))


def test_task_logs_show_progress_and_end_with_the_summary(stack: Stack) -> None:
    run_id = getattr(stack, "demo_run_id", None)
    if run_id is None:
        pytest.skip("needs the run of the trigger test")
    crawl = run_task_log(stack, run_id, "aljazeera.crawl")
    assert "progress: " in crawl and " pages fetched, " in crawl, crawl[-3000:]
    assert "captured; 13 pages, 0 skipped as seen" in crawl, crawl[-3000:]
    for noise in ("Overridden settings", "Enabled downloader middlewares", "Dumping Scrapy stats",
                  "ScrapyDeprecationWarning"):
        assert noise not in crawl, noise
    assert len(crawl.splitlines()) < 80, crawl
    load = run_task_log(stack, run_id, "aljazeera.extract_load")
    assert "extracting and loading 13 article pages" in load, load[-3000:]
    assert " of 13 pages extracted, " in load, load[-3000:]  # from the progress thread
    assert "13 pages -> 11 new, 0 updated, 0 unchanged" in load, load[-3000:]
    check = run_task_log(stack, run_id, "aljazeera.check")
    assert "aljazeera: 13 pages, 11 articles, checks passed" in check, check[-3000:]


def test_a_new_source_goes_from_file_to_warehouse_by_the_readme_alone(stack: Stack, api: AirflowAPI) -> None:
    """README "Adding a source", step by step on the running stack, each command typed in the shell
    the README sets up: the source file (switched off), the doctor on the replay archive,
    `enabled = true`, a replay run triggered with tools/airflow_api.py; then `make up` on the
    running stack reconciles its pool."""
    source_file = stack.extra_sources / "newdesk.toml"  # type: ignore[attr-defined]
    source_file.write_text(newdesk_source(enabled=False), encoding="utf-8")

    # The pool keeper gives the new source its crawl pool while the stack runs (switched off too).
    deadline = time.monotonic() + 60
    pool = None
    while time.monotonic() < deadline:
        try:
            pool = api.get("/pools/crawl_newdesk_example")
            break
        except AirflowAPIError:
            time.sleep(1)
    assert pool is not None and pool["slots"] == 1, stack.logs_tail()
    assert "pool crawl_newdesk_example created" in (stack.state_dir / "logs" / "pool-keeper.log").read_text()

    archive = shlex.quote(str(stack.newdesk_archive))  # type: ignore[attr-defined]
    doctor = project_shell(stack, f"python -m ops.doctor newdesk --replay {archive} --since 2026-11-19 --until 2026-11-19")
    report = doctor.stdout
    assert doctor.returncode == 0, report + doctor.stderr[-3000:]
    assert f"feed    {NEWDESK_FEED}: HTTP 200; 3 URL(s) listed, 2 in the window, 2 pass allow/deny" in report, report
    assert (f"sitemap {NEWDESK_SITEMAP}: HTTP 200; 5 URL(s) listed, 4 in the window, 3 pass allow/deny "
            "(rejected: 1 not_article_url)") in report, report
    assert "article URLs in the window passing allow/deny: 3" in report, report
    assert "completeness: title 3/3, date 3/3, author 3/3, body >= 150 words 3/3" in report, report
    assert report.rstrip().endswith("verdict: looks usable"), report
    assert warehouse_rows(stack, "select count(*) from ops.crawl_runs where source = 'newdesk'") == [(0,)]
    assert warehouse_rows(stack, "select count(*) from ops.sources where source = 'newdesk'") == [(0,)]

    conf = shlex.quote(json.dumps({"sources": ["newdesk"], **JOURNEY_WINDOW}))
    trigger = f"python tools/airflow_api.py trigger news_daily --conf {conf} --unpause"
    assert api.is_paused("news_daily")  # new DAGs start paused; the trigger test paused it again
    # Switched off, the source is in no DAG: the run is refused, saying why, and nothing is unpaused.
    refused = project_shell(stack, f"{trigger} --source-wait 5")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "news_daily has no source newdesk after 5 s" in refused.stderr, refused.stderr
    assert "Is `enabled = true` in its file" in refused.stderr and "unpaused" not in refused.stdout
    assert api.is_paused("news_daily")

    source_file.write_text(newdesk_source(enabled=True), encoding="utf-8")
    ran = project_shell(stack, f"{trigger} --wait --timeout 420")
    paused = project_shell(stack, "python tools/airflow_api.py pause news_daily")
    out = ran.stdout + ran.stderr
    assert ran.returncode == 0, out + stack.task_errors()
    assert paused.returncode == 0, paused.stdout + paused.stderr
    # The tool waits for Airflow to read the switched-on source before it unpauses anything.
    if "waiting for Airflow to read source(s) newdesk" in out:
        assert out.index("waiting for Airflow") < out.index("news_daily: has source(s) newdesk") < out.index("unpaused")
    run_id = out.split("triggered run ", 1)[1].split()[0]
    assert f"news_daily run {run_id}: success" in ran.stdout, out
    tasks = {t["task_id"]: t["state"] for t in api.task_instances("news_daily", run_id)}
    assert {tasks[f"newdesk.{t}"] for t in ("crawl", "extract_load", "check")} == {"success"}, tasks
    assert tasks["aljazeera.crawl"] == "skipped", tasks  # only the source asked for

    titles = warehouse_rows(stack, "select title, count(*) from core.articles where source = 'newdesk' group by title")
    assert dict(titles) == {title: 1 for title, _, _ in NEWDESK_ARTICLES.values()}
    urls = {u for (u,) in warehouse_rows(stack, "select url from core.articles where source = 'newdesk'")}
    assert urls == set(NEWDESK_ARTICLES)
    crawls = dict(warehouse_rows(stack, "select dag_run_id, status from ops.crawl_runs where source = 'newdesk'"))
    assert crawls.pop(run_id) == "loaded"
    # Unpausing lets the scheduler start the latest scheduled run too (the README says so): a
    # replay here, of a window with nothing of New Desk, so no second copy of any article.
    assert all(other.startswith("scheduled__") for other in crawls), crawls
    check = run_task_log(stack, run_id, "newdesk.check")
    assert "newdesk: " in check and " 3 articles, checks passed" in check, check[-3000:]

    # A run Airflow refuses after the tool unpaused (a param of the wrong type) leaves it paused.
    bad = shlex.quote(json.dumps({"sources": ["newdesk"], "until": 20261120}))
    refused = project_shell(stack, f"python tools/airflow_api.py trigger news_daily --conf {bad} --unpause")
    assert refused.returncode == 2 and "HTTP 400" in refused.stderr, refused.stdout + refused.stderr
    assert "news_daily: paused again, as it was (no run triggered)" in refused.stdout, refused.stdout
    assert api.is_paused("news_daily")

    # make up on the running stack reconciles too: a pool deleted by hand comes back.
    api._call("DELETE", "/api/v2/pools/crawl_newdesk_example")
    again = stack.make("up", timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already running" in again.stderr
    assert "pool crawl_newdesk_example created" in again.stderr
    assert api.get("/pools/crawl_newdesk_example")["slots"] == 1


def make_backfill(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", "backfill", *args], cwd=PROJECT_ROOT, env=stack.env,
                          capture_output=True, text=True, timeout=900)


def test_make_backfill_says_what_it_created_and_waits_with_progress(stack: Stack, api: AirflowAPI) -> None:
    days = ("SINCE=2026-11-18", "UNTIL=2026-11-19", "SOURCES=aljazeera")
    api.pause("news_daily")
    refused = make_backfill(stack, *days)
    assert refused.returncode != 0 and "news_daily is paused" in refused.stderr, refused.stdout + refused.stderr
    assert api.get("/backfills", dag_id="news_daily")["total_entries"] == 0

    ran = make_backfill(stack, *days, "UNPAUSE=1")
    api.pause("news_daily")
    out = ran.stdout
    assert ran.returncode == 0, out + ran.stderr + stack.task_errors()
    assert ("created: 2 run(s) at 2026-11-18 04:00 .. 2026-11-19 04:00 UTC, each loading the 24 hours "
            "before its time; sources: aljazeera") in out, out
    assert "backfill: 2 of 2 run(s) finished (2 success, 0 failed)" in out.splitlines()[-1], out
    assert any(line.startswith("backfill: 0 of 2 run(s) finished") for line in out.splitlines()), out
    runs = list(api.get("/dags/news_daily/dagRuns", run_type="backfill")["dag_runs"])
    assert sorted(str(r["logical_date"])[:16] for r in runs) == ["2026-11-18T04:00", "2026-11-19T04:00"]
    assert all(r["conf"] == {"sources": ["aljazeera"]} for r in runs), runs

    again = make_backfill(stack, *days, "UNPAUSE=1")
    assert again.returncode == 0 and "nothing to backfill" in again.stdout, again.stdout + again.stderr
    usage = make_backfill(stack, "SINCE=2026-11-18")
    assert usage.returncode != 0 and "usage: make backfill SINCE=" in usage.stderr


def test_make_up_with_other_settings_refuses_then_restarts_when_asked(stack: Stack) -> None:
    pids = {p.name: p.read_text() for p in (stack.state_dir / "pids").glob("*.pid")}
    live = {**stack.env, "REPLAY_WARC": ""}
    refused = subprocess.run(["make", "--no-print-directory", "up"], cwd=PROJECT_ROOT, env=live,
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0
    assert "started with other settings" in refused.stderr and "REPLAY_WARC: running stack" in refused.stderr
    assert "now ''" in refused.stderr and "make up RESTART=1" in refused.stderr
    assert {p.name: p.read_text() for p in (stack.state_dir / "pids").glob("*.pid")} == pids

    more_slots = {**stack.env, "NEWS_CRAWL_POOL_SLOTS": "2"}
    restarted = subprocess.run(["make", "--no-print-directory", "up", "RESTART=1"], cwd=PROJECT_ROOT,
                               env=more_slots, capture_output=True, text=True, timeout=400)
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    assert "restarting" in restarted.stderr and "NEWS_CRAWL_POOL_SLOTS: running stack unset, now '2'" in restarted.stderr
    assert {p.name: p.read_text() for p in (stack.state_dir / "pids").glob("*.pid")}.keys() == pids.keys()
    assert {p.name: p.read_text() for p in (stack.state_dir / "pids").glob("*.pid")} != pids
    recorded = json.loads((stack.state_dir / "settings.json").read_text())
    assert recorded["NEWS_CRAWL_POOL_SLOTS"] == "2" and recorded["REPLAY_WARC"] == stack.env["REPLAY_WARC"]
    assert "pool crawl_www_aljazeera_com updated: 2 slot(s)" in restarted.stderr
