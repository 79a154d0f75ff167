"""A scratch warehouse holding a month of news (tests/fixtures/analyst_month.py) per test module."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg2
import pytest

from demo.warehouse import scratch_database
from tests.fixtures.analyst_month import AnalystMonth, load_analyst_month


@pytest.fixture(scope="module")
def month_db(server_dsn: str) -> Iterator[tuple[str, AnalystMonth]]:
    """(dsn, what was loaded): a migrated scratch database with the month loaded."""
    with scratch_database(server_dsn, prefix="news_month") as dsn:
        conn = psycopg2.connect(dsn)
        try:
            with conn, conn.cursor() as cur:
                cur.execute("set time zone 'UTC'")
                month = load_analyst_month(cur)
        finally:
            conn.close()
        yield dsn, month


def rows(dsn: str, query: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("set time zone 'UTC'")
            cur.execute(query, params)
            return list(cur.fetchall())
    finally:
        conn.close()
