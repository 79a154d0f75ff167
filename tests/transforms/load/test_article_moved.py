"""An article the site moves to a new URL after it was loaded: the story's slug follows an edited
headline, the old URL answers 301 to the new one, the listings give the new URL (a sitemap still
the old one, with the change's date) and the page names the new URL as canonical. Analysts must
see one article, under its new URL, with the new text as its next version, the old URL recorded
and the publication date kept. A real crawl of the fault server, then the real extract-and-load
into the local PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from common.warehouse import transaction
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, run_row
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.harbour_story import BODY, SENTENCES

pytestmark = pytest.mark.crawl

__all__ = ["crawl_env"]  # the fixture, imported for pytest

OLD = "/news/2026/11/19/breakwater-to-be-rebuilt"
NEW = "/news/2026/11/19/breakwater-rebuilt-before-winter-storms"
OTHER = "/news/2026/11/19/promenade-stays-open"
EDITED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

Document = tuple[str, bytes, dict[str, str]]


def page(title: str, canonical: str, body: str = BODY) -> Document:
    return ("text/html; charset=utf-8", (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
        f'<link rel="canonical" href="{canonical}">'
        f'<meta property="article:published_time" content="{DAY.isoformat()}">'
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>").encode(), {})


def feed(url: str, updated: datetime) -> Document:
    return ("application/atom+xml", (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Fault site</title><id>urn:fault</id><updated>{updated.isoformat()}</updated>"
        f'<entry><title>Breakwater</title><id>urn:story</id><link href="{url}"/>'
        f"<published>{DAY.isoformat()}</published><updated>{updated.isoformat()}</updated></entry></feed>").encode(), {})


def sitemap(*urls: str, modified: datetime = EDITED_AT) -> Document:
    entries = "".join(f"<url><loc>{url}</loc><lastmod>{modified.isoformat()}</lastmod></url>" for url in urls)
    return ("application/xml", ('<?xml version="1.0" encoding="UTF-8"?>'
                                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
                                ).encode(), {})


def first_day(server: FaultServer, crawl_env: CrawlEnv) -> None:
    server.documents[OLD] = page("Breakwater to be rebuilt", server.url(OLD))
    server.documents["/feed.atom"] = feed(server.url(OLD), DAY)
    server.documents["/sitemap-news.xml"] = sitemap(server.url(OLD), modified=DAY)
    write_source(crawl_env.sources, server, feeds=[server.url("/feed.atom")],
                 sitemaps=[server.url("/sitemap-news.xml")])
    run = crawl_env.crawl(since="2026-11-19", until="2026-11-19")
    with transaction() as cur:  # captured as the day's run would have, before the change
        cur.execute("update raw.captures set fetched_at = %s where crawl_run_id = %s",
                    (datetime(2026, 11, 19, 13, 0, tzinfo=UTC), run))
    crawl_env.load(run)


def articles() -> list[tuple[str, list[str], str, int, datetime]]:
    with transaction() as cur:
        cur.execute("select url, former_urls, title, version, published_at from core.articles order by url")
        return cur.fetchall()


def test_an_article_moved_to_a_new_url_stays_one_article(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        old, new = server.url(OLD), server.url(NEW)
        first_day(server, crawl_env)
        with transaction() as cur:
            cur.execute("select article_id from core.articles")
            (article_id,) = cur.fetchone()
        # Next morning the headline is edited and the slug follows it.
        del server.documents[OLD]
        server.moved[OLD] = new
        server.documents[NEW] = page("Breakwater rebuilt before winter storms", new)
        server.documents["/feed.atom"] = feed(new, EDITED_AT)
        server.documents["/sitemap-news.xml"] = sitemap(old)
        second = crawl_env.crawl(since="2026-11-20", until="2026-11-20")
        loaded = crawl_env.load(second)
        # The listings give the new URL from now on: seen, nothing fetched.
        server.documents["/sitemap-news.xml"] = sitemap(new)
        next_day = crawl_env.crawl(since="2026-11-21", until="2026-11-21")
        crawl_env.load(next_day)
    assert run_row(second)["pages_captured"] == 1
    assert (loaded.counts.new, loaded.counts.updated, loaded.moved) == (0, 1, 1)
    assert "1 moved to a new URL" in loaded.summary()
    assert run_row(next_day)["pages_captured"] == 0
    assert articles() == [(new, [old], "Breakwater rebuilt before winter storms", 2, DAY)]
    with transaction() as cur:
        cur.execute("select article_id, url, former_urls, copies from marts.articles")
        assert cur.fetchall() == [(article_id, new, [old], 0)]
        cur.execute("select version, title from marts.article_versions order by version")
        assert cur.fetchall() == [(1, "Breakwater to be rebuilt"), (2, "Breakwater rebuilt before winter storms")]


def test_a_redirect_to_another_story_moves_nothing(crawl_env: CrawlEnv) -> None:
    """The old URL redirects to a different text (a story folded into a newer one, a section
    page): both stay, each under its own URL."""
    with FaultServer() as server:
        old, other = server.url(OLD), server.url(OTHER)
        first_day(server, crawl_env)
        del server.documents[OLD]
        server.moved[OLD] = other
        server.documents[OTHER] = page("Promenade stays open", other,
                                       "".join(f"<p>{s} The promenade stays open all winter.</p>" for s in SENTENCES[4:]))
        server.documents["/sitemap-news.xml"] = sitemap(old)
        second = crawl_env.crawl(since="2026-11-20", until="2026-11-20")
        loaded = crawl_env.load(second)
    assert loaded.moved == 0
    assert [(url, former) for url, former, *_ in articles()] == [(old, []), (other, [])]
