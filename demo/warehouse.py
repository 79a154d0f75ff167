"""A scratch database loaded with the offline demo's day, for the data dictionary and the tests.

The crawls are real (scrapy child processes replaying demo/replay/news-sample.warc.gz into a
temporary archive) and the load is ``transforms.load.run.extract_and_load``, as news_daily's tasks
do, without Airflow. The repost site is crawled and loaded first, so its original arrives after it
(as can happen when the day's crawls run side by side).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from common.migrate import apply_migrations
from common.warehouse import DSN_ENV, throwaway_database, warehouse_dsn

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEMO_ARCHIVE = PROJECT_ROOT / "demo" / "replay" / "news-sample.warc.gz"
DEMO_SOURCES_DIR = PROJECT_ROOT / "demo" / "sources"
DEMO_DAY = "2026-11-19"
DEMO_SOURCES = ("news_repost", "aljazeera")
DEMO_DAG_RUN_ID = "manual__demo"


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block, then restore them."""
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def load_demo(dsn: str, archive_root: Path) -> None:
    """Crawl the demo day from the replay archive and load it into the migrated database ``dsn``."""
    # Imported here: scrapers pull in Scrapy, which the dictionary's --dsn mode does not need.
    from common.window import window_from_args
    from scrapers.crawl_process import CrawlRequest, run_crawl
    from transforms.load.run import extract_and_load

    window = window_from_args(DEMO_DAY, DEMO_DAY)
    with environment({DSN_ENV: dsn, "REPLAY_WARC": str(DEMO_ARCHIVE), "ARCHIVE_ROOT": str(archive_root),
                      "NEWS_SOURCES_EXTRA_DIRS": str(DEMO_SOURCES_DIR), "NEWS_CRAWL_LOG_LEVEL": "WARNING"}):
        for source in DEMO_SOURCES:
            run_id = run_crawl(CrawlRequest(source, window, dag_run_id=DEMO_DAG_RUN_ID))
            extract_and_load(run_id, dsn=dsn, workers=2)


@contextmanager
def scratch_database(server_dsn: str | None = None, prefix: str = "news_scratch") -> Iterator[str]:
    """A new, migrated database on the warehouse's server; dropped afterwards."""
    with throwaway_database(server_dsn or warehouse_dsn(), prefix) as dsn:
        apply_migrations(dsn)
        yield dsn


@contextmanager
def demo_database(server_dsn: str | None = None) -> Iterator[str]:
    """A scratch database loaded with the demo day."""
    with scratch_database(server_dsn, prefix="news_demo") as dsn:
        with tempfile.TemporaryDirectory(prefix="news-demo-archive-") as archive:
            load_demo(dsn, Path(archive))
            yield dsn


