"""A sitemap index cannot make the crawl fetch without end (issue 12, item 12): children whose own
lastmod is before the window are skipped, at most SITEMAP_CHILD_LIMIT children are fetched per run
(the newest dated ones first), and what was left out is in the run's stats. Real crawls of the
fault server."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, page_captures, run_row
from tests.fixtures.fault_server import FaultServer, write_source

__all__ = ["crawl_env"]  # the fixture, imported for pytest

OLD = datetime(2026, 10, 1, 3, 0, tzinfo=DAY.tzinfo)


def urlset(server: FaultServer, article: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{server.url(article)}</loc><lastmod>2026-11-19T08:00:00Z</lastmod></url></urlset>").encode()


def sitemap_index(server: FaultServer, children: list[tuple[str, datetime | None]]) -> bytes:
    entries = "".join(
        f"<sitemap><loc>{server.url(path)}</loc>"
        + (f"<lastmod>{when.isoformat().replace('+00:00', 'Z')}</lastmod>" if when else "") + "</sitemap>"
        for path, when in children)
    return (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</sitemapindex>").encode()


@pytest.mark.crawl
def test_an_index_of_many_children_is_cut_at_the_limit_newest_first(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        children: list[tuple[str, datetime | None]] = []
        for kind, count in (("undated", 15), ("old", 10), ("dated", 5)):
            for i in range(count):
                path = f"/sitemaps/{kind}-{i}.xml"
                when = {"old": OLD, "dated": DAY + timedelta(minutes=i), "undated": None}[kind]
                children.append((path, when))
                server.documents[path] = ("application/xml", urlset(server, f"/news/2026/11/19/ok-{kind}{i}"), {})
        server.documents["/sitemap-index.xml"] = ("application/xml", sitemap_index(server, children), {})
        write_source(crawl_env.sources, server, feeds=[], sitemaps=[server.url("/sitemap-index.xml")])
        run_id = crawl_env.crawl(SITEMAP_CHILD_LIMIT=8)
        fetched = sorted(p for p in server.paths("/sitemaps/"))
    stats = run_row(run_id)["stats"]
    # The five dated children of the window, then the first three undated ones in the index's order.
    assert fetched == sorted([f"/sitemaps/dated-{i}.xml" for i in range(5)]
                             + [f"/sitemaps/undated-{i}.xml" for i in range(3)])
    assert stats["news/sitemap_children_skipped_old"] == 10
    assert stats["news/sitemap_children_over_limit"] == 12
    assert stats["news/sitemap_children_fetched"] == 8
    assert len([p for p, status in page_captures(run_id) if status == 200]) == 8


def test_the_default_limit_is_set_and_keeps_a_crawl_bounded() -> None:
    from scrapers import settings

    # 100 children at the default one-second delay: under two minutes of a run's 45.
    assert 0 < settings.SITEMAP_CHILD_LIMIT * settings.DOWNLOAD_DELAY < settings.CLOSESPIDER_TIMEOUT / 10
