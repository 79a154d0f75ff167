"""Where the warehouse is, and psycopg2 connections to it.

Resolution order: the ``NEWS_WAREHOUSE_DSN`` environment variable, then the Airflow Connection
``news_warehouse`` (from any secrets backend, ``AIRFLOW_CONN_NEWS_WAREHOUSE`` included). The DSN
carries a password: never log it, pass it to child processes through their environment only.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg2
import psycopg2.errors
import psycopg2.extensions

log = logging.getLogger(__name__)

DSN_ENV = "NEWS_WAREHOUSE_DSN"
CONNECTION_ID = "news_warehouse"
APPLICATION_NAME = "news-pipeline"


class WarehouseNotConfigured(RuntimeError):
    """Neither the environment nor Airflow says where the warehouse is."""


def warehouse_dsn() -> str:
    """The warehouse DSN, from the environment or the Airflow Connection."""
    dsn = os.environ.get(DSN_ENV)
    if dsn:
        return dsn
    dsn = _dsn_from_airflow_connection()
    if dsn:
        return dsn
    raise WarehouseNotConfigured(
        f"No warehouse configured: set {DSN_ENV}=postgresql://user:password@host:port/db or create "
        f"the Airflow Connection '{CONNECTION_ID}' (make demo / make test start a local one)."
    )


def _dsn_from_airflow_connection() -> str | None:
    # Airflow 3's PostgresHook.get_conn() returns a psycopg 3 connection; we need psycopg2, so we
    # build the DSN from the Connection's fields instead.
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        return None
    try:
        conn = BaseHook.get_connection(CONNECTION_ID)
    except Exception:  # Airflow raises its own "not found" types, which differ across versions
        return None
    user = quote(conn.login or "", safe="")
    password = quote(conn.password or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{conn.port}" if conn.port else ""
    dsn = f"postgresql://{auth}{conn.host or 'localhost'}{port}/{conn.schema or 'postgres'}"
    sslmode = (conn.extra_dejson or {}).get("sslmode")
    return f"{dsn}?sslmode={sslmode}" if sslmode else dsn


def redact_dsn(dsn: str) -> str:
    """The DSN with its password replaced, for messages."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", dsn)


class WarehouseUnreachable(psycopg2.OperationalError):
    """The warehouse could not be connected to (refused, wrong password, no such database or
    host). The message names where the connection was configured and its host, port, database
    and user, never its password; an OperationalError still, for callers that catch those."""


def configured_as() -> str:
    """Where the warehouse connection comes from, for messages: the variable or the Connection id."""
    return f"${DSN_ENV}" if os.environ.get(DSN_ENV) else f"the Airflow Connection '{CONNECTION_ID}'"


def describe_dsn(dsn: str) -> str:
    """'host 10.0.0.5, port 5432, dbname news, user news': the DSN without its password."""
    try:
        fields = psycopg2.extensions.parse_dsn(dsn)
    except psycopg2.Error:
        return "a DSN that cannot be parsed"
    return ", ".join(f"{name} {fields[name]}" for name in ("host", "port", "dbname", "user") if fields.get(name))


def connect(dsn: str | None = None) -> psycopg2.extensions.connection:
    """A new psycopg2 connection with UTC session time zone; WarehouseUnreachable naming the
    configured connection when the server cannot be reached or refuses it."""
    where = "the DSN given" if dsn else configured_as()
    dsn = dsn or warehouse_dsn()
    try:
        conn = psycopg2.connect(dsn, application_name=APPLICATION_NAME)
    except psycopg2.ProgrammingError:
        # Its text quotes the DSN around the fault, which may be the password: not repeated.
        raise WarehouseUnreachable(f"cannot connect to the warehouse configured by {where}: its DSN cannot be "
                                   f"parsed (check its quoting and escaping)") from None
    except psycopg2.OperationalError as exc:
        server_said = " ".join(str(exc).split())
        raise WarehouseUnreachable(f"cannot connect to the warehouse configured by {where} "
                                   f"({describe_dsn(dsn)}): {server_said}") from None
    with conn.cursor() as cur:
        cur.execute("set time zone 'UTC'")
    conn.commit()
    return conn


# Who holds locks on the warehouse's tables and views: the sessions a DDL statement waits behind.
LOCK_HOLDERS_SQL = """
select a.pid, a.usename, a.application_name, a.state, a.xact_start,
       array_agg(distinct n.nspname || '.' || c.relname order by n.nspname || '.' || c.relname)
from pg_locks l
join pg_class c on c.oid = l.relation and c.relkind in ('r', 'v', 'm', 'p')
join pg_namespace n on n.oid = c.relnamespace and n.nspname in ('core', 'raw', 'ops', 'marts')
join pg_stat_activity a on a.pid = l.pid
where l.granted and l.locktype = 'relation' and l.pid <> pg_backend_pid()
  and l.database = (select oid from pg_database where datname = current_database())
group by a.pid, a.usename, a.application_name, a.state, a.xact_start
order by a.xact_start nulls last
"""


def lock_holders(cur: psycopg2.extensions.cursor) -> str:
    """The other sessions holding locks on the warehouse's tables and views, one phrase each:
    'pid 4711 (user ann, application "psql", idle in transaction since 09:12:03 UTC) on marts.articles'."""
    cur.execute(LOCK_HOLDERS_SQL)
    held = [f"pid {pid} (user {user or '?'}, application {application or '?'!r}, {state or 'state hidden'}"
            f"{f' since {started:%Y-%m-%d %H:%M:%S} UTC' if started else ''}) on {', '.join(tables)}"
            for pid, user, application, state, started, tables in cur.fetchall()]
    return "; ".join(held) or "no session holds one now"


@contextmanager
def transaction(dsn: str | None = None) -> Iterator[psycopg2.extensions.cursor]:
    """A cursor inside one transaction: committed on success, rolled back on any error.

    When the error is the connection itself going away (a server restart, a dropped or
    terminated session), there is nothing to roll back: the server discarded the transaction,
    and the error raised is that one, never a second "connection already closed" from the
    rollback in its place.
    """
    conn = connect(dsn)
    try:
        with conn.cursor() as cur:
            yield cur
        conn.commit()
    except BaseException:
        if not conn.closed:
            try:
                conn.rollback()
            except psycopg2.Error as exc:
                log.warning("rollback after an error failed too (%s); the server discards the transaction",
                            type(exc).__name__)
        raise
    finally:
        conn.close()


def create_database(server_dsn: str, name: str) -> None:
    """Create an empty database on the server ``server_dsn`` reaches."""
    from psycopg2 import sql

    execute_autocommit(server_dsn, sql.SQL("create database {}").format(sql.Identifier(name)))


def drop_database(server_dsn: str, name: str, attempts: int = 5) -> None:
    """Drop a scratch database, ending the sessions still on it.

    WITH (FORCE) ends our own roles' sessions, but not an autovacuum worker or a superuser's
    session (InsufficientPrivilege without pg_signal_backend); a plain DROP makes autovacuum
    step aside by itself, and a session of another role is waited for rather than the database
    leaked.
    """
    from psycopg2 import sql

    for statement in ("drop database if exists {} with (force)", "drop database if exists {}"):
        for attempt in range(attempts):
            try:
                execute_autocommit(server_dsn, sql.SQL(statement).format(sql.Identifier(name)))
                return
            except (psycopg2.errors.InsufficientPrivilege, psycopg2.errors.ObjectInUse):
                time.sleep(0.5 * (attempt + 1))
    raise RuntimeError(f"could not drop database {name}: other sessions stay connected to it")


def execute_autocommit(dsn: str, statement: Any) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE, roles, DDL in tests)."""
    conn = psycopg2.connect(dsn)
    conn.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def with_database(dsn: str, database: str) -> str:
    """The same server and credentials as ``dsn``, on another database."""
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{database}"))


@contextmanager
def throwaway_database(server_dsn: str, prefix: str = "news_scratch") -> Iterator[str]:
    """A new, empty database on the server ``server_dsn`` reaches; dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    create_database(server_dsn, name)
    try:
        yield with_database(server_dsn, name)
    finally:
        drop_database(server_dsn, name)


# ops.crawl_runs.finish_reason of a run made by an archive backfill (scrapers/archive_backfill.py)
# rather than a crawl: its load keeps only the articles dated in its window (transforms/load/run.py).
ARCHIVE_BACKFILL = "archive_backfill"
