"""Unlisted fault 21b.1: a listing that answers 200 but is frozen (its newest item days old) or
empty while the site still publishes. The run must say which listing, not load less in silence.

Real crawls from the fault server (a dated sitemap that still lists the window's articles, a
frozen feed and an empty one), the real load, then the check task's body with a real webhook.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from dags.tasks.alerts import notify_failure
from dags.tasks.pipeline import QualityCheckFailed, run_quality_check
from tests.fixtures.alert_webhook import alert_webhook
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.quality_history import CheckTaskInstance, crawl_and_load, seed_history

__all__ = ["alert_webhook", "crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

DATED = "/sitemap.xml?yyyy={yyyy}&mm={mm}&dd={dd}"
EMPTY_RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Section</title>'
             b"<link>http://127.0.0.1/</link><description>x</description></channel></rss>")


def frozen_rss(server: FaultServer, when: datetime) -> bytes:
    """A feed whose newest item is ``when``: the site's CMS stopped writing it."""
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Frozen</title><link>{server.base}/</link>'
            f"<description>x</description><item><title>Old</title>"
            f"<link>{server.url(f'/news/{when.year}/{when.month}/{when.day}/ok-old')}</link>"
            f"<pubDate>{when:%a, %d %b %Y %H:%M:%S} GMT</pubDate></item></channel></rss>").encode()


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
    run_quality_check(result, {"ti": CheckTaskInstance()})  # a warning: the task goes on
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
        run_quality_check(result, {"ti": CheckTaskInstance()})
    notify_failure({"ti": CheckTaskInstance(), "exception": failed.value})  # what Airflow does with the failure
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
    run_quality_check(result, {"ti": CheckTaskInstance()})
    assert alert_webhook == []
