"""Listing links in awkward shapes are followed as a browser would: a feed's relative and
protocol-relative links, links relative to an Atom feed's xml:base, a sitemap's <loc> wrapped over lines, an ampersand escaped twice
(&amp;amp;, or &amp; inside CDATA). Each article is fetched at its real URL and loaded; none is
dropped as "not an article URL". Entries with no URL at all are counted."""

from __future__ import annotations

from email.utils import format_datetime

import pytest

from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, page_captures, run_row
from tests.fixtures.fault_server import FaultServer, write_source

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

NEWS = "/news/2026/11/19/"


def rss(links: list[str]) -> bytes:
    when = format_datetime(DAY, usegmt=True)
    items = "".join(f"<item><title>{n}</title>{f'<link>{link}</link>' if link else ''}<pubDate>{when}</pubDate></item>"
                    for n, link in enumerate(links))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
            f"<link>/</link><description>d</description>{items}</channel></rss>").encode()


def atom_with_base(base: str, href: str) -> bytes:
    """An Atom feed whose links are relative to its xml:base (the feed's <base href>)."""
    return (f'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="{base}">'
            f"<title>t</title><id>urn:t</id><updated>2026-11-19T12:00:00Z</updated>"
            f'<entry><title>x</title><id>urn:x</id><link href="{href}"/><updated>2026-11-19T12:00:00Z</updated>'
            f"<published>2026-11-19T12:00:00Z</published></entry></feed>").encode()


def urlset(locs: list[str]) -> bytes:
    entries = "".join(f"<url>{f'<loc>{loc}</loc>' if loc else ''}<lastmod>2026-11-19T12:00:00Z</lastmod></url>"
                      for loc in locs)
    return (f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>').encode()


def test_awkward_listing_links_are_fetched_at_their_real_urls(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        host = server.base.split("//", 1)[1]
        server.documents["/feeds/rss.xml"] = ("application/rss+xml", rss([
            f"{NEWS}ok-relative",  # relative to the feed's own URL
            f"//{host}{NEWS}ok-protocolrelative",
            "",  # an item with no link at all: nothing to follow, but counted
        ]), {})
        server.documents["/sitemap-news.xml"] = ("application/xml", urlset([
            f"\n      {server.base}{NEWS}\n      ok-wrapped\n    ",
            f"{server.base}{NEWS}ok-query?a=1&amp;amp;b=2",  # escaped twice
            f"<![CDATA[{server.base}{NEWS}ok-cdata?a=1&amp;b=2]]>",
            "",  # a <url> with no <loc>
        ]), {})
        server.documents["/feeds/atom.xml"] = ("application/atom+xml",
                                               atom_with_base(server.url(NEWS), "ok-xmlbase"), {})
        write_source(crawl_env.sources, server, feeds=[server.url("/feeds/rss.xml"), server.url("/feeds/atom.xml")],
                     sitemaps=[server.url("/sitemap-news.xml")])
        run_id = crawl_env.crawl()
        result = crawl_env.load(run_id)
        fetched = sorted(hit.path for hit in server.hits("/news/"))
    expected = sorted(NEWS + tail for tail in ("ok-relative", "ok-protocolrelative", "ok-xmlbase", "ok-wrapped",
                                               "ok-query?a=1&b=2", "ok-cdata?a=1&b=2"))
    assert fetched == expected
    assert sorted(path for path, _ in page_captures(run_id)) == expected
    assert result.counts.new == 6, result.summary()
    stats = run_row(run_id)["stats"]
    assert "news/skipped_not_article_url" not in stats
    assert stats["news/listed_without_url"] == 2
