"""Progress lines for long steps: a task log must show what a running step is doing.

A step that loops over pages calls nothing here per page; a daemon thread reads the step's own
counters every so often and logs one line, so the line comes on time even while the step waits
on one slow page or a slow database statement.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from types import TracebackType

PROGRESS_SECONDS_ENV = "NEWS_PROGRESS_SECONDS"
# Ops asked for a sign of life at least twice a minute; more would drown the summary.
DEFAULT_PROGRESS_SECONDS = 30.0


def progress_interval() -> float:
    """Seconds between progress lines (NEWS_PROGRESS_SECONDS; 0 switches them off)."""
    return float(os.environ.get(PROGRESS_SECONDS_ENV, DEFAULT_PROGRESS_SECONDS))


class ProgressLog:
    """While the ``with`` block runs, logs ``describe()`` at INFO every ``interval`` seconds."""

    def __init__(self, logger: logging.Logger, describe: Callable[[], str], interval: float | None = None) -> None:
        self.logger = logger
        self.describe = describe
        self.interval = progress_interval() if interval is None else interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ProgressLog:
        if self.interval > 0:
            self._thread = threading.Thread(target=self._run, name="progress-log", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.logger.info("%s", self.describe())
            except Exception:  # a progress line must never break the step it reports on
                self.logger.debug("progress line failed", exc_info=True)
