"""One article listed under two forms of its URL (without and with a trailing slash), the site
answering the first with a 301 to the second, and the page naming no canonical and no og:url:
one article, keyed on the URL the redirect ends at. A later listing of the redirecting form
that dates a change (a correction) fetches it again, as for a URL loaded as listed; one that
does not is skipped as seen. A real crawl of the fault server, then the real extract-and-load."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from common.warehouse import transaction
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, run_row
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.harbour_story import BODY

pytestmark = pytest.mark.crawl

__all__ = ["crawl_env"]  # the fixture, imported for pytest

LISTED = "/news/2026/11/19/breakwater-rebuilt"
SERVED = LISTED + "/"
CORRECTION = "<p>Correction: an earlier version of this story gave the wrong year for the storm.</p>"
EDITED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def page(body: str) -> tuple[str, bytes, dict[str, str]]:
    return ("text/html; charset=utf-8", (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Breakwater to be rebuilt</title>"
        f"</head><body><article><h1>Breakwater to be rebuilt</h1>{body}</article></body></html>").encode(), {})


def sitemap(urls: list[str], modified: datetime) -> tuple[str, bytes, dict[str, str]]:
    """A news sitemap: each story's publication date (its day) and its last change."""
    entries = "".join(f"<url><loc>{url}</loc><lastmod>{modified.isoformat()}</lastmod><news:news><news:publication>"
                      "<news:name>Fault site</news:name><news:language>en</news:language></news:publication>"
                      f"<news:publication_date>{DAY.isoformat()}</news:publication_date></news:news></url>"
                      for url in urls)
    return ("application/xml", ('<?xml version="1.0" encoding="UTF-8"?><urlset '
                                'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                                f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{entries}</urlset>'
                                ).encode(), {})


def test_two_forms_one_redirecting_to_the_other_are_one_article(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        listed, served = server.url(LISTED), server.url(SERVED)
        server.moved[LISTED] = served
        server.documents[SERVED] = page(BODY)
        server.documents["/sitemap-news.xml"] = sitemap([listed, served], DAY)
        write_source(crawl_env.sources, server, feeds=[], sitemaps=[server.url("/sitemap-news.xml")])
        first = crawl_env.crawl(since="2026-11-19", until="2026-11-19")
        with transaction() as cur:  # captured as the day's run would have, before the correction
            cur.execute("update raw.captures set fetched_at = %s where crawl_run_id = %s",
                        (datetime(2026, 11, 19, 13, 0, tzinfo=UTC), first))
        loaded = crawl_env.load(first)
        again = crawl_env.crawl(since="2026-11-19", until="2026-11-19")  # the same window again: both seen
        # Next morning a correction, the sitemap listing the redirecting form with its date.
        server.documents[SERVED] = page(BODY + CORRECTION)
        server.documents["/sitemap-news.xml"] = sitemap([listed], EDITED_AT)
        second = crawl_env.crawl(since="2026-11-20", until="2026-11-20")
        corrected = crawl_env.load(second)
    assert loaded.counts.new == 1
    assert run_row(again)["pages_captured"] == 0 and run_row(again)["skipped_seen"] == 2
    assert run_row(second)["stats"].get("news/refetched_changed") == 1
    assert (corrected.counts.new, corrected.counts.updated) == (0, 1)
    with transaction() as cur:
        cur.execute("select url, version, body like '%%Correction:%%' from core.articles")
        assert cur.fetchall() == [(served, 2, True)]
