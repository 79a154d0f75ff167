"""Extraction in a pool of processes, with a time and memory limit per page.

trafilatura runs in processes, not threads (crashes are reported under threads), and one
pathological page must not stall or kill the run: a page past its soft limit is
interrupted inside its worker, a page past the worker's memory limit fails there
(``extraction_memory``); a page whose worker died on it (killed by the OOM killer, a segfault
in C code) is answered within a second or two as ``extraction_crashed`` while the other workers
go on; a worker stuck past the hard limit (in C code) is replaced with the whole pool, and the
page is recorded as ``extraction_timeout``. The load sends all of these to the failed-URL
ledger, to be fetched again. Every job yields exactly one result, in submission order. The
pool can be run from any process, including Airflow task processes under Celery or
LocalExecutor (see ``_pool_owner`` below).
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.process
import os
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.pool import AsyncResult, Pool
from types import FrameType

from transforms.article import Article, Rejected
from transforms.extract.decoding import decode_html
from transforms.extract.extractor import ExtractionHints, extract_article
from transforms.extract.malloc_tuning import tune_this_process
from transforms.fingerprint import with_fingerprint

log = logging.getLogger(__name__)

SOFT_LIMIT_SECONDS = 20
# Beyond the soft limit, how long to wait before declaring the worker stuck and replacing the pool.
HARD_LIMIT_GRACE_SECONDS = 10
# Restart workers now and then: lxml and trafilatura keep caches that grow over a long run.
TASKS_PER_WORKER = 500
# Pages handed out ahead of the one awaited. Results are taken in order, so with few pages in
# flight one slow page (page costs vary 100-fold) left the other workers idle behind it; a
# page in flight holds its HTML once in this process and once in the pool's queue (~100 KB).
IN_FLIGHT_PER_WORKER = 8
# Address space a worker may hold while on a page (a worker holds ~300 MB before its first page):
# a page whose tree or text would need more fails with MemoryError inside its worker and is
# recorded as ``extraction_memory``, where without a limit the kernel's OOM killer would pick a
# process, perhaps the loader's or another task's. 0: no limit.
MEMORY_LIMIT_MB = int(os.environ.get("NEWS_EXTRACTION_MEMORY_LIMIT_MB", "2048"))


@dataclass(frozen=True)
class PageJob:
    key: int  # the caller's id for the page (its capture offset)
    url: str
    body: bytes
    content_type: str | None
    source: str
    fetched_at: datetime
    hints: ExtractionHints


class _SoftTimeout(BaseException):
    """Raised in a worker when its page is past the soft limit.

    A BaseException, like KeyboardInterrupt: extraction code catches Exception to turn bad
    pages into rejections, and must not turn a timeout into an "extraction_error".
    """


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _SoftTimeout


# Set in each worker: the file where it notes the page it is on (see _StartedPages).
_note_descriptor: int | None = None


def _init_worker(memory_limit_mb: int = 0, started_folder: str | None = None) -> None:
    global _note_descriptor
    if started_folder is not None:
        _note_descriptor = _StartedPages.open_note(started_folder)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    if memory_limit_mb > 0:
        limit = memory_limit_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def extract_one(job: PageJob, soft_limit: int = SOFT_LIMIT_SECONDS, ticket: int | None = None) -> Article | Rejected:
    """Decode and extract one page; never raises. ``ticket``: the pool's number for this
    submission, noted while the page is extracted (see _StartedPages)."""
    if _note_descriptor is not None and ticket is not None:
        _StartedPages.note(_note_descriptor, ticket)
    signal.alarm(soft_limit)
    try:
        html = decode_html(job.body, job.content_type)
        result = extract_article(html, job.url, source=job.source, fetched_at=job.fetched_at, hints=job.hints)
        # The near-duplicate fingerprint is computed here, in parallel, rather than in the load.
        return with_fingerprint(result) if isinstance(result, Article) else result
    except _SoftTimeout:
        return Rejected(job.url, "extraction_timeout", f"over {soft_limit}s")
    except MemoryError:  # the worker's memory limit (MEMORY_LIMIT_MB); what the page held is freed
        log.warning("extraction of %s ran out of its memory limit", job.url)
        return Rejected(job.url, "extraction_memory", "over the worker's memory limit")
    except Exception as exc:  # a bug or a pathological page; recorded, the run goes on
        log.exception("extraction crashed on %s", job.url)
        return Rejected(job.url, "extraction_error", f"{type(exc).__name__}: {exc}"[:500])
    finally:
        signal.alarm(0)


class _StartedPages:
    """Which page each worker is on, so that the page of a worker that died is known at once.

    multiprocessing.Pool replaces a dead worker (SIGKILL from the OOM killer, a segfault in lxml)
    but never answers the job it held: without this the pool waited the hard limit and replaced
    every worker. A worker writes the key of the page it starts to a file named after its pid (no
    lock a dying worker could leave held); a file whose process is gone names a page that will
    never be answered, unless it was (a worker retired after TASKS_PER_WORKER pages). Pages are
    named by their ticket, a number the pool gives each submission, never reused.
    """

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="news-extraction-")
        self._gone: dict[int, float] = {}  # ticket -> when its worker was found gone

    @staticmethod
    def open_note(folder: str) -> int:
        """The worker's note file, kept open for its life: a page's note is one small write."""
        return os.open(os.path.join(folder, str(os.getpid())), os.O_WRONLY | os.O_CREAT, 0o600)

    @staticmethod
    def note(descriptor: int, ticket: int) -> None:
        os.pwrite(descriptor, b"%020d" % ticket, 0)  # fixed width: always overwrites the last whole

    def lost(self, ticket: int) -> bool:
        """Whether the page of ``ticket`` was on a worker that is gone, a second ago or more (its
        answer, had it sent one, would have arrived by then)."""
        self._look()
        found = self._gone.get(ticket)
        return found is not None and time.monotonic() - found >= 1.0

    def answered(self, ticket: int) -> None:
        self._gone.pop(ticket, None)

    def forget_workers(self) -> None:
        """After the pool was replaced: the old workers' notes say nothing about the new pool."""
        for name in os.listdir(self.folder):
            os.unlink(os.path.join(self.folder, name))
        self._gone.clear()

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _look(self) -> None:
        for name in os.listdir(self.folder):
            if _alive(int(name)):
                continue
            path = os.path.join(self.folder, name)
            try:
                with open(path, encoding="ascii") as file:
                    ticket = int(file.read() or -1)
            except (OSError, ValueError):  # a worker killed mid-write: it noted nothing whole
                ticket = -1
            os.unlink(path)
            self._gone.setdefault(ticket, time.monotonic())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # the number now belongs to another user's process: ours is gone
        return False
    return True


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


# --- Starting the pool from any process --------------------------------------------------------
# multiprocessing expects the process that starts a pool to be a plain Python program. The
# processes Airflow runs tasks in are not, in two ways:
# - They can be daemonic (a LocalExecutor worker's, or a Celery/billiard pool worker's process
#   identity, inherited by the forked task process), and multiprocessing refuses to start
#   children from a daemonic process ("daemonic processes are not allowed to have children"),
#   lest they be orphaned when it exits. Billiard also installs its own process object as
#   multiprocessing's current process, with an authkey the forkserver cannot pickle. The pool
#   terminates and joins every worker before ExtractionPool.__exit__ returns, so for the pool's
#   lifetime (its workers are replaced in a background thread, see TASKS_PER_WORKER) the process
#   takes a main-process identity of its own, and gets its own back when the last pool closes.
# - When __main__ is a script (the `airflow` command in a task process, a tools/ script),
#   forkserver children re-import it as __mp_main__: seconds of CPU per child, and in an Airflow
#   task an ORM initialisation with the connection string the task supervisor scrubbed
#   ("airflow-db-not-allowed:///"), which kills the child. The workers need nothing from
#   __main__ (extract_one lives here), so its path is hidden from multiprocessing meanwhile.
# The changes are process-wide: a lock and a count of open pools make them happen once, however
# many pools are open in however many threads.

class _PoolOwnerProcess(multiprocessing.process.BaseProcess):
    """multiprocessing's main-process identity (built as CPython builds its own)."""

    def __init__(self) -> None:  # no super().__init__: like CPython's own main process object
        self._identity = ()
        self._name = "MainProcess"
        self._parent_pid = None
        self._popen = None
        self._closed = False
        self._config = {"authkey": AuthenticationString(os.urandom(32)),
                        "semprefix": "/mp"}


_owner_lock = threading.Lock()
# multiprocessing's own key type (typeshed leaves it out).
AuthenticationString: type[bytes] = multiprocessing.process.AuthenticationString  # type: ignore[attr-defined]
_open_pools = 0
_restore: ExitStack | None = None


def _needs_own_identity() -> bool:
    current = multiprocessing.process.current_process()
    authkey = getattr(current, "_config", {}).get("authkey")
    return current.daemon or not isinstance(authkey, AuthenticationString)


@contextmanager
def _own_identity() -> Iterator[None]:
    inherited = multiprocessing.process._current_process  # type: ignore[attr-defined]
    multiprocessing.process._current_process = _PoolOwnerProcess()  # type: ignore[attr-defined]
    try:
        yield
    finally:
        multiprocessing.process._current_process = inherited  # type: ignore[attr-defined]


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    main = sys.modules["__main__"]
    path = main.__dict__.pop("__file__")
    try:
        yield
    finally:
        main.__file__ = path


def _changes_needed() -> ExitStack:
    stack = ExitStack()
    if _needs_own_identity():
        stack.enter_context(_own_identity())
    main = sys.modules.get("__main__")
    # A script has a __file__ and no module spec; `python -m x` mains re-import as a module, cheaply.
    if main is not None and getattr(main, "__spec__", None) is None and "__file__" in main.__dict__:
        stack.enter_context(_main_script_hidden())
    return stack


@contextmanager
def _pool_owner() -> Iterator[None]:
    """While at least one pool is open: this process may start and replace the pool's workers."""
    global _open_pools, _restore
    with _owner_lock:
        if _open_pools == 0:
            _restore = _changes_needed()
        _open_pools += 1
    try:
        yield
    finally:
        with _owner_lock:
            _open_pools -= 1
            if _open_pools == 0 and _restore is not None:
                _restore.close()
                _restore = None


class ExtractionPool:
    """A process pool that survives stuck workers."""

    def __init__(self, workers: int | None = None, soft_limit: int = SOFT_LIMIT_SECONDS,
                 memory_limit_mb: int = MEMORY_LIMIT_MB) -> None:
        self.workers = workers or default_workers()
        self.soft_limit = soft_limit
        self.memory_limit_mb = memory_limit_mb
        self._context = multiprocessing.get_context("forkserver")
        # Workers are forked from a server that has imported and warmed the extractor once
        # (transforms.extract.pool_preload), so a new or replaced worker starts at once. Takes effect
        # when the process's fork server starts, that is with its first pool.
        self._context.set_forkserver_preload(["transforms.extract.pool_preload"])
        self._pool: Pool | None = None
        self._owner = ExitStack()
        self._started: _StartedPages | None = None
        self._tickets = 0

    def __enter__(self) -> ExtractionPool:
        tune_this_process()  # this process only: it reads and hands out every page of the run
        self._owner.enter_context(_pool_owner())
        try:
            self._started = _StartedPages()
            self._owner.callback(self._started.close)
            self._pool = self._new_pool()
        except BaseException:
            self._owner.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._pool is not None:
                self._pool.terminate()
                self._pool.join()
        finally:
            self._owner.close()  # after the join: no worker of ours is left to start or reap

    def worker_pids(self) -> list[int]:
        """Process ids of the pool's current workers (the bench reads their CPU time)."""
        processes = getattr(self._pool, "_pool", None) or []  # multiprocessing keeps them there
        return [process.pid for process in processes if process.pid is not None]

    def _new_pool(self) -> Pool:
        assert self._started is not None
        return self._context.Pool(self.workers, initializer=_init_worker,
                                  initargs=(self.memory_limit_mb, self._started.folder),
                                  maxtasksperchild=TASKS_PER_WORKER)

    def _submit(self, job: PageJob) -> tuple[PageJob, AsyncResult, int]:
        assert self._pool is not None
        self._tickets += 1
        return job, self._pool.apply_async(extract_one, (job, self.soft_limit, self._tickets)), self._tickets

    def map(self, jobs: Iterable[PageJob]) -> Iterator[tuple[PageJob, Article | Rejected]]:
        """(job, result) for every job, in order; at most ``workers * IN_FLIGHT_PER_WORKER`` in flight."""
        pending: deque[tuple[PageJob, AsyncResult, int]] = deque()
        for job in jobs:
            pending.append(self._submit(job))
            if len(pending) >= self.workers * IN_FLIGHT_PER_WORKER:
                yield self._collect(pending)
        while pending:
            yield self._collect(pending)

    def _collect(self, pending: deque[tuple[PageJob, AsyncResult, int]]) -> tuple[PageJob, Article | Rejected]:
        job, result, ticket = pending.popleft()
        assert self._started is not None
        deadline = time.monotonic() + self.soft_limit + HARD_LIMIT_GRACE_SECONDS
        while not result.ready() and time.monotonic() < deadline:
            result.wait(min(1.0, max(deadline - time.monotonic(), 0.0)))
            if not result.ready() and self._started.lost(ticket):
                # Pool has already replaced the worker; the pages in flight on the others go on.
                log.error("extraction of %s killed its worker (killed, or crashed in C code)", job.url)
                return job, Rejected(job.url, "extraction_crashed", "its worker died on this page (killed, "
                                     "or crashed in C code)")
        self._started.answered(ticket)
        try:
            return job, result.get(timeout=0)
        except multiprocessing.TimeoutError:
            # A worker that died while its note was unreadable waits here like a stuck one, and is
            # replaced the same way.
            log.error("extraction of %s got no answer past the hard limit (its worker stuck, or died); "
                      "replacing the worker pool", job.url)
            self._restart(pending)
            return job, Rejected(job.url, "extraction_timeout",
                                 "no answer past the hard limit: its worker stuck, or died (killed, crashed)")

    def _restart(self, pending: deque[tuple[PageJob, AsyncResult, int]]) -> None:
        assert self._pool is not None and self._started is not None
        self._pool.terminate()
        self._pool.join()
        self._started.forget_workers()
        self._pool = self._new_pool()
        for index, (job, _, _) in enumerate(list(pending)):
            pending[index] = self._submit(job)
