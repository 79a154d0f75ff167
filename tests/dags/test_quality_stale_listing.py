"""Unlisted fault 21b.1: a listing that answers 200 but is frozen (its newest item days old) or
empty while the site still publishes. The run must say which listing, not load less in silence.

Real crawls from the fault server (a dated sitemap that still lists the window's articles, a
frozen feed and an empty one), the real load, then the check task's body with a real webhook.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from psycopg2.extras import Json

from common.warehouse import transaction
from dags.tasks.alerts import notify_failure
from dags.tasks.pipeline import QualityCheckFailed, run_extract_load, run_quality_check
from tests.fixtures.alert_webhook import alert_webhook
from tests.fixtures.articles import make_article
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env
from tests.fixtures.fault_server import FaultServer, write_source
from transforms.load.articles import load_articles

__all__ = ["alert_webhook", "crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

WINDOW_START = datetime(2026, 11, 19, tzinfo=DAY.tzinfo)
DATED = "/sitemap.xml?yyyy={yyyy}&mm={mm}&dd={dd}"
EMPTY_RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Section</title>'
             b"<link>http://127.0.0.1/</link><description>x</description></channel></rss>")


class TI:
    dag_id, run_id, task_id, try_number = "news_daily", "scheduled__2026-11-20", "faultsite.check", 1
    log_url = "http://localhost:8080/dags/news_daily/runs/x/tasks/faultsite.check"


def frozen_rss(server: FaultServer, when: datetime) -> bytes:
    """A feed whose newest item is ``when``: the site's CMS stopped writing it."""
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Frozen</title><link>{server.base}/</link>'
            f"<description>x</description><item><title>Old</title>"
            f"<link>{server.url(f'/news/{when.year}/{when.month}/{when.day}/ok-old')}</link>"
            f"<pubDate>{when:%a, %d %b %Y %H:%M:%S} GMT</pubDate></item></channel></rss>").encode()


def seed_history(days: int = 7, per_day: int = 10) -> None:
    """``days`` loaded daily runs of faultsite before the window, ``per_day`` articles each."""
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
                   values (%s, 'faultsite', %s, %s, %s, %s, 'finished', 'loaded', %s, %s, 0, 0)""",
                (run_id, start, start + timedelta(days=1), start + timedelta(days=1, hours=4),
                 start + timedelta(days=1, hours=4, minutes=5), Json({"news/feed_items": per_day}), per_day))
            load_articles(cur, [make_article(f"https://history.example/{start:%m%d}/{i}", source="faultsite",
                                             published_at=start + timedelta(hours=1 + i),
                                             fetched_at=start + timedelta(days=1, hours=4))
                                for i in range(per_day)], run_id)


def crawl_and_load(crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    return run_extract_load(crawl_env.crawl())


def test_a_frozen_feed_and_an_empty_one_beside_a_working_sitemap_are_named_in_a_warning(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch, alert_webhook: list[dict[str, Any]]
) -> None:
    seed_history()
    with FaultServer(dated_pages=True) as server:
        for ident in ("a", "b", "c"):
            server.article("ok", DAY, ident)  # the sitemap still lists the window's articles
        server.documents["/section.xml"] = ("application/rss+xml", frozen_rss(server, DAY - timedelta(days=5)), {})
        server.documents["/empty.xml"] = ("application/rss+xml", EMPTY_RSS, {})
        write_source(crawl_env.sources, server, feeds=[server.url("/section.xml"), server.url("/empty.xml")],
                     dated=[server.url(DATED)])
        result = crawl_and_load(crawl_env, monkeypatch)
        base = server.base
    assert result["new"] == 3
    run_quality_check(result, {"ti": TI()})  # a warning: the task goes on
    [alert] = alert_webhook
    assert alert["severity"] == "warning" and alert["source"] == "faultsite"
    [check] = alert["checks"]
    assert (check["check"], check["action"], check["value"]) == ("listing_stale", "warn", 2)
    assert "listing_stale" in alert["text"]
    assert f"{base}/section.xml (newest item 2026-11-14 12:00 UTC)" in check["message"]
    assert f"{base}/empty.xml (no items)" in check["message"]
    assert "median of 10 articles a day" in check["message"]


def test_a_sole_frozen_feed_fails_the_task_and_its_alert_names_the_feed(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch, alert_webhook: list[dict[str, Any]]
) -> None:
    seed_history()
    with FaultServer(dated_pages=True) as server:
        server.documents["/feed.xml"] = ("application/rss+xml", frozen_rss(server, DAY - timedelta(days=5)), {})
        write_source(crawl_env.sources, server)
        result = crawl_and_load(crawl_env, monkeypatch)
        feed = server.url("/feed.xml")
    assert result["pages"] == 0
    with pytest.raises(QualityCheckFailed) as failed:
        run_quality_check(result, {"ti": TI()})
    notify_failure({"ti": TI(), "exception": failed.value})  # what Airflow does with the failure
    warning, failure = alert_webhook
    assert warning["severity"] == "warning" and "listing_stale" in warning["text"]
    assert failure["severity"] == "failed" and "zero_articles" in failure["text"]
    assert [c["check"] for c in failure["checks"]] == ["zero_articles", "listing_stale"]
    assert f"{feed} (newest item 2026-11-14 12:00 UTC)" in failure["checks"][1]["message"]


def test_a_quiet_source_whose_feed_is_old_most_days_is_not_warned_about(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch, alert_webhook: list[dict[str, Any]]
) -> None:
    seed_history(per_day=0)  # crawled every day, published nothing: an old feed is its normal state
    with FaultServer(dated_pages=True) as server:
        server.documents["/feed.xml"] = ("application/rss+xml", frozen_rss(server, DAY - timedelta(days=5)), {})
        write_source(crawl_env.sources, server)
        result = crawl_and_load(crawl_env, monkeypatch)
    run_quality_check(result, {"ti": TI()})
    assert alert_webhook == []
