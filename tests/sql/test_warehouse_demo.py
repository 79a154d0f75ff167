"""The demo day in the warehouse: the WordPress repost is folded into the Al Jazeera original."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg2
import pytest

from common.warehouse import DSN_ENV
from dags.tasks import report
from demo.warehouse import DEMO_DAG_RUN_ID, demo_database
from tests.fixtures import PROJECT_ROOT
from transforms.load.run import extract_and_load

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

AJ = "https://www.aljazeera.com"
ORIGINAL = f"{AJ}/news/2026/11/19/sao-tome-and-principes-cocoa-growers-win-fight-over-export-levy"
REPOST = "https://news-repost.example/2026/11/19/cocoa-growers-in-sao-tome-and-principe-win-export-levy-dispute/"


@pytest.fixture(scope="module")
def demo(server_dsn: str) -> Iterator[str]:
    with demo_database(server_dsn) as dsn:
        yield dsn


def rows(dsn: str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("set time zone 'UTC'")
        cur.execute(sql, params)
        found = cur.fetchall()
    conn.close()
    return found


def test_the_repost_is_folded_into_its_original(demo: str) -> None:
    assert rows(demo, "select count(*) from core.articles") == [(12,)]
    stories = rows(demo, "select url, copies, copy_sources, copy_urls from marts.articles order by url")
    assert len(stories) == 11
    assert REPOST not in [url for url, *_ in stories]
    assert (ORIGINAL, 1, ["news_repost"], [REPOST]) in stories
    assert all(copies == 0 for url, copies, *_ in stories if url != ORIGINAL)
    assert rows(demo, """select s.is_original, s.match_method, o.url, s.match_similarity > 0.4
                         from marts.story_articles s join core.articles o on o.article_id = s.matched_article_id
                         where s.url = %s""", (REPOST,)) == [(False, "original_source", ORIGINAL, True)]


def test_search_returns_the_story_once(demo: str) -> None:
    hits = rows(demo, "select url, copies, snippet from marts.search_articles('cocoa export levy')")
    assert [(url, copies) for url, copies, _ in hits] == [(ORIGINAL, 1)]
    assert "**" in hits[0][2]  # the matched words are marked in the snippet
    # Stemming in the article's language: "growers" finds "grower", "levies" finds "levy".
    assert [url for url, *_ in rows(demo, "select url from marts.search_articles('grower levies')")] == [ORIGINAL]
    # A source filter keeps the stories that source published, copies included.
    assert [url for url, *_ in rows(demo, "select url from marts.search_articles('cocoa', source_slug => 'news_repost')")] == [ORIGINAL]
    assert rows(demo, "select count(*) from marts.search_articles('kariba', source_slug => 'news_repost')") == [(0,)]
    assert rows(demo, "select count(*) from marts.search_articles('orchestra')") == [(0,)]


def test_the_run_report_reads_the_folded_marts(demo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DSN_ENV, demo)
    newest = report.newest_articles(limit=20)
    assert len(newest) == 11
    assert "Cocoa Growers in São Tomé and Príncipe Win Export Levy Dispute" not in [title for _, _, title, _ in newest]
    summary = report.format_summary(report.run_totals(DEMO_DAG_RUN_ID), newest[:5])
    assert "12 new" in summary


def test_crawl_health_shows_the_days_runs(demo: str) -> None:
    health = rows(demo, """select source, crawl_runs, runs_loaded, pages_fetched, articles, pages_rejected, extraction_yield
                           from marts.crawl_health where day = '2026-11-19' order by source""")
    assert [(s, runs, loaded, articles, rejected) for s, runs, loaded, _, articles, rejected, _ in health] == [
        ("aljazeera", 1, 1, 11, 2), ("news_repost", 1, 1, 1, 0)]
    assert [float(y) for *_, y in health] == [round(11 / 13, 3), 1.0]


def test_reloading_the_day_changes_no_story(demo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(PROJECT_ROOT / "demo" / "sources"))
    snapshot_sql = """select (select array_agg(row(article_id, story_id) order by article_id) from core.article_clusters)::text,
                              (select array_agg(row(article_id, matched_article_id, method) order by 1) from core.article_matches)::text,
                              (select count(*) from core.article_versions), (select count(*) from core.article_authors)"""
    before = rows(demo, snapshot_sql)
    runs = rows(demo, "select crawl_run_id::text from ops.crawl_runs where dag_run_id = %s order by source", (DEMO_DAG_RUN_ID,))
    results = [extract_and_load(run_id, dsn=demo, workers=2) for (run_id,) in runs]
    assert [(r.counts.new, r.counts.updated) for r in results] == [(0, 0), (0, 0)]
    assert sum(r.counts.unchanged for r in results) == 12
    assert rows(demo, snapshot_sql) == before
