"""Shared fixtures: a real, throwaway PostgreSQL database per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from common.migrate import apply_migrations
from common.warehouse import DSN_ENV, throwaway_database, warehouse_dsn


@pytest.fixture(scope="session")
def server_dsn() -> str:
    """The configured warehouse server (make test starts a local one)."""
    return warehouse_dsn()


@pytest.fixture(scope="session")
def empty_database(server_dsn: str) -> Iterator[str]:
    """An empty database for the whole test session."""
    with throwaway_database(server_dsn) as dsn:
        yield dsn


@pytest.fixture(scope="session")
def warehouse(empty_database: str) -> Iterator[str]:
    """A migrated test warehouse; NEWS_WAREHOUSE_DSN points at it for the whole session."""
    apply_migrations(empty_database)
    previous = os.environ.get(DSN_ENV)
    os.environ[DSN_ENV] = empty_database
    try:
        yield empty_database
    finally:
        if previous is None:
            os.environ.pop(DSN_ENV, None)
        else:
            os.environ[DSN_ENV] = previous


@pytest.fixture()
def archive_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "archive"
    monkeypatch.setenv("ARCHIVE_ROOT", str(root))
    return root


@pytest.fixture()
def fresh_database(server_dsn: str) -> Iterator[str]:
    """An empty database for one test."""
    with throwaway_database(server_dsn) as dsn:
        yield dsn


@pytest.fixture()
def clean_warehouse(warehouse: str) -> str:
    """The session's warehouse with every table emptied."""
    with psycopg2.connect(warehouse) as conn, conn.cursor() as cur:
        cur.execute("truncate core.article_versions, core.articles, raw.captures, ops.crawl_runs, "
                    "ops.sources, ops.backfill_files cascade")
    conn.close()
    return warehouse
