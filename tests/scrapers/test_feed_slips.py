"""Feeds that are not well-formed XML but that browsers and feedparser read, as real CMSs serve
them: a UTF-8 byte-order mark, blank lines before ``<?xml``, an unescaped ``&`` in a title or a
link, an HTML entity XML does not know (``&nbsp;``), and any of these in a feed cut short.

The items of the readable part are found; a cut feed is still seen as cut (its half item is not
followed, the fetch is flagged); a feed whose items name no page is a failed discovery, not a
day without news."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scrapers.discovery import TruncatedFeed, UnreadableFeed, read_feed
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, ledger, page_captures, run_row
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.listings import rss20, rss_item

__all__ = ["crawl_env"]  # the fixture, imported for pytest

BASE = "https://harbour.example"
XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>'


def story(i: int, title: str = "Ferry timetable changes", query: str = "") -> str:
    return rss_item(title, f"{BASE}/news/2026/11/19/ok-{i}{query}", DAY + timedelta(minutes=i))


SLIPS = {
    "byte-order mark": ("\ufeff" + XML_DECL, story(1)),
    "blank lines before <?xml": ("\n\n  " + XML_DECL, story(1)),
    "bom and blank lines": ("\ufeff\r\n" + XML_DECL, story(1)),
    "& in a title": (XML_DECL, story(1, "Fish & chips shop reopens")),
    "& in a link": (XML_DECL, story(1, query="?ref=rss&utm_medium=feed")),
    "&nbsp; in a title": (XML_DECL, story(1, "Harbour&nbsp;master retires")),
    "&eacute; in a title": (XML_DECL, story(1, "Caf&eacute; on the quay")),
    "< in a title": (XML_DECL, story(1, "Tide < 2 m at noon")),
    "a control character": (XML_DECL, story(1, "Pier\x0c closed")),
    "mismatched tags": (XML_DECL, story(1, "<b>Ferry</i> late")),
}


def urls(body: bytes) -> list[str]:
    return [item.url.split("?")[0] for item in read_feed(body).items]


@pytest.mark.parametrize("slip", sorted(SLIPS))
def test_a_slip_browsers_forgive_loses_no_item(slip: str) -> None:
    prolog, first = SLIPS[slip]
    body = rss20(BASE, first + story(2) + story(3), prolog=prolog)
    document = read_feed(body)
    assert [i.url.split("?")[0] for i in document.items] == [f"{BASE}/news/2026/11/19/ok-{i}" for i in (1, 2, 3)]
    assert not document.truncated


@pytest.mark.parametrize("slip", sorted(SLIPS))
def test_a_feed_with_a_slip_and_a_cut_final_item_keeps_its_complete_items_and_says_it_was_cut(slip: str) -> None:
    prolog, first = SLIPS[slip]
    whole = rss20(BASE, first + story(2) + story(3), prolog=prolog)
    # Cut in the last item's date: read leniently, that item would come undated (in any window).
    cut = whole[:whole.index(b"<pubDate>", whole.rindex(b"<item>")) + len(b"<pubDate>Thu, 1")]
    document = read_feed(cut)
    assert document.truncated
    assert [i.url.split("?")[0] for i in document.items] == [f"{BASE}/news/2026/11/19/ok-{i}" for i in (1, 2)]


def test_a_feed_with_a_slip_cut_before_its_first_item_ends_is_unusable() -> None:
    whole = rss20(BASE, story(1, "Fish & chips") + story(2))
    with pytest.raises(TruncatedFeed):
        read_feed(whole[:whole.index(b"</item>")])


def test_a_feed_whose_items_name_no_page_is_unreadable_not_empty() -> None:
    items = "".join(f"<item><title>Story {i} &amp; more</title><description>Text</description>"
                    f'<guid isPermaLink="false">{i}-abc</guid><pubDate>Thu, 19 Nov 2026 10:00:00 GMT</pubDate></item>'
                    for i in range(3))
    with pytest.raises(UnreadableFeed, match="none of its 3 items"):
        read_feed(rss20(BASE, items))
    assert read_feed(rss20(BASE, "")).items == []  # a feed with no items at all is just an empty day


@pytest.mark.crawl
def test_a_crawl_reads_a_sloppy_cut_feed_up_to_its_cut_and_flags_it(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        for i in range(3):
            server.article("ok", DAY + timedelta(minutes=i), str(i))
        items = "".join(rss_item(title, server.url(f"/news/2026/11/19/ok-{i}") + "?utm_source=rss&utm_medium=feed",
                                 DAY + timedelta(minutes=i))
                        for i, title in enumerate(["Fish & chips", "Harbour&nbsp;master", "Late news"]))
        whole = rss20(server.base, items, prolog="\ufeff\n" + XML_DECL)
        cut = whole[:whole.index(b"<pubDate>", whole.rindex(b"<item>")) + 12]
        server.documents["/feed.xml"] = ("application/rss+xml", cut, {"ETag": '"cut"'})
        write_source(crawl_env.sources, server)
        run_id = crawl_env.crawl()
        fetched = server.paths("/news/")
    run = run_row(run_id)
    assert sorted(p for p, _ in page_captures(run_id)) == ["/news/2026/11/19/ok-0", "/news/2026/11/19/ok-1"]
    assert "/news/2026/11/19/ok-2" not in [p.split("?")[0] for p in fetched]
    assert run["stats"]["news/feed_truncated"] == 1 and run["stats"]["news/feed_items"] == 2


@pytest.mark.crawl
def test_a_crawl_reports_a_feed_whose_items_name_no_page_as_failed_discovery(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("ok", DAY, "1")
        items = "".join(f"<item><title>Story {i}</title><link></link><guid isPermaLink=\"false\">{server.base}/?p={i}"
                        f"</guid><pubDate>Thu, 19 Nov 2026 10:00:00 GMT</pubDate></item>" for i in range(3))
        server.documents["/feed.xml"] = ("application/rss+xml", rss20(server.base, items), {})
        write_source(crawl_env.sources, server, dated=[server.url("/sitemap.xml?yyyy={yyyy}&mm={mm}&dd={dd}")])
        run_id = crawl_env.crawl()
    run = run_row(run_id)
    assert run["stats"]["news/discovery_failed/unparseable"] == 1
    assert (ledger()["/feed.xml"]["kind"], ledger()["/feed.xml"]["reason"]) == ("feed", "unparseable")
    assert page_captures(run_id) == [("/news/2026/11/19/ok-1", 200)]  # from the sitemap beside it
