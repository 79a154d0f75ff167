"""news_backfill end to end through Airflow (dag.test in a child process) on a CC-NEWS-shaped
archive: no feeds, several sites, tracking parameters in archived URLs, one article captured
twice in the window (the newer capture in the first file), pages outside the window."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from common.warehouse import transaction
from tests.fixtures.cc_news import (
    BACKFILL_EXPECTED,
    BACKFILL_SINCE,
    BACKFILL_UNTIL,
    TWICE,
    TWICE_FIRST_BODY,
    TWICE_SECOND_BODY,
    build_cc_news_backfill,
)
from tests.fixtures.demo_day import run_dag

pytestmark = pytest.mark.airflow


def _warehouse() -> tuple[dict[str, tuple[object, ...]], list[tuple[object, ...]]]:
    with transaction() as cur:
        cur.execute("select url, title, content_hash, version, first_seen_at, last_seen_at, body from core.articles")
        articles = {r[0]: r[1:] for r in cur.fetchall()}
        cur.execute("""select a.url, v.version, v.observed_at, v.content_hash, v.body from core.article_versions v
                       join core.articles a using (article_id) order by a.url, v.version""")
        versions = cur.fetchall()
    return articles, versions


def _progress(dag_run_like: str) -> tuple[object, ...]:
    with transaction() as cur:
        cur.execute("""select files_total, files_done, files_failed, records_scanned, articles_loaded,
                              articles_unchanged from marts.backfill_progress
                       where dag_run_id like %s""", (dag_run_like,))
        rows = cur.fetchall()
    assert len(rows) == 1, rows
    return tuple(rows[0])


def test_news_backfill_loads_only_the_sources_window_once_in_capture_order(
    clean_warehouse: str, archive_root: Path, tmp_path: Path
) -> None:
    pattern = build_cc_news_backfill(tmp_path / "ccnews")
    conf = {"sources": ["aljazeera", "dw"], "since": BACKFILL_SINCE, "until": BACKFILL_UNTIL,
            "archives": str(pattern)}
    first = run_dag("news_backfill", conf, archive_root, logical_date="2026-12-01")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "backfill progress: 2/2 files done" in first.stdout + first.stderr

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
    assert _progress("%2026-12-01%") == (2, 2, 0, 30, 7, 0)

    # The same archives again, in a new run: nothing changes.
    second = run_dag("news_backfill", conf, archive_root, logical_date="2026-12-02")
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert _warehouse() == (articles, versions)
    assert _progress("%2026-12-02%")[:5] == (2, 2, 0, 30, 0)

