"""What news_backfill's tasks do: plan the archive files, backfill one file, sum up the run.

Progress is kept in ops.backfill_files (one row per file of a run) and shown to analysts and ops
by marts.backfill_progress; each file's task also logs the run's progress so far.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from common import archive_store
from common.sources import Source, load_sources
from common.warc_index import DamagedArchive
from common.warehouse import transaction
from common.window import Window, parse_bound, window_from_params
from scrapers.archive_backfill import (
    CC_DATA_BASE,
    archive_files,
    local_copy,
    record_source_run,
    run_id_for,
    scan_archive,
)
from transforms.load.run import extract_and_load

log = logging.getLogger(__name__)


def backfill_window(params: dict[str, Any]) -> Window:
    since, until = params.get("since"), params.get("until")
    if not (since and until):
        raise ValueError("news_backfill needs params 'since' and 'until' (YYYY-MM-DD or ISO-8601, until exclusive)")
    return window_from_params(since, until)


def backfill_sources(wanted: list[str] | None) -> list[Source]:
    """The named sources (any configured one, enabled or not), else every enabled source."""
    configured = load_sources()
    if not wanted:
        chosen = [s for _, s in sorted(configured.items()) if s.enabled]
    else:
        unknown = sorted(set(wanted) - set(configured))
        if unknown:
            raise ValueError(f"unknown sources {unknown}; configured: {sorted(configured)}")
        chosen = [configured[slug] for slug in sorted(set(wanted))]
    if not chosen:
        raise ValueError("no source to backfill: name some in params 'sources' or enable one")
    return chosen


def plan_backfill(params: dict[str, Any], dag_run_id: str) -> list[dict[str, Any]]:
    """One small XCom item per archive file; each file's progress row written as pending.

    A re-planned run (a retry of this task) keeps the rows of files already done.
    """
    window = backfill_window(params)
    sources = [s.slug for s in backfill_sources(params.get("sources"))]
    # Each file's task puts its sources' records there: found now, not after every file is read.
    archive_store.check_writable(archive_store.archive_root())
    files = archive_files(str(params.get("archives") or ""), str(params.get("archives_base_url") or CC_DATA_BASE))
    with transaction() as cur:
        for index, archive in enumerate(files):
            cur.execute(
                """insert into ops.backfill_files (dag_run_id, archive, file_index, window_start, window_end, sources)
                   values (%s, %s, %s, %s, %s, %s) on conflict (dag_run_id, archive) do nothing""",
                (dag_run_id, archive, index, window.start, window.end, sources),
            )
    log.info("backfill %s, sources %s: %d archive file(s), e.g. %s", window, sources, len(files), files[:3])
    return [{"archive": archive, "index": index, "total": len(files), "since": window.start.isoformat(),
             "until": window.end.isoformat(), "sources": sources} for index, archive in enumerate(files)]


def backfill_file(item: dict[str, Any], dag_run_id: str) -> dict[str, Any]:
    """Scan one archive file, load its pages of the run's sources; the file's counts.

    Idempotent: each (file, source, window) is one run with a fixed id; a run already loaded is
    not loaded again, one recorded but not loaded is loaded now.
    """
    started = time.monotonic()
    archive = item["archive"]
    window = Window(parse_bound(item["since"]), parse_bound(item["until"]))
    configured = load_sources()
    sources = [configured[slug] for slug in item["sources"]]
    totals = {"records_scanned": 0, "pages_selected": 0, "new": 0, "updated": 0, "unchanged": 0,
              "rejected": 0, "outside_window": 0}
    try:
        with local_copy(archive) as path:
            scan = scan_archive(path, sources, window)
            totals["records_scanned"] = scan.records_scanned
            for source in sources:
                selected = scan.selected.get(source.slug, [])
                totals["pages_selected"] += len(selected)
                if not selected:
                    continue
                run = record_source_run(source, archive, path, selected, window, dag_run_id)
                if run.already_loaded:
                    totals["unchanged"] += _loaded_articles(run.crawl_run_id)
                    continue
                result = extract_and_load(run.crawl_run_id)
                totals["new"] += result.counts.new
                totals["updated"] += result.counts.updated
                totals["unchanged"] += result.counts.unchanged
                totals["rejected"] += sum(result.rejected.values())
                totals["outside_window"] += result.outside_window
            if scan.damage is not None:
                raise DamagedArchive(f"{scan.damage} (the {totals['pages_selected']} page(s) selected before the "
                                     f"damage are loaded; a retry downloads and scans the file again)")
    except Exception as exc:
        _record_file(dag_run_id, archive, "failed", totals, time.monotonic() - started, f"{type(exc).__name__}: {exc}")
        raise
    _record_file(dag_run_id, archive, "done", totals, time.monotonic() - started, None)
    log.info("file %d/%d %s: %d records scanned, %d pages selected, %d new, %d updated, %d unchanged, "
             "%d rejected, %d dated outside the window", item["index"] + 1, item["total"], archive,
             totals["records_scanned"], totals["pages_selected"], totals["new"], totals["updated"],
             totals["unchanged"], totals["rejected"], totals["outside_window"])
    log.info("%s", progress_line(dag_run_id))
    return {"archive": archive, **totals}


def _loaded_articles(crawl_run_id: str) -> int:
    """A run loaded before: what it loaded counts as unchanged now (nothing is loaded again)."""
    with transaction() as cur:
        cur.execute("""select coalesce(articles_new, 0) + coalesce(articles_updated, 0)
                              + coalesce(articles_unchanged, 0)
                       from ops.crawl_runs where crawl_run_id = %s""", (crawl_run_id,))
        row = cur.fetchone()
    return int(row[0]) if row else 0


def _record_file(dag_run_id: str, archive: str, status: str, totals: dict[str, int], seconds: float,
                 failure: str | None) -> None:
    if failure is not None:  # an error may quote the file's bytes; PostgreSQL text takes no NUL
        failure = failure.replace("\x00", "\\x00")[:2000]
    with transaction() as cur:
        cur.execute(
            """update ops.backfill_files set status = %s, records_scanned = %s, pages_selected = %s,
                 articles_new = %s, articles_updated = %s, articles_unchanged = %s, pages_rejected = %s,
                 outside_window = %s, seconds = %s, failure = %s, finished_at = now()
               where dag_run_id = %s and archive = %s""",
            (status, totals["records_scanned"], totals["pages_selected"], totals["new"], totals["updated"],
             totals["unchanged"], totals["rejected"], totals["outside_window"], round(seconds, 3), failure,
             dag_run_id, archive),
        )


def backfill_progress(dag_run_id: str) -> dict[str, Any]:
    """The run's row of marts.backfill_progress (all zeros before any file is planned)."""
    with transaction() as cur:
        cur.execute("""select files_total, files_done, files_failed, records_scanned, pages_selected,
                              articles_loaded, articles_unchanged, pages_rejected
                       from marts.backfill_progress where dag_run_id = %s""", (dag_run_id,))
        row = cur.fetchone()
    names = ("files_total", "files_done", "files_failed", "records_scanned", "pages_selected",
             "articles_loaded", "articles_unchanged", "pages_rejected")
    return dict(zip(names, (int(v) for v in row))) if row else dict.fromkeys(names, 0)


def progress_line(dag_run_id: str) -> str:
    p = backfill_progress(dag_run_id)
    return (f"backfill progress: {p['files_done']}/{p['files_total']} files done ({p['files_failed']} failed), "
            f"{p['records_scanned']} records scanned, {p['pages_selected']} pages selected, "
            f"{p['articles_loaded']} articles loaded, {p['articles_unchanged']} unchanged")


def finish_backfill(dag_run_id: str) -> dict[str, Any]:
    """The run's totals; fails when a file is not done (its task failed)."""
    progress = backfill_progress(dag_run_id)
    log.info("%s", progress_line(dag_run_id))
    if progress["files_total"] == 0:
        # This task runs once the file tasks have ended, however they ended: no file planned
        # means the plan failed, and the run must fail with it.
        raise RuntimeError(f"backfill {dag_run_id}: no archive file was planned; see the plan task's log")
    if progress["files_done"] != progress["files_total"]:
        raise RuntimeError(f"backfill {dag_run_id}: only {progress['files_done']} of {progress['files_total']} "
                           f"archive files done ({progress['articles_loaded']} articles loaded from those); "
                           f"not done: {'; '.join(files_not_done(dag_run_id))} (ops.backfill_files; clear the "
                           f"failed backfill_file tasks to retry them, the files done are not read again)")
    if progress["articles_loaded"] + progress["articles_unchanged"] == 0:
        # Every file read, nothing of the window in any: the files of these days were not given
        # (deleted, moved, never fetched) or hold other days. Success would read as "backfilled".
        raise RuntimeError(f"backfill {dag_run_id}: {_what_was_asked(dag_run_id)}: no article loaded from the "
                           f"{progress['files_total']} archive file(s) read ({progress['records_scanned']} records "
                           f"scanned, {progress['pages_selected']} pages selected, {progress['pages_rejected']} "
                           f"rejected): the archive files of these days are missing from 'archives', or hold "
                           f"other days or other sites")
    if gaps := days_without_articles(dag_run_id):
        raise RuntimeError(f"backfill {dag_run_id}: {_what_was_asked(dag_run_id)}: no article loaded for "
                           f"{len(gaps)} of its days: {', '.join(gaps)}: the archive files of those days are "
                           f"missing from 'archives' (or none of the sources published then)")
    return progress


# The days of the backfill's window that none of its runs' articles is dated in (by its own date,
# else its capture's, as the load keeps them). A run is the file's, whichever backfill loaded it.
DAYS_WITHOUT_ARTICLES_SQL = """
select d::date from generate_series(%(start)s::timestamptz at time zone 'UTC',
                                    (%(end)s::timestamptz - interval '1 microsecond') at time zone 'UTC',
                                    interval '1 day') as d
where not exists (
    select from raw.captures c left join core.articles a on a.url = c.normalized_url
    where c.crawl_run_id = any(%(runs)s::uuid[]) and c.kind = 'page' and c.extraction_status = 'article'
      and (coalesce(a.published_at, c.fetched_at) at time zone 'UTC')::date = d::date)
order by 1
"""


def days_without_articles(dag_run_id: str) -> list[str]:
    """Each day (UTC, YYYY-MM-DD) of the backfill's window that no article it loaded is dated in."""
    with transaction() as cur:
        cur.execute("""select archive, window_start, window_end, sources from ops.backfill_files
                       where dag_run_id = %s""", (dag_run_id,))
        files = cur.fetchall()
        if not files:
            return []
        runs = [run_id_for(source, archive, Window(start, end))
                for archive, start, end, sources in files for source in sources]
        cur.execute(DAYS_WITHOUT_ARTICLES_SQL, {"start": min(f[1] for f in files), "end": max(f[2] for f in files),
                                                "runs": runs})
        return [f"{day:%Y-%m-%d}" for (day,) in cur.fetchall()]


def _what_was_asked(dag_run_id: str) -> str:
    with transaction() as cur:
        cur.execute("""select min(window_start), max(window_end), array_agg(distinct s order by s)
                       from ops.backfill_files, unnest(sources) as s where dag_run_id = %s""", (dag_run_id,))
        start, end, sources = cur.fetchone()
    return f"the days {_span_days(start, end)} of {', '.join(sources or [])}"


def _span_days(start: datetime, end: datetime) -> str:
    last = (end - timedelta(microseconds=1)).astimezone(UTC).date()
    return f"{start.astimezone(UTC):%Y-%m-%d}..{last:%Y-%m-%d}"


def files_not_done(dag_run_id: str) -> list[str]:
    """Each file of the run not done: its location, status and failure."""
    with transaction() as cur:
        cur.execute("""select archive, status, failure from ops.backfill_files
                       where dag_run_id = %s and status <> 'done' order by file_index""", (dag_run_id,))
        return [f"{archive} ({status}: {failure or 'no failure recorded; its task did not finish'})"
                for archive, status, failure in cur.fetchall()]
