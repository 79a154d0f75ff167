"""Sitemaps that are not well-formed, as generators write them: an unescaped ``&`` in a
``<loc>``, a document cut short (a generator that died mid-file, served with a matching
Content-Length). The ``&`` URL is read as written, not as libxml2's recovery leaves it; a cut
sitemap keeps its complete entries, never the one cut mid-URL, and its fetch is flagged
``truncated`` (no validators kept); cut before its first entry ends, or with entries that name no
page, it is a failed discovery."""

from __future__ import annotations

import pytest

from common.warehouse import transaction
from scrapers.discovery import TruncatedSitemap, parse_sitemap
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, ledger, page_captures, run_row
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.listings import urlset

__all__ = ["crawl_env"]  # the fixture, imported for pytest

BASE = "https://harbour.example"


def entries(base: str, names: list[str], query: str = "") -> str:
    return "".join(f"<url><loc>{base}/news/2026/11/19/{name}{query}</loc>"
                   "<lastmod>2026-11-19T08:00:00Z</lastmod></url>" for name in names)


def test_an_unescaped_ampersand_in_a_loc_is_read_as_written() -> None:
    document = parse_sitemap(urlset(entries(BASE, ["ok-1"], "?id=7&lang=en") + entries(BASE, ["ok-2"])))
    assert [e.url for e in document.urls] == [f"{BASE}/news/2026/11/19/ok-1?id=7&lang=en",
                                              f"{BASE}/news/2026/11/19/ok-2"]


@pytest.mark.parametrize("cut_after", ["<loc>", "/news/2026/11/19/ok-", "</loc>", "</lastmod>"])
def test_a_sitemap_cut_in_its_last_entry_keeps_the_complete_ones(cut_after: str) -> None:
    whole = urlset(entries(BASE, ["ok-1", "ok-2", "ok-3-a-long-slug"]))
    last = whole.rindex(b"<url>")
    cut = whole[:whole.index(cut_after.encode(), last) + len(cut_after)]
    document = parse_sitemap(cut)
    assert document.truncated
    assert [e.url for e in document.urls] == [f"{BASE}/news/2026/11/19/ok-{i}" for i in (1, 2)]


def test_a_sitemap_cut_between_entries_keeps_them_all_and_says_it_was_cut() -> None:
    whole = urlset(entries(BASE, ["ok-1", "ok-2"]))
    document = parse_sitemap(whole[:whole.rindex(b"</urlset>")])
    assert document.truncated and len(document.urls) == 2
    assert not parse_sitemap(whole + b"\n<!-- generated in 0.02 s -->\n").truncated


def test_a_sitemap_cut_before_its_first_entry_ends_is_unusable() -> None:
    whole = urlset(entries(BASE, ["ok-1"]))
    with pytest.raises(TruncatedSitemap):
        parse_sitemap(whole[:whole.index(b"</loc>")])


def test_a_sitemap_whose_entries_name_no_page_is_unreadable_not_empty() -> None:
    with pytest.raises(ValueError, match="none of its 2 entries names a page"):
        parse_sitemap(urlset("<url><link>https://harbour.example/a</link></url><url><lastmod>2026-11-19</lastmod></url>"))
    assert parse_sitemap(urlset("")).urls == []  # a sitemap with no entry at all is just an empty day


@pytest.mark.crawl
def test_a_crawl_uses_a_cut_sitemap_up_to_its_cut_and_flags_it(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        for i in range(1, 4):
            server.article("ok", DAY, str(i))
        whole = urlset(entries(server.base, ["ok-1", "ok-2", "ok-3"]))
        cut = whole[:whole.index(b"/news/2026/11/19/ok", whole.rindex(b"<url>")) + len(b"/news/2026/11/19/ok")]
        server.documents["/sitemap-news.xml"] = ("application/xml", cut, {"ETag": '"cut"'})
        write_source(crawl_env.sources, server, feeds=[], sitemaps=[server.url("/sitemap-news.xml")])
        run_id = crawl_env.crawl()
        fetched = server.paths("/news/")
    assert sorted(p for p, _ in page_captures(run_id)) == ["/news/2026/11/19/ok-1", "/news/2026/11/19/ok-2"]
    assert "/news/2026/11/19/ok" not in fetched and not ledger()
    assert run_row(run_id)["stats"]["news/sitemap_truncated"] == 1
    with transaction() as cur:
        cur.execute("select last_flag, etag from ops.feed_state")
        assert cur.fetchall() == [("truncated", None)]
