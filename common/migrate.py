"""Apply the numbered SQL migrations in sql/migrations/, each once, each in its own transaction.

Safe to repeat: applied files are recorded with their checksum in ops.schema_migrations and
skipped; an applied file whose content changed is an error (migrations are never edited once
merged: add a new one). A session advisory lock keeps two runners from racing.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg2.extensions

from common.warehouse import connect

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "sql" / "migrations"
FILENAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")
ADVISORY_LOCK_KEY = 7_150_001  # any constant unique to this project

BOOKKEEPING_DDL = """
create schema if not exists ops;
create table if not exists ops.schema_migrations (
    version     integer primary key,
    name        text not null,
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


def apply_migrations(dsn: str | None = None, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply what is not yet applied; return the names applied now."""
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
            _apply_one(conn, migration)
            applied_now.append(f"{migration.version:04d}_{migration.name}")
    finally:
        with conn.cursor() as cur:
            cur.execute("select pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
        conn.commit()
        conn.close()
    return applied_now


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
                cur.execute(migration.sql)
                cur.execute(
                    "insert into ops.schema_migrations (version, name, checksum) values (%s, %s, %s)",
                    (migration.version, migration.name, migration.checksum),
                )
    except Exception as exc:
        raise MigrationError(f"migration {migration.version:04d}_{migration.name} failed: {exc}") from exc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    applied = apply_migrations()
    detail = f" ({', '.join(applied)})" if applied else ", already current"
    print(f"warehouse migrations: {len(applied)} applied{detail}")


if __name__ == "__main__":
    main()
