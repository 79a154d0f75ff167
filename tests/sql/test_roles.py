"""The analyst reads marts and core and nothing else, writes nothing, creates nothing;
the loader writes ops/raw/core; both hold for tables created after the grants."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg2.errors
import pytest

from common.warehouse import execute_autocommit
from tests.fixtures.roles import FORBIDDEN, Connect, login_as, refused, run

__all__ = ["login_as"]  # the fixture, imported for pytest

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
        "create temporary table mine (id int)",
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
