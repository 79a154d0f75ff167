"""Running a crawl as a child process and deciding, from its recorded stats, whether it worked.

A fresh ``python -m scrapy crawl`` per crawl: a new Twisted reactor every time, and a process we
can kill when the Airflow task times out or is stopped. Scrapy's exit code says nothing about
success (scrapy#1231): the run's row in ops.crawl_runs does.

The child dies with this process (scrapers/parent_watch.py). Each crawl works in its own folder
under the work root, locked (flock) by this process and the child for as long as either lives:
a folder nobody holds is what a killed crawl left behind, and the next crawl removes it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import psycopg2.errors
import psycopg2.extensions

from common import archive_store
from common.warehouse import DSN_ENV, connect, transaction, warehouse_dsn
from common.window import Window
from scrapers.parent_watch import PARENT_PID_ENV
from scrapers.run_stats import NOT_PUBLISHED_PREFIX, discovery_shortfall

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# After SIGTERM, how long Scrapy gets to close cleanly before SIGKILL.
TERMINATE_GRACE_SECONDS = 15
# Where crawls keep their work folders (default: the system temp folder).
WORK_ROOT_ENV = "NEWS_CRAWL_WORK_ROOT"
WORK_PREFIX = "news-crawl-"
OWNER_LOCK = ".owner"
# A crawl waits this long for another crawl of the same source to finish, then fails (and its
# task is retried): NEWS_CRAWL_LOCK_WAIT_SECONDS. The Airflow pool keeps one deployment's
# crawls of a site apart; this lock also covers crawls started by hand and other deployments or
# workers sharing the warehouse.
LOCK_WAIT_ENV = "NEWS_CRAWL_LOCK_WAIT_SECONDS"
DEFAULT_LOCK_WAIT_SECONDS = 60.0
# The lock's session names the crawl holding it (pg_stat_activity.application_name).
LOCK_APPLICATION = "news-crawl"
# A loose work file (a crawl run by hand, without a work folder) nobody holds is removed once it
# has not been written for this long: a crawl from an older release does not lock its file.
LOOSE_PART_AGE_SECONDS = 3600


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
    """Crawl in a child process; return the crawl run id, or raise CrawlFailed saying why
    (before the crawl starts: ArchiveError when the archive cannot take its WARC,
    WarehouseUnreachable when the warehouse cannot record its run)."""
    crawl_run_id = str(uuid.uuid4())
    # Before anything is fetched: a crawl with nowhere to put its WARC or record its run is lost work.
    archive_store.check_writable(archive_store.archive_root())
    root = work_root()
    removed = sweep_abandoned_work(root)
    if removed:
        log.warning("removed %d work folder(s) or file(s) left by killed crawls: %s", len(removed), removed)
    # The lock's connection also proves the warehouse reachable (WarehouseUnreachable, naming it).
    with source_crawl_lock(request, crawl_run_id), work_folder(root, request.source) as (work_dir, lock_fd):
        env = crawl_env(work_dir, extra_env)
        command = crawl_command(request, crawl_run_id)
        log.info("starting crawl %s: %s", crawl_run_id, " ".join(command[1:]))
        exit_code, not_published = _run_child(command, env, lock_fd)
    try:
        return _verdict(crawl_run_id, request, exit_code, replay=is_replay(request, env), not_published=not_published)
    except psycopg2.OperationalError:
        # The warehouse went away during the crawl: the child said it could not record its run,
        # and we cannot ask. Its published WARC would be an orphan nothing loads or removes; at
        # worst (a commit that failed on our side only) the run's load finds the WARC gone,
        # marks the run failed and its pages are fetched again.
        if not_published:
            remove_unrecorded_warc(request, crawl_run_id)
        raise


@contextmanager
def source_crawl_lock(request: CrawlRequest, crawl_run_id: str) -> Iterator[None]:
    """Held while this crawl runs: no other crawl of the source starts meanwhile (two would fetch
    every page twice into two WARCs, and race on the source's feed validators and ledger).

    A row lock on ops.load_locks 'crawl:<source>' in a transaction left open for the crawl: it
    goes when the crawl ends or this process dies (the server ends the session). Another crawl
    of the source waits NEWS_CRAWL_LOCK_WAIT_SECONDS for it, then fails naming the holder.
    """
    name = f"crawl:{request.source}"
    conn = connect()
    try:
        with conn.cursor() as cur:
            cur.execute("insert into ops.load_locks (name, description) values (%s, %s) on conflict (name) do nothing",
                        (name, f"held by a crawl of {request.source} while it runs (scrapers/crawl_process.py)"))
            conn.commit()
            # PostgreSQL keeps 63 bytes of it: the DAG run says most to ops, else the crawl run.
            holder = request.dag_run_id or f"crawl run {crawl_run_id}"
            cur.execute("select set_config('application_name', %s, false)",
                        (f"{LOCK_APPLICATION} {request.source} {holder}"[:63],))
            wait = float(os.environ.get(LOCK_WAIT_ENV) or DEFAULT_LOCK_WAIT_SECONDS)
            cur.execute("select set_config('lock_timeout', %s, true)", (f"{max(int(wait * 1000), 1)}ms",))
            try:
                cur.execute("select name from ops.load_locks where name = %s for update", (name,))
            except psycopg2.errors.LockNotAvailable:
                conn.rollback()
                holders = _lock_holders(cur, request.source)
                raise CrawlFailed(f"another crawl of {request.source} is running ({holders}); waited {wait:g} s "
                                  f"({LOCK_WAIT_ENV}) for it to finish: this crawl fetched nothing; its retry "
                                  f"or the next run crawls the window") from None
        yield
    finally:
        conn.close()  # ends the transaction, and the lock with it


def _lock_holders(cur: psycopg2.extensions.cursor, source: str) -> str:
    prefix = f"{LOCK_APPLICATION} {source} "
    cur.execute("select application_name, xact_start from pg_stat_activity where application_name like %s "
                "and pid <> pg_backend_pid() order by xact_start", (prefix + "%",))
    holders = [application[len(prefix):] + (f", since {started:%Y-%m-%d %H:%M:%S} UTC" if started else "")
               for application, started in cur.fetchall()]
    return "; ".join(holders) or "its session has just ended"


def is_replay(request: CrawlRequest, env: Mapping[str, str]) -> bool:
    """Whether the crawl read WARC files instead of the network (the same answer every time)."""
    return bool(request.settings.get("REPLAY_WARC") or env.get("REPLAY_WARC"))


def work_root() -> Path:
    return Path(os.environ.get(WORK_ROOT_ENV) or tempfile.gettempdir())


@contextmanager
def work_folder(root: Path, source: str) -> Iterator[tuple[Path, int]]:
    """A fresh work folder and the descriptor of its held lock; removed afterwards."""
    root.mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{source}-", dir=root))
    lock_fd = os.open(work_dir / OWNER_LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        yield work_dir, lock_fd
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)  # a stopped crawl's partial WARC goes with it
        os.close(lock_fd)


def sweep_abandoned_work(root: Path) -> list[str]:
    """Remove work folders and loose ``.part`` files no living crawl holds; their names.

    A folder counts as abandoned only when its lock file exists and can be taken: a folder
    without one is being created (or belongs to a release that did not lock) and is left alone.
    """
    removed = []
    for entry in sorted(root.glob(f"{WORK_PREFIX}*")):
        if entry.is_dir() and _abandoned(entry / OWNER_LOCK):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
        elif entry.is_file() and entry.name.endswith(".part") and _abandoned(entry, LOOSE_PART_AGE_SECONDS):
            entry.unlink(missing_ok=True)
            removed.append(entry.name)
    return removed


def _abandoned(lock_path: Path, min_idle_seconds: float = 0.0) -> bool:
    try:
        fd = os.open(lock_path, os.O_RDONLY)
    except OSError:
        return False
    try:
        if min_idle_seconds and time.time() - os.fstat(fd).st_mtime < min_idle_seconds:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a living crawl holds it
        return True
    finally:
        os.close(fd)  # also lets go of the lock just taken


def crawl_env(work_dir: Path, extra_env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The crawl child's environment: ours, the warehouse, its work directory and its parent."""
    return {**os.environ, **(extra_env or {}), DSN_ENV: warehouse_dsn(), "WARC_WORK_DIR": str(work_dir),
            PARENT_PID_ENV: str(os.getpid()),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))}


def _run_child(command: list[str], env: dict[str, str], lock_fd: int) -> tuple[int, str | None]:
    """The child's exit code, and why it published nothing if it said so."""
    # The child inherits the work folder's lock: while it lives, no sweep removes its folder.
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, errors="replace",
                               start_new_session=True, pass_fds=(lock_fd,))
    not_published = None
    try:
        assert process.stdout is not None
        for line in process.stdout:
            log.info("[scrapy] %s", line.rstrip())
            if line.startswith(NOT_PUBLISHED_PREFIX):
                not_published = line[len(NOT_PUBLISHED_PREFIX):].strip()
        return process.wait(), not_published
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


def remove_unrecorded_warc(request: CrawlRequest, crawl_run_id: str) -> list[str]:
    """The archive files of a run the child published but never recorded (killed between moving
    its WARC into the archive and committing its rows): nothing refers to them, no load or
    retention ever would, and the retry fetches their pages again under a run of its own. Only
    this attempt's run id is touched: its child is gone, so no one can still record it."""
    from scrapers.crawl_run import archive_path  # the crawl's Scrapy side: only on this path

    warc = archive_path(request.source, request.window, crawl_run_id)
    removed = [location for location in (warc, archive_store.stats_location(warc)) if archive_store.delete(location)]
    if removed:
        log.warning("crawl %s died after publishing its WARC, before recording it: removed %s", crawl_run_id, removed)
    return removed


def _verdict(crawl_run_id: str, request: CrawlRequest, exit_code: int, *, replay: bool = False,
             not_published: str | None = None) -> str:
    with transaction() as cur:
        cur.execute("select status, failure, pages_fetched, urls_failed, failed_by_reason, stats "
                    "from ops.crawl_runs where crawl_run_id = %s", (crawl_run_id,))
        row = cur.fetchone()
    if row is None:
        removed = remove_unrecorded_warc(request, crawl_run_id)
        raise CrawlFailed(f"crawl of {request.source} for {request.window} recorded no run "
                          f"(exit code {exit_code}"
                          + (f"; it could not publish: {not_published}" if not_published else "")
                          + "); see the [scrapy] lines above"
                          + (f"; the WARC it published before dying, unrecorded, was removed: {removed}"
                             if removed else ""))
    status, failure, pages, urls_failed, by_reason, stats = row
    if status == "failed":
        # Replay reads a fixed archive: if it held no feed or sitemap of the source, no retry will.
        deterministic = replay and stats.get("news/discovery_ok", 0) == 0
        raise CrawlFailed(f"crawl of {request.source} for {request.window} failed: {failure}; "
                          f"{urls_failed or 0} URL(s) in ops.failed_urls {by_reason or {}} "
                          f"(crawl run {crawl_run_id})"
                          + ("; replayed from a fixed archive: not retried" if deterministic else ""),
                          deterministic=deterministic)
    log.info("crawl %s captured %d pages; %d URL(s) in the failed-URL ledger", crawl_run_id, pages,
             urls_failed or 0)
    shortfall = discovery_shortfall(stats)
    if shortfall:
        log.warning("crawl %s of %s: %s (ops.failed_urls kind feed/sitemap; the check task warns)",
                    crawl_run_id, request.source, shortfall)
    return crawl_run_id
