"""Apply the numbered SQL migrations in sql/migrations/, each once, each in its own transaction;
then the repeatable files in sql/marts/ (the analysts' views and functions) whenever they change.

Safe to repeat: applied files are recorded with their checksum in ops.schema_migrations and
skipped; an applied file whose content changed is an error (migrations are never edited once
merged: add a new one). A session advisory lock keeps two runners from racing.

Tables live in numbered migrations; marts in repeatable files, one object a file, named after it
(sql/marts/articles.sql defines marts.articles, with its COMMENT ON and GRANT statements beside
it). When any repeatable file changed, was added or removed, or one of its objects is missing,
all of them are dropped (dependents first) and created again from the files, in one transaction,
and their checksums recorded in ops.schema_repeatables. A file names the other repeatables it
reads in a ``-- requires: marts.a, marts.b`` line; they are created before it. A numbered
migration that changes a column a mart reads may drop that mart: it is recreated right after.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import psycopg2.errors
import psycopg2.extensions

from common.warehouse import connect, lock_holders

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "sql" / "migrations"
MARTS_DIR = Path(__file__).resolve().parents[1] / "sql" / "marts"
MARTS_SCHEMA = "marts"
FILENAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")
REPEATABLE_FILENAME = re.compile(r"^(?P<name>[a-z][a-z0-9_]*)\.sql$")
REQUIRES = re.compile(r"^--\s*requires:(?P<names>.*)$", re.MULTILINE)
ADVISORY_LOCK_KEY = 7_150_001  # any constant unique to this project
# DDL waits for every open transaction that read the table (an analyst's idle session), and
# while it waits every reader and writer of that table queues behind it, the load included. So
# each transaction waits at most this long for a lock, then gives way and tries again later.
LOCK_TIMEOUT_ENV = "NEWS_MIGRATE_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = "10s"
LOCK_ATTEMPTS = 3
LOCK_RETRY_PAUSE_SECONDS = 5.0

T = TypeVar("T")

BOOKKEEPING_DDL = """
create schema if not exists ops;
create table if not exists ops.schema_migrations (
    version     integer primary key,
    name        text not null,
    checksum    text not null,
    applied_at  timestamptz not null default now()
);
create table if not exists ops.schema_repeatables (
    name        text primary key,
    checksum    text not null,
    applied_at  timestamptz not null default now()
);
"""


class MigrationError(RuntimeError):
    """A migration file is malformed, edited after applying, or failed."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Repeatable:
    """A repeatable file: the object ``marts.<name>`` with its comments and grants."""

    name: str
    sql: str
    requires: tuple[str, ...]

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in version order; refuses stray or duplicate numbers."""
    migrations: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = FILENAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_lower_snake.sql")
        version = int(match["version"])
        if version in migrations:
            raise MigrationError(f"{path.name}: version {version} is used twice")
        migrations[version] = Migration(version, match["name"], path.read_text(encoding="utf-8"))
    return [migrations[v] for v in sorted(migrations)]


def discover_repeatables(directory: Path = MARTS_DIR) -> list[Repeatable]:
    """The repeatable files, each after the ones it requires; refuses unknown names and cycles."""
    found: dict[str, Repeatable] = {}
    for path in sorted(directory.glob("*.sql")):
        match = REPEATABLE_FILENAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: repeatable files are named <object_name>.sql, lower_snake")
        sql = path.read_text(encoding="utf-8")
        listed = [item for line in REQUIRES.findall(sql) for item in line.split(",") if item.strip()]
        requires = tuple(_repeatable_name(path.name, item) for item in listed)
        found[match["name"]] = Repeatable(match["name"], sql, requires)
    ordered: list[Repeatable] = []
    placing: set[str] = set()

    def place(repeatable: Repeatable) -> None:
        if repeatable in ordered:
            return
        if repeatable.name in placing:
            raise MigrationError(f"{repeatable.name}.sql: its requires: lines form a cycle")
        placing.add(repeatable.name)
        for name in repeatable.requires:
            if name not in found:
                raise MigrationError(f"{repeatable.name}.sql requires {MARTS_SCHEMA}.{name}, which no file defines")
            place(found[name])
        ordered.append(repeatable)

    for repeatable in found.values():
        place(repeatable)
    return ordered


def _repeatable_name(filename: str, item: str) -> str:
    schema, _, name = item.strip().rpartition(".")
    if schema != MARTS_SCHEMA:
        raise MigrationError(f"{filename}: requires: names {MARTS_SCHEMA}.<object>, not {item.strip()!r}")
    return name


def apply_migrations(
    dsn: str | None = None, directory: Path = MIGRATIONS_DIR, repeatables_directory: Path | None = MARTS_DIR
) -> list[str]:
    """Apply what is not yet applied, then the repeatable files if they changed; return the names
    applied now (numbered ones as NNNN_name, repeatable ones as marts/name)."""
    conn = connect(dsn)
    applied_now: list[str] = []
    try:
        with conn.cursor() as cur:
            cur.execute("select pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
            cur.execute(BOOKKEEPING_DDL)
            conn.commit()
            cur.execute("select version, checksum from ops.schema_migrations")
            done = dict(cur.fetchall())
        for migration in discover(directory):
            if migration.version in done:
                _check_unchanged(migration, done[migration.version])
                continue
            _give_way_to_locks(conn, f"migration {migration.version:04d}_{migration.name}",
                               functools.partial(_apply_one, conn, migration))
            applied_now.append(f"{migration.version:04d}_{migration.name}")
        if repeatables_directory is not None:
            repeatables = discover_repeatables(repeatables_directory)
            applied_now += _give_way_to_locks(conn, f"recreating the {MARTS_SCHEMA} objects",
                                              functools.partial(_apply_repeatables, conn, repeatables))
    finally:
        with conn.cursor() as cur:
            cur.execute("select pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
        conn.commit()
        conn.close()
    return applied_now


def lock_timeout() -> str:
    return os.environ.get(LOCK_TIMEOUT_ENV) or DEFAULT_LOCK_TIMEOUT


def _give_way_to_locks(conn: psycopg2.extensions.connection, what: str, apply: Callable[[], T]) -> T:
    """``apply()``, tried again after a pause when a lock wait passed the lock timeout (its
    transaction rolled back: nothing half applied); after LOCK_ATTEMPTS, an error naming the
    sessions holding the warehouse's tables."""
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            return apply()
        except MigrationError as exc:
            if not isinstance(exc.__cause__, psycopg2.errors.LockNotAvailable):
                raise
            with conn, conn.cursor() as cur:
                holders = lock_holders(cur)
            if attempt == LOCK_ATTEMPTS:
                raise MigrationError(
                    f"{what}: no lock within {lock_timeout()} ({LOCK_TIMEOUT_ENV}), {LOCK_ATTEMPTS} times; nothing of "
                    f"it applied. Locks on the warehouse are held by {holders}. Run it again once they end (or "
                    f"end one: select pg_terminate_backend(<pid>))") from exc.__cause__
            log.warning("%s: no lock within %s (attempt %d of %d), held by %s; trying again in %gs", what,
                        lock_timeout(), attempt, LOCK_ATTEMPTS, holders, LOCK_RETRY_PAUSE_SECONDS)
            time.sleep(LOCK_RETRY_PAUSE_SECONDS)
    raise AssertionError("unreachable")


def _check_unchanged(migration: Migration, recorded_checksum: str) -> None:
    if migration.checksum != recorded_checksum:
        raise MigrationError(
            f"migration {migration.version:04d}_{migration.name} was edited after it was applied; "
            "restore it and put the change in a new numbered migration"
        )


def _apply_one(conn: psycopg2.extensions.connection, migration: Migration) -> None:
    log.info("applying migration %04d_%s", migration.version, migration.name)
    try:
        with conn:  # one transaction per file
            with conn.cursor() as cur:
                cur.execute("set local lock_timeout = %s", (lock_timeout(),))
                cur.execute(migration.sql)
                cur.execute(
                    "insert into ops.schema_migrations (version, name, checksum) values (%s, %s, %s)",
                    (migration.version, migration.name, migration.checksum),
                )
    except Exception as exc:
        raise MigrationError(f"migration {migration.version:04d}_{migration.name} failed: {exc}") from exc


def _apply_repeatables(conn: psycopg2.extensions.connection, repeatables: list[Repeatable]) -> list[str]:
    """Recreate every repeatable object when any changed or is missing; the names applied now."""
    with conn.cursor() as cur:
        cur.execute("select name, checksum from ops.schema_repeatables")
        recorded = dict(cur.fetchall())
        wanted = {r.name: r.checksum for r in repeatables}
        missing = [r.name for r in repeatables if not _existing_objects(cur, r.name)]
    conn.commit()
    if recorded == wanted and not missing:
        return []
    log.info("recreating %d repeatable object(s) in %s", len(repeatables), MARTS_SCHEMA)
    try:
        with conn:  # all of them or none: analysts never see half the marts
            with conn.cursor() as cur:
                cur.execute("set local lock_timeout = %s", (lock_timeout(),))
                removed = [name for name in recorded if name not in wanted]
                for name in [*removed, *(r.name for r in reversed(repeatables))]:
                    for kind, identity in _existing_objects(cur, name):
                        cur.execute(f"drop {kind} {identity}")
                for repeatable in repeatables:
                    _create_repeatable(cur, repeatable)
                cur.execute("delete from ops.schema_repeatables")
                for repeatable in repeatables:
                    cur.execute("insert into ops.schema_repeatables (name, checksum) values (%s, %s)",
                                (repeatable.name, repeatable.checksum))
    except MigrationError:
        raise
    except Exception as exc:
        raise MigrationError(f"recreating the {MARTS_SCHEMA} objects failed: {exc}") from exc
    return [f"{MARTS_SCHEMA}/{r.name}" for r in repeatables]


def _create_repeatable(cur: psycopg2.extensions.cursor, repeatable: Repeatable) -> None:
    try:
        cur.execute(repeatable.sql)
    except Exception as exc:
        raise MigrationError(f"repeatable {MARTS_SCHEMA}/{repeatable.name}.sql failed: {exc}") from exc
    if not _existing_objects(cur, repeatable.name):
        raise MigrationError(f"repeatable {MARTS_SCHEMA}/{repeatable.name}.sql did not create "
                             f"{MARTS_SCHEMA}.{repeatable.name} (the file is named after the object it defines)")


def _existing_objects(cur: psycopg2.extensions.cursor, name: str) -> list[tuple[str, str]]:
    """The objects named ``marts.<name>`` as (kind for DROP, identity), e.g. ("view", "marts.articles")."""
    cur.execute(
        """select case c.relkind when 'v' then 'view' when 'm' then 'materialized view' end,
                  c.oid::regclass::text
           from pg_class c where c.relnamespace = %(schema)s::regnamespace and c.relname = %(name)s
           union all
           select case p.prokind when 'p' then 'procedure' when 'a' then 'aggregate' else 'function' end,
                  p.oid::regprocedure::text
           from pg_proc p where p.pronamespace = %(schema)s::regnamespace and p.proname = %(name)s""",
        {"schema": MARTS_SCHEMA, "name": name},
    )
    found = cur.fetchall()
    for kind, identity in found:
        if kind is None:  # a table or sequence: data, never dropped by the runner
            raise MigrationError(f"{identity} is not a view or function: repeatable files define only those; "
                                 "rename the file or move the object into a numbered migration")
    return [(kind, identity) for kind, identity in found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    applied = apply_migrations()
    detail = f" ({', '.join(applied)})" if applied else ", already current"
    print(f"warehouse migrations: {len(applied)} applied{detail}")


if __name__ == "__main__":
    main()
