"""A Berlin site's sitemap gives local times without an offset, and its source runs on a schedule
of its own that fires inside the hour the clocks repeat when they go back (00:45 UTC: 02:45 CEST
the first time, 01:45 CET the second, on 2026-10-25). An article published at the second 02:30
(01:30 UTC) is listed as 02:30 like one published at the first (00:30 UTC): each is fetched once,
by a run after it exists. Read as the first 02:30, the later article fell before the window of the
first run that listed it, after the run before had gone: lost. A real crawl of the fault server,
each run seeing the sitemap as it stood when it ran."""

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
    "/news/2026/10/25/ok-first": ("2026-10-25T02:30:00", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    "/news/2026/10/25/ok-second": ("2026-10-25T02:30:00", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
    "/news/2026/10/25/ok-evening": ("2026-10-25T21:00:00", datetime(2026, 10, 25, 20, 0, tzinfo=UTC)),
}
# The source's runs at 00:45 UTC, each for the 24 hours before it.
RUNS = [datetime(2026, 10, day, 0, 45, tzinfo=UTC) for day in (24, 25, 26, 27)]


def test_each_article_of_the_repeated_hour_is_fetched_once(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        path = write_source(crawl_env.sources, server, feeds=[], sitemaps=[server.url("/sitemap-news.xml")])
        path.write_text(path.read_text().replace('language = "en"\n', 'language = "en"\ntimezone = "Europe/Berlin"\n'))
        captured = crawl_windows_of_sitemap(crawl_env, server, ARTICLES, zip(RUNS, RUNS[1:], strict=False))
        fetches = Counter(server.paths("/news/"))
    assert fetches == Counter(list(ARTICLES)), fetches  # every article fetched, once
    assert captured == [0, 3, 0]
