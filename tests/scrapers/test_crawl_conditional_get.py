"""Conditional GET on successive daily runs: the feed's validators are sent by the next day's run,
a 304 saves the download without hiding an article the unchanged feed listed for a later day,
and the saved downloads are counted (crawl stats, ops.feed_state, marts.crawl_runs, the summary).
Real crawls against a local HTTP server on 127.0.0.1 that answers 304 to matching validators."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from common.warehouse import transaction
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, run_row
from tests.fixtures.fault_server import FaultServer, write_source

pytestmark = pytest.mark.crawl

__all__ = ["crawl_env"]

# Published after the 19 Nov window closed but listed by the feed the 19 Nov run read: the 20 Nov
# run must capture it even though the feed answers 304 then.
AFTER_WINDOW = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)


def feeds_not_modified(run_id: str) -> int:
    with transaction() as cur:
        cur.execute("select feeds_not_modified from marts.crawl_runs where crawl_run_id = %s", (run_id,))
        return int(cur.fetchone()[0])


def test_successive_daily_runs_send_validators_and_a_304_hides_nothing(
    crawl_env: CrawlEnv, caplog: pytest.LogCaptureFixture
) -> None:
    with FaultServer() as server:
        server.article("ok", DAY, "d1")
        late = server.article("ok", AFTER_WINDOW, "late")
        write_source(crawl_env.sources, server)
        runs = []
        for day in ("2026-11-19", "2026-11-20", "2026-11-21"):
            runs.append(crawl_env.crawl(since=day, until=day))
            crawl_env.load(runs[-1])
        # The site publishes again; its feed changes, and so does its ETag.
        fresh = server.article("ok", datetime(2026, 11, 22, 9, 0, tzinfo=UTC), "d4")
        server.feed_etag = '"feed-v2"'
        runs.append(crawl_env.crawl(since="2026-11-22", until="2026-11-22"))
        crawl_env.load(runs[-1])
        feed_hits = server.hits("/feed.xml")
        pages = Counter(server.paths("/news/"))
    assert [h.headers.get("if-none-match") for h in feed_hits] == [None, '"feed-v1"', '"feed-v1"', '"feed-v1"']
    assert [feeds_not_modified(run) for run in runs] == [0, 1, 1, 0]
    assert [run_row(run)["pages_captured"] for run in runs] == [1, 1, 0, 1]
    # The article the unchanged feed listed for the 20th was fetched on the 20th, once.
    assert pages == {"/news/2026/11/19/ok-d1": 1, late.removeprefix(server.base): 1, fresh.removeprefix(server.base): 1}
    assert run_row(runs[1])["stats"]["news/not_modified_pending"] == 1
    with transaction() as cur:
        cur.execute("select etag, not_modified_count, validators_pending from ops.feed_state where url like %s",
                    ("%/feed.xml",))
        etag, saved, pending = cur.fetchone()
    assert (etag, saved) == ('"feed-v2"', 2)
    assert pending == []  # nothing of the 22nd's feed is dated after the 22nd
    # The crawl's summary line (the child's stdout, logged by the parent) says what 304s saved.
    summaries = [r.getMessage() for r in caplog.records if "feed/sitemap download(s) saved by 304" in r.getMessage()]
    assert [s.split("requests, ", 1)[1].split(";")[0] for s in summaries] == [
        f"{n} feed/sitemap download(s) saved by 304" for n in (0, 1, 1, 0)]


def test_an_earlier_window_never_sends_the_validators_of_a_later_one(crawl_env: CrawlEnv) -> None:
    """A backfill of the day before: the feed's items of that day were skipped as too old by the
    run that stored the validators, so a 304 would hide them."""
    with FaultServer() as server:
        server.article("ok", DAY, "1")
        server.article("ok", datetime(2026, 11, 18, 10, 0, tzinfo=UTC), "older")
        write_source(crawl_env.sources, server)
        crawl_env.load(crawl_env.crawl(since="2026-11-19", until="2026-11-19"))
        backfill = crawl_env.crawl(since="2026-11-18", until="2026-11-18")
        feed_hits = server.hits("/feed.xml")
    assert [h.headers.get("if-none-match") for h in feed_hits] == [None, None]
    assert run_row(backfill)["pages_captured"] == 1


def test_a_source_with_unloaded_runs_or_a_revisit_window_gets_no_validators(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("ok", DAY, "1")
        write_source(crawl_env.sources, server)
        crawl_env.crawl(since="2026-11-19", until="2026-11-19")  # captured, never loaded
        crawl_env.crawl(since="2026-11-20", until="2026-11-20")
        write_source(crawl_env.sources, server, revisit_hours=24)
        crawl_env.load(crawl_env.crawl(since="2026-11-21", until="2026-11-21"))  # loads the earlier runs too
        crawl_env.crawl(since="2026-11-22", until="2026-11-22")
        feed_hits = server.hits("/feed.xml")
    assert [h.headers.get("if-none-match") for h in feed_hits] == [None, None, None, None]


def test_a_304_sitemap_index_still_asks_its_children_and_hides_nothing(crawl_env: CrawlEnv) -> None:
    """An index unchanged since yesterday (its children keep their names, a monthly child grows):
    the index costs nothing, its child is asked again and brings today's article."""
    with FaultServer() as server:
        server.article("ok", DAY, "d1")

        def month_sitemap() -> bytes:
            urls = "".join(f"<url><loc>{server.url(path)}</loc><lastmod>{when.isoformat()}</lastmod></url>"
                           for path, when in sorted(server.articles.items()))
            return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                    f'sitemap/0.9">{urls}</urlset>').encode()

        index = ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                 f'sitemap/0.9"><sitemap><loc>{server.url("/sitemap-2026-11.xml")}</loc></sitemap></sitemapindex>')
        server.documents["/sitemap-index.xml"] = ("application/xml", index.encode(), {"ETag": '"index-v1"'})
        server.documents["/sitemap-2026-11.xml"] = ("application/xml", month_sitemap(), {})
        write_source(crawl_env.sources, server, feeds=[], sitemaps=[server.url("/sitemap-index.xml")])
        first = crawl_env.crawl(since="2026-11-19", until="2026-11-19")
        crawl_env.load(first)
        server.article("ok", datetime(2026, 11, 20, 8, 0, tzinfo=UTC), "d2")
        server.documents["/sitemap-2026-11.xml"] = ("application/xml", month_sitemap(), {})
        second = crawl_env.crawl(since="2026-11-20", until="2026-11-20")
        index_hits = server.hits("/sitemap-index.xml")
        child_hits = server.hits("/sitemap-2026-11.xml")
    assert [h.headers.get("if-none-match") for h in index_hits] == [None, '"index-v1"']
    assert len(child_hits) == 2
    assert feeds_not_modified(second) == 1
    assert run_row(second)["pages_captured"] == 1
    assert server.paths("/news/2026/11/20/") == ["/news/2026/11/20/ok-d2"]
