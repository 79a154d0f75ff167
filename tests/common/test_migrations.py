from __future__ import annotations

import shutil
from pathlib import Path

import psycopg2
import pytest

from common.migrate import MARTS_DIR, MIGRATIONS_DIR, MigrationError, apply_migrations, discover, discover_repeatables


def tables(dsn: str) -> set[str]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("""select table_schema || '.' || table_name from information_schema.tables
                       where table_schema in ('ops', 'raw', 'core', 'marts')""")
        found = {row[0] for row in cur.fetchall()}
    conn.close()
    return found


def test_migrations_apply_to_an_empty_database_then_reapply_as_a_no_op(fresh_database: str) -> None:
    applied = apply_migrations(fresh_database)
    assert applied == ([f"{m.version:04d}_{m.name}" for m in discover()]
                       + [f"marts/{r.name}" for r in discover_repeatables()])
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


def one_value(dsn: str, sql: str) -> object:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql)
        value = cur.fetchone()[0]
    conn.close()
    return value


def view_columns(dsn: str, view: str) -> list[str]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select attname from pg_attribute where attrelid = %s::regclass and attnum > 0 order by attnum",
                    (view,))
        found = [row[0] for row in cur.fetchall()]
    conn.close()
    return found


@pytest.fixture()
def marts_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "marts"
    shutil.copytree(MARTS_DIR, copy)
    return copy


def test_a_changed_mart_file_recreates_the_marts_with_their_grants_and_comments(
    fresh_database: str, marts_copy: Path
) -> None:
    apply_migrations(fresh_database, repeatables_directory=marts_copy)
    articles = marts_copy / "articles.sql"
    articles.write_text(articles.read_text().replace("    a.body\n", "    a.body,\n    a.extractor\n", 1))
    assert "marts/articles" in apply_migrations(fresh_database, repeatables_directory=marts_copy)
    assert view_columns(fresh_database, "marts.articles")[-2:] == ["body", "extractor"]
    assert one_value(fresh_database, "select has_table_privilege('news_analyst', 'marts.articles', 'select')")
    comment = one_value(fresh_database, "select obj_description('marts.articles'::regclass)")
    assert isinstance(comment, str) and comment.startswith("One row per story")
    assert one_value(fresh_database, "select count(*) from marts.search_articles('anything')") == 0
    assert apply_migrations(fresh_database, repeatables_directory=marts_copy) == []


def test_a_broken_mart_file_leaves_the_marts_as_they_were(fresh_database: str, marts_copy: Path) -> None:
    apply_migrations(fresh_database, repeatables_directory=marts_copy)
    before = view_columns(fresh_database, "marts.articles")
    (marts_copy / "story_articles.sql").write_text("create view marts.story_articles as select nonsense from nowhere;")
    with pytest.raises(MigrationError, match="story_articles.sql failed"):
        apply_migrations(fresh_database, repeatables_directory=marts_copy)
    assert view_columns(fresh_database, "marts.articles") == before
    assert view_columns(fresh_database, "marts.story_articles")[:2] == ["story_id", "article_id"]


def test_a_mart_dropped_by_a_numbered_migration_is_recreated(fresh_database: str, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, migrations)
    apply_migrations(fresh_database, migrations)
    (migrations / "9998_change_a_column_under_a_mart.sql").write_text(
        "drop view marts.authors;\nalter table core.authors alter column name type varchar(400);")
    assert apply_migrations(fresh_database, migrations)[0] == "9998_change_a_column_under_a_mart"
    assert one_value(fresh_database, "select count(*) from marts.authors") == 0
    assert one_value(fresh_database, "select has_table_privilege('news_analyst', 'marts.authors', 'select')")


def test_a_removed_mart_file_drops_its_view(fresh_database: str, marts_copy: Path) -> None:
    apply_migrations(fresh_database, repeatables_directory=marts_copy)
    (marts_copy / "authors.sql").unlink()
    apply_migrations(fresh_database, repeatables_directory=marts_copy)
    assert one_value(fresh_database, "select to_regclass('marts.authors')") is None
    assert one_value(fresh_database, "select count(*) from ops.schema_repeatables where name = 'authors'") == 0


def test_repeatables_are_created_after_what_they_require_and_cycles_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a_first.sql").write_text("-- requires: marts.z_last\ncreate view marts.a_first as select 1;")
    (tmp_path / "z_last.sql").write_text("create view marts.z_last as select 1;")
    assert [r.name for r in discover_repeatables(tmp_path)] == ["z_last", "a_first"]
    (tmp_path / "z_last.sql").write_text("-- requires: marts.a_first\ncreate view marts.z_last as select 1;")
    with pytest.raises(MigrationError, match="cycle"):
        discover_repeatables(tmp_path)
    (tmp_path / "z_last.sql").write_text("-- requires: marts.nowhere\ncreate view marts.z_last as select 1;")
    with pytest.raises(MigrationError, match="no file defines"):
        discover_repeatables(tmp_path)
