"""A sitemap URL answered 200 with an HTML page (a CMS error, a login or consent page) instead of
XML is a failed discovery, never "0 new articles": beside a working feed the run goes on and says
discovery was partial; alone, the run fails. (A feed answering HTML: test_feed_not_a_feed.py.)"""

from __future__ import annotations

import pytest

from common.sources import load_source
from dags.tasks.completeness import check_completeness
from scrapers.crawl_process import CrawlFailed
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, ledger, run_row
from tests.fixtures.fault_server import FaultServer, write_source

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

CONSENT = (b"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Before you continue</title></head>"
           b"<body><main><h1>We value your privacy</h1><p>We and our partners store and access information on "
           b"your device.</p><button>Accept all</button></main></body></html>")


def test_a_sitemap_answering_an_html_page_beside_a_working_feed_makes_discovery_partial(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("ok", DAY, "1")
        server.documents["/news-sitemap.xml"] = ("text/html; charset=utf-8", CONSENT, {})
        path = write_source(crawl_env.sources, server, sitemaps=[server.url("/news-sitemap.xml")])
        run_id = crawl_env.crawl()
    row = run_row(run_id)
    assert row["status"] == "captured" and row["pages_captured"] == 1
    assert row["stats"]["news/discovery_failed/unparseable"] == 1
    entry = ledger()["/news-sitemap.xml"]
    assert (entry["kind"], entry["reason"], entry["http_status"], entry["gave_up_at"]) == ("sitemap", "unparseable", 200, None)
    partial = [c for c in check_completeness(load_source(path), run_id) if c.check == "discovery_partial"]
    assert [(c.action, c.value, c.baseline) for c in partial] == [("warn", 1, 2)]


def test_a_run_whose_only_sitemap_answers_an_html_page_fails(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("ok", DAY, "1")
        server.documents["/news-sitemap.xml"] = ("application/xml", CONSENT, {})  # mislabelled too
        write_source(crawl_env.sources, server, feeds=[], sitemaps=[server.url("/news-sitemap.xml")])
        with pytest.raises(CrawlFailed, match=r"no feed or sitemap was reachable \(1 tried: 1 unparseable\)"):
            crawl_env.crawl()
