"""An article republished at its URL with changed content on a later day (a correction, an update),
its listing saying so (a sitemap's lastmod, a feed entry's updated date): the later day's run
fetches it again although the URL was loaded before, the warehouse gets the new version as the
current text and keeps the old one in the history. A real crawl of the fault server, then the
real extract-and-load into the local PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from common.warehouse import transaction
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, run_row
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.harbour_story import BODY

pytestmark = pytest.mark.crawl

__all__ = ["crawl_env"]  # the fixture, imported for pytest

STORY = "/news/2026/11/19/breakwater-rebuilt"
CORRECTION = "<p>Correction: an earlier version of this story gave the wrong year for the storm.</p>"
EDITED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

Document = tuple[str, bytes, dict[str, str]]


def page(body: str) -> bytes:
    return ("<!doctype html><html lang=en><head><meta charset=utf-8><title>Breakwater to be rebuilt</title>"
            f"</head><body><article><h1>Breakwater to be rebuilt</h1>{body}</article></body></html>").encode()


def news_sitemap(url: str, modified: datetime | None) -> Document:
    lastmod = f"<lastmod>{modified.isoformat()}</lastmod>" if modified else ""
    return ("application/xml", (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"<url><loc>{url}</loc>{lastmod}<news:news><news:publication>"
        "<news:name>Fault site</news:name><news:language>en</news:language></news:publication>"
        f"<news:publication_date>{DAY.isoformat()}</news:publication_date></news:news></url></urlset>").encode(), {})


def atom_feed(url: str, modified: datetime | None) -> Document:
    updated = (modified or DAY).isoformat()
    return ("application/atom+xml", (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Fault site</title><id>urn:fault</id><updated>{updated}</updated>"
        f'<entry><title>Breakwater to be rebuilt</title><id>urn:story</id><link href="{url}"/>'
        f"<published>{DAY.isoformat()}</published><updated>{updated}</updated></entry></feed>").encode(), {})


@pytest.mark.parametrize("listing", [news_sitemap, atom_feed], ids=["sitemap_lastmod", "feed_updated"])
def test_a_corrected_article_is_fetched_again_and_loaded_as_a_new_version(
        crawl_env: CrawlEnv, listing: Callable[[str, datetime | None], Document]) -> None:
    with FaultServer() as server:
        url = server.url(STORY)
        server.documents["/listing.xml"] = listing(url, None)
        server.documents[STORY] = ("text/html; charset=utf-8", page(BODY), {})
        if listing is news_sitemap:
            write_source(crawl_env.sources, server, feeds=[], sitemaps=[server.url("/listing.xml")])
        else:
            write_source(crawl_env.sources, server, feeds=[server.url("/listing.xml")])
        first = crawl_env.crawl(since="2026-11-19", until="2026-11-19")
        with transaction() as cur:  # the first capture as the day's run would have made it
            cur.execute("update raw.captures set fetched_at = %s where crawl_run_id = %s",
                        (datetime(2026, 11, 19, 13, 0, tzinfo=UTC), first))
        crawl_env.load(first)
        # Next morning the story is corrected, and the listing dates the change.
        server.documents[STORY] = ("text/html; charset=utf-8", page(BODY + CORRECTION), {})
        server.documents["/listing.xml"] = listing(url, EDITED_AT)
        second = crawl_env.crawl(since="2026-11-20", until="2026-11-20")
        loaded = crawl_env.load(second)
        # Fetched again after the change: nothing new to fetch, on this window or the next.
        again = crawl_env.crawl(since="2026-11-20", until="2026-11-20")
        next_day = crawl_env.crawl(since="2026-11-21", until="2026-11-21")
        fetches = server.paths(STORY)
    assert run_row(second)["pages_captured"] == 1 and run_row(second)["stats"]["news/refetched_changed"] == 1
    assert (loaded.counts.new, loaded.counts.updated) == (0, 1)
    assert run_row(again)["pages_captured"] == 0 and run_row(again)["skipped_seen"] == 1
    assert run_row(next_day)["pages_captured"] == 0
    assert len(fetches) == 2
    with transaction() as cur:
        cur.execute("select body, version from core.articles where url = %s", (url,))
        body, version = cur.fetchone()
        cur.execute("""select v.version, v.body like '%%Correction:%%' from core.article_versions v
                       join core.articles a using (article_id) where a.url = %s order by v.version""", (url,))
        history = cur.fetchall()
    assert "Correction:" in body and version == 2
    assert history == [(1, False), (2, True)]


def test_an_edit_listed_after_the_window_is_followed_through_a_304(crawl_env: CrawlEnv) -> None:
    """The listing already dated the edit after the first run's window when that run read it; the
    next day it answers 304 to the stored validators, and the edit is still fetched."""
    with FaultServer() as server:
        url = server.url(STORY)
        content_type, body, _ = news_sitemap(url, EDITED_AT)
        server.documents["/listing.xml"] = (content_type, body, {"ETag": '"listing-v1"'})
        server.documents[STORY] = ("text/html; charset=utf-8", page(BODY), {})
        write_source(crawl_env.sources, server, feeds=[], sitemaps=[server.url("/listing.xml")])
        first = crawl_env.crawl(since="2026-11-19", until="2026-11-19")
        with transaction() as cur:  # captured before the edit
            cur.execute("update raw.captures set fetched_at = %s where crawl_run_id = %s",
                        (datetime(2026, 11, 19, 13, 0, tzinfo=UTC), first))
        crawl_env.load(first)
        server.documents[STORY] = ("text/html; charset=utf-8", page(BODY + CORRECTION), {})
        second = crawl_env.crawl(since="2026-11-20", until="2026-11-20")
        loaded = crawl_env.load(second)
    stats = run_row(second)["stats"]
    assert stats["news/discovery_not_modified"] == 1 and stats["news/refetched_changed"] == 1
    assert (loaded.counts.new, loaded.counts.updated) == (0, 1)
