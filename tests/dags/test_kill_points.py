"""Issue 12 "done when": kill each process of the pipeline at a kill point, let the retries run,
and every article of the window ends in core.articles exactly once.

Each task attempt runs in its own process, as an Airflow worker runs it, and is killed with
SIGKILL (a worker dying hard, the OOM killer): the crawl child mid-crawl, the crawl's parent
mid-crawl, the crawl's parent after its run was published (before it could report success), the
extract_load task mid-extraction, and the loader mid-transaction (after it wrote articles, before
its commit). Then the task is retried the way the DAG's retries do: the crawl task again, then
extract_load of whatever run the crawl retry returned.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from common.warehouse import transaction
from dags.tasks.pipeline import run_extract_load
from scrapers.crawl_process import WORK_ROOT_ENV
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env
from tests.fixtures.fault_server import TEST_CRAWL_SETTINGS, FaultServer, write_source
from tests.fixtures.kill_support import alive, children, kill9, start_task, wait_for

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

ARTICLES = 240  # enough pages that extraction and the load's transaction take a while


def crawl_task(sources: Path) -> str:
    settings = {**TEST_CRAWL_SETTINGS, "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}
    return f"""
        import time
        from common.window import window_from_args
        from scrapers.crawl_process import CrawlRequest, run_crawl
        run_id = run_crawl(CrawlRequest("faultsite", window_from_args("2026-11-19", "2026-11-19"),
                                        settings={settings!r}),
                           extra_env={{"NEWS_SOURCES_EXTRA_DIRS": {str(sources)!r}, "NEWS_CRAWL_TIME_LIMIT": "120"}})
        print("COMMITTED", run_id, flush=True)
        time.sleep(600)  # the worker dies before it can report success
        """


def load_task(run_id: str) -> str:
    return f"""
        import time
        from dags.tasks.pipeline import run_extract_load
        run_extract_load({run_id!r})
        print("COMMITTED", flush=True)
        time.sleep(600)
        """


def loader_backend_state() -> tuple[bool, bool]:
    """(a load holds its run's row lock, a load has written to core.articles) in open transactions."""
    with transaction() as cur:
        cur.execute("""select coalesce(bool_or(l.relation = 'ops.crawl_runs'::regclass and l.mode = 'RowShareLock'), false),
                              coalesce(bool_or(l.relation = 'core.articles'::regclass and l.mode = 'RowExclusiveLock'), false)
                       from pg_locks l join pg_stat_activity a on a.pid = l.pid
                       where a.datname = current_database() and a.pid <> pg_backend_pid()""")
        row = cur.fetchone()
    return bool(row[0]), bool(row[1])


def group_alive(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


def captured_run_ids() -> list[str]:
    with transaction() as cur:
        cur.execute("select crawl_run_id::text from ops.crawl_runs where status = 'captured' order by finished_at")
        return [r for (r,) in cur.fetchall()]


def faultsite_articles() -> list[tuple[str, int]]:
    with transaction() as cur:
        cur.execute("select url, version from core.articles where source = 'faultsite' order by url")
        return cur.fetchall()


class Pipeline:
    """The window's tasks, each attempt a process; kill points decide when an attempt dies."""

    def __init__(self, env: CrawlEnv, server: FaultServer, tmp: Path) -> None:
        self.env, self.server, self.tmp = env, server, tmp
        self.attempt = 0

    def start(self, code: str) -> Any:
        self.attempt += 1
        log = self.tmp / f"attempt-{self.attempt}.log"
        return start_task(code, {WORK_ROOT_ENV: os.environ[WORK_ROOT_ENV]}, log), log

    def crawl_attempt_killed(self, kill_point: str) -> None:
        worker, log = self.start(crawl_task(self.env.sources))
        try:
            if kill_point == "published":
                wait_for(lambda: "COMMITTED" in log.read_text(), 180, "the crawl to publish its run")
                kill9(worker.pid)
            else:
                wait_for(lambda: len(self.server.paths("/news/")) >= 5, 120, "the crawl to be under way")
                (child,) = children(worker.pid)
                kill9(child if kill_point == "crawl child" else worker.pid)
                wait_for(lambda: not alive(child), 5, "the crawl child to be gone")
            worker.wait(timeout=60)
        finally:
            kill9(worker.pid)
        assert worker.returncode != 0  # the attempt failed (or never reported): Airflow retries it

    def crawl_attempt(self) -> str:
        worker, log = self.start(crawl_task(self.env.sources))
        try:
            wait_for(lambda: "COMMITTED" in log.read_text() or worker.poll() is not None, 300, "the crawl retry")
            text = log.read_text()
            assert "COMMITTED" in text, text[-3000:]
            return text.split("COMMITTED", 1)[1].split()[0]
        finally:
            kill9(worker.pid)
            worker.wait(timeout=30)

    def load_attempt_killed(self, run_id: str, kill_point: str) -> None:
        worker, _ = self.start(load_task(run_id))
        try:
            if kill_point == "extract/load":
                # Its transaction holds the run's row; workers are extracting; nothing written yet.
                wait_for(lambda: loader_backend_state() == (True, False) and len(children(worker.pid)) >= 2,
                         180, "the extraction to be under way", every=0.02)
            else:
                wait_for(lambda: loader_backend_state()[1], 180, "the loader to write articles", every=0.005)
            kill9(worker.pid)
            worker.wait(timeout=30)
        finally:
            kill9(worker.pid)
        wait_for(lambda: not group_alive(worker.pid), 20, "the killed loader's pool workers to be gone")
        # Killed before its commit: nothing of the run is visible.
        wait_for(lambda: loader_backend_state() == (False, False), 20, "the killed load's transaction to end")
        assert faultsite_articles() == [] and run_id in captured_run_ids()


@pytest.mark.parametrize("kill_point", ["crawl child", "crawl parent", "published", "extract/load",
                                        "loader mid-transaction"])
def test_killing_a_process_at_a_kill_point_then_retrying_loads_every_article_exactly_once(
    crawl_env: CrawlEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kill_point: str
) -> None:
    monkeypatch.setenv(WORK_ROOT_ENV, str(tmp_path / "work"))
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    with FaultServer(dated_pages=True) as server:
        expected = sorted(server.article("ok", DAY + timedelta(seconds=150 * i), str(i)) for i in range(ARTICLES))
        write_source(crawl_env.sources, server)
        pipeline = Pipeline(crawl_env, server, tmp_path)
        if kill_point in ("crawl child", "crawl parent", "published"):
            pipeline.crawl_attempt_killed(kill_point)
            run_id = pipeline.crawl_attempt()  # the crawl task's retry
            result = run_extract_load(run_id)  # then extract_load
        else:
            first = pipeline.crawl_attempt()
            pipeline.load_attempt_killed(first, kill_point)
            result = run_extract_load(first)  # extract_load's retry
            run_id = first
        assert result["crawl_run_id"] == run_id
    articles = faultsite_articles()
    assert [url for url, _ in articles] == expected  # every article of the window, once
    assert {version for _, version in articles} == {1}  # and loaded once: no spurious versions
    assert captured_run_ids() == []  # no run left unloaded (an orphan was loaded by the retry)
    assert list((tmp_path / "work").glob("news-crawl-*")) == []  # no work folder left behind
