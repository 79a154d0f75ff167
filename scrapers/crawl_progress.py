"""What a running crawl is doing, for the Airflow task log: one progress line every so often.

Scrapy's own LogStats says "Crawled N pages, scraped 0 items": this spider scrapes no items, and
N mixes robots.txt, feeds and sitemaps with article pages. Ops want the pipeline's figures: article
pages fetched, still queued and failed, and how many feeds and sitemaps answered. The line goes to
the crawl child's log, which the task relays line by line (scrapers/crawl_process.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

log = logging.getLogger(__name__)

# Scrapy logs these at INFO: at start every setting, component and version, at the end every
# stat. About 130 lines that bury the run's own; the stats are kept in ops.crawl_runs and
# <run>.stats.json, and all of it stays reachable at DEBUG.
DUMP_LOGGERS = ("scrapy.middleware", "scrapy.addons", "scrapy.crawler", "scrapy.utils.log",
                "scrapy.statscollectors")
DUMP_PREFIXES = ("Overridden settings", "Enabled ", "Versions", "Dumping Scrapy stats")


def progress_line(stats: dict[str, Any]) -> str:
    """``progress: 12 pages fetched, 30 queued, 1 failed; feeds/sitemaps 3 answered, 0 failed; 47 requests``."""
    fetched = stats.get("news/pages_ok", 0)
    failed = stats.get("news/pages_failed", 0) + stats.get("news/robots_denied", 0)
    queued = max(stats.get("news/pages_queued", 0) - fetched - failed, 0)
    return (f"progress: {fetched} pages fetched, {queued} queued, {failed} failed; "
            f"feeds/sitemaps {stats.get('news/discovery_ok', 0)} answered, "
            f"{stats.get('news/discovery_failed', 0)} failed; "
            f"{stats.get('downloader/request_count', 0)} requests")


class CrawlProgress:
    """Logs :func:`progress_line` every CRAWL_PROGRESS_INTERVAL seconds (0 switches it off)."""

    def __init__(self, stats: StatsCollector, interval: float) -> None:
        self.stats = stats
        self.interval = interval
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        interval = crawler.settings.getfloat("CRAWL_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured("CRAWL_PROGRESS_INTERVAL is 0")
        assert crawler.stats is not None
        extension = cls(crawler.stats, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self._loop = task.LoopingCall(self.log_progress)
        # now=False: the first line after one interval; a short crawl's summary says it all.
        self._loop.start(self.interval, now=False)

    def log_progress(self) -> None:
        log.info("%s", progress_line(self.stats.get_stats()))

    def spider_closed(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()


class DumpFilter(logging.Filter):
    """Turns Scrapy's settings and stats dumps into DEBUG records, so handlers at INFO drop them.

    A logger-level filter runs before the handlers' level check, so lowering the record's
    level here is enough; the dump is still there with LOG_LEVEL=DEBUG.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and str(record.msg).startswith(DUMP_PREFIXES):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


_DUMP_FILTER = DumpFilter()


def demote_scrapy_dumps() -> None:
    """Install the filter on the loggers that print the dumps (idempotent)."""
    for name in DUMP_LOGGERS:
        logger = logging.getLogger(name)
        if _DUMP_FILTER not in logger.filters:
            logger.addFilter(_DUMP_FILTER)
