"""Issue 12 item 4: completeness checks in the quality gate, per source and run.

Each test lays down a week of the source's history in the real warehouse (loaded runs and their
articles, through the real load), crawls the window from the fault server and loads it, then
runs the check task's body. A check set to "fail" fails the task and its failure alert carries
the figures; one set to "warn" sends a warning with the figures and the task goes on.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from psycopg2.extras import Json

from common.warehouse import transaction
from dags.tasks.alerts import notify_failure
from dags.tasks.pipeline import QualityCheckFailed, run_extract_load, run_quality_check
from tests.fixtures.articles import make_article
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env
from tests.fixtures.fault_server import FaultServer, write_source
from transforms.load.articles import load_articles

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

WINDOW_START = datetime(2026, 11, 19, tzinfo=DAY.tzinfo)


class TI:
    dag_id, run_id, task_id, try_number = "news_daily", "scheduled__2026-11-20", "faultsite.check", 1
    log_url = "http://localhost:8080/dags/news_daily/runs/x/tasks/faultsite.check"


@pytest.fixture()
def alerts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """A webhook on 127.0.0.1 behind the news_alerts connection; the JSON bodies it received."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0")))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AIRFLOW_CONN_NEWS_ALERTS", json.dumps(
        {"conn_type": "http", "host": f"http://127.0.0.1:{server.server_address[1]}/hook"}))
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


def seed_history(*, days: int = 7, per_day: int = 10, listed: int = 20, rejected: int = 2,
                 without_date: int = 0, without_author: int = 0) -> None:
    """``days`` loaded daily runs of faultsite before the window, each with ``per_day`` articles."""
    with transaction() as cur:
        cur.execute("insert into ops.sources values ('faultsite', 'Fault site', '{127.0.0.1}', 'en', false) "
                    "on conflict do nothing")
        for back in range(days, 0, -1):
            start = WINDOW_START - timedelta(days=back)
            run_id = str(uuid.uuid4())
            cur.execute(
                """insert into ops.crawl_runs (crawl_run_id, source, window_start, window_end, started_at,
                     finished_at, finish_reason, status, stats, articles_loaded, articles_without_date,
                     articles_without_author)
                   values (%s, 'faultsite', %s, %s, %s, %s, 'finished', 'loaded', %s, %s, %s, %s)""",
                (run_id, start, start + timedelta(days=1), start + timedelta(days=1, hours=4),
                 start + timedelta(days=1, hours=4, minutes=5),
                 Json({"news/feed_items": listed, "news/skipped_not_article_url": rejected}),
                 per_day, without_date, without_author))
            load_articles(cur, [make_article(f"https://history.example/{start:%m%d}/{i}", source="faultsite",
                                             published_at=start + timedelta(hours=1 + i % 20),
                                             fetched_at=start + timedelta(days=1, hours=4))
                                for i in range(per_day)], run_id)


def crawl_and_load(crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    return run_extract_load(crawl_env.crawl())


def test_zero_articles_where_recent_days_had_some_fails_the_task_and_alerts_with_the_figures(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch, alerts: list[dict[str, Any]]
) -> None:
    seed_history()
    with FaultServer(dated_pages=True) as server:
        server.article("ok", DAY - timedelta(days=2), "old")  # the feed lists nothing of the window
        write_source(crawl_env.sources, server)
        result = crawl_and_load(crawl_env, monkeypatch)
    assert result["pages"] == 0
    with pytest.raises(QualityCheckFailed) as failed:
        run_quality_check(result, {"ti": TI()})
    message = str(failed.value)
    assert "zero_articles: 0 articles in the window 2026-11-19 00:00..2026-11-20 00:00 UTC" in message
    assert "the 7 crawled days before had 70 (median 10 a day)" in message
    notify_failure({"ti": TI(), "exception": failed.value})  # what Airflow does with the failure
    stale_feed, alert = alerts  # the feed's newest item is older than the window: named in a warning
    assert stale_feed["severity"] == "warning" and "listing_stale" in stale_feed["text"]
    assert alert["severity"] == "failed" and alert["source"] == "faultsite"
    assert "zero_articles" in alert["text"] and "median 10 a day" in alert["text"]
    assert [(c["check"], c["action"], c["value"], c["baseline"]) for c in alert["checks"]] == [
        ("zero_articles", "fail", 0, 10), ("listing_stale", "warn", 1, 10)]


def test_low_volume_warns_by_default_and_fails_where_the_source_file_says_so(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch, alerts: list[dict[str, Any]]
) -> None:
    seed_history()
    with FaultServer(dated_pages=True) as server:
        for i in range(2):
            server.article("ok", DAY + timedelta(hours=i), str(i))
        write_source(crawl_env.sources, server)
        result = crawl_and_load(crawl_env, monkeypatch)
    assert result["new"] == 2
    run_quality_check(result, {"ti": TI()})  # warns: the task goes on
    [alert] = alerts
    assert alert["severity"] == "warning" and "faultsite.check warns" in alert["text"]
    [check] = alert["checks"]
    assert (check["check"], check["action"], check["value"], check["baseline"], check["threshold"]) == (
        "low_volume", "warn", 2.0, 10, 2.5)
    assert "2 articles in the window" in check["message"] and "under 25% of the median" in check["message"]

    write_source(crawl_env.sources, server, extra='\n[quality]\non_low_volume = "fail"\nmin_volume_ratio = 0.5\n')
    with pytest.raises(QualityCheckFailed, match=r"low_volume: 2 articles in the window .* under 50% of the median"):
        run_quality_check(result, {"ti": TI()})
    write_source(crawl_env.sources, server, extra='\n[quality]\non_low_volume = "off"\n')
    run_quality_check(result, {"ti": TI()})
    assert len(alerts) == 1  # "off": nothing more sent


def test_a_jump_in_the_share_of_listed_urls_the_allow_patterns_reject_warns_with_the_figures(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch, alerts: list[dict[str, Any]]
) -> None:
    seed_history(per_day=2, listed=20, rejected=2)
    with FaultServer(dated_pages=True) as server:
        for i in range(2):
            server.article("ok", DAY + timedelta(hours=i), str(i))
        for i in range(10):  # the redesign: articles now live under /story/, which allow misses
            server.articles[f"/story/2026/11/19/moved-{i}"] = DAY + timedelta(hours=3, minutes=i)
        write_source(crawl_env.sources, server)
        result = crawl_and_load(crawl_env, monkeypatch)
    run_quality_check(result, {"ti": TI()})
    [alert] = alerts
    [check] = alert["checks"]
    assert (check["check"], check["value"], check["baseline"], check["threshold"]) == (
        "allow_reject_jump", 0.833, 0.1, 0.3)
    assert "rejected 83% of the 12 URLs the feeds and sitemaps listed (10), against a median of 10%" in check["message"]


def test_a_jump_in_articles_without_date_or_author_warns_and_undated_articles_count_in_their_window(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch, alerts: list[dict[str, Any]]
) -> None:
    seed_history(per_day=5)
    with FaultServer() as server:  # the template change: no date, no author on the page (nor in its URL)
        for i in range(5):
            server.articles[f"/private/story-{i}"] = DAY + timedelta(hours=i)
        write_source(crawl_env.sources, server)
        result = crawl_and_load(crawl_env, monkeypatch)
    assert result["new"] == 5
    run_quality_check(result, {"ti": TI()})
    [alert] = alerts
    assert sorted((c["check"], c["value"], c["baseline"]) for c in alert["checks"]) == [
        ("missing_author_jump", 1.0, 0.0), ("missing_date_jump", 1.0, 0.0)]
    assert "100% of the run's 5 articles have no date, against a median of 0% over the last 7 runs" in alert["text"]


def test_a_run_like_its_history_passes_without_alerts(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch, alerts: list[dict[str, Any]]
) -> None:
    seed_history(per_day=3, listed=20, rejected=2)
    with FaultServer(dated_pages=True) as server:
        for i in range(3):
            server.article("ok", DAY + timedelta(hours=i), str(i))
        write_source(crawl_env.sources, server)
        result = crawl_and_load(crawl_env, monkeypatch)
    run_quality_check(result, {"ti": TI()})
    assert alerts == []


def test_a_quality_table_with_a_bad_action_or_threshold_is_refused_naming_the_field(tmp_path: Any) -> None:
    from common.sources import SourceConfigError, load_source

    with FaultServer() as server:
        path = write_source(tmp_path, server, extra='\n[quality]\non_low_volume = "page"\n')
        with pytest.raises(SourceConfigError, match=r"field quality.on_low_volume must be one of"):
            load_source(path)
        path = write_source(tmp_path, server, extra="\n[quality]\nmin_volume_ratio = 25\n")
        with pytest.raises(SourceConfigError, match=r"field quality.min_volume_ratio must be in \(0, 1\]"):
            load_source(path)
