"""The marts as Parquet files in the archive store, for pandas, DuckDB, notebooks and BI tools.

Two tables, each partitioned the Hive way by the row's source and UTC day (the day of
``published_at``, of ``first_seen_at`` for undated articles, as in marts.daily_source_counts):

    <ARCHIVE_ROOT>/exports/articles/source=<slug>/day=<YYYY-MM-DD>/articles.parquet
    <ARCHIVE_ROOT>/exports/story_articles/source=<slug>/day=<YYYY-MM-DD>/story_articles.parquet

``articles`` is marts.articles (one row per story), ``story_articles`` is marts.story_articles
(every article with its story). ``source`` and ``day`` live in the path, not in the files, as
Hive-partitioned readers (DuckDB, pyarrow, pandas, Spark) expect.

A partition is one file, written whole and then put in place in one step (a rename on a local
folder, one object PUT on S3), so a reader sees the old partition or the new one, never a mix.
Exporting a day rewrites every partition of that day and removes the day's partitions that have
no rows any more (a story whose original moved to another source, say), so repeating an export
gives the same files. After each load, news_daily exports the days its runs touched: the days
of every article of every story the runs captured an article of. ``make export SINCE= UNTIL=``
exports a range by hand (and repairs anything an interrupted export left behind).

    python -m dags.tasks.export --since 2026-11-01 --until 2026-12-01
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg2.extensions
import pyarrow as pa
import pyarrow.parquet as pq
from psycopg2 import sql

from common import archive_store
from common.warehouse import connect

log = logging.getLogger(__name__)

EXPORT_FOLDER = "exports"
TABLES = ("articles", "story_articles")
PARTITION_COLUMNS = ("source", "day")
# The day an article counts for: the same expression as marts.daily_source_counts, which an
# index on core.articles serves.
DAY_SQL = "(coalesce(published_at, first_seen_at) at time zone 'UTC')::date"
# Any constant unique to this task: one exporter at a time per day, so the newest snapshot of a
# day is the one left in place (see _day_lock).
EXPORT_LOCK_KEY = 7_150_015
# A range by hand beyond this is almost certainly a typo in SINCE/UNTIL.
MAX_DAYS = 3660

# PostgreSQL type (OID) -> Arrow type. A mart column of another type fails the export with its
# name rather than being guessed.
_ARROW_TYPES: dict[int, pa.DataType] = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    25: pa.string(),
    700: pa.float32(),
    701: pa.float64(),
    1043: pa.string(),
    1082: pa.date32(),
    1184: pa.timestamp("us", tz="UTC"),
    1009: pa.list_(pa.string()),
    1015: pa.list_(pa.string()),
    1007: pa.list_(pa.int32()),
    1016: pa.list_(pa.int64()),
}

TOUCHED_DAYS_SQL = """
with captured as (
    select distinct a.article_id
    from raw.captures x
    join core.articles a on a.url = x.normalized_url
    where x.crawl_run_id = any(%s::uuid[])
),
stories as (
    select distinct coalesce(c.story_id, t.article_id) as story_id
    from captured t
    left join core.article_clusters c on c.article_id = t.article_id
)
select distinct (coalesce(a.published_at, a.first_seen_at) at time zone 'UTC')::date
from core.articles a
left join core.article_clusters c on c.article_id = a.article_id
where coalesce(c.story_id, a.article_id) in (select story_id from stories)
order by 1
"""


class ExportError(RuntimeError):
    """The export cannot be made as asked (bad range, a mart column of an unknown type)."""


@dataclass
class ExportResult:
    days: list[date] = field(default_factory=list)
    partitions_written: int = 0
    partitions_removed: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))

    def as_dict(self) -> dict[str, Any]:
        """Small and JSON-able, for XCom and the log."""
        return {"days": [d.isoformat() for d in self.days], "partitions_written": self.partitions_written,
                "partitions_removed": self.partitions_removed, "rows": dict(self.rows)}


def export_root(archive_root: str | None = None) -> str:
    return archive_store.join(archive_root or archive_store.archive_root(), EXPORT_FOLDER)


def partition_location(root: str, table: str, source: str, day: date) -> str:
    return archive_store.join(root, table, f"source={source}", f"day={day.isoformat()}", f"{table}.parquet")


def parse_day(name: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ExportError(f"{name}={text!r} is not a day: give YYYY-MM-DD (UTC)") from None


def days_between(since: date, until: date) -> list[date]:
    """The days from ``since`` up to, not including, ``until``."""
    if until <= since:
        raise ExportError(f"UNTIL ({until}) must be after SINCE ({since}); UNTIL is exclusive")
    count = (until - since).days
    if count > MAX_DAYS:
        raise ExportError(f"{count} days from {since} to {until}: more than {MAX_DAYS}; check SINCE and UNTIL")
    return [since + timedelta(days=n) for n in range(count)]


def days_touched_by_runs(crawl_run_ids: Sequence[str], dsn: str | None = None) -> list[date]:
    """The days of every article of every story the runs captured an article of."""
    conn = connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(TOUCHED_DAYS_SQL, (list(crawl_run_ids),))
            return [day for (day,) in cur.fetchall()]
    finally:
        conn.close()


def export_days(days: Iterable[date], archive_root: str | None = None, dsn: str | None = None) -> ExportResult:
    """Rewrite every partition of each day; safe to repeat, and to run beside another export."""
    root = export_root(archive_root)
    result = ExportResult()
    conn = connect(dsn)
    try:
        for day in sorted(set(days)):
            with _day_lock(conn, day):
                _export_day(conn, root, day, result)
            result.days.append(day)
    finally:
        conn.close()
    log.info("exported %d day(s) to %s: %d partition(s) written, %d removed, rows %s",
             len(result.days), root, result.partitions_written, result.partitions_removed, result.rows)
    return result


def export_after_load(crawl_run_ids: Sequence[str], archive_root: str | None = None,
                      dsn: str | None = None) -> ExportResult:
    """news_daily's export: the days the run's loads touched."""
    days = days_touched_by_runs(crawl_run_ids, dsn)
    if not days:
        log.info("the runs %s captured no article: nothing to export", list(crawl_run_ids))
    return export_days(days, archive_root, dsn)


@contextmanager
def _day_lock(conn: psycopg2.extensions.connection, day: date) -> Iterator[None]:
    # A session lock taken outside the day's transaction: the snapshot is then taken after the
    # previous exporter of the day finished, so the last files written are the newest.
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("select pg_advisory_lock(%s, %s)", (EXPORT_LOCK_KEY, day.toordinal()))
    try:
        yield
    finally:
        with conn.cursor() as cur:
            cur.execute("select pg_advisory_unlock(%s, %s)", (EXPORT_LOCK_KEY, day.toordinal()))


def _export_day(conn: psycopg2.extensions.connection, root: str, day: date, result: ExportResult) -> None:
    # Both tables from one snapshot, taken after the day's lock.
    conn.set_session(isolation_level="REPEATABLE READ", readonly=True, autocommit=False)
    try:
        for table in TABLES:
            with conn.cursor() as cur:
                by_source = _read_day(cur, table, day)
                comments = _column_comments(cur, table)
            written = set()
            for source, (schema, rows) in by_source.items():
                _write_partition(partition_location(root, table, source, day), schema, rows, comments)
                written.add(partition_location(root, table, source, day))
                result.partitions_written += 1
                result.rows[table] += len(rows)
            pattern = archive_store.join(root, table, "source=*", f"day={day.isoformat()}", f"{table}.parquet")
            for stale in set(archive_store.glob(pattern)) - written:
                archive_store.delete(stale)
                archive_store.prune_empty_folders(stale, levels=2)
                result.partitions_removed += 1
                log.info("removed %s: no rows that day any more", stale)
        conn.commit()
    finally:
        conn.rollback()  # nothing left open when the write failed
        conn.set_session(isolation_level="DEFAULT", readonly=False, autocommit=True)


def _read_day(cur: psycopg2.extensions.cursor, table: str, day: date
              ) -> dict[str, tuple[list[tuple[str, pa.DataType]], list[tuple[Any, ...]]]]:
    """The day's rows of a mart, by source, without the partition columns."""
    cur.execute(sql.SQL("select * from marts.{} where " + DAY_SQL + " = %s order by source, article_id")
                .format(sql.Identifier(table)), (day,))
    names = [d.name for d in cur.description]
    schema = [(d.name, _arrow_type(table, d.name, d.type_code)) for d in cur.description
              if d.name not in PARTITION_COLUMNS]
    source_at = names.index("source")
    keep = [i for i, name in enumerate(names) if name not in PARTITION_COLUMNS]
    by_source: dict[str, tuple[list[tuple[str, pa.DataType]], list[tuple[Any, ...]]]] = {}
    for row in cur.fetchall():
        by_source.setdefault(row[source_at], (schema, []))[1].append(tuple(row[i] for i in keep))
    return by_source


def _arrow_type(table: str, column: str, type_oid: int) -> pa.DataType:
    try:
        return _ARROW_TYPES[type_oid]
    except KeyError:
        raise ExportError(f"marts.{table}.{column} has a PostgreSQL type (oid {type_oid}) the export does not "
                          f"map to Parquet: add it to _ARROW_TYPES in {__name__}") from None


def _column_comments(cur: psycopg2.extensions.cursor, table: str) -> dict[str, str]:
    """COMMENT ON of the mart's columns: kept as each Parquet field's description."""
    cur.execute("""select a.attname, col_description(a.attrelid, a.attnum) from pg_attribute a
                   where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped""",
                (f"marts.{table}",))
    return {name: text for name, text in cur.fetchall() if text}


def _write_partition(location: str, schema: list[tuple[str, pa.DataType]], rows: list[tuple[Any, ...]],
                     comments: dict[str, str]) -> None:
    arrow_schema = pa.schema([pa.field(name, kind, metadata=_description(comments.get(name))) for name, kind in schema])
    columns = list(zip(*rows)) if rows else [()] * len(schema)
    batch = pa.table([pa.array(values, type=kind) for values, (_, kind) in zip(columns, schema)], schema=arrow_schema)
    with tempfile.TemporaryDirectory(prefix="news-export-") as work:
        work_file = Path(work) / Path(location).name
        pq.write_table(batch, work_file, compression="zstd")
        archive_store.publish(work_file, location)


def _description(comment: str | None) -> dict[str, str] | None:
    return {"description": comment} if comment else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--since", required=True, help="first day exported (YYYY-MM-DD, UTC)")
    parser.add_argument("--until", required=True, help="day after the last one exported (exclusive)")
    parser.add_argument("--archive-root", help="default: ARCHIVE_ROOT")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        days = days_between(parse_day("SINCE", args.since), parse_day("UNTIL", args.until))
    except ExportError as exc:
        raise SystemExit(f"export: {exc}") from None
    result = export_days(days, args.archive_root)
    print(f"exported {len(result.days)} day(s) to {export_root(args.archive_root)}: "
          f"{result.rows['articles']} stories, {result.rows['story_articles']} articles in "
          f"{result.partitions_written} partition file(s); {result.partitions_removed} emptied partition(s) removed")


if __name__ == "__main__":
    main()
