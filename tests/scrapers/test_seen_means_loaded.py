"""Issue 12 item 1: seen means loaded.

A page counts as already fetched only once its content reached the warehouse (loaded as an
article, or rejected as not an article). A run published but never loaded does not make its
pages seen, and the source's next extract_load loads it; an empty 200 answer is retried.
"""

from __future__ import annotations

import psycopg2
import pytest
from psycopg2.extras import execute_values

from common.warehouse import transaction
from scrapers.ledger import seen_pages
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, ledger, run_row
from tests.fixtures.fault_server import FaultServer, write_source

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

RUN = "00000000-0000-4000-8000-0000000000a1"


def articles() -> dict[str, int]:
    """Path of each article in core.articles -> how many rows it has."""
    with transaction() as cur:
        cur.execute("select url, count(*) from core.articles group by url")
        return {url.split("/", 3)[3]: n for url, n in cur.fetchall()}


def run_statuses() -> list[str]:
    with transaction() as cur:
        cur.execute("select status from ops.crawl_runs order by finished_at")
        return [status for (status,) in cur.fetchall()]


def test_a_run_published_but_never_loaded_does_not_make_its_pages_seen_and_is_loaded_next(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dags.tasks.pipeline import run_extract_load

    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    with FaultServer() as server:
        for i in range(3):
            server.article("ok", DAY, str(i))
        write_source(crawl_env.sources, server)
        orphan = crawl_env.crawl()  # its extract_load never ran (the task was killed)
        retry = crawl_env.crawl()
        # Not seen: the retry fetched every page again instead of skipping them.
        assert run_row(retry)["pages_captured"] == 3 and run_row(retry)["skipped_seen"] == 0
        result = run_extract_load(retry)
        assert result["new"] == 3
        # The orphan is loaded by that same task (its pages land unchanged): nothing is left unloaded.
        assert [a["crawl_run_id"] for a in result["adopted_runs"]] == [orphan]
        assert result["adopted_runs"][0]["unchanged"] == 3
        assert run_statuses() == ["loaded", "loaded"]
        assert articles() == {f"news/2026/11/19/ok-{i}": 1 for i in range(3)}
        server.feed_etag = None  # the feed in full, not a 304
        third = crawl_env.crawl()  # now they are seen: loaded
    assert run_row(third)["pages_captured"] == 0 and run_row(third)["skipped_seen"] == 3


def test_an_orphan_run_whose_warc_is_gone_is_marked_failed_and_its_pages_fetched_again(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transforms.load.run import load_unloaded_runs

    with FaultServer() as server:
        server.article("ok", DAY, "1")
        write_source(crawl_env.sources, server)
        orphan = crawl_env.crawl()
        (crawl_env.archive / run_row(orphan)["warc_uri"]).unlink()
        monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
        assert load_unloaded_runs("faultsite") == []
        row = run_row(orphan)
        assert row["status"] == "failed" and "never loaded" in row["failure"] and "missing" in row["failure"]
        with transaction() as cur:  # a 304 must not hide what that run had captured
            cur.execute("select etag from ops.feed_state")
            assert cur.fetchall() == [(None,)]
        again = crawl_env.crawl()
        assert server.hits("/feed.xml")[-1].headers.get("if-none-match") is None
    assert run_row(again)["pages_captured"] == 1
    crawl_env.load(again)
    assert articles() == {"news/2026/11/19/ok-1": 1}


def test_a_run_being_loaded_by_another_task_is_skipped_not_loaded_twice_at_once(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transforms.load.run import load_unloaded_runs

    with FaultServer() as server:
        server.article("ok", DAY, "1")
        write_source(crawl_env.sources, server)
        orphan = crawl_env.crawl()
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    holder = psycopg2.connect(crawl_env_dsn())
    try:
        with holder.cursor() as cur:  # what a loading task holds for its whole transaction
            cur.execute("select 1 from ops.crawl_runs where crawl_run_id = %s for update", (orphan,))
            assert load_unloaded_runs("faultsite") == []
    finally:
        holder.rollback()
        holder.close()
    assert [r.crawl_run_id for r in load_unloaded_runs("faultsite")] == [orphan]
    assert load_unloaded_runs("faultsite") == []  # loaded: never again


def crawl_env_dsn() -> str:
    import os

    from common.warehouse import DSN_ENV

    return os.environ[DSN_ENV]


def test_an_empty_200_answer_is_a_failure_retried_by_the_next_run_and_never_seen(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FaultServer() as server:
        server.article("empty1", DAY, "1")
        server.article("ok", DAY, "2")
        write_source(crawl_env.sources, server, max_error_rate=1.0)
        first = crawl_env.crawl()
        crawl_env.load(first)
        entry = ledger()["/news/2026/11/19/empty1-1"]
        assert (entry["reason"], entry["http_status"], entry["next_retry_at"] is not None) == ("empty_body", 200, True)
        assert seen_pages([server.url("/news/2026/11/19/empty1-1")]) == {}
        # The next run (the next day's window, no longer listing it) retries it from the ledger.
        second = crawl_env.crawl(since="2026-11-20", until="2026-11-20")
        crawl_env.load(second)
    assert run_row(first)["failed_by_reason"] == {"empty_body": 1}
    assert run_row(second)["pages_captured"] == 1
    assert articles() == {"news/2026/11/19/empty1-1": 1, "news/2026/11/19/ok-2": 1}
    assert ledger()["/news/2026/11/19/empty1-1"]["resolved_at"] is not None


@pytest.mark.parametrize(("run_status", "extraction_status", "reason", "seen"), [
    ("loaded", "article", None, True),
    ("loaded", "rejected", "not_article:liveblog: LiveBlogPosting", True),
    ("loaded", "rejected", "not_article:paywall: teaser of 40 words", True),
    ("loaded", "rejected", "empty_body: 3 words < 50", False),
    ("loaded", "rejected", "unparseable: no HTML document in the input", False),
    ("loaded", "rejected", "extraction_timeout: over 30s", False),
    ("captured", None, None, False),  # published, never loaded
    ("failed", None, None, False),
])
def test_only_a_capture_whose_content_reached_the_warehouse_counts_as_seen(
    clean_warehouse: str, run_status: str, extraction_status: str | None, reason: str | None, seen: bool
) -> None:
    url = "https://h.example/news/2026/11/19/story"
    with transaction() as cur:
        cur.execute("insert into ops.sources values ('histsite', 'History', '{h.example}', 'en', true)")
        cur.execute("""insert into ops.crawl_runs (crawl_run_id, source, window_start, window_end, started_at,
                         finished_at, finish_reason, status)
                       values (%s, 'histsite', '2026-11-19', '2026-11-20', now(), now(), 'finished', %s)""",
                    (RUN, run_status))
        execute_values(cur, """insert into raw.captures (crawl_run_id, url, normalized_url, kind, status, fetched_at,
                                 warc_uri, warc_offset, warc_length, extraction_status, extraction_reason) values %s""",
                       [(RUN, url, url, "page", 200, "2026-11-19T12:00:00Z", "x.warc.gz", 0, 100,
                         extraction_status, reason)])
    assert (url in seen_pages([url])) is seen
