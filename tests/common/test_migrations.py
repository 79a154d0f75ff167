from __future__ import annotations

from pathlib import Path

import psycopg2
import pytest

from common.migrate import MIGRATIONS_DIR, MigrationError, apply_migrations, discover


def tables(dsn: str) -> set[str]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("""select table_schema || '.' || table_name from information_schema.tables
                       where table_schema in ('ops', 'raw', 'core', 'marts')""")
        found = {row[0] for row in cur.fetchall()}
    conn.close()
    return found


def test_migrations_apply_to_an_empty_database_then_reapply_as_a_no_op(fresh_database: str) -> None:
    applied = apply_migrations(fresh_database)
    assert applied == [f"{m.version:04d}_{m.name}" for m in discover()]
    before = tables(fresh_database)
    assert {"ops.crawl_runs", "raw.captures", "core.articles", "core.article_versions", "marts.articles"} <= before
    assert apply_migrations(fresh_database) == []
    assert tables(fresh_database) == before


def test_an_edited_migration_is_refused(fresh_database: str, tmp_path: Path) -> None:
    for path in MIGRATIONS_DIR.glob("*.sql"):
        (tmp_path / path.name).write_text(path.read_text())
    apply_migrations(fresh_database, tmp_path)
    first = sorted(tmp_path.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(MigrationError, match="edited after it was applied"):
        apply_migrations(fresh_database, tmp_path)


def test_a_failing_migration_leaves_nothing_half_applied(fresh_database: str, tmp_path: Path) -> None:
    (tmp_path / "0001_ok.sql").write_text("create table public.kept (id int);")
    (tmp_path / "0002_broken.sql").write_text("create table public.half (id int); select 1/0;")
    with pytest.raises(MigrationError, match="0002_broken failed"):
        apply_migrations(fresh_database, tmp_path)
    with psycopg2.connect(fresh_database) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass('public.kept'), to_regclass('public.half')")
        assert cur.fetchone() == ("kept", None)
        cur.execute("select version from ops.schema_migrations")
        assert cur.fetchall() == [(1,)]
    conn.close()


def test_badly_named_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "1_first.sql").write_text("select 1;")
    with pytest.raises(MigrationError, match="NNNN_lower_snake.sql"):
        discover(tmp_path)
