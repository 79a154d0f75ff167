"""Sitemap indexes as real sites get them wrong: the same child listed twice, the index listing
itself, indexes nested three deep (index -> index -> index -> urlset), a child that answers 404
while the others work, and a nesting deeper than the crawl follows. No loop, each document
fetched once, and what could not be read makes the run's discovery partial (the
``discovery_partial`` check), never just fewer articles."""

from __future__ import annotations

from collections import Counter

import pytest

from common.sources import load_source
from dags.tasks.completeness import check_completeness
from scrapers.run_stats import discovery_shortfall
from tests.fixtures.crawl_support import CrawlEnv, crawl_env, ledger, page_captures, run_row
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.listings import sitemap_index, urlset

__all__ = ["crawl_env"]  # the fixture, imported for pytest


def pages(server: FaultServer, *names: str) -> bytes:
    return urlset("".join(f"<url><loc>{server.url(f'/news/2026/11/19/ok-{n}')}</loc>"
                          "<lastmod>2026-11-19T08:00:00Z</lastmod></url>" for n in names))


@pytest.mark.crawl
def test_an_index_with_repeats_itself_and_three_levels_fetches_each_child_once(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        top, middle, bottom = "/sitemap_index.xml", "/sitemaps/index-2026.xml", "/sitemaps/index-2026-11.xml"
        server.documents[top] = ("application/xml", sitemap_index([server.url(p) for p in (
            "/sitemaps/posts-1.xml", top, "/sitemaps/posts-1.xml", middle, "/sitemaps/posts-1.xml?")]), {})
        server.documents[middle] = ("application/xml", sitemap_index([server.url(p) for p in (
            bottom, top, "/sitemaps/posts-1.xml")]), {})
        server.documents[bottom] = ("application/xml", sitemap_index([server.url(p) for p in (
            "/sitemaps/posts-2.xml", "/sitemaps/posts-gone.xml", middle)]), {})
        server.documents["/sitemaps/posts-1.xml"] = ("application/xml", pages(server, "a", "b"), {})
        server.documents["/sitemaps/posts-2.xml"] = ("application/xml", pages(server, "c", "a"), {})
        # /sitemaps/posts-gone.xml answers 404.
        path = write_source(crawl_env.sources, server, feeds=[], sitemaps=[server.url(top)])
        run_id = crawl_env.crawl()
        fetched = Counter(p for p in server.paths() if p.endswith((".xml", "?")))
    assert set(fetched.values()) == {1}, fetched
    assert sorted(fetched) == sorted([top, middle, bottom, "/sitemaps/posts-1.xml", "/sitemaps/posts-2.xml",
                                      "/sitemaps/posts-gone.xml"])
    assert sorted(p for p, _ in page_captures(run_id)) == [f"/news/2026/11/19/ok-{n}" for n in "abc"]
    assert (ledger()["/sitemaps/posts-gone.xml"]["reason"]) == "http_404"
    [partial] = [c for c in check_completeness(load_source(path), run_id) if c.check == "discovery_partial"]
    assert (partial.action, partial.value, partial.baseline) == ("warn", 1, 6)
    assert run_row(run_id)["stats"]["news/discovery_ok"] == 5


@pytest.mark.crawl
def test_an_index_nested_past_the_depth_limit_makes_discovery_partial(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        chain = [f"/sitemaps/level-{i}.xml" for i in range(5)]
        for here, deeper in zip(chain, chain[1:]):
            server.documents[here] = ("application/xml", sitemap_index([server.url(deeper)]), {})
        server.documents[chain[-1]] = ("application/xml", pages(server, "deep"), {})
        server.documents["/sitemaps/flat.xml"] = ("application/xml", pages(server, "flat"), {})
        path = write_source(crawl_env.sources, server, feeds=[],
                            sitemaps=[server.url(chain[0]), server.url("/sitemaps/flat.xml")])
        run_id = crawl_env.crawl()
    stats = run_row(run_id)["stats"]
    assert stats["news/sitemap_children_too_deep"] == 1
    assert page_captures(run_id) == [("/news/2026/11/19/ok-flat", 200)]
    [partial] = [c for c in check_completeness(load_source(path), run_id) if c.check == "discovery_partial"]
    assert "1 child sitemap(s) nested deeper than" in partial.message


def test_children_left_at_the_child_limit_make_discovery_partial_too() -> None:
    said = discovery_shortfall({"news/discovery_ok": 9, "news/sitemap_children_over_limit": 12})
    assert said is not None and "12 child sitemap(s) past SITEMAP_CHILD_LIMIT not fetched" in said
    assert discovery_shortfall({"news/discovery_ok": 9}) is None
