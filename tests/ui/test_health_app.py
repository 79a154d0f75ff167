"""The health pages (ui/health_app.py) on a month of news in a real PostgreSQL, through FastAPI's
TestClient: the figures shown are the marts', page text is escaped, a retry marks the chosen URLs
due and refuses bad input saying why, and no page answers without an Airflow login.

The login check is Airflow's own ``get_user`` (401 below); where a test needs a logged-in user
it stands in Airflow's resolved user, because the auth manager lives in the API server: the
stack test (tests/ui/test_health_view_browser.py) logs in for real.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
from fastapi.testclient import TestClient
from markupsafe import escape

from common.sources import EXTRA_DIRS_ENV, load_sources
from common.warehouse import DSN_ENV
from dags.tasks.completeness import check_completeness
from demo.warehouse import scratch_database
from tests.fixtures.analyst_month import BACKFILL_FAILURE, TAGESBLATT_FAILURE, load_analyst_month
from ui import health_airflow
from ui.health_app import create_app

HOSTILE_NAME = '<script>alert("name")</script> & Co'
HOSTILE_URL = 'https://evil.example/"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(2)"
HOSTILE_FAILURE = "<b>blocked</b> by <iframe>"


@pytest.fixture(scope="module")
def month_dsn(server_dsn: str) -> Iterator[str]:
    with scratch_database(server_dsn, prefix="news_health") as dsn:
        conn = psycopg2.connect(dsn)
        try:
            with conn, conn.cursor() as cur:
                cur.execute("set time zone 'UTC'")
                load_analyst_month(cur)
                _hostile_source(cur)
        finally:
            conn.close()
        previous = os.environ.get(DSN_ENV)
        os.environ[DSN_ENV] = dsn
        try:
            yield dsn
        finally:
            if previous is None:
                os.environ.pop(DSN_ENV, None)
            else:
                os.environ[DSN_ENV] = previous


def _hostile_source(cur: psycopg2.extensions.cursor) -> None:
    """A source whose name, failure and ledger URLs carry markup, as a broken feed could."""
    cur.execute("""insert into ops.sources (source, name, domains, language, enabled)
                   values ('hostile', %s, '{evil.example}', 'en', true)""", (HOSTILE_NAME,))
    cur.execute("""insert into ops.crawl_runs (crawl_run_id, source, window_start, window_end, started_at,
                     finished_at, finish_reason, status, failure, pages_fetched, requests, stats)
                   values ('00000000-0000-4000-8000-000000000001', 'hostile', '2026-11-19', '2026-11-20',
                           '2026-11-20 04:00', '2026-11-20 04:05', 'finished', 'failed', %s, 0, 2, '{}')""",
                (HOSTILE_FAILURE,))
    for url in (HOSTILE_URL, JS_URL):
        cur.execute("""insert into ops.failed_urls (source, normalized_url, url, kind, reason, first_failed_at,
                         last_failed_at, next_retry_at)
                       values ('hostile', %s, %s, 'page', 'timeout', '2026-11-20 04:05', '2026-11-20 04:05',
                               '2026-11-20 05:05')""", (url, url))


@pytest.fixture()
def client(month_dsn: str) -> TestClient:
    app = create_app()
    app.dependency_overrides[health_airflow.current_user] = lambda: SimpleAuthManagerUser(username="ops", role="admin")
    return TestClient(app)


PLANET_SOURCE_FILE = """slug = "daily_planet"
name = "The Daily Planet"
domains = ["planet.example"]
language = "en"
enabled = true

[discovery]
feeds = ["https://planet.example/feed/"]

[urls]
allow = ['^https://planet\\.example/news/']

[quality]
on_low_volume = "off"
"""


def test_the_completeness_checks_are_the_quality_gates_on_the_last_loaded_run(
        client: TestClient, month_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a source file, the page runs the gate's checks on the source's last loaded run: a
    loaded run that brought nothing after a month of articles fails zero_articles."""
    (tmp_path / "daily_planet.toml").write_text(PLANET_SOURCE_FILE, encoding="utf-8")
    monkeypatch.setenv(EXTRA_DIRS_ENV, str(tmp_path))
    empty_run = "00000000-0000-4000-8000-000000000002"
    with psycopg2.connect(month_dsn) as conn, conn.cursor() as cur:
        cur.execute("""insert into ops.crawl_runs (crawl_run_id, source, window_start, window_end, started_at,
                         finished_at, loaded_at, finish_reason, status, pages_fetched, requests, stats,
                         articles_new, articles_updated, articles_unchanged, articles_loaded)
                       values (%s, 'daily_planet', '2026-11-20', '2026-11-21', '2026-11-21 04:00',
                               '2026-11-21 04:10', '2026-11-21 04:11', 'finished', 'loaded', 0, 3, '{}', 0, 0, 0, 0)""",
                    (empty_run,))
    conn.close()
    try:
        expected = check_completeness(load_sources()["daily_planet"], empty_run)
        assert [c.check for c in expected] == ["zero_articles"]
        page = html.unescape(client.get("/sources/daily_planet").text)
        assert f"Last loaded run <code>{empty_run}</code>" in page
        checks = re.search(r'<table id="checks">(.*?)</table>', page, re.S).group(1)
        assert re.search(r"<td>zero_articles</td><td>fail</td>\s*<td>.*?<div class=\"fail\">zero_articles: "
                         + re.escape(expected[0].message), checks, re.S), checks
        assert re.search(r"<td>low_volume</td><td>off</td>", checks)
        assert "Crawled by DAG <code>news_daily</code>" in page
    finally:
        with psycopg2.connect(month_dsn) as conn, conn.cursor() as cur:
            cur.execute("delete from ops.crawl_runs where crawl_run_id = %s", (empty_run,))
        conn.close()


def marts(dsn: str, query: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(query, params)
            return list(cur.fetchall())
    finally:
        conn.close()


def row_cells(page: str, row_marker: str) -> list[str]:
    """The text of each cell of the table row carrying ``row_marker``."""
    row = re.search(rf"<tr[^>]*{re.escape(row_marker)}[^>]*>(.*?)</tr>", page, re.S)
    assert row, f"no row {row_marker} in the page"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", " ", c)).split() and " ".join(
        html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) or "" for c in cells]


LEDGER = "select source, normalized_url, next_retry_at, gave_up_at from ops.failed_urls order by 1, 2"


def test_no_page_answers_without_an_airflow_login(month_dsn: str) -> None:
    before = marts(month_dsn, LEDGER)
    anonymous = TestClient(create_app())
    for method, path in (("GET", "/"), ("GET", "/sources/tagesblatt"), ("POST", "/sources/tagesblatt/retry")):
        response = anonymous.request(method, path, data={"url": "https://tagesblatt.example/politik/0"})
        assert response.status_code == 401, (method, path, response.text)
    assert marts(month_dsn, LEDGER) == before


def test_the_overview_shows_the_marts_figures(client: TestClient, month_dsn: str) -> None:
    page = client.get("/").text
    for source, name in (("daily_planet", "The Daily Planet"), ("tagesblatt", "Tagesblatt"), ("wire_copy", "Wire Copy")):
        (status, failure), = marts(month_dsn, "select last_run_status, last_run_failure from marts.sources where source = %s",
                                   (source,))
        (runs, failed, pages, pages_failed, articles, rejected), = marts(month_dsn, """
            select sum(crawl_runs), sum(runs_failed), sum(pages_fetched), sum(pages_failed), sum(articles),
                   sum(pages_rejected)
            from marts.crawl_health where source = %s and day > (select max(day) from marts.crawl_health) - 7""",
            (source,))
        (open_urls,), = marts(month_dsn, "select count(*) from marts.failed_urls where source = %s and state <> 'resolved'",
                              (source,))
        cells = row_cells(page, f'data-source="{source}"')
        assert cells[0].startswith(name)
        assert cells[1].startswith(str(status)) and (failure is None or str(failure) in cells[1])
        cells[4] = cells[4].split()[0]  # the failed runs' count; their reasons follow
        assert cells[3:10] == [str(runs), str(failed), str(pages), str(pages_failed), str(articles), str(rejected),
                               str(open_urls)], cells
    failures = row_cells(page, 'data-source="tagesblatt"')[4]
    assert TAGESBLATT_FAILURE in failures  # the week's failed runs say why (the daily run's)
    assert BACKFILL_FAILURE in row_cells(page, 'data-source="tagesblatt"')[1]  # the last to finish: a backfill
    assert row_cells(page, 'data-source="tagesblatt"')[9] == "6"  # the six 503s of the failed run


def test_the_source_page_shows_runs_reasons_checks_and_the_ledger(client: TestClient, month_dsn: str) -> None:
    response = client.get("/sources/tagesblatt")
    assert response.status_code == 200
    page = html.unescape(response.text)
    runs = marts(month_dsn, "select window_day, status from marts.crawl_runs where source = 'tagesblatt' "
                            "order by finished_at desc, crawl_run_id desc limit 20")
    table = re.search(r'<table id="runs">(.*?)</table>', page, re.S).group(1)
    shown = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td><td>[^<]*</td>\s*<td class=\"(\w+)\"", table)
    assert [(str(d), s) for d, s in runs] == shown
    assert re.search(r"<td>http_503</td><td class=\"n\">6</td>", page)  # open ledger entries by reason
    ledger = re.findall(r'name="url" value="([^"]+)"', page)
    assert sorted(ledger) == [f"https://tagesblatt.example/politik/{n}" for n in range(6)]
    assert "no source file configures this source" in page  # the month's sources have no TOML file
    assert "No DAG crawls this" in page


def test_page_text_is_escaped(client: TestClient) -> None:
    for path in ("/", "/sources/hostile"):
        page = client.get(path).text
        assert "<script>" not in page and "<img" not in page and "<iframe>" not in page and "<b>blocked" not in page
        assert str(escape(HOSTILE_NAME)) in page
    page = client.get("/sources/hostile").text
    assert str(escape(HOSTILE_URL)) in page  # the checkbox value and the link text, escaped
    assert 'href="javascript:' not in page and 'href="#"' in page  # a javascript: URL is no link
    assert str(escape(HOSTILE_FAILURE)) in page


def test_unknown_source_is_a_clear_404(client: TestClient) -> None:
    for response in (client.get("/sources/nosuch"),
                     client.post("/sources/nosuch/retry", data={"url": "https://x.example/a"})):
        assert response.status_code == 404
        assert "unknown source &#39;nosuch&#39;" in response.text
    assert "unknown source" in client.get("/sources/%3Cscript%3E").text
    assert "<script>" not in client.get("/sources/%3Cscript%3E").text


def test_retry_refuses_bad_input_and_marks_nothing(client: TestClient, month_dsn: str) -> None:
    before = marts(month_dsn, LEDGER)
    empty = client.post("/sources/tagesblatt/retry", data={})
    assert empty.status_code == 400 and "no URL chosen" in empty.text
    blank = client.post("/sources/tagesblatt/retry", data={"url": "  "})
    assert blank.status_code == 400
    no_dag = client.post("/sources/tagesblatt/retry", data={"url": "https://tagesblatt.example/politik/0"})
    assert no_dag.status_code == 409 and "no DAG crawls" in no_dag.text
    cross_site = client.post("/sources/tagesblatt/retry", data={"url": "https://tagesblatt.example/politik/0"},
                             headers={"Origin": "https://attacker.example"})
    assert cross_site.status_code == 403 and "cross-site" in cross_site.text
    assert marts(month_dsn, LEDGER) == before


def test_retry_of_urls_outside_the_ledger_is_refused_whole(client: TestClient, month_dsn: str) -> None:
    """aljazeera is a configured, enabled source (news_daily crawls it): the URL check is reached."""
    with psycopg2.connect(month_dsn) as conn, conn.cursor() as cur:
        cur.execute("""insert into ops.sources (source, name, domains, language, enabled)
                       values ('aljazeera', 'Al Jazeera English', '{www.aljazeera.com}', 'en', true)
                       on conflict do nothing""")
        cur.execute("""insert into ops.failed_urls (source, normalized_url, url, kind, reason, first_failed_at,
                         last_failed_at, next_retry_at)
                       values ('aljazeera', 'https://www.aljazeera.com/news/a', 'https://www.aljazeera.com/news/a',
                               'page', 'timeout', now(), now(), now() + interval '1 hour'),
                              ('aljazeera', 'https://www.aljazeera.com/rss', 'https://www.aljazeera.com/rss',
                               'feed', 'http_503', now(), now(), now() + interval '1 hour')
                       on conflict do nothing""")
    conn.close()
    response = client.post("/sources/aljazeera/retry",
                           data={"url": ["https://www.aljazeera.com/news/a", "https://www.aljazeera.com/rss",
                                         "https://tagesblatt.example/politik/0"]})
    assert response.status_code == 422, response.text
    assert "https://www.aljazeera.com/rss" in response.text and "tagesblatt.example/politik/0" in response.text
    assert "nothing marked" in response.text
    assert marts(month_dsn, "select state from marts.failed_urls where normalized_url = 'https://www.aljazeera.com/news/a'") \
        == [("waiting",)]
