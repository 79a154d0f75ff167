"""Unlisted fault 21b.4: an analyst's long transaction holds a lock on a mart (and, through the
view, on core.articles) while `make migrate` alters the table, and a load writes meanwhile.

Before, the migration's ALTER TABLE waited for the analyst without end, and while it waited every
reader and writer of core.articles queued behind it: the load hung with it. Now each migration
transaction waits at most NEWS_MIGRATE_LOCK_TIMEOUT for a lock, gives way, tries again after a
pause, and after its last try fails naming the sessions that hold the tables; the load goes on
between tries; a run once the analyst has gone applies it.

Real PostgreSQL: a throwaway database migrated for the test, a second real connection as a login
role of news_analyst, the migrations runner in a thread.
"""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest

from common import migrate
from common.migrate import MIGRATIONS_DIR, MigrationError, apply_migrations
from common.warehouse import connect
from tests.fixtures.articles import make_article, new_run
from tests.fixtures.roles import _throwaway_logins
from transforms.load.articles import load_articles

NEW_COLUMN = "9990_a_new_article_column.sql"


@pytest.fixture()
def migrated(fresh_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """A migrated database, and a migrations folder holding one more migration that alters core.articles."""
    apply_migrations(fresh_database)
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder)
    (folder / NEW_COLUMN).write_text("alter table core.articles add column reading_minutes integer;\n")
    monkeypatch.setenv(migrate.LOCK_TIMEOUT_ENV, "300ms")
    monkeypatch.setattr(migrate, "LOCK_RETRY_PAUSE_SECONDS", 0.3)
    yield fresh_database, folder


def load_two(dsn: str) -> float:
    """Load two articles into ``dsn``; the seconds it took (a load that hangs fails after 5 s)."""
    started = time.monotonic()
    conn = connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("set local lock_timeout = '5s'")
            tag = uuid.uuid4().hex[:8]
            counts = load_articles(cur, [make_article(f"https://test.example/{tag}/a"),
                                         make_article(f"https://test.example/{tag}/b", body="Other.\nStory.")],
                                   new_run(cur))
        assert counts.new == 2
    finally:
        conn.close()
    return time.monotonic() - started


def has_column(dsn: str) -> bool:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select 1 from information_schema.columns where table_schema = 'core' "
                    "and table_name = 'articles' and column_name = 'reading_minutes'")
        found = cur.fetchone() is not None
    conn.close()
    return found


def test_a_migration_behind_an_analysts_open_transaction_gives_way_then_fails_naming_the_session(
    migrated: tuple[str, Path]
) -> None:
    dsn, folder = migrated
    with _throwaway_logins() as login:
        analyst = login(dsn, "news_analyst")
        analyst.autocommit = False
        with analyst.cursor() as cur:  # a dashboard's query, its transaction left open
            cur.execute("select count(*) from marts.articles")
            cur.execute("select pg_backend_pid(), current_user")
            pid, user = cur.fetchone()
        failure: list[BaseException] = []

        def run_migrate() -> None:
            try:
                apply_migrations(dsn, directory=folder)
            except BaseException as exc:  # handed to the test thread
                failure.append(exc)

        runner = threading.Thread(target=run_migrate)
        runner.start()
        time.sleep(0.1)  # the ALTER TABLE is waiting now
        assert load_two(dsn) < 5  # the load is not stuck behind it
        runner.join(timeout=30)
        assert not runner.is_alive()
        analyst.rollback()
    [error] = failure
    assert isinstance(error, MigrationError)
    message = str(error)
    assert "migration 9990_a_new_article_column: no lock within 300ms (NEWS_MIGRATE_LOCK_TIMEOUT), 3 times" in message
    assert f"pid {pid} (user {user}, " in message and "core.articles" in message and "marts.articles" in message
    assert isinstance(error.__cause__, psycopg2.errors.LockNotAvailable)
    assert not has_column(dsn)  # nothing half applied
    assert apply_migrations(dsn, directory=folder) == ["9990_a_new_article_column"]  # once the analyst is gone
    assert has_column(dsn)


def test_a_migration_that_finds_the_lock_free_on_a_later_try_is_applied(migrated: tuple[str, Path]) -> None:
    dsn, folder = migrated
    with _throwaway_logins() as login:
        analyst = login(dsn, "news_analyst")
        analyst.autocommit = False
        with analyst.cursor() as cur:
            cur.execute("select count(*) from marts.articles")
        release = threading.Timer(0.5, analyst.rollback)  # the analyst closes the transaction
        release.start()
        try:
            applied = apply_migrations(dsn, directory=folder)
        finally:
            release.join()
    assert applied == ["9990_a_new_article_column"] and has_column(dsn)
