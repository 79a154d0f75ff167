"""Which URL of a feed item is the article, in the shapes real feeds give it: an Atom entry's
``rel="alternate"`` among its self, enclosure and replies links, with a ``tag:`` URI as its id; an
RSS 1.0 (RDF) item, whose ``rdf:about`` is its URL; an RSS 2.0 item whose ``<link>`` is empty and
whose ``<guid isPermaLink="true">`` holds the URL. Never the feed's own URL, an entry's API
document or an enclosure's MP3."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scrapers.discovery import UnreadableFeed, read_feed
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, page_captures, run_row
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.listings import atom, rdf, rss20

__all__ = ["crawl_env"]  # the fixture, imported for pytest

BASE = "https://harbour.example"


def article(i: int, base: str = BASE) -> str:
    return f"{base}/news/2026/11/19/ok-{i}"


def atom_entries(base: str) -> str:
    return (
        # The alternate last, after the entry's own API document, its podcast and its comments.
        f'<entry><title>Quay reopens</title><id>tag:harbour.example,2026-11-19:/news/1</id>'
        f'<link rel="self" type="application/atom+xml" href="{base}/api/entries/1.atom"/>'
        f'<link rel="enclosure" type="audio/mpeg" length="48213" href="{base}/audio/quay.mp3"/>'
        f'<link rel="replies" type="text/html" href="{base}/comments/1" thr:count="4"/>'
        f'<link rel="alternate" type="text/html" href="{article(1, base)}"/>'
        f"<published>2026-11-19T11:00:00+01:00</published><updated>2026-11-19T13:30:00+01:00</updated></entry>"
        # A link without rel is the alternate (RFC 4287 4.2.7.2); the enclosure before it.
        f'<entry><title>Ferry strike</title><id>tag:harbour.example,2026-11-19:/news/2</id>'
        f'<link rel="enclosure" type="audio/mpeg" length="1" href="{base}/audio/strike.mp3"/>'
        f'<link href="{article(2, base)}"/><updated>2026-11-19T12:00:00Z</updated></entry>'
        # A podcast-only entry: no page to read, never its MP3 or its API document.
        f'<entry><title>Harbour podcast</title><id>tag:harbour.example,2026-11-19:/podcast/9</id>'
        f'<link rel="enclosure" type="audio/mpeg" length="1" href="{base}/audio/pod.mp3"/>'
        f'<link rel="self" href="{base}/api/entries/9.atom"/><updated>2026-11-19T12:00:00Z</updated></entry>'
    )


def rdf_items(base: str) -> list[tuple[str, str]]:
    return [(article(3, base), f"<title>Lighthouse</title><link>{article(3, base)}</link>"
                               "<dc:date>2026-11-19T10:00:00+01:00</dc:date>"),
            # No <link> (required by RSS 1.0, left out by some CMSs): rdf:about is the URL.
            (article(4, base), "<title>Regatta</title><dc:date>2026-11-19T10:30:00Z</dc:date>")]


def rss_items(base: str) -> str:
    date = "<pubDate>Thu, 19 Nov 2026 10:00:00 GMT</pubDate>"
    return (
        f'<item><title>Dredging</title><link></link><guid isPermaLink="true">{article(5, base)}</guid>{date}</item>'
        f"<item><title>Fish market</title><link/><guid>{article(6, base)}</guid>{date}</item>"
        # A guid marked as no permalink is a name, even when it looks like a URL.
        f'<item><title>Tides</title><link></link><guid isPermaLink="false">{base}/?p=7</guid>{date}</item>'
        f'<item><title>Radio</title><enclosure url="{base}/audio/radio.mp3" type="audio/mpeg" length="1"/>'
        f'<link>{article(8, base)}</link><guid isPermaLink="false">radio-8</guid>{date}</item>'
    )


def test_an_atom_entry_is_its_alternate_link_never_self_enclosure_or_tag_id() -> None:
    document = read_feed(atom(BASE, atom_entries(BASE)))
    items = document.items
    assert [i.url for i in items] == [article(1), article(2)]
    assert document.without_url == 1  # the podcast entry: no page, counted
    assert items[0].published is not None and items[0].published.hour == 10  # +01:00 read as such


def test_an_atom_feed_of_entries_without_pages_is_unreadable_not_empty() -> None:
    entries = "".join(f'<entry><title>Episode {i}</title><id>tag:harbour.example,2026:/podcast/{i}</id>'
                      f'<link rel="enclosure" type="audio/mpeg" length="1" href="{BASE}/audio/{i}.mp3"/>'
                      "<updated>2026-11-19T12:00:00Z</updated></entry>" for i in range(3))
    with pytest.raises(UnreadableFeed):
        read_feed(atom(BASE, entries))


def test_an_rdf_item_is_its_link_or_else_its_rdf_about() -> None:
    assert [i.url for i in read_feed(rdf(BASE, rdf_items(BASE))).items] == [article(3), article(4)]


def test_an_rss_item_with_an_empty_link_is_its_permalink_guid_and_only_that() -> None:
    document = read_feed(rss20(BASE, rss_items(BASE)))
    assert [i.url for i in document.items] == [article(5), article(6), article(8)]
    assert document.without_url == 1  # the item whose guid is no permalink, counted


def test_a_permalink_guid_may_be_a_path_on_the_feeds_host_but_a_bare_name_is_no_page() -> None:
    date = "<pubDate>Thu, 19 Nov 2026 10:00:00 GMT</pubDate>"
    items = (f"<item><title>Pier</title><guid>/news/2026/11/19/ok-9</guid>{date}</item>"  # resolved by the spider
             f"<item><title>Buoy</title><link></link><guid>//harbour.example/news/2026/11/19/ok-10</guid>{date}</item>"
             f"<item><title>Crane</title><guid>12345</guid>{date}</item>"
             f"<item><title>Tug</title><guid>urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66</guid>{date}</item>")
    document = read_feed(rss20(BASE, items))
    assert [i.url for i in document.items] == ["/news/2026/11/19/ok-9", "//harbour.example/news/2026/11/19/ok-10"]
    assert document.without_url == 2


@pytest.mark.crawl
def test_a_crawl_fetches_each_items_article_and_nothing_else_it_links(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        for i in range(1, 9):
            server.article("ok", DAY + timedelta(minutes=i), str(i))
        server.documents["/feed.atom"] = ("application/atom+xml", atom(server.base, atom_entries(server.base)), {})
        server.documents["/feed.rdf"] = ("application/rdf+xml", rdf(server.base, rdf_items(server.base)), {})
        server.documents["/feed.xml"] = ("application/rss+xml", rss20(server.base, rss_items(server.base)), {})
        write_source(crawl_env.sources, server,
                     feeds=[server.url(p) for p in ("/feed.atom", "/feed.rdf", "/feed.xml")])
        run_id = crawl_env.crawl()
        fetched = set(server.paths())
    assert sorted(p for p, _ in page_captures(run_id)) == [f"/news/2026/11/19/ok-{i}" for i in (1, 2, 3, 4, 5, 6, 8)]
    assert not [p for p in fetched if p.startswith(("/audio/", "/api/", "/comments/", "/?p="))]
    stats = run_row(run_id)["stats"]
    assert stats["news/listed_without_url"] == 2 and stats["news/discovery_ok"] == 3
