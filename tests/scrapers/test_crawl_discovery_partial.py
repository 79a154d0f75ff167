"""Discovery that half worked says so: a sitemap index whose children answer 404 or garbage, a feed
answering an error page with 200. The run goes on with what it could read, and its stats, the
ledger, the task log and the check task all say discovery was partial, so fewer articles than
usual is never the only sign."""

from __future__ import annotations

import logging

import pytest

from common.sources import load_source
from dags.tasks.completeness import check_completeness
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, ledger, page_captures, run_row
from tests.fixtures.fault_server import FaultServer, write_source

__all__ = ["crawl_env"]  # the fixture, imported for pytest

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

ERROR_PAGE = b"<!doctype html><html><head><title>Error 500</title></head><body><h1>Oops</h1></body></html>"


def urlset(server: FaultServer, article: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{server.url(article)}</loc><lastmod>2026-11-19T08:00:00Z</lastmod></url></urlset>").encode()


def sitemap_index(server: FaultServer, children: list[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{server.url(path)}</loc></sitemap>" for path in children)
    return (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</sitemapindex>").encode()


def test_children_that_fail_and_a_feed_that_is_an_error_page_make_the_run_say_discovery_was_partial(
    crawl_env: CrawlEnv, caplog: pytest.LogCaptureFixture,
) -> None:
    with FaultServer() as server:
        server.documents["/sitemaps/good.xml"] = ("application/xml", urlset(server, "/news/2026/11/19/ok-1"), {})
        server.documents["/sitemaps/garbage.xml"] = ("application/xml", b"\x00\x13 not xml at all", {})
        # /sitemaps/missing.xml is not served: 404.
        server.documents["/sitemap-index.xml"] = ("application/xml", sitemap_index(
            server, ["/sitemaps/good.xml", "/sitemaps/missing.xml", "/sitemaps/garbage.xml"]), {})
        server.documents["/feed.xml"] = ("text/html", ERROR_PAGE, {})
        path = write_source(crawl_env.sources, server, sitemaps=[server.url("/sitemap-index.xml")])
        with caplog.at_level(logging.INFO, logger="scrapers.crawl_process"):
            run_id = crawl_env.crawl()
    row = run_row(run_id)
    # The run goes on with what it could read...
    assert row["status"] == "captured" and page_captures(run_id) == [("/news/2026/11/19/ok-1", 200)]
    # ...and every unusable listing is in its stats and the ledger, with why.
    assert row["stats"]["news/discovery_failed"] == 3 and row["stats"]["news/discovery_ok"] == 2
    entries = ledger()
    assert {p: (e["kind"], e["reason"]) for p, e in entries.items()} == {
        "/sitemaps/missing.xml": ("sitemap", "http_404"), "/sitemaps/garbage.xml": ("sitemap", "unparseable"),
        "/feed.xml": ("feed", "not_a_feed")}
    # The task log says it in words: the crawl's summary line and the task's own warning.
    said = [r.getMessage() for r in caplog.records]
    assert any("discovery partial: 3 of 5 feeds/sitemaps unusable" in line and "[scrapy] crawl" in line
               for line in said), said
    assert any(r.levelno == logging.WARNING and "discovery partial" in r.getMessage() for r in caplog.records)
    # The check task warns (its alert carries the figures); a fully read run gets no such warning.
    checks = check_completeness(load_source(path), run_id)
    partial = [c for c in checks if c.check == "discovery_partial"]
    assert [(c.action, c.value, c.baseline) for c in partial] == [("warn", 3, 5)]
    assert "1 http_404" in partial[0].message and "1 unparseable" in partial[0].message


def test_a_run_that_read_every_listing_is_not_partial(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("ok", DAY, "1")
        path = write_source(crawl_env.sources, server)
        run_id = crawl_env.crawl()
    assert "discovery_partial" not in [c.check for c in check_completeness(load_source(path), run_id)]
