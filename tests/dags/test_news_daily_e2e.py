"""news_daily end to end through Airflow (dag.test in a child process) on the demo archive."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import pytest

from common.warehouse import transaction
from tests.fixtures import DEMO_ARCHIVE, PROJECT_ROOT
from tests.fixtures.demo_day import AJ, EXPECTED

UTC = UTC
REPOST = "https://news-repost.example/2026/11/19/cocoa-growers-in-sao-tome-and-principe-win-export-levy-dispute/"


def run_news_daily(archive_root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REPLAY_WARC": str(DEMO_ARCHIVE), "ARCHIVE_ROOT": str(archive_root),
           "NEWS_SOURCES_EXTRA_DIRS": str(PROJECT_ROOT / "demo" / "sources")}
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "tools" / "run_dag.py"), "news_daily", "--logical-date", "2026-11-20"],
        env=env, capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT,
    )


@pytest.mark.airflow
def test_news_daily_loads_the_days_articles_once(clean_warehouse: str, archive_root: Path) -> None:
    first = run_news_daily(archive_root)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert_run_lasted_minutes_not_weeks(first.stderr)

    with transaction() as cur:
        cur.execute("select url, title, published_at, authors, body, original_source, version from core.articles")
        rows = {r[0]: r[1:] for r in cur.fetchall()}
        cur.execute("select source, status, articles_new, pages_rejected from ops.crawl_runs order by source")
        runs = cur.fetchall()
        cur.execute("select url, extraction_reason from raw.captures where extraction_status = 'rejected'")
        rejected = dict(cur.fetchall())
    assert set(rows) == set(EXPECTED)
    for url, (title, published, authors) in EXPECTED.items():
        assert rows[url][:3] == (title, published, authors), url
    assert runs == [("aljazeera", "loaded", 11, 2), ("news_repost", "loaded", 1, 0)]
    assert {url.split("/")[3] for url in rejected} == {"news", "video"}
    assert [r.split(":")[0] + ":" + r.split(":")[1] for r in sorted(rejected.values())] == [
        "not_article:liveblog", "not_article:video"]

    repost_body, original_source = rows[REPOST][3], rows[REPOST][4]
    assert original_source == "www.aljazeera.com"
    for tail in ("Leave a Reply", "Your email address will not be published", "Original Source"):
        assert tail not in repost_body
    assert repost_body.rstrip().endswith(".")
    zambia = rows[f"{AJ}/news/2026/11/19/zambia-rations-electricity-as-kariba-dam-water-falls-to-record-low"][3]
    assert "Recommended Stories" not in zambia

    # After the load: the Parquet export of the day and the run's report, in the archive store.
    exported = sorted(str(p.relative_to(archive_root / "exports")) for p in archive_root.glob("exports/*/*/*/*.parquet"))
    assert exported == ["articles/source=aljazeera/day=2026-11-19/articles.parquet",
                        "story_articles/source=aljazeera/day=2026-11-19/story_articles.parquet",
                        "story_articles/source=news_repost/day=2026-11-19/story_articles.parquet"]
    [report] = (archive_root / "reports" / "news_daily").glob("*.html")
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") == 3 and "news_repost +3 h 42 min" in html

    # The same run again: nothing new, every article unchanged, no new versions.
    second = run_news_daily(archive_root)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    with transaction() as cur:
        cur.execute("""select articles_new, articles_updated, articles_unchanged from ops.crawl_runs
                       order by finished_at desc limit 2""")
        assert sorted(cur.fetchall()) == [(0, 0, 1), (0, 0, 11)]
        cur.execute("select count(*), max(version) from core.article_versions")
        assert cur.fetchone() == (12, 1)


def assert_run_lasted_minutes_not_weeks(output: str) -> None:
    """dag.test() records the logical date (20 Nov) as the run's start: the UI showed a 14-day run."""
    import psycopg2

    run_id = output.split("dag run ", 1)[1].splitlines()[0].rsplit(": ", 1)[0]  # "dag run <id>: success"
    dsn = "postgresql://" + os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].split("://", 1)[1]
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select start_date, end_date, logical_date from dag_run where run_id = %s", (run_id,))
        row = cur.fetchone()
    conn.close()
    assert row is not None, run_id
    start, end, logical = row
    assert start > logical and (end - start).total_seconds() < 600, row
