"""Extraction in a pool of processes, with a time limit per page.

trafilatura runs in processes, not threads (crashes are reported under threads), and one
pathological page must not stall or kill the run (FAULTS.md 13-14): a page past its soft limit is
interrupted inside its worker; a worker stuck past the hard limit (in C code, or dead) is replaced
with the whole pool, and the page is recorded as ``extraction_timeout``. Every job yields exactly
one result, in submission order.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.pool import AsyncResult, Pool
from types import FrameType

from transforms.article import Article, Rejected
from transforms.decoding import decode_html
from transforms.extract import ExtractionHints, extract_article

log = logging.getLogger(__name__)

SOFT_LIMIT_SECONDS = 20
# Beyond the soft limit, how long to wait before declaring the worker stuck and replacing the pool.
HARD_LIMIT_GRACE_SECONDS = 10
# Restart workers now and then: lxml and trafilatura keep caches that grow over a long run.
TASKS_PER_WORKER = 500


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


def _init_worker() -> None:
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop


def extract_one(job: PageJob, soft_limit: int = SOFT_LIMIT_SECONDS) -> Article | Rejected:
    """Decode and extract one page; never raises."""
    signal.alarm(soft_limit)
    try:
        html = decode_html(job.body, job.content_type)
        return extract_article(html, job.url, source=job.source, fetched_at=job.fetched_at, hints=job.hints)
    except _SoftTimeout:
        return Rejected(job.url, "extraction_timeout", f"over {soft_limit}s")
    except Exception as exc:  # a bug or a pathological page; recorded, the run goes on
        log.exception("extraction crashed on %s", job.url)
        return Rejected(job.url, "extraction_error", f"{type(exc).__name__}: {exc}"[:500])
    finally:
        signal.alarm(0)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


class ExtractionPool:
    """A process pool that survives stuck workers."""

    def __init__(self, workers: int | None = None, soft_limit: int = SOFT_LIMIT_SECONDS) -> None:
        self.workers = workers or default_workers()
        self.soft_limit = soft_limit
        self._context = multiprocessing.get_context("forkserver")
        self._pool: Pool | None = None

    def __enter__(self) -> ExtractionPool:
        self._pool = self._new_pool()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()

    def _new_pool(self) -> Pool:
        return self._context.Pool(self.workers, initializer=_init_worker, maxtasksperchild=TASKS_PER_WORKER)

    def _submit(self, job: PageJob) -> AsyncResult:  # type: ignore[type-arg]
        assert self._pool is not None
        return self._pool.apply_async(extract_one, (job, self.soft_limit))

    def map(self, jobs: Iterable[PageJob]) -> Iterator[tuple[PageJob, Article | Rejected]]:
        """(job, result) for every job, in order; at most ``workers * 2`` pages in memory at once."""
        pending: deque[tuple[PageJob, AsyncResult]] = deque()  # type: ignore[type-arg]
        for job in jobs:
            pending.append((job, self._submit(job)))
            if len(pending) >= self.workers * 2:
                yield self._collect(pending)
        while pending:
            yield self._collect(pending)

    def _collect(self, pending: deque[tuple[PageJob, AsyncResult]]) -> tuple[PageJob, Article | Rejected]:  # type: ignore[type-arg]
        job, result = pending.popleft()
        try:
            return job, result.get(timeout=self.soft_limit + HARD_LIMIT_GRACE_SECONDS)
        except multiprocessing.TimeoutError:
            log.error("extraction of %s stuck past the hard limit; replacing the worker pool", job.url)
            self._restart(pending)
            return job, Rejected(job.url, "extraction_timeout", "worker stuck past the hard limit")

    def _restart(self, pending: deque[tuple[PageJob, AsyncResult]]) -> None:  # type: ignore[type-arg]
        assert self._pool is not None
        self._pool.terminate()
        self._pool.join()
        self._pool = self._new_pool()
        for index, (job, _) in enumerate(list(pending)):
            pending[index] = (job, self._submit(job))
