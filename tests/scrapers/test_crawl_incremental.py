"""Incremental crawling: no article fetched twice, revisit windows, the ledger across runs,
conditional GET on feeds, a 7-day backfill over dated sitemaps, and the seen-URL lookup's plan."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import psycopg2
import pytest
from psycopg2.extras import execute_values

from common.warehouse import transaction
from scrapers.ledger import SEEN_SQL
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, ledger, page_captures, run_row
from tests.fixtures.fault_server import FaultServer, write_source

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

__all__ = ["crawl_env"]

DATED = "/sitemap.xml?yyyy={yyyy}&mm={mm}&dd={dd}"


def test_a_second_daily_run_fetches_no_article_twice(crawl_env: CrawlEnv) -> None:
    day2 = DAY + timedelta(days=1)
    with FaultServer() as server:
        for i in range(3):
            server.article("ok", DAY, f"d1-{i}")
        write_source(crawl_env.sources, server, dated=[server.url(DATED)])
        first = crawl_env.crawl(since="2026-11-19", until="2026-11-19")
        crawl_env.load(first)  # seen means loaded
        # Next day: new articles, and the feed now dates one of yesterday's as updated today.
        for i in range(2):
            server.article("ok", day2, f"d2-{i}")
        updated = "/news/2026/11/19/ok-d1-0"
        server.documents["/feed.xml"] = ("application/rss+xml", server.rss().replace(
            b"Thu, 19 Nov 2026 12:00:00 GMT</pubDate></item>", b"Fri, 20 Nov 2026 09:00:00 GMT</pubDate></item>", 1), {})
        second = crawl_env.crawl(since="2026-11-20", until="2026-11-20")
        crawl_env.load(second)
        same_day_again = crawl_env.crawl(since="2026-11-20", until="2026-11-20")
        fetches = Counter(server.paths("/news/"))
    assert run_row(first)["pages_captured"] == 3
    assert run_row(second)["pages_captured"] == 2 and run_row(second)["skipped_seen"] == 1
    assert run_row(same_day_again)["pages_captured"] == 0 and run_row(same_day_again)["skipped_seen"] == 3
    assert fetches and set(fetches.values()) == {1}, fetches  # every article fetched exactly once
    assert updated in fetches


def test_a_revisit_window_fetches_recent_articles_again_and_old_ones_never(crawl_env: CrawlEnv) -> None:
    today = datetime.now(UTC).date()
    day = datetime.combine(today - timedelta(days=2), datetime.min.time(), UTC) + timedelta(hours=10)
    window = {"since": day.date().isoformat(), "until": day.date().isoformat()}
    with FaultServer() as server:
        server.article("ok", day, "1")
        write_source(crawl_env.sources, server, revisit_hours=12)
        crawl_env.load(crawl_env.crawl(**window))
        again = crawl_env.crawl(**window)  # first captured moments ago: inside 12 h of the window end
        crawl_env.load(again)
        # Had the captures been made an hour after publication, 13 h before the window's end, they
        # would be out of the revisit window (and after the listed date: nothing changed since).
        with transaction() as cur:
            cur.execute("update raw.captures set fetched_at = %s", (day + timedelta(hours=1),))
        third = crawl_env.crawl(**window)
    assert run_row(again)["pages_captured"] == 1 and run_row(again)["stats"]["news/revisited"] == 1
    assert run_row(third)["pages_captured"] == 0 and run_row(third)["skipped_seen"] == 1
    assert len(server.paths("/news/")) == 2


def test_the_next_run_retries_due_ledger_entries_until_captured(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("s503x2", DAY, "1")
        server.article("ok", DAY, "2")
        write_source(crawl_env.sources, server, max_error_rate=1.0)
        first = crawl_env.crawl(RETRY_TIMES=0)
        entry = ledger()["/news/2026/11/19/s503x2-1"]
        assert (entry["reason"], entry["attempts"]) == ("http_503", 1)
        # The next daily run's window no longer lists the article: the ledger brings it back.
        second = crawl_env.crawl(since="2026-11-21", until="2026-11-21", RETRY_TIMES=0)
        assert ledger()["/news/2026/11/19/s503x2-1"]["attempts"] == 2
        third = crawl_env.crawl(since="2026-11-22", until="2026-11-22", RETRY_TIMES=0)
    assert run_row(first)["urls_failed"] == 1
    assert run_row(second)["stats"]["news/ledger_retried"] == 1
    assert run_row(third)["pages_captured"] == 1
    resolved = ledger()["/news/2026/11/19/s503x2-1"]
    assert resolved["resolved_at"] is not None and resolved["next_retry_at"] is None
    assert server.paths("/news/2026/11/19/ok-2") == ["/news/2026/11/19/ok-2"]


def test_a_url_failing_past_give_up_days_is_given_up_and_not_retried(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("s503", DAY, "1")
        write_source(crawl_env.sources, server, max_error_rate=1.0, extra="give_up_days = 3\n")
        crawl_env.crawl(RETRY_TIMES=0)
        with transaction() as cur:  # four days of failing runs later
            cur.execute("update ops.failed_urls set first_failed_at = first_failed_at - interval '4 days'")
        crawl_env.crawl(since="2026-11-23", until="2026-11-23", RETRY_TIMES=0)
        entry = ledger()["/news/2026/11/19/s503-1"]
        assert entry["gave_up_at"] is not None and entry["next_retry_at"] is None and entry["attempts"] == 2
        crawl_env.crawl(since="2026-11-24", until="2026-11-24", RETRY_TIMES=0)
    assert len(server.paths("/news/2026/11/19/s503-1")) == 2  # not asked a third time


def test_feeds_are_fetched_conditionally_by_runs_of_the_same_or_a_later_window(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("ok", DAY, "1")
        write_source(crawl_env.sources, server)
        crawl_env.load(crawl_env.crawl())  # validators are sent only once the runs are loaded
        rerun = crawl_env.crawl()  # same window: If-None-Match, 304
        crawl_env.load(rerun)
        next_day = crawl_env.crawl(since="2026-11-20", until="2026-11-20")  # If-None-Match, 304
        earlier_day = crawl_env.crawl(since="2026-11-18", until="2026-11-18")  # plain GET
        feed_hits = server.hits("/feed.xml")
    assert [h.headers.get("if-none-match") for h in feed_hits] == [None, '"feed-v1"', '"feed-v1"', None]
    assert run_row(rerun)["stats"]["news/discovery_not_modified"] == 1
    assert run_row(rerun)["status"] == "loaded" and run_row(next_day)["status"] == "captured"
    assert run_row(earlier_day)["stats"].get("news/discovery_not_modified") is None
    with transaction() as cur:
        cur.execute("select etag, last_status, consecutive_failures, last_success_at is not null "
                    "from ops.feed_state where url like %s", ("%/feed.xml",))
        assert cur.fetchone() == ('"feed-v1"', 200, 0, True)


def test_a_failing_feed_counts_consecutive_failures(crawl_env: CrawlEnv) -> None:
    import pytest

    from scrapers.crawl_process import CrawlFailed

    with FaultServer() as server:
        write_source(crawl_env.sources, server, feeds=[server.url("/missing.xml")])
        for _ in range(2):
            with pytest.raises(CrawlFailed):
                crawl_env.crawl()
    with transaction() as cur:
        cur.execute("select last_status, consecutive_failures, last_failure from ops.feed_state")
        assert cur.fetchone() == (404, 2, "http_404")


def test_a_seven_day_backfill_over_dated_sitemaps_captures_exactly_that_week(crawl_env: CrawlEnv) -> None:
    first = date(2026, 11, 13)
    with FaultServer() as server:
        for offset in range(-3, 10):  # articles from three days before to three days after the week
            day = datetime.combine(first + timedelta(days=offset), datetime.min.time(), UTC)
            for i in range(3):
                server.article("ok", day + timedelta(hours=6 * i + 1), f"{offset + 3}-{i}")
        write_source(crawl_env.sources, server, feeds=[], dated=[server.url(DATED)])
        run_id = crawl_env.crawl(since="2026-11-13", until="2026-11-19")
        sitemap_days = sorted(server.paths("/sitemap.xml"))
    captured = sorted(p for p, status in page_captures(run_id) if status == 200)
    expected = sorted(p for p in server.articles if date(2026, 11, 13) <= _day_of(p) <= date(2026, 11, 19))
    assert len(expected) == 21 and captured == expected
    assert len(sitemap_days) == 7 and "dd=13" in sitemap_days[0] and "dd=19" in sitemap_days[-1]


def _day_of(path: str) -> date:
    year, month, day = path.split("/")[2:5]
    return date(int(year), int(month), int(day))


def test_the_seen_lookup_probes_an_index_whose_cost_does_not_grow_with_history(clean_warehouse: str) -> None:
    run_id = "00000000-0000-4000-8000-000000000001"
    with psycopg2.connect(clean_warehouse) as conn, conn.cursor() as cur:
        cur.execute("insert into ops.sources values ('histsite', 'History', '{h.example}', 'en', true)")
        cur.execute("""insert into ops.crawl_runs (crawl_run_id, source, window_start, window_end, started_at,
                         finished_at, finish_reason, status)
                       values (%s, 'histsite', '2026-01-01', '2026-01-02', now(), now(), 'finished', 'captured')""",
                    (run_id,))
        execute_values(cur, """insert into raw.captures (crawl_run_id, url, normalized_url, kind, status,
                                 fetched_at, warc_uri, warc_offset, warc_length, extraction_status) values %s""",
                       [(run_id, f"https://h.example/a/{i}", f"https://h.example/a/{i}", "page", 200,
                         "2026-01-01", "x.warc.gz", i, 100, "article") for i in range(60_000)], page_size=5000)
        cur.execute("analyze raw.captures")
        batch = [f"https://h.example/a/{i}" for i in range(0, 60_000, 2400)] + ["https://h.example/new"]
        cur.execute("explain " + SEEN_SQL, {"urls": batch})
        plan = "\n".join(r[0] for r in cur.fetchall())
        cur.execute(SEEN_SQL, {"urls": batch})
        found = cur.fetchall()
    conn.close()
    # One index probe per URL (either index on normalized_url serves), never a scan of history.
    assert "Index" in plan and "using captures_" in plan and "Seq Scan on captures" not in plan, plan
    assert len(found) == 25
