"""What a crawl task's log shows at INFO: progress while it runs, the run's summary at the end, and
none of Scrapy's settings dump, stats dump or deprecation warnings (issue 13, point 1)."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from common.progress import ProgressLog
from common.window import window_from_args
from scrapers.crawl_process import CrawlRequest, run_crawl
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env
from tests.fixtures.fault_server import TEST_CRAWL_SETTINGS, FaultServer, write_source
from transforms.load.run import extract_and_load

__all__ = ["crawl_env"]


def test_a_slow_crawl_logs_progress_then_its_summary_and_no_dumps(
    crawl_env: CrawlEnv, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FaultServer() as server:
        for n in range(6):  # each page answers after 3 s, 4 at a time: about 6 s of crawling
            server.article("slow", DAY, f"p{n}")
        write_source(crawl_env.sources, server)
        request = CrawlRequest("faultsite", window_from_args("2026-11-19", "2026-11-19"),
                               settings={**TEST_CRAWL_SETTINGS, "DOWNLOAD_TIMEOUT": "20"})
        with caplog.at_level(logging.INFO, logger="scrapers.crawl_process"):
            run_id = run_crawl(request, extra_env={"NEWS_SOURCES_EXTRA_DIRS": str(crawl_env.sources),
                                          "NEWS_CRAWL_LOG_LEVEL": "INFO",  # the default
                                          "NEWS_CRAWL_PROGRESS_SECONDS": "1"})
    lines = [r.getMessage() for r in caplog.records]
    text = "\n".join(lines)
    progress = [line for line in lines if "progress: " in line]
    assert len(progress) >= 2, text
    assert any("pages fetched" in p and " queued" in p and " failed" in p for p in progress)
    assert any("6 queued" in p or "5 queued" in p or "4 queued" in p for p in progress), progress
    for noise in ("Overridden settings", "Enabled extensions", "Enabled downloader middlewares",
                  "Dumping Scrapy stats", "Versions:", "DeprecationWarning", "'downloader/request_count'"):
        assert noise not in text, noise
    summary = [i for i, line in enumerate(lines) if ": captured; 6 pages, 0 skipped as seen" in line]
    assert summary, text
    assert len(lines) < 25, text  # a person reads this log
    assert lines[-1].startswith("crawl ") and "captured 6 pages" in lines[-1]

    # The run's extract_load: a line when it starts, progress while it runs, the summary at the end.
    caplog.clear()
    monkeypatch.setenv("NEWS_PROGRESS_SECONDS", "0.05")
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    with caplog.at_level(logging.INFO, logger="transforms.load.run"):
        extract_and_load(run_id, workers=1)
    lines = [r.getMessage() for r in caplog.records]
    assert "extracting and loading 6 article pages" in lines[0], lines
    progress = [line for line in lines if line.startswith(f"progress: run {run_id} [faultsite]: ")]
    assert progress and all(" of 6 pages extracted, " in p and "articles loaded" in p for p in progress), lines
    assert lines[-1].startswith(f"run {run_id} [faultsite]: 6 pages -> "), lines


def test_progress_lines_come_on_time_while_the_step_blocks(caplog: pytest.LogCaptureFixture) -> None:
    done = {"pages": 0}
    logger = logging.getLogger("tests.progress")

    def describe() -> str:
        return f"progress: {done['pages']} pages"

    with caplog.at_level(logging.INFO, logger="tests.progress"):
        with ProgressLog(logger, describe, interval=0.2):
            done["pages"] = 3
            time.sleep(0.9)  # one blocking call: the lines must come from elsewhere
        stopped_at = len(caplog.records)
        time.sleep(0.5)
    assert 3 <= stopped_at <= 5, [r.getMessage() for r in caplog.records]
    assert caplog.records[-1].getMessage() == "progress: 3 pages"
    assert len(caplog.records) == stopped_at  # nothing after the step ended
    assert not any(t.name == "progress-log" for t in threading.enumerate())


def test_progress_interval_zero_switches_it_off(caplog: pytest.LogCaptureFixture,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_PROGRESS_SECONDS", "0")
    with caplog.at_level(logging.INFO, logger="tests.progress"):
        with ProgressLog(logging.getLogger("tests.progress"), lambda: "never"):
            time.sleep(0.2)
    assert caplog.records == []
