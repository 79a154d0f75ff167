"""Warehouse and archive upkeep: retention of raw captures, VACUUM ANALYZE, mart refresh.

Retention removes what a crawl left behind (its WARC file, its stats file, its raw.captures
rows) once the crawl is older than the configured age; the files are local files or objects in
object storage, whichever ARCHIVE_ROOT held (common/archive_store.py). It never touches core.*
(articles and their versions stay for good) nor the run's row in ops.crawl_runs, which articles
reference: the row stays with ``warc_uri`` set to NULL, so news_reprocess knows the WARC is gone.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from psycopg2 import sql

from common import archive_store
from common.sources import load_sources
from common.warehouse import connect, transaction
from common.window import Window

log = logging.getLogger(__name__)

RETENTION_ENV = "NEWS_ARCHIVE_RETENTION_DAYS"
# A year of raw captures is enough to re-extract after any extractor upgrade we have planned.
DEFAULT_RETENTION_DAYS = 365
# Schemas whose tables the pipeline writes and so VACUUMs.
PIPELINE_SCHEMAS = ("ops", "raw", "core", "marts")


@dataclass(frozen=True)
class UnloadedRun:
    """A crawl published but never loaded: its WARC holds the only copy of its pages."""

    crawl_run_id: str
    source: str
    window: Window
    finished_at: datetime

    def days(self) -> str:
        """The window's days as news_reprocess takes them."""
        days = self.window.days()
        return f"{days[0]}" if len(days) == 1 else f"{days[0]}..{days[-1]}"


@dataclass(frozen=True)
class RetentionResult:
    runs: int
    captures_deleted: int
    files_deleted: int
    cutoff: datetime
    kept_unloaded: tuple[UnloadedRun, ...] = ()

    def unloaded_message(self) -> str | None:
        """What ops must do about the old runs retention kept, or None when there are none."""
        if not self.kept_unloaded:
            return None
        shown = "; ".join(f"{r.source} run {r.crawl_run_id} ({r.days()}, finished "
                          f"{r.finished_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC)" for r in self.kept_unloaded[:10])
        more = " …" if len(self.kept_unloaded) > 10 else ""
        gone = sorted({r.source for r in self.kept_unloaded} - set(load_sources()))
        unconfigured = (f" ({', '.join(gone)}: no longer configured; put the source file back to load them)"
                        if gone else "")
        return (f"retention kept {len(self.kept_unloaded)} crawl run(s) finished before the cutoff "
                f"{self.cutoff.astimezone(UTC):%Y-%m-%d %H:%M} UTC that were never loaded, their WARCs "
                f"holding the only copy of their pages: {shown}{more}. The source's next news_daily loads "
                f"them, or trigger news_reprocess for their days{unconfigured}; a later retention removes "
                f"them once loaded")


def retention_days(value: int | str | None = None) -> int:
    raw = value if value not in (None, "") else os.environ.get(RETENTION_ENV, DEFAULT_RETENTION_DAYS)
    days = int(raw)
    if days < 1:
        raise ValueError(f"retention must be at least 1 day, got {days} (set {RETENTION_ENV})")
    return days


def apply_retention(days: int, *, now: datetime | None = None, dsn: str | None = None) -> RetentionResult:
    """Drop WARCs and capture rows of crawls finished more than ``days`` ago; never an article,
    and never a crawl not yet loaded (``kept_unloaded``): its WARC is all there is of its pages."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    with transaction(dsn) as cur:
        # Lock the runs we purge, so a concurrent news_reprocess cannot start on a WARC we delete.
        cur.execute(
            """select crawl_run_id::text, warc_uri from ops.crawl_runs
               where finished_at < %s and warc_uri is not null and status <> 'captured'
               order by finished_at for update""",
            (cutoff,),
        )
        runs = cur.fetchall()
        cur.execute(
            """select crawl_run_id::text, source, window_start, window_end, finished_at from ops.crawl_runs
               where finished_at < %s and warc_uri is not null and status = 'captured'
               order by finished_at, crawl_run_id""",
            (cutoff,),
        )
        unloaded = tuple(UnloadedRun(run, source, Window(start, end), finished)
                         for run, source, start, end, finished in cur.fetchall())
        run_ids = [run_id for run_id, _ in runs]
        cur.execute("delete from raw.captures where crawl_run_id = any(%s::uuid[])", (run_ids,))
        captures_deleted = cur.rowcount
        cur.execute("update ops.crawl_runs set warc_uri = null where crawl_run_id = any(%s::uuid[])",
                    (run_ids,))
        # Files go last, still inside the transaction: if deleting fails the rows come back and the
        # next run tries again; a file deleted before a failed commit is only a capture we had
        # already decided to drop.
        files_deleted = sum(_delete_run_files(uri) for _, uri in runs)
    result = RetentionResult(len(runs), captures_deleted, files_deleted, cutoff, unloaded)
    log.info("retention (%d days, cutoff %s): %d runs, %d capture rows, %d files removed",
             days, cutoff.isoformat(), result.runs, result.captures_deleted, result.files_deleted)
    if message := result.unloaded_message():
        log.error("%s", message)
    return result


def _delete_run_files(warc_uri: str) -> int:
    """The WARC and its stats file (local files or objects), then emptied local day folders."""
    deleted = sum(archive_store.delete(location)
                  for location in (warc_uri, archive_store.stats_location(warc_uri)))
    archive_store.prune_empty_folders(warc_uri)  # source/YYYY/MM/DD
    return deleted


def vacuum_analyze(dsn: str | None = None) -> list[str]:
    """VACUUM (ANALYZE) every table of the pipeline's schemas; outside a transaction, as it must be."""
    conn = connect(dsn)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("""select schemaname, tablename from pg_tables
                           where schemaname = any(%s) order by 1, 2""", (list(PIPELINE_SCHEMAS),))
            tables = cur.fetchall()
            for schema, table in tables:
                cur.execute(sql.SQL("vacuum (analyze) {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
    finally:
        conn.close()
    names = [f"{schema}.{table}" for schema, table in tables]
    log.info("vacuum analyze: %d tables", len(names))
    return names


def refresh_materialized_marts(dsn: str | None = None) -> list[str]:
    """Refresh every materialized view in marts (none is an error: marts may all be plain views)."""
    conn = connect(dsn)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("""select m.matviewname,
                                  exists (select 1 from pg_indexes i
                                          where i.schemaname = m.schemaname and i.tablename = m.matviewname
                                            and i.indexdef ilike 'create unique index%%') as has_unique
                           from pg_matviews m where m.schemaname = 'marts' order by 1""")
            views = cur.fetchall()
            for name, has_unique in views:
                # CONCURRENTLY keeps analysts' queries running; it needs a unique index.
                statement = "refresh materialized view concurrently {}.{}" if has_unique else \
                    "refresh materialized view {}.{}"
                cur.execute(sql.SQL(statement).format(sql.Identifier("marts"), sql.Identifier(name)))
    finally:
        conn.close()
    refreshed = [f"marts.{name}" for name, _ in views]
    log.info("refreshed %d materialized marts: %s", len(refreshed), refreshed)
    return refreshed
