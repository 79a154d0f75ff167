"""The crawl child dies with the process that started it.

An Airflow worker killed hard (SIGKILL, OOM killer, a lost node) cannot stop its crawl child:
without this the child keeps crawling outside its pool slot and publishes a run nobody loads.
The parent passes its pid in NEWS_CRAWL_PARENT_PID; the child asks the kernel for SIGKILL when
its parent goes (Linux prctl PR_SET_PDEATHSIG), or, where that is not available, watches its
parent pid from a thread. A child killed this way publishes nothing; the next crawl removes the
work folder it left (scrapers/crawl_process.py).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

PARENT_PID_ENV = "NEWS_CRAWL_PARENT_PID"
PR_SET_PDEATHSIG = 1
# The fallback watcher's period: how long a child may outlive its parent where prctl is missing.
WATCH_SECONDS = 1.0


def die_with_parent(parent_pid: int) -> str:
    """Arrange to be killed when ``parent_pid`` exits; the mechanism used ("prctl" or "watcher").

    Exits at once if the parent is already gone (it may have died before we got here).
    """
    mechanism = "prctl" if _set_parent_death_signal() else _start_watcher(parent_pid)
    # Checked after arming: a parent that died before prctl would never send the signal.
    if os.getppid() != parent_pid:
        log.error("the process that started this crawl (pid %d) is gone: exiting without publishing", parent_pid)
        os._exit(1)
    return mechanism


def _set_parent_death_signal() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _start_watcher(parent_pid: int) -> str:
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(WATCH_SECONDS)
        os._exit(1)  # no clean-up: the next run removes the work folder

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    return "watcher"


class DieWithParent:
    """Scrapy extension: arms die_with_parent when the crawl was started by crawl_process."""

    def __init__(self, parent_pid: int | None) -> None:
        if parent_pid is not None:
            mechanism = die_with_parent(parent_pid)
            log.debug("crawl dies with its parent %d (%s)", parent_pid, mechanism)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DieWithParent:
        raw = os.environ.get(PARENT_PID_ENV, "")
        return cls(int(raw) if raw.isdigit() else None)
