"""A source whose sitemap gives local times without an offset (a New York site, across the end of
daylight saving time on 2026-11-01), crawled by three consecutive daily windows, each run seeing
the listing as it was when it ran: every article is captured exactly once, by the window its
true time falls in. Read as UTC, the naive times put an article published late in the evening
into the window of a run that had already gone (lost), and the 01:30 that happens twice that
night into the day before. A real crawl of the fault server."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from tests.fixtures.crawl_support import CrawlEnv, crawl_env, crawl_windows_of_sitemap
from tests.fixtures.fault_server import FaultServer, write_source

pytestmark = pytest.mark.crawl

__all__ = ["crawl_env"]  # the fixture, imported for pytest

# path -> (naive local time the sitemap prints, true time in UTC)
ARTICLES = {
    "/news/2026/10/31/ok-evening": ("2026-10-31T23:30:00", datetime(2026, 11, 1, 3, 30, tzinfo=UTC)),  # EDT
    "/news/2026/11/1/ok-twice": ("2026-11-01T01:30:00", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),  # the first 01:30
    "/news/2026/11/1/ok-night": ("2026-11-01T22:30:00", datetime(2026, 11, 2, 3, 30, tzinfo=UTC)),  # EST
    "/news/2026/11/1/ok-late": ("2026-11-01T23:30:00", datetime(2026, 11, 2, 4, 30, tzinfo=UTC)),  # EST
}
# The daily runs at 04:00 UTC, each for the 24 hours before it.
RUNS = [datetime(2026, 11, day, 4, 0, tzinfo=UTC) for day in (1, 2, 3)]


def test_naive_local_times_in_a_listing_across_dst_are_each_crawled_once(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        path = write_source(crawl_env.sources, server, feeds=[], sitemaps=[server.url("/sitemap-news.xml")])
        path.write_text(path.read_text().replace('language = "en"\n', 'language = "en"\ntimezone = "America/New_York"\n'))
        captured = crawl_windows_of_sitemap(crawl_env, server, ARTICLES, zip([RUNS[0].replace(day=31, month=10)] + RUNS, RUNS, strict=False))
        fetches = Counter(server.paths("/news/"))
    assert fetches == Counter(list(ARTICLES)), fetches  # every article fetched, once
    assert captured == [1, 2, 1]
