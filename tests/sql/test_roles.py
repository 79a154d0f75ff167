"""The analyst reads marts and core and nothing else, writes nothing, creates nothing but
temporary tables; times show in UTC whatever the server's zone; the loader writes ops/raw/core;
both hold for tables created after the grants."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import psycopg2
import psycopg2.errors
import pytest

from common.warehouse import execute_autocommit
from tests.fixtures.roles import FORBIDDEN, Connect, login_as, login_as_on, refused, run

__all__ = ["login_as", "login_as_on"]  # the fixtures, imported for pytest


@pytest.fixture()
def later_tables(warehouse: str) -> Iterator[dict[str, str]]:
    """Tables the owner creates after the grants were made, one per schema, with a row each."""
    suffix = uuid.uuid4().hex[:8]
    names = {schema: f"{schema}.later_{suffix}" for schema in ("ops", "raw", "core", "marts")}
    for name in names.values():
        execute_autocommit(warehouse, f"create table {name} (id integer primary key, note text); insert into {name} values (1, 'x')")
    yield names
    for name in names.values():
        execute_autocommit(warehouse, f"drop table if exists {name}")


def test_the_analyst_reads_marts_and_core_only(warehouse: str, login_as: Connect, later_tables: dict[str, str]) -> None:
    analyst = login_as("news_analyst")
    for sql in ("select count(*) from marts.articles", "select count(*) from marts.crawl_health",
                "select count(*) from marts.daily_source_counts", "select count(*) from marts.article_versions",
                "select count(*) from core.articles", "select count(*) from core.sources",
                "select count(*) from marts.search_articles('anything')",
                "select count(*) from marts.rejected_pages", "select count(*) from marts.crawl_runs",
                "select count(*) from marts.crawl_health_by_run_day", "select count(*) from marts.articles_narrow",
                "select count(*) from marts.article_authors", "select last_run_status, country from marts.sources",
                "select core.clean_tag('RSBI:X'), core.author_kind('AFP')",
                f"select note from {later_tables['marts']}", f"select note from {later_tables['core']}"):
        run(analyst, sql)  # no error
    for sql in ("select * from ops.crawl_runs", "select * from ops.sources", "select * from raw.captures",
                "select * from ops.schema_migrations", "select * from ops.schema_repeatables",
                f"select * from {later_tables['ops']}", f"select * from {later_tables['raw']}"):
        assert refused(analyst, sql), sql


def test_the_analyst_cannot_write_or_create_anything(warehouse: str, login_as: Connect, later_tables: dict[str, str]) -> None:
    analyst = login_as("news_analyst")
    for sql in (
        "insert into core.authors (name) values ('Mallory')",
        "update core.articles set title = 'changed'",
        "delete from core.article_versions",
        "truncate core.articles",
        f"insert into {later_tables['core']} values (2, 'y')",
        f"update {later_tables['marts']} set note = 'y'",
        f"delete from {later_tables['core']}",
        "create table core.mine (id int)",
        "create table marts.mine (id int)",
        "create table public.mine (id int)",
        "create view marts.mine as select 1 as one",
        "create schema mine",
        "alter table core.articles add column mine int",
        "drop view marts.articles",
        "create function marts.mine() returns int language sql as 'select 1'",
        "comment on table core.articles is 'mine'",
    ):
        assert refused(analyst, sql), sql
    # Views are not a way round it either.
    with pytest.raises((FORBIDDEN, psycopg2.errors.ObjectNotInPrerequisiteState, psycopg2.errors.FeatureNotSupported)):
        run(analyst, "update marts.sources set enabled = false")


def test_the_loader_writes_ops_raw_core_but_runs_no_ddl(warehouse: str, login_as: Connect, later_tables: dict[str, str]) -> None:
    loader = login_as("news_loader")
    name = f"Loader Test {uuid.uuid4().hex[:6]}"
    run(loader, f"insert into core.authors (name) values ('{name}')")  # identity sequence usable
    run(loader, f"delete from core.authors where name = '{name}'")
    for schema in ("ops", "raw", "core"):
        run(loader, f"insert into {later_tables[schema]} values (2, 'loaded')")
    run(loader, "create temporary table staging (doc jsonb)")  # the loader's COPY stage
    run(loader, f"select note from {later_tables['marts']}")
    for sql in ("create table core.mine (id int)", "drop table core.authors cascade",
                f"insert into {later_tables['marts']} values (3, 'no')",
                "insert into ops.schema_migrations (version, name, checksum) values (9999, 'x', 'x')",
                "delete from ops.schema_repeatables"):
        assert refused(loader, sql), sql


def test_the_analyst_creates_temporary_tables_and_nothing_else(warehouse: str, login_as: Connect) -> None:
    analyst = login_as("news_analyst")
    run(analyst, "create temporary table my_sources as select source, count(*) as n from marts.articles group by source")
    run(analyst, "insert into my_sources values ('mine', 1)")
    run(analyst, "create temporary table my_notes (story_id bigint primary key, note text) on commit preserve rows")
    run(analyst, "insert into my_notes select story_id, 'read' from marts.articles limit 3")
    assert run(analyst, "select count(*) from my_sources where source = 'mine'") == [(1,)]
    [(schema,)] = run(analyst, "select n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                               "where c.relname = 'my_notes'")
    assert str(schema).startswith("pg_temp")
    for sql in ("create table my_table (id int)", "create table public.my_table (id int)",
                "create table marts.my_table as select * from my_sources",
                "create unlogged table core.my_table (id int)", "create materialized view marts.mv as select 1 as one",
                "create schema my_schema", "create sequence core.my_sequence",
                "insert into core.authors (name) values ('Mallory')"):
        assert refused(analyst, sql), sql
    # Another analyst's session does not see them; they are gone at the end of the session.
    other = login_as("news_analyst")
    with pytest.raises(psycopg2.errors.UndefinedTable):
        run(other, "select * from my_notes")


def test_times_show_in_utc_whatever_the_servers_zone(fresh_database: str, login_as_on: Callable[[str, str], psycopg2.extensions.connection]) -> None:
    from common.migrate import apply_migrations

    # A customer's database whose server (or database) runs in another zone.
    with psycopg2.connect(fresh_database) as conn, conn.cursor() as cur:
        cur.execute("select current_database()")
        [(name,)] = cur.fetchall()
    conn.close()
    execute_autocommit(fresh_database, f"alter database {name} set timezone = 'Asia/Kolkata'")
    assert run(login_as_on(fresh_database, "news_analyst"), "show timezone") == [("Asia/Kolkata",)]
    apply_migrations(fresh_database)
    analyst = login_as_on(fresh_database, "news_analyst")
    assert run(analyst, "show timezone") == [("UTC",)]
    assert run(analyst, "select to_char(timestamptz '2026-11-19 12:00+05:30', 'YYYY-MM-DD HH24:MI TZ')") == [("2026-11-19 06:30 UTC",)]
    assert run(login_as_on(fresh_database, "news_loader"), "show timezone") == [("UTC",)]
    with psycopg2.connect(fresh_database) as conn, conn.cursor() as cur:
        cur.execute("select r.rolname, s.setconfig from pg_db_role_setting s join pg_roles r on r.oid = s.setrole "
                    "where s.setdatabase = 0 and r.rolname in ('news_analyst', 'news_loader') order by 1")
        assert [(role, "TimeZone=UTC" in config) for role, config in cur.fetchall()] == [
            ("news_analyst", True), ("news_loader", True)]
    conn.close()
