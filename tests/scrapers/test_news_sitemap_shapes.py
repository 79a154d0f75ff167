"""Google News sitemaps as sites write them: ``news:publication_date`` in the W3C datetime forms
(day only, minutes only, fractions, with and without an offset, ``+0100``) and RFC 822,
``news:news`` without ``<lastmod>``, an image's ``<image:loc>`` before the page's ``<loc>``, and
``xhtml:link rel="alternate" hreflang`` alternates. The window goes by the news date; the
alternates are other-language editions and are not fetched as articles of this source (each
edition the source covers is listed in a ``<url>`` of its own)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scrapers.discovery import parse_sitemap
from tests.fixtures.crawl_support import CrawlEnv, crawl_env, page_captures
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.listings import news_url, news_urlset

__all__ = ["crawl_env"]  # the fixture, imported for pytest

PAGE = "https://harbour.example/news/2026/11/19/ok-1"

FORMS = {
    "2026-11-19": datetime(2026, 11, 19, tzinfo=UTC),
    "2026-11-19T10:05Z": datetime(2026, 11, 19, 10, 5, tzinfo=UTC),
    "2026-11-19T10:05:30Z": datetime(2026, 11, 19, 10, 5, 30, tzinfo=UTC),
    "2026-11-19T10:05:30+01:00": datetime(2026, 11, 19, 9, 5, 30, tzinfo=UTC),
    "2026-11-19T10:05+01:00": datetime(2026, 11, 19, 9, 5, tzinfo=UTC),
    "2026-11-19T10:05:30.25-05:00": datetime(2026, 11, 19, 15, 5, 30, 250000, tzinfo=UTC),
    "2026-11-19T10:05:30+0100": datetime(2026, 11, 19, 9, 5, 30, tzinfo=UTC),
    "2026-11-19T10:05:30": datetime(2026, 11, 19, 10, 5, 30, tzinfo=UTC),  # no offset: the source's zone (UTC here)
    "Thu, 19 Nov 2026 10:05:30 +0100": datetime(2026, 11, 19, 9, 5, 30, tzinfo=UTC),
}


@pytest.mark.parametrize("written", sorted(FORMS))
def test_a_news_publication_date_is_read_in_each_form_sites_write(written: str) -> None:
    [entry] = parse_sitemap(news_urlset(news_url(PAGE, written))).urls
    assert (entry.url, entry.published, entry.modified) == (PAGE, FORMS[written], None)


def test_the_pages_own_loc_not_an_images_written_before_it_nor_an_alternate() -> None:
    entry = ('<url><image:image xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
             "<image:loc>https://harbour.example/img/quay.jpg</image:loc></image:image>"
             f"<loc>{PAGE}</loc><lastmod>2026-11-19T12:00:00Z</lastmod>"
             '<xhtml:link rel="alternate" hreflang="de" href="https://harbour.example/de/news/2026/11/19/ok-1"/>'
             "</url>")
    [found] = parse_sitemap(news_urlset(entry)).urls
    assert found.url == PAGE and found.published == datetime(2026, 11, 19, 12, tzinfo=UTC)


@pytest.mark.crawl
def test_a_crawl_takes_the_window_by_news_date_and_leaves_language_alternates(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        def alternates(path: str) -> str:
            return "".join(f'<xhtml:link rel="alternate" hreflang="{lang}" href="{server.url(path)}-{lang}"/>'
                           for lang in ("de", "fr"))

        entries = [
            # 18th 23:30 at UTC-5 is the 19th 04:30 UTC: in the window, though its URL says the 18th.
            ("/news/2026/11/18/ok-late", "2026-11-18T23:30:00-05:00", ""),
            # Published in the window; lastmod an edit the next day.
            ("/news/2026/11/19/ok-edited", "2026-11-19T08:00+01:00", "<lastmod>2026-11-20T09:00:00Z</lastmod>"),
            ("/news/2026/11/19/ok-dayonly", "2026-11-19", ""),
            # The day before by its news date, though lastmod (a later edit) is in the window: not this run's.
            ("/news/2026/11/18/ok-before", "2026-11-18T10:00:00Z", "<lastmod>2026-11-19T10:00:00Z</lastmod>"),
            ("/news/2026/11/20/ok-after", "2026-11-20T00:30:00+00:00", ""),
        ]
        body = news_urlset("".join(news_url(server.url(path), published, lastmod + alternates(path))
                                   for path, published, lastmod in entries))
        server.documents["/news-sitemap.xml"] = ("application/xml", body, {})
        write_source(crawl_env.sources, server, feeds=[], sitemaps=[server.url("/news-sitemap.xml")])
        run_id = crawl_env.crawl()
        fetched = server.paths("/news/")
    assert sorted(p for p, _ in page_captures(run_id)) == [
        "/news/2026/11/18/ok-late", "/news/2026/11/19/ok-dayonly", "/news/2026/11/19/ok-edited"]
    assert not [p for p in fetched if p.endswith(("-de", "-fr"))]
