"""Unlisted fault 21b.3: news_reprocess of days whose archive files are missing: removed by
retention, deleted or moved behind the warehouse's back, or never written (no crawl, only a
failed one). The selection task fails before any work, naming each such day and why, or the
missing files with their runs' days; never "0 runs re-extracted", success.

Real crawls of the fault server into the real archive, real retention, the real task body.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from common.warehouse import transaction
from common.window import Window, parse_bound
from dags.tasks.maintenance import apply_retention
from dags.tasks.pipeline import run_extract_load, runs_to_reprocess
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env
from tests.fixtures.fault_server import FaultServer, write_source
from transforms.load.run import RunNotLoadable

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

DATED = "/sitemap.xml?yyyy={yyyy}&mm={mm}&dd={dd}"


def window(since: str, until: str) -> Window:
    return Window(parse_bound(since), parse_bound(until))


def crawl_days(crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch, days: list[str]) -> dict[str, str]:
    """One loaded crawl run per day (an article each); day -> run id."""
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    runs = {}
    with FaultServer(dated_pages=True) as server:
        for back, _day in enumerate(days):
            server.article("ok", DAY + timedelta(days=back), "a")
        write_source(crawl_env.sources, server, feeds=[], dated=[server.url(DATED)])
        for day in days:
            runs[day] = crawl_env.crawl(since=day, until=day)
            run_extract_load(runs[day])
    return runs


def test_days_purged_by_retention_or_never_crawled_fail_the_selection_naming_each_day(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = crawl_days(crawl_env, monkeypatch, ["2026-11-19", "2026-11-20"])
    with transaction() as cur:  # the 19th's crawl is 400 days old: retention removes its WARC
        cur.execute("update ops.crawl_runs set finished_at = now() - interval '400 days' where crawl_run_id = %s",
                    (runs["2026-11-19"],))
    assert apply_retention(365).runs == 1

    assert runs_to_reprocess("faultsite", window("2026-11-20", "2026-11-21")) == [runs["2026-11-20"]]
    with pytest.raises(RunNotLoadable) as failed:
        runs_to_reprocess("faultsite", window("2026-11-18", "2026-11-21"))
    message = str(failed.value)
    assert "faultsite: nothing to re-extract for 2 day(s) of 2026-11-18" in message
    assert "2026-11-18 (no crawl run covers it)" in message
    assert ("2026-11-19 (the WARCs of its 1 crawl run(s) were removed by archive retention (news_maintenance), "
            f"e.g. run {runs['2026-11-19']})") in message
    assert "2026-11-20 (" not in message  # still archived
    assert "narrow since/until" in message


def test_a_warc_deleted_behind_the_warehouses_back_fails_the_selection_naming_file_and_day(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = crawl_days(crawl_env, monkeypatch, ["2026-11-19", "2026-11-20"])
    with transaction() as cur:
        cur.execute("select warc_uri from ops.crawl_runs where crawl_run_id = %s", (runs["2026-11-20"],))
        (uri,) = cur.fetchone()
    Path(uri).rename(Path(uri).with_suffix(".moved"))
    with pytest.raises(RunNotLoadable) as failed:
        runs_to_reprocess("faultsite", window("2026-11-19", "2026-11-21"))
    assert (f"faultsite: 1 of 2 WARCs to re-extract are missing from the archive: "
            f"{uri} (run {runs['2026-11-20']}, 2026-11-20)") in str(failed.value)


def test_a_day_with_only_a_failed_crawl_fails_the_selection(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    with FaultServer() as server:
        write_source(crawl_env.sources, server)
    with transaction() as cur:
        cur.execute("insert into ops.sources values ('faultsite', 'Fault site', '{127.0.0.1}', 'en', false)")
        cur.execute("""insert into ops.crawl_runs (crawl_run_id, source, window_start, window_end, started_at,
                         finished_at, finish_reason, status, failure)
                       values ('00000000-0000-0000-0000-000000000019', 'faultsite', '2026-11-19', '2026-11-20',
                               '2026-11-20 04:00Z', '2026-11-20 04:05Z', 'finished', 'failed', 'every request failed')""")
    with pytest.raises(RunNotLoadable, match=r"2026-11-19 \(its 1 crawl run\(s\) failed and were never loaded"):
        runs_to_reprocess("faultsite", window("2026-11-19", "2026-11-20"))


def test_retention_keeps_the_warc_of_a_crawl_never_loaded_and_names_it(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawl published but never loaded (its load task killed, the warehouse down past the
    retention age) has only its WARC: retention removes the loaded crawl of the same age, keeps
    that one, and says which run waits; the run then loads from the kept WARC."""
    loaded = crawl_days(crawl_env, monkeypatch, ["2026-11-19"])["2026-11-19"]
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    with FaultServer(dated_pages=True) as server:
        server.article("late", DAY + timedelta(days=1), "b")
        write_source(crawl_env.sources, server, feeds=[], dated=[server.url(DATED)])
        unloaded = crawl_env.crawl(since="2026-11-20", until="2026-11-20")
    with transaction() as cur:
        cur.execute("update ops.crawl_runs set finished_at = now() - interval '3 days'")
        cur.execute("select crawl_run_id::text, warc_uri from ops.crawl_runs")
        warcs = {run: Path(uri) for run, uri in cur.fetchall()}

    result = apply_retention(2)
    assert (result.runs, result.files_deleted) == (1, 2)  # the loaded run's WARC and stats file
    assert not warcs[loaded].exists() and warcs[unloaded].is_file()
    assert [r.crawl_run_id for r in result.kept_unloaded] == [unloaded]
    message = result.unloaded_message() or ""
    assert f"retention kept 1 crawl run(s) finished before the cutoff {result.cutoff:%Y-%m-%d %H:%M} UTC" in message
    assert f"faultsite run {unloaded} (2026-11-20, finished" in message
    assert "news_reprocess" in message and "no longer configured" not in message
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources / "gone"))
    assert "(faultsite: no longer configured; put the source file back to load them)" in (
        result.unloaded_message() or "")
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    with transaction() as cur:
        cur.execute("select count(*) from raw.captures where crawl_run_id = %s", (unloaded,))
        assert cur.fetchone()[0] > 0

    assert run_extract_load(unloaded)["new"] == 1
    again = apply_retention(2)  # loaded now: removed like any other
    assert (again.runs, again.kept_unloaded, again.unloaded_message()) == (1, (), None)
    assert not warcs[unloaded].exists()
