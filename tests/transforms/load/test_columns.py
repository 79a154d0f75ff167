"""The article's column declaration against the migrated schema and the Article record."""

from __future__ import annotations

import re
from dataclasses import replace

import psycopg2
import pytest

from tests.fixtures.articles import make_article
from transforms.load.columns import ARTICLE_COLUMNS, Column, History, article_problem, unstored_article_fields


def column_types(dsn: str, table: str) -> dict[str, str]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("""select attname, format_type(atttypid, atttypmod) from pg_attribute
                       where attrelid = %s::regclass and attnum > 0 and not attisdropped""", (table,))
        found = dict(cur.fetchall())
    conn.close()
    return found


def check_constraints(dsn: str, table: str) -> str:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select string_agg(pg_get_constraintdef(oid), ' ') from pg_constraint "
                    "where conrelid = %s::regclass and contype = 'c'", (table,))
        found = cur.fetchone()[0]
    conn.close()
    return found


def test_every_article_field_is_declared_as_a_column_or_as_not_stored() -> None:
    assert unstored_article_fields() == set()


def test_the_declaration_matches_the_migrated_tables(warehouse: str) -> None:
    articles = column_types(warehouse, "core.articles")
    versions = column_types(warehouse, "core.article_versions")
    for column in ARTICLE_COLUMNS:
        assert articles.get(column.name) == column.sql_type.replace("timestamptz", "timestamp with time zone")
        if column.history is not History.CURRENT_ONLY:
            assert versions.get(column.name) == articles[column.name], column.name


def test_each_declared_length_limit_is_the_schemas(warehouse: str) -> None:
    constraints = check_constraints(warehouse, "core.articles")
    for column in ARTICLE_COLUMNS:
        limits = {int(n) for n in re.findall(rf"length\({column.name}\) <= (\d+)", constraints)}
        assert limits == ({column.max_chars} if column.max_chars else set()), column.name


@pytest.mark.parametrize("column", [c for c in ARTICLE_COLUMNS if c.max_chars], ids=lambda c: c.name)
def test_a_value_over_a_declared_limit_is_named(column: Column) -> None:
    assert column.max_chars is not None
    too_long = "https://test.example/" + "x" * column.max_chars
    problem = article_problem(replace(make_article("https://test.example/news/long"), **{column.field: too_long}))
    assert problem is not None and problem.startswith(f"{column.field}_too_long")
