"""One article under several URL forms in the listings (a raw non-ASCII path and its
percent-encoding, tracking parameters, a fragment) is fetched once and stored as one article;
articles told apart only by a meaningful query (?id=58354, ?id=58355) stay apart. A real crawl of
the fault server, then the real extract-and-load."""

from __future__ import annotations

from email.utils import format_datetime

import pytest

from common.warehouse import transaction
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, page_captures
from tests.fixtures.fault_server import FaultServer, write_source

__all__ = ["crawl_env"]  # the fixture, imported for pytest

pytestmark = pytest.mark.crawl

CAFE = "/news/2026/11/19/caf%C3%A9-reopens"
STORY = "/news/2026/11/19/harbour-story"
ITEM = "/news/2026/11/19/item"


def page(title: str, topic: str) -> bytes:
    paragraphs = "".join(f"<p>The council said on Thursday that the {topic} would be discussed again at its "
                         f"meeting number {n}, after members asked for more time to read the plans.</p>" for n in range(8))
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title></head>"
            f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>").encode()


def feed(base: str, links: list[str]) -> bytes:
    when = format_datetime(DAY, usegmt=True)
    items = "".join(f"<item><title>{n}</title><link>{base}{link}</link><pubDate>{when}</pubDate></item>"
                    for n, link in enumerate(links))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
            f"<link>{base}/</link><description>d</description>{items}</channel></rss>").encode()


def test_one_article_under_several_url_forms_is_one_row_and_query_ids_stay_apart(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.documents[CAFE] = ("text/html; charset=utf-8", page("Café reopens", "café"), {})
        server.documents[STORY] = ("text/html; charset=utf-8", page("Harbour story", "harbour wall"), {})
        server.documents[ITEM + "?id=58354"] = ("text/html; charset=utf-8", page("Bridge vote", "bridge"), {})
        server.documents[ITEM + "?id=58355"] = ("text/html; charset=utf-8", page("School roof", "school roof"), {})
        links = ["/news/2026/11/19/café-reopens", CAFE,  # an IRI and its percent-encoding
                 STORY + "?utm_source=rss&amp;utm_medium=feed", STORY + "#comments",
                 STORY + "?fbclid=IwAR0x&amp;gclid=Cj0K", STORY,
                 ITEM + "?id=58354", ITEM + "?id=58355", ITEM + "?id=58354&amp;utm_campaign=daily"]
        server.documents["/feed.xml"] = ("application/rss+xml", feed(server.base, links), {})
        write_source(crawl_env.sources, server)
        run_id = crawl_env.crawl()
        result = crawl_env.load(run_id)
        fetched = [hit.path for hit in server.hits("/news/")]
        base = server.base
    assert sorted(fetched) == sorted([CAFE, STORY, ITEM + "?id=58354", ITEM + "?id=58355"])  # each once
    assert len(page_captures(run_id)) == 4
    with transaction() as cur:
        cur.execute("select url, title from core.articles order by url")
        rows = cur.fetchall()
    assert rows == [(base + CAFE, "Café reopens"), (base + STORY, "Harbour story"),
                    (base + ITEM + "?id=58354", "Bridge vote"), (base + ITEM + "?id=58355", "School roof")]
    assert result.counts.new == 4
