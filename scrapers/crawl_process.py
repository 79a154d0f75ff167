"""Running a crawl as a child process and deciding, from its recorded stats, whether it worked.

A fresh ``python -m scrapy crawl`` per crawl: a new Twisted reactor every time, and a process we
can kill when the Airflow task times out or is stopped. Scrapy's exit code says nothing about
success (scrapy#1231): the run's row in ops.crawl_runs does.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from common.warehouse import DSN_ENV, transaction, warehouse_dsn
from common.window import Window

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# After SIGTERM, how long Scrapy gets to close cleanly before SIGKILL.
TERMINATE_GRACE_SECONDS = 15


class CrawlFailed(RuntimeError):
    """The crawl ended without a usable run; the message says what failed.

    ``deterministic``: trying again cannot change the outcome (a replay whose archive holds none
    of the source's feeds and sitemaps), so the task should fail at once instead of retrying.
    """

    def __init__(self, message: str, *, deterministic: bool = False) -> None:
        super().__init__(message)
        self.deterministic = deterministic


@dataclass(frozen=True)
class CrawlRequest:
    source: str
    window: Window
    dag_run_id: str | None = None
    # Scrapy settings for this crawl only (``-s NAME=VALUE``), e.g. shorter timeouts in tests.
    settings: Mapping[str, str] = field(default_factory=dict)


def crawl_command(request: CrawlRequest, crawl_run_id: str) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", request.source,
               "-a", f"since={request.window.start.isoformat()}",
               "-a", f"until={request.window.end.isoformat()}",
               "-a", f"crawl_run_id={crawl_run_id}"]
    if request.dag_run_id:
        command += ["-a", f"dag_run_id={request.dag_run_id}"]
    for name, value in sorted(request.settings.items()):
        command += ["-s", f"{name}={value}"]
    return command


def run_crawl(request: CrawlRequest, *, extra_env: dict[str, str] | None = None) -> str:
    """Crawl in a child process; return the crawl run id, or raise CrawlFailed saying why."""
    crawl_run_id = str(uuid.uuid4())
    work_dir = Path(tempfile.mkdtemp(prefix=f"news-crawl-{request.source}-"))
    env = crawl_env(work_dir, extra_env)
    command = crawl_command(request, crawl_run_id)
    log.info("starting crawl %s: %s", crawl_run_id, " ".join(command[1:]))
    try:
        exit_code = _run_child(command, env)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)  # a killed crawl's partial WARC goes with it
    return _verdict(crawl_run_id, request, exit_code, replay=is_replay(request, env))


def is_replay(request: CrawlRequest, env: Mapping[str, str]) -> bool:
    """Whether the crawl read WARC files instead of the network (the same answer every time)."""
    return bool(request.settings.get("REPLAY_WARC") or env.get("REPLAY_WARC"))


def crawl_env(work_dir: Path, extra_env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The crawl child's environment: ours, the warehouse and its work directory."""
    return {**os.environ, **(extra_env or {}), DSN_ENV: warehouse_dsn(), "WARC_WORK_DIR": str(work_dir),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))}


def _run_child(command: list[str], env: dict[str, str]) -> int:
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, errors="replace",
                               start_new_session=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            log.info("[scrapy] %s", line.rstrip())
        return process.wait()
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[str]) -> None:
    """Make sure the child and anything it started are gone (task timeout, kill, or error)."""
    if process.poll() is not None:
        return
    log.warning("stopping crawl process %d", process.pid)
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=TERMINATE_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _verdict(crawl_run_id: str, request: CrawlRequest, exit_code: int, *, replay: bool = False) -> str:
    with transaction() as cur:
        cur.execute("select status, failure, pages_fetched, urls_failed, failed_by_reason, "
                    "coalesce((stats ->> 'news/discovery_ok')::int, 0) from ops.crawl_runs "
                    "where crawl_run_id = %s", (crawl_run_id,))
        row = cur.fetchone()
    if row is None:
        raise CrawlFailed(f"crawl of {request.source} for {request.window} recorded no run "
                          f"(exit code {exit_code}); see the [scrapy] lines above")
    status, failure, pages, urls_failed, by_reason, discovery_ok = row
    if status == "failed":
        # Replay reads a fixed archive: if it held no feed or sitemap of the source, no retry will.
        deterministic = replay and discovery_ok == 0
        raise CrawlFailed(f"crawl of {request.source} for {request.window} failed: {failure}; "
                          f"{urls_failed or 0} URL(s) in ops.failed_urls {by_reason or {}} "
                          f"(crawl run {crawl_run_id})"
                          + ("; replayed from a fixed archive: not retried" if deterministic else ""),
                          deterministic=deterministic)
    log.info("crawl %s captured %d pages; %d URL(s) in the failed-URL ledger", crawl_run_id, pages,
             urls_failed or 0)
    return crawl_run_id
