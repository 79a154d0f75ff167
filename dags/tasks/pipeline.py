"""What the DAGs' tasks do, kept out of the DAG files so they parse fast and tests can call them."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk.exceptions import AirflowFailException

from common import archive_store
from common.sources import load_sources, read_registry
from common.warehouse import transaction
from common.window import Window, parse_bound, window_for_run, window_from_params
from dags.tasks.alerts import notify_warning
from dags.tasks.completeness import check_completeness
from scrapers.crawl_process import CrawlFailed, CrawlRequest
from scrapers.crawl_process import run_crawl as run_crawl_child
from scrapers.settings import DOWNLOAD_TIMEOUT
from transforms.load.run import WARC_DAMAGED, RunNotLoadable, extract_and_load, load_unloaded_runs

log = logging.getLogger(__name__)

# Quality gate: below this share of captured pages loading as articles, something is wrong
# (a site redesign, a block page served to us). Liveblogs and videos are normal rejects.
MIN_ARTICLE_YIELD = 0.5
# The crawl must end on its own terms before the task's execution_timeout fires. Its time limit
# does not cancel downloads in flight: it can overrun by up to DOWNLOAD_TIMEOUT. So it gets the
# timeout minus that overrun, minus this margin (for publishing its WARC and capture index)...
CRAWL_PUBLISH_MARGIN = timedelta(minutes=5)
# ...but never less than this share of what is left after the overrun, for short timeouts.
CRAWL_MIN_SHARE = 0.75
TIME_LIMIT_ENV = "NEWS_CRAWL_TIME_LIMIT"


class QualityCheckFailed(AirflowFailException):
    """A run loaded, but what it loaded looks wrong; ``checks`` holds the figures for the alert.

    Failed at once, never retried: the warehouse would say the same again. Any other error of
    the check (the warehouse restarted under it) is retried as the DAG's retries say.
    """

    def __init__(self, message: str, checks: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.checks = checks or []


class SourceNotSelected(Exception):
    """This run does not crawl the source (params.sources names others); the task skips."""


class DeterministicFailure(RuntimeError):
    """A failure no retry can change (a broken source file, bad params, a replay archive without
    the source's feeds): the task fails at once instead of waiting for its retries."""


def run_window(context: Any) -> Window:
    """The run's window: explicit params first, then the data interval."""
    params = context.get("params") or {}
    if params.get("since") or params.get("until"):
        if not (params.get("since") and params.get("until")):
            raise ValueError("give both params 'since' and 'until', or neither")
        return window_from_params(params["since"], params["until"])
    end = context.get("data_interval_end") or context.get("logical_date")
    return window_for_run(context.get("data_interval_start"), context.get("data_interval_end"),
                          context.get("logical_date"), previous_run=previous_scheduled_run(context.get("dag"), end))


def previous_scheduled_run(dag: Any, end: datetime | None) -> datetime | None:
    """The fire time of the DAG's cron schedule before ``end``, in the schedule's own time zone
    (UTC for the news DAGs, so a daylight-saving change moves nothing); None without one."""
    timetable = getattr(dag, "timetable", None)
    expression = getattr(timetable, "expression", None)
    if end is None or not isinstance(expression, str):
        return None
    from croniter import croniter

    zone = getattr(timetable, "timezone", None) or UTC  # presets arrive as expressions
    previous: datetime = croniter(expression, end.astimezone(zone)).get_prev(datetime)
    return previous.astimezone(UTC)


def plan_run(context: Any, dag_sources: list[str]) -> dict[str, Any]:
    """The run's window (ISO strings, small XCom) and which of the DAG's sources it crawls."""
    window = run_window(context)
    wanted = list((context.get("params") or {}).get("sources") or [])
    if wanted:
        outside = sorted(set(wanted) - set(dag_sources))
        if outside:
            known = sorted(load_sources())
            raise ValueError(f"sources {outside} are not crawled by this DAG (its sources: {dag_sources}; "
                             f"configured: {known}; a disabled source or one with its own schedule "
                             f"is not in news_daily)")
        selected = [s for s in dag_sources if s in wanted]
    else:
        selected = list(dag_sources)
    if not selected:
        raise ValueError("no source to crawl: set enabled = true in a scrapers/sources/*.toml file")
    log.info("run window %s, sources %s", window, selected)
    return {"since": window.start.isoformat(), "until": window.end.isoformat(), "sources": selected}


def crawl_time_limit(execution_timeout: timedelta | None, download_timeout: float = DOWNLOAD_TIMEOUT) -> int | None:
    """Seconds the crawl child may run so that, with the downloads still in flight when its limit
    fires (up to ``download_timeout``), it finishes before the task's execution_timeout."""
    if execution_timeout is None:
        return None
    budget = execution_timeout.total_seconds() - download_timeout
    if budget < 2:
        raise DeterministicFailure(f"execution_timeout {execution_timeout} leaves the crawl no time after "
                                   f"DOWNLOAD_TIMEOUT ({download_timeout:g} s): raise it")
    return int(max(budget - CRAWL_PUBLISH_MARGIN.total_seconds(), budget * CRAWL_MIN_SHARE))


def check_source_file(source: str) -> None:
    """DeterministicFailure when the source's file is broken now (edited after the DAG parsed)."""
    registry = read_registry()
    broken = {path.stem: error for path, error in registry.broken.items()}
    if source not in registry.sources and source in broken:
        raise DeterministicFailure(f"source file of {source} is broken: {broken[source]}")
    if source not in registry.sources:
        raise DeterministicFailure(f"source {source!r} is no longer configured "
                                   f"(configured: {sorted(registry.sources)})")


def run_crawl(source: str, plan: dict[str, Any], context: Any) -> str:
    """Crawl one source for the planned window; the crawl run id, or SourceNotSelected."""
    if source not in plan["sources"]:
        raise SourceNotSelected(f"{source} is not in this run's sources {plan['sources']}")
    check_source_file(source)
    dag_run = context.get("dag_run")
    request = CrawlRequest(source, Window(parse_bound(plan["since"]), parse_bound(plan["until"])),
                           dag_run_id=getattr(dag_run, "run_id", None))
    extra_env: dict[str, str] = {}
    task = getattr(context.get("ti"), "task", None) or context.get("task")
    limit = crawl_time_limit(getattr(task, "execution_timeout", None))
    if limit and not os.environ.get(TIME_LIMIT_ENV):  # an explicit setting wins
        extra_env[TIME_LIMIT_ENV] = str(limit)
    try:
        return run_crawl_child(request, extra_env=extra_env)
    except CrawlFailed as exc:
        log.error("crawl failed; the failed-URL ledger and stats are in ops.crawl_runs")
        if exc.deterministic:
            raise DeterministicFailure(f"{type(exc).__name__}: {exc}") from exc
        raise


def run_extract_load(crawl_run_id: str) -> dict[str, Any]:
    """Load the run, then any run of the same source that was published but never loaded."""
    result = extract_and_load(crawl_run_id)  # its pool runs in task processes too (extract_pool.py)
    adopted = load_unloaded_runs(result.source, exclude=[crawl_run_id])
    return {"crawl_run_id": result.crawl_run_id, "source": result.source, "pages": result.pages,
            "new": result.counts.new, "updated": result.counts.updated,
            "unchanged": result.counts.unchanged, "rejected": result.rejected,
            "fetch_again": result.fetch_again,
            "adopted_runs": [{"crawl_run_id": r.crawl_run_id, "pages": r.pages, "new": r.counts.new,
                              "updated": r.counts.updated, "unchanged": r.counts.unchanged,
                              "fetch_again": r.fetch_again} for r in adopted]}


def run_quality_check(result: dict[str, Any], context: Any = None) -> None:
    """The quality gate of one source's run: yield and extraction errors, then the completeness
    checks of its source file (dags/tasks/completeness.py). A failing check set to "fail" fails
    the task (its alert carries the figures); one set to "warn" sends a warning and the task
    goes on."""
    pages = result["pages"]
    articles = result["new"] + result["updated"] + result["unchanged"]
    errors = {k: v for k, v in result["rejected"].items() if k.startswith("extraction_")}
    problems = []
    if pages and articles / pages < MIN_ARTICLE_YIELD:
        problems.append(f"only {articles} of {pages} pages became articles (yield under {MIN_ARTICLE_YIELD:.0%})")
    if errors:
        problems.append(f"extraction errors: {errors}")
    if damaged := result["rejected"].get(WARC_DAMAGED):
        problems.append(f"{damaged} page record(s) of the run's WARC are damaged ({WARC_DAMAGED}): not loaded, "
                        f"in ops.failed_urls for the next crawl; file and offset in marts.rejected_pages")
    source = load_sources().get(result["source"])
    checks = check_completeness(source, result["crawl_run_id"]) if source is not None else []
    failing = [c for c in checks if c.action == "fail"]
    warning = [c for c in checks if c.action == "warn"]
    where = f"{result['source']} run {result['crawl_run_id']}"
    if warning:
        notify_warning(context, f"{where}: " + "; ".join(f"{c.check}: {c.message}" for c in warning),
                       [c.as_dict() for c in warning])
    if problems or failing:
        raise QualityCheckFailed(f"{where}: " + "; ".join(problems + [f"{c.check}: {c.message}" for c in failing]),
                                 checks=[c.as_dict() for c in failing + warning])
    log.info("%s: %d pages, %d articles, checks passed%s", result["source"], pages, articles,
             f" ({len(warning)} warning(s) sent)" if warning else "")


def summarize_loads(results: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    """What the run's loads did, for the Asset event's extra; None when nothing was loaded."""
    loaded = [r for r in results if r]
    if not loaded:
        return None
    runs = [*loaded, *(a for r in loaded for a in r.get("adopted_runs", []))]  # adopted: loaded late
    return {"sources": sorted({r["source"] for r in loaded}),
            "crawl_run_ids": [r["crawl_run_id"] for r in runs],
            "new": sum(r["new"] for r in runs), "updated": sum(r["updated"] for r in runs),
            "unchanged": sum(r["unchanged"] for r in runs)}


def refresh_marts() -> list[str]:
    from dags.tasks.maintenance import refresh_materialized_marts

    return refresh_materialized_marts()


# --- news_reprocess -------------------------------------------------------------------------

def reprocess_window(params: dict[str, Any]) -> Window:
    since, until = params.get("since"), params.get("until")
    if not (since and until):
        raise ValueError("news_reprocess needs params 'since' and 'until' (YYYY-MM-DD, until exclusive)")
    return window_from_params(since, until)


def runs_to_reprocess(source: str, window: Window) -> list[str]:
    """The source's crawl runs whose window overlaps, oldest first, WARC still archived.

    Oldest first, so where two runs captured the same article the newest capture is applied
    last (the loader never lets an older capture replace a newer one anyway). The selection
    fails before any run is re-extracted, naming the days and files, where a day of the window
    has nothing to re-extract (its WARCs removed by retention, only failed crawls, no crawl at
    all) or a WARC that should be there is not: a reprocess that quietly did less than asked
    would read as done.
    """
    if source not in load_sources():
        raise ValueError(f"unknown source {source!r}; configured: {sorted(load_sources())}")
    with transaction() as cur:
        cur.execute(
            """select crawl_run_id::text, warc_uri, status, window_start, window_end from ops.crawl_runs
               where source = %s and window_start < %s and window_end > %s
               order by finished_at, crawl_run_id""",
            (source, window.end, window.start),
        )
        rows = cur.fetchall()
    archived = [(run, uri, start, end) for run, uri, status, start, end in rows
                if status in ("captured", "loaded") and uri is not None]
    missing = [f"{uri} (run {run}, {_days(start, end)})" for run, uri, start, end in archived
               if not archive_store.exists(uri)]
    if missing:
        raise RunNotLoadable(
            f"{source}: {len(missing)} of {len(archived)} WARCs to re-extract are missing from the archive: "
            f"{'; '.join(missing[:10])}{' …' if len(missing) > 10 else ''}: check that this worker reaches the "
            f"archive they were written to (its storage, and for s3:// the AWS_* endpoint and credentials), "
            f"or narrow since/until")
    if gaps := _days_without_archive(window, rows):
        raise RunNotLoadable(
            f"{source}: nothing to re-extract for {len(gaps)} day(s) of {window}: {'; '.join(gaps[:10])}"
            f"{' …' if len(gaps) > 10 else ''}; their articles (if any) stay as loaded: narrow since/until "
            f"to days still archived")
    runs = [run for run, _, _, _ in archived]
    log.info("%s, %s: %d crawl runs to re-extract", source, window, len(runs))
    return runs


def _days(start: datetime, end: datetime) -> str:
    last = (end - timedelta(microseconds=1)).date()
    return f"{start:%Y-%m-%d}" if start.date() == last else f"{start:%Y-%m-%d}..{last:%Y-%m-%d}"


def _days_without_archive(window: Window, rows: list[tuple[str, str | None, str, datetime, datetime]]) -> list[str]:
    """Each UTC day of ``window`` that no archived run overlaps, with why (from the runs that do)."""
    gaps = []
    day = window.start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    while day < window.end:
        start, end = max(day, window.start), min(day + timedelta(days=1), window.end)
        runs = [(run, uri, status) for run, uri, status, ws, we in rows if ws < end and we > start]
        if not any(uri is not None and status in ("captured", "loaded") for _, uri, status in runs):
            purged = [run for run, uri, status in runs if uri is None and status in ("captured", "loaded")]
            if purged:
                why = (f"the WARCs of its {len(purged)} crawl run(s) were removed by archive retention "
                       f"(news_maintenance), e.g. run {purged[0]}")
            elif runs:
                why = f"its {len(runs)} crawl run(s) failed and were never loaded, e.g. run {runs[0][0]}"
            else:
                why = "no crawl run covers it"
            gaps.append(f"{day:%Y-%m-%d} ({why})")
        day += timedelta(days=1)
    return gaps


def reprocess_runs(crawl_run_ids: list[str]) -> dict[str, Any]:
    """Re-extract and reload each run from its archived WARC; no network. Safe to repeat."""
    totals = {"runs": 0, "pages": 0, "new": 0, "updated": 0, "unchanged": 0}
    for crawl_run_id in crawl_run_ids:
        result = run_extract_load(crawl_run_id)
        totals["runs"] += 1
        for key in ("pages", "new", "updated", "unchanged"):
            totals[key] += result[key]
    log.info("reprocessed %s", totals)
    return totals
