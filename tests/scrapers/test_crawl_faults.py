"""Fetch faults against the fault-injecting server on 127.0.0.1, one crawl a test.

Each test asserts the end state: what was captured (raw.captures, the WARC), what is in the
failed-URL ledger (ops.failed_urls) and whether the crawl (hence the Airflow task) failed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from scrapers.crawl_process import CrawlFailed
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, ledger, page_captures, run_row, warc_response_urls
from tests.fixtures.fault_server import FaultServer, gzip_file_bomb, write_source

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

__all__ = ["crawl_env"]  # the fixture, imported for pytest


def test_case1_503_twice_then_200_is_captured_once_with_retries_counted(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("s503x2", DAY)
        server.article("ok", DAY, "2")
        write_source(crawl_env.sources, server)
        run_id = crawl_env.crawl()
    run = run_row(run_id)
    assert run["status"] == "captured" and run["pages_captured"] == 2
    assert run["retries"] == 2 and run["stats"]["retry/count"] == 2
    assert server.paths("/news/2026/11/19/s503x2") == ["/news/2026/11/19/s503x2-1"] * 3
    ok_pages = [p for p, status in page_captures(run_id) if status == 200]
    assert sorted(ok_pages) == ["/news/2026/11/19/ok-2", "/news/2026/11/19/s503x2-1"]
    assert ledger() == {}


def test_case2_503_forever_goes_to_the_ledger_and_retry_after_is_honoured(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("s503", DAY)
        server.article("s429ra1", DAY, "2")
        server.article("s429ra999", DAY, "3")
        server.article("ok", DAY, "4")
        write_source(crawl_env.sources, server)
        run_id = crawl_env.crawl()
        ra_hits = server.hits("/news/2026/11/19/s429ra1-2")
    assert len(server.paths("/news/2026/11/19/s503-1")) == 3  # the first try and RETRY_TIMES=2 retries
    assert len(ra_hits) == 2 and ra_hits[1].at - ra_hits[0].at >= 0.95  # waited Retry-After: 1
    assert len(server.paths("/news/2026/11/19/s429ra999-3")) == 1  # 999 s is not waited for
    entries = ledger()
    assert set(entries) == {"/news/2026/11/19/s503-1", "/news/2026/11/19/s429ra999-3"}
    gave_up = entries["/news/2026/11/19/s503-1"]
    assert (gave_up["reason"], gave_up["http_status"], gave_up["attempts"]) == ("http_503", 503, 1)
    assert gave_up["next_retry_at"] is not None and gave_up["gave_up_at"] is None
    later = entries["/news/2026/11/19/s429ra999-3"]
    assert (later["reason"], later["http_status"]) == ("retry_after", 429)
    assert later["next_retry_at"] >= later["last_failed_at"] + timedelta(seconds=990)
    assert run_row(run_id)["failed_by_reason"] == {"http_503": 1, "retry_after": 1}


def test_case3_truncated_dropped_and_broken_chunked_answers_are_retried_never_archived(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        for i, behaviour in enumerate(["truncate1", "drop1", "badchunk1", "truncate"]):
            server.article(behaviour, DAY, str(i))
        write_source(crawl_env.sources, server)
        run_id = crawl_env.crawl()
    run = run_row(run_id)
    assert run["pages_captured"] == 3
    records = warc_response_urls(run["warc_uri"])
    pages = [r for r in records if r[0].startswith("/news/")]
    # Only whole pages are in the archive: one record per recovered page, none for the broken tries.
    assert sorted(p for p, _, _ in pages) == ["/news/2026/11/19/badchunk1-2", "/news/2026/11/19/drop1-1",
                                               "/news/2026/11/19/truncate1-0"]
    assert all(length > 1000 for _, _, length in pages)
    entry = ledger()["/news/2026/11/19/truncate-3"]
    assert entry["reason"] in {"truncated", "connection_lost"} and entry["next_retry_at"] is not None


def test_case4_hang_and_trickle_hit_the_download_timeout(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("hang", DAY, "1")
        server.article("trickle", DAY, "2")
        server.article("ok", DAY, "3")
        write_source(crawl_env.sources, server)
        run_id = crawl_env.crawl(RETRY_TIMES=0, DOWNLOAD_TIMEOUT=1)
    run = run_row(run_id)
    assert run["pages_captured"] == 1 and float(run["duration_seconds"]) < 15
    entries = ledger()
    assert {entries[p]["reason"] for p in ("/news/2026/11/19/hang-1", "/news/2026/11/19/trickle-2")} == {"timeout"}


def test_case4_the_crawl_time_limit_is_below_the_tasks_execution_timeout() -> None:
    from datetime import timedelta as td

    from dags.tasks.pipeline import crawl_time_limit
    from scrapers import settings
    from scrapers.crawl_process import TERMINATE_GRACE_SECONDS

    # Scrapy lets in-flight downloads finish after the time limit: they get DOWNLOAD_TIMEOUT more.
    tail = settings.DOWNLOAD_TIMEOUT + TERMINATE_GRACE_SECONDS
    for task_timeout in (td(minutes=60), td(minutes=20)):
        limit = crawl_time_limit(task_timeout)
        assert limit is not None and limit + tail < task_timeout.total_seconds()
    assert settings.CLOSESPIDER_TIMEOUT + tail < 3600


def test_case4_a_crawl_past_its_time_limit_publishes_what_it_has_and_ledgers_the_rest(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("ok", DAY, "1")
        server.article("hang", DAY, "2")
        write_source(crawl_env.sources, server)
        run_id = crawl_env.crawl(time_limit=2, DOWNLOAD_TIMEOUT=4)
    run = run_row(run_id)
    assert run["finish_reason"] == "closespider_timeout" and run["pages_captured"] == 1
    assert ledger()["/news/2026/11/19/hang-2"]["reason"] in {"not_reached", "other", "timeout"}


def test_case5_unresolvable_host_and_refused_connection_fail_fast_and_the_run_goes_on(crawl_env: CrawlEnv) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with FaultServer() as server:
        server.article("ok", DAY, "1")
        server.documents["/links.xml"] = ("application/xml", _urlset([
            "http://no-such-host.invalid/news/2026/11/19/ok-dns",
            f"http://127.0.0.1:{closed_port}/news/2026/11/19/ok-refused",
            server.url("/news/2026/11/19/ok-1"),
        ]), {})
        write_source(crawl_env.sources, server, feeds=[], sitemaps=[server.url("/links.xml")],
                     domains=["127.0.0.1", "no-such-host.invalid"])
        run_id = crawl_env.crawl(RETRY_TIMES=1)
    run = run_row(run_id)
    assert run["status"] == "captured" and run["pages_captured"] == 1
    assert float(run["duration_seconds"]) < 15
    entries = ledger()
    assert entries["/news/2026/11/19/ok-dns"]["reason"] == "dns_error"
    assert entries["/news/2026/11/19/ok-refused"]["reason"] == "connection_refused"


def test_case6_compression_bombs_are_dropped_at_the_size_limit_and_not_archived(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("gzipbomb", DAY, "1")
        server.article("brbomb", DAY, "2")
        server.article("zstd", DAY, "3")
        server.article("ok", DAY, "4")
        server.documents["/sitemap-bomb.xml.gz"] = ("application/x-gzip", gzip_file_bomb(), {})
        write_source(crawl_env.sources, server, sitemaps=[server.url("/sitemap-bomb.xml.gz")])
        run_id = crawl_env.crawl()
    run = run_row(run_id)
    assert run["pages_captured"] == 1
    entries = ledger()
    assert entries["/news/2026/11/19/gzipbomb-1"]["reason"] == "too_large"
    assert entries["/news/2026/11/19/brbomb-2"]["reason"] == "too_large"
    assert entries["/news/2026/11/19/zstd-3"]["reason"] == "unsupported_encoding"
    assert entries["/sitemap-bomb.xml.gz"]["reason"] == "too_large"
    assert all(e["gave_up_at"] is not None for p, e in entries.items() if "bomb" in p)
    archived = {p for p, _, _ in warc_response_urls(run["warc_uri"])}
    assert not {"/news/2026/11/19/gzipbomb-1", "/news/2026/11/19/brbomb-2"} & archived
    assert [p for p, s in page_captures(str(run_id)) if "bomb" in p] == []


def test_case7_robots_404_allows_everything(crawl_env: CrawlEnv) -> None:
    with FaultServer(robots="404") as server:
        server.article("ok", DAY, "1")
        write_source(crawl_env.sources, server)
        run_id = crawl_env.crawl()
    assert run_row(run_id)["pages_captured"] == 1


@pytest.mark.parametrize("robots", ["503", "hang"])
def test_case7_robots_5xx_or_timeout_means_nothing_is_fetched_from_the_host(crawl_env: CrawlEnv, robots: str) -> None:
    with FaultServer(robots=robots) as server:
        server.article("ok", DAY, "1")
        write_source(crawl_env.sources, server)
        with pytest.raises(CrawlFailed, match="no feed or sitemap was reachable.*robots_unavailable"):
            crawl_env.crawl(DOWNLOAD_TIMEOUT=1, RETRY_TIMES=1)
    assert set(server.paths()) == {"/robots.txt"}  # fail closed (RFC 9309 2.3.1.4)
    assert ledger()["/feed.xml"]["reason"] == "robots_unavailable"


def test_case7_disallow_and_crawl_delay_are_obeyed(crawl_env: CrawlEnv) -> None:
    robots = "User-agent: *\nDisallow: /private/\n\nUser-agent: news-pipeline\nDisallow: /news/2026/11/19/secret\nCrawl-delay: 1\n"
    with FaultServer(robots=robots) as server:
        for i in range(3):
            server.article("ok", DAY, str(i))
        server.article("secret", DAY, "9")
        write_source(crawl_env.sources, server)
        run_id = crawl_env.crawl()
        page_hits = server.hits("/news/")
    assert run_row(run_id)["pages_captured"] == 3
    assert "/news/2026/11/19/secret-9" not in [h.path for h in page_hits]
    assert ledger()["/news/2026/11/19/secret-9"]["reason"] == "robots_denied"
    times = sorted(h.at for h in server.hits() if h.path != "/robots.txt")
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert gaps and min(gaps) >= 0.95, gaps  # Crawl-delay: 1 between every two requests


def test_case8_redirect_loop_and_redirect_off_site_are_stopped_and_recorded(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("loop", DAY, "1")
        server.article("away", DAY, "2")
        server.article("ok", DAY, "3")
        write_source(crawl_env.sources, server)
        run_id = crawl_env.crawl()
    assert run_row(run_id)["pages_captured"] == 1
    entries = ledger()
    assert entries["/news/2026/11/19/loop-1"]["reason"] == "redirect_limit"
    assert entries["/news/2026/11/19/away-2"]["reason"] == "offsite_redirect"
    assert len(server.paths("/news/2026/11/19/loop-1")) <= 4  # REDIRECT_MAX_TIMES=3


def test_case9_every_request_failing_fails_the_airflow_task_with_the_reason(crawl_env: CrawlEnv) -> None:
    from dags.tasks.pipeline import run_crawl as airflow_task

    with FaultServer() as server:
        server.documents["/feed.xml"] = ("text/plain", b"", {})
        write_source(crawl_env.sources, server, feeds=[server.url("/gone.xml"), server.url("/also-gone.xml")])
        with pytest.raises(CrawlFailed, match=r"no feed or sitemap was reachable \(2 tried: 2 http_404\)"):
            crawl_env.crawl()
    # The Airflow task itself: Scrapy exited 0, the task still fails, deciding from the run's stats.
    import os

    os.environ["NEWS_SOURCES_EXTRA_DIRS"] = str(crawl_env.sources)
    try:
        with FaultServer() as server:
            write_source(crawl_env.sources, server, feeds=[server.url("/gone.xml")])
            plan = {"sources": ["faultsite"], "since": "2026-11-19T00:00:00+00:00",
                    "until": "2026-11-20T00:00:00+00:00"}
            with pytest.raises(CrawlFailed, match="no feed or sitemap was reachable"):
                airflow_task("faultsite", plan, {"dag_run": None})
    finally:
        del os.environ["NEWS_SOURCES_EXTRA_DIRS"]


def test_case9_too_many_failed_pages_fail_the_run_over_the_sources_error_rate(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("s503", DAY, "1")
        server.article("s503", DAY, "2")
        server.article("ok", DAY, "3")
        write_source(crawl_env.sources, server, max_error_rate=0.5)
        with pytest.raises(CrawlFailed, match=r"2 of 3 article pages failed \(2 http_503\)"):
            crawl_env.crawl(RETRY_TIMES=0)


def _urlset(urls: list[str]) -> bytes:
    entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>').encode()
