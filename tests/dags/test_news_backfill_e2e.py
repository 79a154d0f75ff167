"""news_backfill end to end through Airflow (dag.test in a child process) on a CC-NEWS-shaped
archive: no feeds, several sites, tracking parameters in archived URLs, one article captured
twice in the window (the newer capture in the first file), pages outside the window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from common.warehouse import transaction
from tests.fixtures import PROJECT_ROOT
from tests.fixtures.cc_news import (
    BACKFILL_EXPECTED,
    BACKFILL_SINCE,
    BACKFILL_UNTIL,
    TWICE,
    TWICE_FIRST_BODY,
    TWICE_SECOND_BODY,
    build_cc_news_backfill,
)

pytestmark = pytest.mark.airflow


def _warehouse() -> tuple[dict[str, tuple[object, ...]], list[tuple[object, ...]]]:
    with transaction() as cur:
        cur.execute("select url, title, content_hash, version, first_seen_at, last_seen_at, body from core.articles")
        articles = {r[0]: r[1:] for r in cur.fetchall()}
        cur.execute("""select a.url, v.version, v.observed_at, v.content_hash, v.body from core.article_versions v
                       join core.articles a using (article_id) order by a.url, v.version""")
        versions = cur.fetchall()
    return articles, versions


def run_backfill(conf: dict[str, object], archive_root: Path) -> subprocess.CompletedProcess[str]:
    """news_backfill through tools/run_dag.py (dag.test in a child), task logs at INFO on its output."""
    env = {**os.environ, "ARCHIVE_ROOT": str(archive_root), "NEWS_TASK_RETRIES": "0",
           "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO"}
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "tools" / "run_dag.py"), "news_backfill",
         "--logical-date", "2026-12-01", "--conf", json.dumps(conf)],
        env=env, capture_output=True, text=True, timeout=900, cwd=PROJECT_ROOT)


def _latest_progress() -> tuple[object, ...]:
    """marts.backfill_progress of the latest run."""
    with transaction() as cur:
        cur.execute("""select files_total, files_done, files_failed, records_scanned, articles_loaded,
                              articles_unchanged from marts.backfill_progress
                       order by planned_at desc limit 1""")
        return tuple(cur.fetchone())


def test_news_backfill_loads_only_the_sources_window_once_in_capture_order(
    clean_warehouse: str, archive_root: Path, tmp_path: Path
) -> None:
    pattern = build_cc_news_backfill(tmp_path / "ccnews")
    conf = {"sources": ["aljazeera", "dw"], "since": BACKFILL_SINCE, "until": BACKFILL_UNTIL,
            "archives": str(pattern)}
    first = run_backfill(conf, archive_root)
    output = first.stdout + first.stderr
    assert first.returncode == 0, output[-3000:]
    # Progress in the task logs: each file, then the run so far.
    assert "file 2/2 " in output and "backfill progress: 2/2 files done (0 failed), 30 records scanned" in output

    articles, versions = _warehouse()
    # Only the configured sources, only the window, none missed; tracking parameters gone.
    assert {url: row[0] for url, row in articles.items()} == BACKFILL_EXPECTED
    # The article captured twice: two versions in capture order, first seen at the older capture,
    # although the newer capture was read first.
    twice = [(v[1], v[2], v[4]) for v in versions if v[0] == TWICE]
    assert [(n, at) for n, at, _ in twice] == [(1, datetime(2026, 11, 19, 9, tzinfo=UTC)),
                                              (2, datetime(2026, 11, 21, 12, tzinfo=UTC))]
    assert TWICE_FIRST_BODY in str(twice[0][2]) and TWICE_SECOND_BODY in str(twice[1][2])
    assert articles[TWICE][2:5] == (2, datetime(2026, 11, 19, 9, tzinfo=UTC), datetime(2026, 11, 21, 12, tzinfo=UTC))
    assert TWICE_SECOND_BODY in str(articles[TWICE][5])
    assert {url for url, *_ in versions} == set(BACKFILL_EXPECTED) and len(versions) == len(BACKFILL_EXPECTED) + 1
    # Files done of total, records scanned (warcinfo + request/response pairs), articles loaded
    # (six articles and the second version of one).
    assert _latest_progress() == (2, 2, 0, 30, 7, 0)

    # The same archives again, in a new run: nothing changes.
    second = run_backfill(conf, archive_root)
    assert second.returncode == 0, (second.stdout + second.stderr)[-3000:]
    assert _warehouse() == (articles, versions)
    assert _latest_progress()[:5] == (2, 2, 0, 30, 0)

