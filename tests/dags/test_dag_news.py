"""The DAGs as the DAG processor sees them: schedules and switches from the source configs, pools,
timeouts, retries, params, the Asset, the failure callback."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

from tests.fixtures import PROJECT_ROOT

DEMO_SOURCES = PROJECT_ROOT / "demo" / "sources"


def dagbag(monkeypatch: pytest.MonkeyPatch, *extra: Path) -> DagBag:
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", ":".join(str(p) for p in extra))
    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    assert bag.import_errors == {}
    return bag


def write_source(folder: Path, slug: str, domain: str, extra: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.toml").write_text(f'''slug = "{slug}"
name = "{slug} (test)"
domains = ["{domain}"]
language = "en"
{extra}
[discovery]
feeds = ["https://{domain}/feed/"]
[urls]
allow = ['^https://{domain}/\\d{{4}}/']
''', encoding="utf-8")


def test_every_task_has_a_timeout_retries_with_backoff_and_the_alert(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWS_TASK_RETRIES", raising=False)
    monkeypatch.delenv("NEWS_RETRY_DELAY_SECONDS", raising=False)
    bag = dagbag(monkeypatch, DEMO_SOURCES)
    assert {"news_daily", "news_reprocess", "news_maintenance"} <= set(bag.dag_ids)
    from dags.tasks.alerts import notify_failure

    for dag in bag.dags.values():
        assert dag.tags and "news" in dag.tags
        for task in dag.tasks:
            assert task.execution_timeout is not None, (dag.dag_id, task.task_id)
            if task.task_id != "outcome":  # outcome only restates a failure already alerted
                callbacks = task.on_failure_callback or []  # a mapped task keeps a lone callable
                callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
                assert notify_failure in callbacks, (dag.dag_id, task.task_id)
    daily = bag.get_dag("news_daily")
    for task in daily.tasks:
        if task.task_id.endswith((".crawl", ".extract_load", ".check")):
            assert task.retries == 2 and task.retry_exponential_backoff
            assert task.retry_delay == timedelta(minutes=5) and task.max_retry_delay == timedelta(hours=1)
    # The crawl must end itself before its task's timeout fires.
    from dags.tasks.pipeline import crawl_time_limit

    crawl = daily.get_task("aljazeera.crawl")
    assert crawl.execution_timeout is not None
    assert 0 < crawl_time_limit(crawl.execution_timeout) < crawl.execution_timeout.total_seconds()


def test_news_daily_has_a_group_per_enabled_source_in_its_domain_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    daily = dagbag(monkeypatch, DEMO_SOURCES).get_dag("news_daily")
    assert {t.task_id for t in daily.tasks} >= {
        "plan", "publish", "outcome",
        *(f"{s}.{t}" for s in ("aljazeera", "news_repost") for t in ("crawl", "extract_load", "check"))}
    assert daily.get_task("aljazeera.crawl").pool == "crawl_www_aljazeera_com"
    assert daily.get_task("news_repost.crawl").pool == "crawl_news_repost_example"
    assert daily.get_task("aljazeera.extract_load").pool == "default_pool"
    publish = daily.get_task("publish")
    assert publish.outlets == []
    # Each source emits its own Asset event once loaded, waiting for nothing else.
    for slug in ("aljazeera", "news_repost"):
        announce = daily.get_task(f"{slug}.announce")
        assert [a.name for a in announce.outlets] == ["news_warehouse"]
        assert [t.task_id for t in announce.upstream_list] == [f"{slug}.extract_load"]
        assert str(announce.trigger_rule) in ("all_success", "TriggerRule.ALL_SUCCESS")
    assert str(publish.trigger_rule) in ("all_done", "TriggerRule.ALL_DONE")
    assert {t.task_id for t in publish.upstream_list} >= {"aljazeera.check", "news_repost.extract_load"}
    # After publish: the Parquet export of what was loaded, then the report, which runs whatever happened.
    assert [t.task_id for t in daily.get_task("export").upstream_list] == ["publish"]
    report = daily.get_task("report")
    assert {t.task_id for t in report.upstream_list} == {"plan", "publish", "export"}
    assert str(report.trigger_rule) in ("all_done", "TriggerRule.ALL_DONE")
    assert set(daily.params.keys()) == {"sources", "since", "until"}
    assert daily.schedule == "0 4 * * *"
    assert daily.catchup is False


def test_schedules_and_switches_come_from_the_source_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    extra = tmp_path / "sources"
    write_source(extra, "hourly_wire", "wire.example", 'enabled = true\nschedule = "15 * * * *"')
    write_source(extra, "switched_off", "off.example", "enabled = false")
    write_source(extra, "plain_daily", "plain.example", "enabled = true")
    bag = dagbag(monkeypatch, extra)
    daily = bag.get_dag("news_daily")
    groups = {t.task_id.split(".")[0] for t in daily.tasks if "." in t.task_id}
    from common.sources import load_sources

    enabled = {slug for slug, s in load_sources().items() if s.enabled and not s.schedule}
    assert "plain_daily" in enabled and "aljazeera" in enabled
    assert groups == enabled  # not the disabled one, not the self-scheduled one
    own = bag.get_dag("news_source_hourly_wire")
    assert own is not None and own.schedule == "15 * * * *"
    assert {t.task_id for t in own.tasks if "." in t.task_id} == {
        "hourly_wire.crawl", "hourly_wire.extract_load", "hourly_wire.check", "hourly_wire.announce"}
    assert own.get_task("hourly_wire.crawl").pool == "crawl_wire_example"
    assert "news_source_switched_off" not in bag.dag_ids
    assert not any("switched_off" in t.task_id for dag in bag.dags.values() for t in dag.tasks)


def test_the_pool_tool_creates_a_pool_per_domain(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sys

    extra = tmp_path / "sources"
    write_source(extra, "second_desk", "www.aljazeera.com", "enabled = true")  # same site: same pool
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", f"{DEMO_SOURCES}:{extra}")
    monkeypatch.syspath_prepend(str(PROJECT_ROOT / "tools"))
    monkeypatch.syspath_prepend(str(PROJECT_ROOT / "dags"))
    sys.modules.pop("news_daily", None)
    import airflow_pools
    from news_daily import crawl_pool

    from common.sources import load_sources

    pools = airflow_pools.wanted_pools()
    assert pools["crawl_www_aljazeera_com"] == "Concurrent crawls of www.aljazeera.com"
    assert pools["crawl_news_repost_example"] == "Concurrent crawls of news-repost.example"
    # One pool per home domain: the second desk on Al Jazeera's domain shares its pool.
    assert set(pools) == {crawl_pool(s) for s in load_sources().values()}
    assert len(pools) == len({s.domains[0] for s in load_sources().values()})


def test_plan_takes_the_window_from_params_or_the_data_interval() -> None:
    from datetime import datetime

    from dags.tasks.pipeline import plan_run

    utc = UTC
    scheduled = {"params": {}, "data_interval_start": datetime(2026, 11, 19, 4, tzinfo=utc),
                 "data_interval_end": datetime(2026, 11, 19, 4, tzinfo=utc),
                 "logical_date": datetime(2026, 11, 19, 4, tzinfo=utc)}
    assert plan_run(scheduled, ["aljazeera", "news_repost"]) == {
        "since": "2026-11-18T04:00:00+00:00", "until": "2026-11-19T04:00:00+00:00",
        "sources": ["aljazeera", "news_repost"]}
    manual = {"params": {"sources": ["news_repost"], "since": "2026-11-01", "until": "2026-11-08"}}
    assert plan_run(manual, ["aljazeera", "news_repost"]) == {
        "since": "2026-11-01T00:00:00+00:00", "until": "2026-11-08T00:00:00+00:00", "sources": ["news_repost"]}
    with pytest.raises(ValueError, match="not crawled by this DAG"):
        plan_run({"params": {"sources": ["nope"], "since": "2026-11-01", "until": "2026-11-02"}}, ["aljazeera"])
    with pytest.raises(ValueError, match="both params"):
        plan_run({"params": {"since": "2026-11-01"}}, ["aljazeera"])
