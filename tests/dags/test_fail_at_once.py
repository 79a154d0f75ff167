"""Deterministic failures fail at once, without Airflow's retries (issue 12, item 7); the crawl's
time limit plus the downloads it cannot cancel stays below the task's timeout (item 11); the run
summary counts sources, not task attempts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from common.warehouse import transaction
from dags.tasks import report
from dags.tasks.pipeline import DeterministicFailure, crawl_time_limit, run_crawl
from tests.fixtures import DEMO_ARCHIVE, PROJECT_ROOT
from tests.fixtures.source_files import VALID, write

NO_FEED_SOURCE = (VALID.replace('slug = "example"', 'slug = "nofeed"')
                  .replace('schedule = "0 5 * * *"\n', "")
                  .replace("www.example.com", "nofeed.example").replace("www\\.example\\.com", "nofeed\\.example"))


@pytest.mark.airflow
def test_a_replay_without_the_sources_feeds_fails_on_the_first_try(clean_warehouse: str, archive_root: Path,
                                                                    tmp_path: Path) -> None:
    write(tmp_path / "sources", NO_FEED_SOURCE, "nofeed.toml")
    env = {**os.environ, "REPLAY_WARC": str(DEMO_ARCHIVE), "ARCHIVE_ROOT": str(archive_root),
           "NEWS_SOURCES_EXTRA_DIRS": str(tmp_path / "sources"), "NEWS_CRAWL_LOG_LEVEL": "WARNING",
           # Retries on, one second apart: a retried failure would show as three crawl runs.
           "NEWS_TASK_RETRIES": "2", "NEWS_RETRY_DELAY_SECONDS": "1"}
    done = subprocess.run([sys.executable, str(PROJECT_ROOT / "tools" / "run_dag.py"), "news_daily",
                           "--logical-date", "2026-11-20", "--conf", json.dumps({"sources": ["nofeed"]})],
                          env=env, capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT)
    assert done.returncode != 0
    with transaction() as cur:
        cur.execute("select status, failure from ops.crawl_runs where source = 'nofeed'")
        runs = cur.fetchall()
    assert len(runs) == 1, (runs, done.stderr[-3000:])
    assert runs[0][0] == "failed" and "no feed or sitemap was reachable" in runs[0][1]
    assert "nofeed.crawl: failed" in done.stderr


def test_a_source_file_broken_after_the_dag_parsed_fails_the_crawl_task_without_a_crawl(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "sources", NO_FEED_SOURCE.replace("[politeness]", "[politness]"), "nofeed.toml")
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(tmp_path / "sources"))
    plan = {"since": "2026-11-19T00:00:00+00:00", "until": "2026-11-20T00:00:00+00:00", "sources": ["nofeed"]}
    with pytest.raises(DeterministicFailure, match=r"nofeed\.toml: unknown table 'politness'"):
        run_crawl("nofeed", plan, {})


@pytest.mark.parametrize(("minutes", "download_timeout"),
                         [(m, d) for m in (1, 2, 5, 10, 30, 60, 180) for d in (10, 30, 60) if m * 60 > 2 * d])
def test_the_crawl_limit_plus_its_download_overrun_stays_below_the_task_timeout(minutes: int, download_timeout: int) -> None:
    timeout = timedelta(minutes=minutes)
    limit = crawl_time_limit(timeout, download_timeout)
    assert limit is not None and limit > 0
    # The limit fires, downloads in flight run out their DOWNLOAD_TIMEOUT, then the run publishes.
    assert limit + download_timeout < timeout.total_seconds()
    assert limit >= 0.5 * (timeout.total_seconds() - download_timeout)  # and it still gets most of the time


def test_a_task_timeout_shorter_than_a_download_is_refused() -> None:
    with pytest.raises(DeterministicFailure, match="DOWNLOAD_TIMEOUT"):
        crawl_time_limit(timedelta(seconds=30), 30)


def test_the_run_summary_counts_sources_not_attempts(clean_warehouse: str) -> None:
    dag_run = f"manual__{uuid.uuid4().hex[:8]}"
    # Source a failed twice, then its third attempt captured; source b failed on both attempts.
    attempts = [("src_a", "failed", 1), ("src_a", "failed", 2), ("src_a", "captured", 3),
                ("src_b", "failed", 1), ("src_b", "failed", 2)]
    with transaction() as cur:
        for source, status, minute in attempts:
            cur.execute("""insert into ops.sources (source, name, domains, language, enabled)
                           values (%s, %s, '{x.example}', 'en', true) on conflict do nothing""", (source, source))
            cur.execute("""insert into ops.crawl_runs (crawl_run_id, source, dag_run_id, window_start, window_end,
                             started_at, finished_at, finish_reason, status, pages_fetched)
                           values (%s, %s, %s, '2026-11-19', '2026-11-20', now(),
                                   now() + make_interval(mins => %s), 'finished', %s, 2)""",
                        (str(uuid.uuid4()), source, dag_run, minute, status))
    totals = report.run_totals(dag_run)
    assert (totals.sources_crawled, totals.sources_failed, totals.attempts) == (2, 1, 5)
    summary = report.format_summary(totals, [])
    assert "(2 source(s): src_a, src_b; 5 crawl attempt(s))" in summary
    assert "1 source(s) failed" in summary
