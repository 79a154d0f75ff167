"""Listings that page, with the window's articles on a later page: an Atom feed with
``<link rel="next">`` (RFC 5005, also written as ``atom:link`` in RSS), a WordPress sitemap index
of ``sitemap-posts-post-N.xml`` pages, sitemaps paged as ``?page=N``. The later pages are read
while the window may go on there, up to FEED_PAGE_LIMIT pages of a feed; a feed left at the limit
makes the run's discovery partial."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from common.sources import load_source
from dags.tasks.completeness import check_completeness
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, page_captures, run_row
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.listings import atom, sitemap_index, urlset

__all__ = ["crawl_env"]  # the fixture, imported for pytest

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast


def entry(server: FaultServer, when: datetime, name: str) -> str:
    server.article("ok", when, name)
    stamp = when.isoformat().replace("+00:00", "Z")
    return (f"<entry><title>Story {name}</title><id>tag:harbour.example,2026:{name}</id>"
            f'<link rel="alternate" type="text/html" href="{server.url(f"/news/{when.year}/{when.month}/{when.day}/ok-{name}")}"/>'
            f"<published>{stamp}</published><updated>{stamp}</updated></entry>")


def paged_feed(server: FaultServer, relative: bool = False) -> list[str]:
    """Four pages, newest first: the 20th; the 20th and 19th; the 19th and 18th; the 17th; each
    page's next link absolute, or (``relative``) a path as many CMSs write it."""
    days = [[DAY + timedelta(days=1, hours=h) for h in (3, 2)],
            [DAY + timedelta(days=1, hours=-11), DAY + timedelta(hours=6)],
            [DAY - timedelta(hours=11), DAY - timedelta(hours=13)],
            [DAY - timedelta(days=2)]]
    paths = ["/feed.atom", "/feed.atom?page=2", "/feed.atom?page=3", "/feed.atom?page=4"]
    for number, (path, stamps) in enumerate(zip(paths, days)):
        entries = "".join(entry(server, when, f"p{number + 1}{i}") for i, when in enumerate(stamps))
        body = atom(server.base, entries)
        if number + 1 < len(paths):
            body = body.replace(b'<link rel="self"', f'<link rel="next" href="{paths[number + 1] if relative else server.url(paths[number + 1])}"/>'
                                                     '<link rel="self"'.encode(), 1)
        server.documents[path] = ("application/atom+xml", body, {"ETag": f'"page-{number + 1}"'})
    return paths


def test_a_paged_feed_is_read_until_a_page_reaches_back_before_the_window(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        pages = paged_feed(server)
        write_source(crawl_env.sources, server, feeds=[server.url(pages[0])])
        run_id = crawl_env.crawl()
        read = server.paths("/feed.atom")
        crawl_env.load(run_id)
        # The next day: the first page answers 304 to its validators; the page after it is still
        # read, and its article of that day found.
        next_day = crawl_env.crawl(since="2026-11-20", until="2026-11-20")
    assert sorted(p for p, _ in page_captures(run_id)) == ["/news/2026/11/19/ok-p21", "/news/2026/11/19/ok-p30"]
    assert read == pages[:3]
    assert "news/feed_pages_over_limit" not in run_row(run_id)["stats"]
    assert run_row(next_day)["stats"]["news/discovery_not_modified"] >= 1
    assert sorted(p for p, _ in page_captures(next_day)) == [
        "/news/2026/11/20/ok-p10", "/news/2026/11/20/ok-p11", "/news/2026/11/20/ok-p20"]


def test_a_relative_next_link_is_read_from_the_feeds_url(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        pages = paged_feed(server, relative=True)
        write_source(crawl_env.sources, server, feeds=[server.url(pages[0])])
        run_id = crawl_env.crawl()
        read = server.paths("/feed.atom")
    assert read == pages[:3]
    assert sorted(p for p, _ in page_captures(run_id)) == ["/news/2026/11/19/ok-p21", "/news/2026/11/19/ok-p30"]


def test_a_feed_paged_past_the_limit_makes_discovery_partial(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        pages = paged_feed(server)
        path = write_source(crawl_env.sources, server, feeds=[server.url(pages[0])])
        run_id = crawl_env.crawl(FEED_PAGE_LIMIT=2)
        read = server.paths("/feed.atom")
    assert pages[2] not in read
    assert run_row(run_id)["stats"]["news/feed_pages_over_limit"] == 1
    [partial] = [c for c in check_completeness(load_source(path), run_id) if c.check == "discovery_partial"]
    assert "1 feed page(s) past FEED_PAGE_LIMIT not fetched" in partial.message


def test_paged_sitemaps_listed_by_an_index_are_all_read(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        def pages(*names: str) -> bytes:
            return urlset("".join(f"<url><loc>{server.url(f'/news/2026/11/{n}')}</loc></url>" for n in names))

        # WordPress: an index of undated post pages, oldest posts first; the window's on page 2.
        server.documents["/sitemap_index.xml"] = ("application/xml", sitemap_index(
            [server.url("/sitemap-posts-post-1.xml"), server.url("/sitemap-posts-post-2.xml"),
             server.url("/sitemap.xml?page=1"), server.url("/sitemap.xml?page=2")]), {})
        server.documents["/sitemap-posts-post-1.xml"] = ("application/xml", pages("17/ok-wp1", "18/ok-wp2"), {})
        server.documents["/sitemap-posts-post-2.xml"] = ("application/xml", pages("19/ok-wp3"), {})
        server.documents["/sitemap.xml?page=1"] = ("application/xml", pages("20/ok-q1"), {})
        server.documents["/sitemap.xml?page=2"] = ("application/xml", pages("19/ok-q2"), {})
        write_source(crawl_env.sources, server, feeds=[], sitemaps=[server.url("/sitemap_index.xml")])
        run_id = crawl_env.crawl()
    assert sorted(p for p, _ in page_captures(run_id)) == ["/news/2026/11/19/ok-q2", "/news/2026/11/19/ok-wp3"]


def test_a_feed_that_does_not_reach_back_to_the_window_start_says_so(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        entries = "".join(entry(server, DAY + timedelta(hours=h), f"late{h}") for h in (11, 10, 9))
        server.documents["/feed.atom"] = ("application/atom+xml", atom(server.base, entries), {})
        write_source(crawl_env.sources, server, feeds=[server.url("/feed.atom")])
        short = crawl_env.crawl()
        whole = crawl_env.crawl(since="2026-11-19T22:30:00+00:00", until="2026-11-20T08:00:00+00:00")
    assert run_row(short)["stats"]["news/feed_short_of_window"] == 1
    assert "news/feed_short_of_window" not in run_row(whole)["stats"]
