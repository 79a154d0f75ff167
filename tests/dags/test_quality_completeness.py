"""Issue 12 item 4: completeness checks in the quality gate, per source and run.

Each test lays down a week of the source's history in the real warehouse (loaded runs and their
articles, through the real load), crawls the window from the fault server and loads it, then
runs the check task's body. A check set to "fail" fails the task and its failure alert carries
the figures; one set to "warn" sends a warning with the figures and the task goes on.
"""

from __future__ import annotations

from datetime import timedelta
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

def test_zero_articles_where_recent_days_had_some_fails_the_task_and_alerts_with_the_figures(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch, alert_webhook: list[dict[str, Any]]
) -> None:
    seed_history()
    with FaultServer(dated_pages=True) as server:
        server.article("ok", DAY - timedelta(days=2), "old")  # the feed lists nothing of the window
        write_source(crawl_env.sources, server)
        result = crawl_and_load(crawl_env, monkeypatch)
    assert result["pages"] == 0
    with pytest.raises(QualityCheckFailed) as failed:
        run_quality_check(result, {"ti": CheckTaskInstance()})
    message = str(failed.value)
    assert "zero_articles: 0 articles in the window 2026-11-19 00:00..2026-11-20 00:00 UTC" in message
    assert "the 7 crawled days before had 70 (median 10 a day)" in message
    notify_failure({"ti": CheckTaskInstance(), "exception": failed.value})  # what Airflow does with the failure
    stale_feed, alert = alert_webhook  # the feed's newest item is older than the window: named in a warning
    assert stale_feed["severity"] == "warning" and "listing_stale" in stale_feed["text"]
    assert alert["severity"] == "failed" and alert["source"] == "faultsite"
    assert "zero_articles" in alert["text"] and "median 10 a day" in alert["text"]
    assert [(c["check"], c["action"], c["value"], c["baseline"]) for c in alert["checks"]] == [
        ("zero_articles", "fail", 0, 10), ("listing_stale", "warn", 1, 10)]


def test_low_volume_warns_by_default_and_fails_where_the_source_file_says_so(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch, alert_webhook: list[dict[str, Any]]
) -> None:
    seed_history()
    with FaultServer(dated_pages=True) as server:
        for i in range(2):
            server.article("ok", DAY + timedelta(hours=i), str(i))
        write_source(crawl_env.sources, server)
        result = crawl_and_load(crawl_env, monkeypatch)
    assert result["new"] == 2
    run_quality_check(result, {"ti": CheckTaskInstance()})  # warns: the task goes on
    [alert] = alert_webhook
    assert alert["severity"] == "warning" and "faultsite.check warns" in alert["text"]
    [check] = alert["checks"]
    assert (check["check"], check["action"], check["value"], check["baseline"], check["threshold"]) == (
        "low_volume", "warn", 2.0, 10, 2.5)
    assert "2 articles in the window" in check["message"] and "under 25% of the median" in check["message"]

    write_source(crawl_env.sources, server, extra='\n[quality]\non_low_volume = "fail"\nmin_volume_ratio = 0.5\n')
    with pytest.raises(QualityCheckFailed, match=r"low_volume: 2 articles in the window .* under 50% of the median"):
        run_quality_check(result, {"ti": CheckTaskInstance()})
    write_source(crawl_env.sources, server, extra='\n[quality]\non_low_volume = "off"\n')
    run_quality_check(result, {"ti": CheckTaskInstance()})
    assert len(alert_webhook) == 1  # "off": nothing more sent


def test_a_jump_in_the_share_of_listed_urls_the_allow_patterns_reject_warns_with_the_figures(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch, alert_webhook: list[dict[str, Any]]
) -> None:
    seed_history(per_day=2, listed=20, rejected=2)
    with FaultServer(dated_pages=True) as server:
        for i in range(2):
            server.article("ok", DAY + timedelta(hours=i), str(i))
        for i in range(10):  # the redesign: articles now live under /story/, which allow misses
            server.articles[f"/story/2026/11/19/moved-{i}"] = DAY + timedelta(hours=3, minutes=i)
        write_source(crawl_env.sources, server)
        result = crawl_and_load(crawl_env, monkeypatch)
    run_quality_check(result, {"ti": CheckTaskInstance()})
    [alert] = alert_webhook
    [check] = alert["checks"]
    assert (check["check"], check["value"], check["baseline"], check["threshold"]) == (
        "allow_reject_jump", 0.833, 0.1, 0.3)
    assert "rejected 83% of the 12 URLs the feeds and sitemaps listed (10), against a median of 10%" in check["message"]


def test_a_jump_in_articles_without_date_or_author_warns_and_undated_articles_count_in_their_window(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch, alert_webhook: list[dict[str, Any]]
) -> None:
    seed_history(per_day=5)
    with FaultServer() as server:  # the template change: no date, no author on the page (nor in its URL)
        for i in range(5):
            server.articles[f"/private/story-{i}"] = DAY + timedelta(hours=i)
        write_source(crawl_env.sources, server)
        result = crawl_and_load(crawl_env, monkeypatch)
    assert result["new"] == 5
    run_quality_check(result, {"ti": CheckTaskInstance()})
    [alert] = alert_webhook
    assert sorted((c["check"], c["value"], c["baseline"]) for c in alert["checks"]) == [
        ("missing_author_jump", 1.0, 0.0), ("missing_date_jump", 1.0, 0.0)]
    assert "100% of the run's 5 articles have no date, against a median of 0% over the last 7 runs" in alert["text"]


def test_a_run_like_its_history_passes_without_alerts(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch, alert_webhook: list[dict[str, Any]]
) -> None:
    seed_history(per_day=3, listed=20, rejected=2)
    with FaultServer(dated_pages=True) as server:
        for i in range(3):
            server.article("ok", DAY + timedelta(hours=i), str(i))
        write_source(crawl_env.sources, server)
        result = crawl_and_load(crawl_env, monkeypatch)
    run_quality_check(result, {"ti": CheckTaskInstance()})
    assert alert_webhook == []


def test_a_quality_table_with_a_bad_action_or_threshold_is_refused_naming_the_field(tmp_path: Any) -> None:
    from common.sources import SourceConfigError, load_source

    with FaultServer() as server:
        path = write_source(tmp_path, server, extra='\n[quality]\non_low_volume = "page"\n')
        with pytest.raises(SourceConfigError, match=r"field quality.on_low_volume must be one of"):
            load_source(path)
        path = write_source(tmp_path, server, extra="\n[quality]\nmin_volume_ratio = 25\n")
        with pytest.raises(SourceConfigError, match=r"field quality.min_volume_ratio must be in \(0, 1\]"):
            load_source(path)
