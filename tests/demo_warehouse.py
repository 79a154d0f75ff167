"""A database loaded with the demo's day (both demo sources), for the warehouse and query tests.

The crawls are real (scrapy child processes replaying demo/replay/news-sample.warc.gz) and the
load is transforms.run_load.extract_and_load, as news_daily's tasks do, without Airflow. The repost
site is crawled and loaded first, so its original arrives after it (as can happen when the day's
crawls run side by side).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scrapers.crawl_process import CrawlRequest, run_crawl
from scrapers.window import window_from_args
from tests.conftest import DEMO_ARCHIVE, PROJECT_ROOT, _admin, _with_database
from transforms.migrate import apply_migrations
from transforms.run_load import extract_and_load
from transforms.warehouse import DSN_ENV

DEMO_DAY = "2026-11-19"
DEMO_SOURCES = ("news_repost", "aljazeera")
DEMO_DAG_RUN_ID = "manual__demo"


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
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
    """Crawl and load the demo day into the (migrated) database at ``dsn``."""
    window = window_from_args(DEMO_DAY, DEMO_DAY)
    with _environment({DSN_ENV: dsn, "REPLAY_WARC": str(DEMO_ARCHIVE), "ARCHIVE_ROOT": str(archive_root),
                       "NEWS_SOURCES_EXTRA_DIRS": str(PROJECT_ROOT / "demo" / "sources"),
                       "NEWS_CRAWL_LOG_LEVEL": "WARNING"}):
        for source in DEMO_SOURCES:
            run_id = run_crawl(CrawlRequest(source, window, dag_run_id=DEMO_DAG_RUN_ID))
            extract_and_load(run_id, dsn=dsn, workers=2)


@contextmanager
def demo_database(server_dsn: str) -> Iterator[str]:
    """A new database, migrated and loaded with the demo day; dropped afterwards."""
    name = f"news_demo_{uuid.uuid4().hex[:10]}"
    _admin(server_dsn, f"create database {name}")
    dsn = _with_database(server_dsn, name)
    try:
        apply_migrations(dsn)
        with tempfile.TemporaryDirectory(prefix="news-demo-archive-") as archive:
            load_demo(dsn, Path(archive))
            yield dsn
    finally:
        _admin(server_dsn, f"drop database if exists {name} with (force)")
