"""Every example query in sql/queries/ runs, as an analyst, on the demo day; sql/README.md is current."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg2
import pytest

from common.warehouse import execute_autocommit
from demo.data_dictionary import README, ExampleQuery, example_queries, generated_readme, run_query
from demo.warehouse import demo_database

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

QUERIES = example_queries()
REPOST_TITLE = "Cocoa Growers in São Tomé and Príncipe Win Export Levy Dispute"


@pytest.fixture(scope="module")
def demo(server_dsn: str) -> Iterator[str]:
    with demo_database(server_dsn) as dsn:
        yield dsn


@pytest.fixture(scope="module")
def analyst(demo: str) -> Iterator[psycopg2.extensions.cursor]:
    """A cursor of a throwaway login in news_analyst, on the demo database."""
    user, password = f"news_test_analyst_{uuid.uuid4().hex[:8]}", secrets.token_hex(16)
    execute_autocommit(demo, f"create role {user} login password '{password}' in role news_analyst")
    parts = urlsplit(demo)
    netloc = f"{quote(user)}:{quote(password)}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    conn = psycopg2.connect(urlunsplit(parts._replace(netloc=netloc)))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            yield cur
    finally:
        conn.close()
        execute_autocommit(demo, f"drop role if exists {user}")


def test_there_are_at_least_eight_example_queries() -> None:
    assert len(QUERIES) >= 8
    assert all(q.title and q.description for q in QUERIES)


@pytest.mark.parametrize("query", QUERIES, ids=[q.path.stem for q in QUERIES])
def test_each_example_query_runs_as_an_analyst_and_finds_the_demo_day(
    analyst: psycopg2.extensions.cursor, query: ExampleQuery
) -> None:
    columns, rows = run_query(analyst, query)
    assert rows, f"{query.path.name} returned nothing on the demo day"
    assert len(set(columns)) == len(columns)


def by_name(analyst: psycopg2.extensions.cursor, stem: str) -> list[dict[str, object]]:
    query = next(q for q in QUERIES if q.path.stem == stem)
    columns, rows = run_query(analyst, query)
    return [dict(zip(columns, row)) for row in rows]


def test_the_queries_answer_what_they_say(analyst: psycopg2.extensions.cursor) -> None:
    per_day = by_name(analyst, "01_articles_per_source_per_day")
    assert [(r["source_name"], r["articles"], r["stories"], r["copies"]) for r in per_day] == [
        ("Al Jazeera English", 11, 11, 0), ("News Repost (demo WordPress site)", 1, 0, 1)]
    syndicated = by_name(analyst, "04_stories_syndicated_across_sources")
    assert [(r["original_source"], r["copy_source"], r["copy_title"], r["match_method"]) for r in syndicated] == [
        ("aljazeera", "news_repost", REPOST_TITLE, "original_source")]
    search = by_name(analyst, "06_full_text_search")
    assert [(r["title"], r["copies"]) for r in search] == [
        ("São Tomé and Príncipe’s cocoa growers win fight over export levy", 1)]
    updated = by_name(analyst, "05_articles_updated_after_publication")
    assert updated[0]["title"] == "Power restored to most of Uruguay after nationwide blackout"
    health = by_name(analyst, "07_crawl_health_last_7_days")
    assert [(r["source"], r["articles"], r["pages_rejected"]) for r in health] == [
        ("aljazeera", 11, 2), ("news_repost", 1, 0)]
    authors = by_name(analyst, "03_most_published_authors")
    assert authors[0]["author"] == "Al Jazeera Staff" and authors[0]["articles"] == 3


def _outputs_to_headers(readme: str) -> str:
    # Query outputs follow the extraction (word counts, snippets) that other work improves; the
    # test holds their columns to the queries, and the values are refreshed by the same command.
    return re.sub(r"(Output on the demo data:\n\n```\n[^\n]*\n)(.*?)(```)", r"\1\3", readme, flags=re.S)


def test_the_readme_is_generated_and_current(demo: str) -> None:
    current = README.read_text(encoding="utf-8")
    fresh = generated_readme(demo, current)
    assert "**(no comment)**" not in fresh, "COMMENT ON every marts and core table, view, column and function"
    assert _outputs_to_headers(fresh) == _outputs_to_headers(current), (
        "sql/README.md is out of date: run `python -m demo.data_dictionary` and commit it")
    for query in QUERIES:
        assert f"`sql/queries/{query.path.name}`" in current


def test_a_query_file_without_a_title_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.sql").write_text("select 1;\n")
    with pytest.raises(ValueError, match="start the query with a '-- Title' comment"):
        example_queries(tmp_path)
