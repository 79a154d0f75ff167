"""A worker that dies after the commit, before success is reported: with real processes.

23: the worker dies (SIGKILL) after the task's transaction committed but before it could report
    success; Airflow runs the task again, and the retry must reach the same end state.
(24, backfills loading only their window, and 25, a crawl task past its execution_timeout, run
in the real Airflow stack of test_ops_stack.py.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from common.warehouse import transaction
from common.window import window_from_args
from scrapers.crawl_process import CrawlRequest, run_crawl
from tests.fixtures import DEMO_ARCHIVE, PROJECT_ROOT

pytestmark = pytest.mark.airflow


def warehouse_state() -> tuple[object, ...]:
    with transaction() as cur:
        cur.execute("select url, content_hash, version, title, body from core.articles order by url")
        articles = cur.fetchall()
        cur.execute("select count(*), max(version) from core.article_versions")
        versions = cur.fetchone()
        cur.execute("select extraction_status, count(*) from raw.captures group by 1 order by 1")
        captures = cur.fetchall()
        cur.execute("select status, count(*) from ops.crawl_runs group by 1 order by 1")
        runs = cur.fetchall()
    return articles, versions, captures, runs


def start_task_then_hold(code: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """A 'worker' running a task body, then holding before it could tell Airflow it succeeded."""
    script = textwrap.dedent(code) + "\nprint('COMMITTED', flush=True)\nimport time\ntime.sleep(600)\n"
    return subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def kill_after_commit(process: subprocess.Popen[str], timeout: float = 300) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    for line in process.stdout:
        if line.strip() == "COMMITTED":
            break
        assert time.monotonic() < deadline
    else:
        raise AssertionError(f"task died before committing: {process.stderr.read() if process.stderr else ''}")
    os.killpg(process.pid, signal.SIGKILL)  # the worker dies: no success is ever reported
    process.wait(timeout=30)


def test_faults_23_a_task_killed_after_its_commit_is_retried_to_the_same_end_state(
    clean_warehouse: str, archive_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLAY_WARC", str(DEMO_ARCHIVE))
    monkeypatch.setenv("NEWS_CRAWL_LOG_LEVEL", "WARNING")
    env = {**os.environ}
    plan = {"since": "2026-11-19T00:00:00+00:00", "until": "2026-11-20T00:00:00+00:00", "sources": ["aljazeera"]}

    # The crawl task: killed after its run was published; the retry crawls again.
    crawl = start_task_then_hold(f"""
        from dags.tasks.pipeline import run_crawl
        run_crawl("aljazeera", {plan!r}, {{}})
        """, env)
    kill_after_commit(crawl)
    with transaction() as cur:
        cur.execute("select crawl_run_id::text from ops.crawl_runs where status = 'captured'")
        (first_run,) = cur.fetchone()
    retry_run = run_crawl(CrawlRequest("aljazeera", window_from_args("2026-11-19", "2026-11-19")))

    # The extract_load task: killed after its transaction committed; the retry runs it whole again.
    load = start_task_then_hold(f"""
        from dags.tasks.pipeline import run_extract_load
        run_extract_load({first_run!r})
        """, env)
    kill_after_commit(load)
    after_kill = warehouse_state()
    articles, versions, _, _ = after_kill
    assert len(articles) == 11 and versions == (11, 1)

    from dags.tasks.pipeline import run_extract_load

    retry = run_extract_load(first_run)
    assert (retry["new"], retry["updated"], retry["unchanged"]) == (0, 0, 11)
    assert warehouse_state() == after_kill
    # The retried crawl's run loads onto the same articles: nothing new, no new version.
    again = run_extract_load(retry_run)
    assert again["new"] == again["updated"] == 0
    final_articles, final_versions, _, runs = warehouse_state()
    assert final_articles == articles and final_versions == versions
    assert dict(runs) == {"loaded": 2}
