"""Sitemaps at the protocol's bounds (sitemaps.org: 50,000 URLs, 50 MB uncompressed): one of
50,000 URLs and 40 MB, of which three are the window's, is read whole in bounded memory and
reasonable CPU, and only the window's articles are fetched; one past SITEMAP_MAXSIZE, plain or
gzipped, is a discovery failure ``too_large`` that the run reports (the ledger and the
``discovery_partial`` check), never an empty listing."""

from __future__ import annotations

import resource
from datetime import datetime, timedelta

import pytest

from common.sources import load_source
from dags.tasks.completeness import check_completeness
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, ledger, page_captures, run_row
from tests.fixtures.fault_server import FaultServer, gzip_bytes, write_source
from tests.fixtures.listings import IMAGE_NS, news_url, urlset

__all__ = ["crawl_env"]  # the fixture, imported for pytest

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

MIB = 1024 * 1024
OCTOBER = datetime(2026, 10, 1, tzinfo=DAY.tzinfo)


def big_sitemap(server: FaultServer, urls: int, caption_chars: int, window_articles: list[str]) -> bytes:
    """``urls`` news entries with an image and its caption each: the window's articles last, the
    others a minute apart from 1 October (URLs the server never needs to serve)."""
    entries = []
    for i in range(urls - len(window_articles)):
        when = OCTOBER + timedelta(minutes=i)
        entries.append(news_url(server.url(f"/news/{when.year}/{when.month}/{when.day}/old-{i}"), when.isoformat(),
                                _image(server, i, caption_chars)))
    for i, article in enumerate(window_articles):
        entries.append(news_url(article, (DAY + timedelta(minutes=i)).isoformat(), _image(server, i, caption_chars)))
    namespaces = (' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
                  f' xmlns:image="{IMAGE_NS}"')
    return urlset("".join(entries), namespaces)


def _image(server: FaultServer, i: int, caption_chars: int) -> str:
    caption = ("Boats in the harbour at dawn, seen from the old quay. " * (caption_chars // 50 + 1))[:caption_chars]
    return (f"<image:image><image:loc>{server.url(f'/img/{i}.jpg')}</image:loc>"
            f"<image:caption>{caption}</image:caption></image:image>")


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_a_sitemap_of_50000_urls_and_40_mb_is_read_in_bounded_memory_and_filtered(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        window = [server.article("ok", DAY + timedelta(minutes=i), str(i)) for i in range(3)]
        body = big_sitemap(server, 50_000, 420, window)
        assert 38 * MIB < len(body) < 42 * MIB
        server.documents["/news-sitemap.xml"] = ("application/xml", body, {})
        write_source(crawl_env.sources, server, feeds=[], sitemaps=[server.url("/news-sitemap.xml")])
        del body
        cpu_before = children_cpu_seconds()
        run_id = crawl_env.crawl(SITEMAP_MAXSIZE=50 * MIB, DOWNLOAD_TIMEOUT=30, time_limit=120)
        cpu = children_cpu_seconds() - cpu_before
    run = run_row(run_id)
    stats = run["stats"]
    assert stats["news/sitemap_urls"] == 50_000 and stats["news/skipped_outside_window"] == 49_997
    assert sorted(p for p, _ in page_captures(run_id)) == [f"/news/2026/11/19/ok-{i}" for i in range(3)]
    # The crawl child holds the 40 MB body (Scrapy's, the WARC writer's) and the 50,000 listed
    # items, not a whole tree of the document (which would put it past 300 MB). CPU time, not
    # wall time, as the machine may be busy; the whole crawl child, start-up included.
    assert stats["news/peak_rss_bytes"] < 260 * MIB, stats["news/peak_rss_bytes"] // MIB
    assert cpu < 20, cpu


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzipped"])
def test_a_sitemap_past_the_size_limit_is_reported_too_large_not_empty(crawl_env: CrawlEnv, gzipped: bool) -> None:
    with FaultServer() as server:
        server.article("ok", DAY, "1")
        body = big_sitemap(server, 4_000, 500, [server.url("/news/2026/11/19/ok-2")])
        assert len(body) > 2 * MIB
        name = "/big-sitemap.xml.gz" if gzipped else "/big-sitemap.xml"
        server.documents[name] = ("application/xml", gzip_bytes(body) if gzipped else body, {})
        path = write_source(crawl_env.sources, server, sitemaps=[server.url(name)])
        run_id = crawl_env.crawl(SITEMAP_MAXSIZE=MIB)
    run = run_row(run_id)
    assert run["stats"]["news/discovery_failed/too_large"] == 1
    assert (ledger()[name]["kind"], ledger()[name]["reason"]) == ("sitemap", "too_large")
    assert page_captures(run_id) == [("/news/2026/11/19/ok-1", 200)]  # from the feed beside it
    [partial] = [c for c in check_completeness(load_source(path), run_id) if c.check == "discovery_partial"]
    assert "1 too_large" in partial.message
