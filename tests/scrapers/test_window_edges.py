"""Listed dates at the edges of a run's window: two consecutive daily runs never both skip an
article at the boundary between them, whatever its feed or sitemap says about its date (an
offset crossing the UTC day, a date only, none, a malformed one, a lastmod stamped before the
article existed), and a site's local-day sitemap is read by the UTC run its articles fall in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from common.sources import load_source
from common.window import window_from_args
from scrapers.discovery import Discovered, candidate, expand_dated_sitemaps, parse_date
from tests.fixtures.crawl_support import CrawlEnv, crawl_env, page_captures
from tests.fixtures.fault_server import FaultServer, write_source

__all__ = ["crawl_env"]  # the fixture, imported for pytest

DAY_4 = window_from_args("2026-12-04", "2026-12-04")
DAY_5 = window_from_args("2026-12-05", "2026-12-05")
BASE = "https://127.0.0.1/news"


@pytest.fixture()
def source(tmp_path: Path) -> object:
    with FaultServer() as server:
        return load_source(write_source(tmp_path, server))


# (URL day, listed date as the feed or sitemap writes it)
BOUNDARY_ITEMS = [
    ("2026/12/4", "2026-12-04T23:30:00-05:00"),  # the 5th in UTC, the 4th in its URL
    ("2026/12/5", "2026-12-05T01:30:00+03:00"),  # the 4th in UTC, the 5th in its URL
    ("2026/12/4", "2026-12-04T23:59:59.999+00:00"),
    ("2026/12/5", "2026-12-05T00:00:00Z"),
    ("2026/12/5", "Sat, 05 Dec 2026 00:00:00 GMT"),
    ("2026/12/4", "Fri, 04 Dec 2026 19:30:00 -0500"),
    ("2026/12/4", "2026-12-04"),  # a date only
    ("2026/12/5", "2026-12-05"),
    ("2026/12/4", ""),  # no lastmod
    ("2026/12/5", "yesterday"),  # malformed
    ("2026/12/5", "2026-13-45T99:00:00Z"),
    ("2026/12/5", "2026-12-03T08:00:00Z"),  # lastmod stamped two days before the article existed
    ("2026/12/4", "2026-11-30"),
]


@pytest.mark.parametrize(("url_day", "listed"), BOUNDARY_ITEMS)
def test_two_consecutive_daily_runs_never_both_skip_a_boundary_article(
    source: object, url_day: str, listed: str
) -> None:
    item = Discovered(f"{BASE}/{url_day}/ok-edge", parse_date(listed) if listed else None)
    taken_by = [name for name, window in (("4th", DAY_4), ("5th", DAY_5))
                if candidate(item, source, window)[0] is not None]  # type: ignore[arg-type]
    assert taken_by, f"{listed!r} for /{url_day}/ skipped by both runs"


def test_a_wrong_lastmod_gives_way_to_the_urls_day_and_a_true_one_still_decides(source: object) -> None:
    stale = Discovered(f"{BASE}/2026/12/5/ok-a", parse_date("2026-12-03T08:00:00Z"))
    assert candidate(stale, source, DAY_5)[0] is not None  # type: ignore[arg-type]
    # A lastmod after the URL's day is an update: it decides (the 4th's run does not take it again).
    updated = Discovered(f"{BASE}/2026/12/4/ok-b", datetime(2026, 12, 5, 9, 0, tzinfo=UTC))
    assert candidate(updated, source, DAY_4)[1] == "outside_window"  # type: ignore[arg-type]
    assert candidate(updated, source, DAY_5)[0] is not None  # type: ignore[arg-type]


def test_dated_sitemaps_cover_the_sites_local_days_as_well_as_the_utc_ones() -> None:
    template = ("https://s.example/sitemap.xml?yyyy={yyyy}&mm={mm}&dd={dd}",)
    assert expand_dated_sitemaps(template, DAY_5) == ["https://s.example/sitemap.xml?yyyy=2026&mm=12&dd=05"]
    west = expand_dated_sitemaps(template, DAY_5, "America/New_York")
    assert west == ["https://s.example/sitemap.xml?yyyy=2026&mm=12&dd=05", "https://s.example/sitemap.xml?yyyy=2026&mm=12&dd=04"]
    east = expand_dated_sitemaps(template, DAY_5, "Asia/Qatar")
    assert east == ["https://s.example/sitemap.xml?yyyy=2026&mm=12&dd=05", "https://s.example/sitemap.xml?yyyy=2026&mm=12&dd=06"]


@pytest.mark.crawl
def test_an_article_late_in_the_sites_evening_is_captured_by_the_utc_run_it_falls_in(crawl_env: CrawlEnv) -> None:
    """The site files it in its 19 November sitemap; in UTC it is 20 November."""
    late = datetime.fromisoformat("2026-11-19T23:30:00-05:00")
    with FaultServer() as server:
        server.article("ok", late, "late")  # its sitemap day is its local date, as the site's
        server.article("ok", datetime.fromisoformat("2026-11-19T12:00:00-05:00"), "noon")
        path = write_source(crawl_env.sources, server, feeds=[],
                            dated=[server.url("/sitemap.xml?yyyy={yyyy}&mm={mm}&dd={dd}")])
        path.write_text(path.read_text().replace('language = "en"', 'language = "en"\ntimezone = "America/New_York"'))
        first = crawl_env.crawl(since="2026-11-19", until="2026-11-19")
        second = crawl_env.crawl(since="2026-11-20", until="2026-11-20")
    assert page_captures(first) == [("/news/2026/11/19/ok-noon", 200)]
    assert page_captures(second) == [("/news/2026/11/19/ok-late", 200)]
