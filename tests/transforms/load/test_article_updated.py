"""A story updated at its URL after it was loaded (new text, a later dateModified, its listing
dating the change): one article in the marts with the latest text and its first publication time.
An update whose page no longer shows when the story was published keeps the stored date (and the
flags that go with it); an update that only changes the byline changes the authors. A real crawl
of the fault server, then the real extract-and-load into the local PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from common.warehouse import transaction
from tests.fixtures.crawl_support import CrawlEnv, crawl_env
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.harbour_story import BODY

pytestmark = pytest.mark.crawl

__all__ = ["crawl_env"]  # the fixture, imported for pytest

STORY = "/news/2026/11/19/breakwater-rebuilt"
PUBLISHED = datetime(2026, 11, 19, 8, 15, tzinfo=UTC)
EDITED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
UPDATE = "<p>Update: the council approved the money on Friday evening after a long debate.</p>"


def page(body: str, authors: list[str], published: datetime | None, modified: datetime | None) -> bytes:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Breakwater to be rebuilt",
            "author": [{"@type": "Person", "name": name} for name in authors]}
    if published:
        data["datePublished"] = published.isoformat()
    if modified:
        data["dateModified"] = modified.isoformat()
    return ("<!doctype html><html lang=en><head><meta charset=utf-8><title>Breakwater to be rebuilt</title>"
            f'<script type="application/ld+json">{json.dumps(data)}</script>'
            f"</head><body><article><h1>Breakwater to be rebuilt</h1>{body}</article></body></html>").encode()


def sitemap(url: str, modified: datetime) -> tuple[str, bytes, dict[str, str]]:
    return ("application/xml", ('<?xml version="1.0" encoding="UTF-8"?>'
                                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                f"<url><loc>{url}</loc><lastmod>{modified.isoformat()}</lastmod></url></urlset>"
                                ).encode(), {})


def load_then_update(crawl_env: CrawlEnv, updated_page: bytes, story: str = STORY
                     ) -> tuple[str, list[str], datetime, list[str], int]:
    """The story loaded on its day, then its update on the next: the article's current row."""
    with FaultServer() as server:
        url = server.url(story)
        server.documents["/listing.xml"] = sitemap(url, PUBLISHED)
        server.documents[story] = ("text/html; charset=utf-8", page(BODY, ["Ana Ruiz"], PUBLISHED, None), {})
        write_source(crawl_env.sources, server, feeds=[], sitemaps=[server.url("/listing.xml")])
        first = crawl_env.crawl(since="2026-11-19", until="2026-11-19")
        with transaction() as cur:  # the first capture as the day's run would have made it
            cur.execute("update raw.captures set fetched_at = %s where crawl_run_id = %s",
                        (datetime(2026, 11, 19, 13, 0, tzinfo=UTC), first))
        crawl_env.load(first)
        server.documents[story] = ("text/html; charset=utf-8", updated_page, {})
        server.documents["/listing.xml"] = sitemap(url, EDITED_AT)
        loaded = crawl_env.load(crawl_env.crawl(since="2026-11-20", until="2026-11-20"))
    assert (loaded.counts.new, loaded.counts.updated) == (0, 1)
    with transaction() as cur:
        cur.execute("select body, authors, published_at, flags, version from marts.articles")
        rows = cur.fetchall()
    assert len(rows) == 1
    return rows[0]


def test_an_update_keeps_the_publication_time_and_shows_the_latest_text(crawl_env: CrawlEnv) -> None:
    body, authors, published, flags, version = load_then_update(
        crawl_env, page(BODY + UPDATE, ["Ana Ruiz"], PUBLISHED, EDITED_AT))
    assert "Update: the council" in body and version == 2
    assert (published, authors) == (PUBLISHED, ["Ana Ruiz"])


# Without the page's date, the URL's day is all the update says (a day-only date), or nothing.
@pytest.mark.parametrize("story", [STORY, "/news/breakwater-rebuilt"], ids=["url_day", "no_date"])
def test_an_update_without_a_publication_date_keeps_the_stored_one(crawl_env: CrawlEnv, story: str) -> None:
    body, _, published, flags, version = load_then_update(
        crawl_env, page(BODY + UPDATE, ["Ana Ruiz"], None, None), story)
    assert "Update: the council" in body and version == 2
    assert published == PUBLISHED
    assert not {"published_at_missing", "published_at_day_only"} & set(flags)


def test_an_update_of_the_byline_only_changes_the_authors(crawl_env: CrawlEnv) -> None:
    _, authors, published, _, version = load_then_update(
        crawl_env, page(BODY, ["Ana Ruiz", "Tom Berg"], PUBLISHED, EDITED_AT))
    assert (authors, published, version) == (["Ana Ruiz", "Tom Berg"], PUBLISHED, 2)
    with transaction() as cur:
        cur.execute("select version, changed_fields from marts.article_versions order by version")
        assert cur.fetchall() == [(1, []), (2, ["authors"])]
