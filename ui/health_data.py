"""What the health pages show, read from the warehouse's marts, and the one write they make:
marking chosen failed URLs for retry in the ledger.

Reads run in read-only transactions on the marts (marts.sources, marts.crawl_runs,
marts.crawl_health, marts.failed_urls, marts.rejected_pages); the completeness checks are the
quality gate's own (dags/tasks/completeness.py), run on each source's last loaded crawl.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg2.extensions

from common.sources import Source, load_sources
from common.warehouse import transaction
from dags.tasks.completeness import CheckFailure, check_completeness

log = logging.getLogger(__name__)

RECENT_RUNS = 20
LEDGER_ROWS = 500
HEALTH_DAYS = 7


@dataclass(frozen=True)
class SourceSummary:
    """One row of the overview."""

    source: str
    name: str
    enabled: bool
    last_run_status: str | None
    last_run_finished_at: datetime | None
    last_run_failure: str | None
    runs: int  # the last HEALTH_DAYS crawl days
    runs_failed: int
    pages_fetched: int
    pages_failed: int
    articles: int
    pages_rejected: int
    urls_open: int  # ledger entries not resolved and not given up
    urls_due: int
    failures: list[str]  # distinct failure reasons of the failed runs of those days


@dataclass(frozen=True)
class Completeness:
    """The completeness checks of a source's last loaded run."""

    crawl_run_id: str | None
    configured: dict[str, str]  # check -> fail | warn | off
    failures: list[CheckFailure]
    note: str  # why the checks did not run, or ""


@dataclass
class SourcePage:
    summary: SourceSummary
    runs: list[dict[str, Any]]
    failed_by_reason: list[tuple[str, int]]  # open ledger entries by reason
    rejected_by_reason: list[tuple[str, int]]  # last HEALTH_DAYS days of marts.rejected_pages
    ledger: list[dict[str, Any]]
    completeness: Completeness
    dag_id: str | None  # the DAG that crawls the source (None: disabled or no source file)
    notes: list[str] = field(default_factory=list)


@contextmanager
def read_only() -> Iterator[psycopg2.extensions.cursor]:
    with transaction() as cur:
        # The pages only read: a bug here cannot change the warehouse.
        cur.execute("set transaction read only")
        cur.execute("set local time zone 'UTC'")
        yield cur


SUMMARY_SQL = """
select s.source, s.name, s.enabled, s.last_run_status, s.last_run_finished_at, s.last_run_failure,
       coalesce(h.runs, 0), coalesce(h.runs_failed, 0), coalesce(h.pages_fetched, 0),
       coalesce(h.pages_failed, 0), coalesce(h.articles, 0), coalesce(h.pages_rejected, 0),
       coalesce(f.open, 0), coalesce(f.due, 0), coalesce(w.failures, array[]::text[])
from marts.sources s
left join (
    select source, sum(crawl_runs)::int as runs, sum(runs_failed)::int as runs_failed,
           sum(pages_fetched)::int as pages_fetched, sum(pages_failed)::int as pages_failed,
           sum(articles)::int as articles, sum(pages_rejected)::int as pages_rejected
    from marts.crawl_health
    where day > (select max(day) from marts.crawl_health) - %(days)s
    group by source
) h on h.source = s.source
left join lateral (
    select array_agg(distinct reason order by reason) as failures
    from marts.crawl_health c cross join unnest(c.failures) as reason
    where c.source = s.source and c.day > (select max(day) from marts.crawl_health) - %(days)s
) w on true
left join (
    select source, (count(*) filter (where state in ('due', 'waiting')))::int as open,
           (count(*) filter (where state = 'due'))::int as due
    from marts.failed_urls group by source
) f on f.source = s.source
{where}
order by s.source
"""


def overview() -> list[SourceSummary]:
    """Every source, with its last run and its last HEALTH_DAYS crawl days (the newest day any
    source crawled and the days before it: a stopped pipeline still shows its last week)."""
    with read_only() as cur:
        cur.execute(SUMMARY_SQL.format(where=""), {"days": HEALTH_DAYS})
        return [SourceSummary(*row) for row in cur.fetchall()]


def source_exists(source: str) -> bool:
    with read_only() as cur:
        cur.execute("select exists (select from marts.sources where source = %s)", (source,))
        return bool(cur.fetchone()[0])


def source_page(source: str) -> SourcePage | None:
    """The source's page, None when the warehouse does not know the source."""
    with read_only() as cur:
        cur.execute(SUMMARY_SQL.format(where="where s.source = %(source)s"), {"days": HEALTH_DAYS, "source": source})
        row = cur.fetchone()
        if row is None:
            return None
        summary = SourceSummary(*row)
        runs = _dicts(cur, """select crawl_run_id::text, window_day, started_at, finished_at, status, failure,
                                     requests, pages_fetched, pages_failed, urls_failed, articles, articles_new,
                                     articles_updated, pages_rejected, extraction_errors, dag_run_id
                              from marts.crawl_runs where source = %s
                              order by finished_at desc, crawl_run_id desc limit %s""", (source, RECENT_RUNS))
        cur.execute("""select reason, count(*)::int from marts.failed_urls
                       where source = %s and state in ('due', 'waiting')
                       group by reason order by 2 desc, 1""", (source,))
        failed_by_reason = list(cur.fetchall())
        cur.execute("""select reason_kind, count(*)::int from marts.rejected_pages
                       where source = %s and day > (select max(day) from marts.rejected_pages) - %s
                       group by reason_kind order by 2 desc, 1""", (source, HEALTH_DAYS))
        rejected_by_reason = list(cur.fetchall())
        # Open entries first (the ones to act on), then the newest failures.
        ledger = _dicts(cur, """select url, normalized_url, kind, reason, http_status, attempts,
                                       first_failed_at, last_failed_at, next_retry_at, gave_up_at,
                                       resolved_at, state
                                from marts.failed_urls where source = %s
                                order by state = 'resolved', last_failed_at desc, normalized_url
                                limit %s""", (source, LEDGER_ROWS))
        cur.execute("""select crawl_run_id::text from marts.crawl_runs where source = %s and status = 'loaded'
                       order by finished_at desc, crawl_run_id desc limit 1""", (source,))
        last_loaded = cur.fetchone()
    registered = load_sources().get(source)
    return SourcePage(summary=summary, runs=runs, failed_by_reason=failed_by_reason,
                      rejected_by_reason=rejected_by_reason, ledger=ledger,
                      completeness=completeness(registered, last_loaded[0] if last_loaded else None),
                      dag_id=dag_for(registered))


def completeness(source: Source | None, crawl_run_id: str | None) -> Completeness:
    if source is None:
        return Completeness(crawl_run_id, {}, [], "no source file configures this source: no checks")
    quality = source.quality
    configured = {"zero_articles": quality.on_zero_articles, "low_volume": quality.on_low_volume,
                  "allow_reject_jump": quality.on_allow_reject_jump,
                  "missing_fields_jump": quality.on_missing_fields_jump}
    if crawl_run_id is None:
        return Completeness(None, configured, [], "no loaded run yet")
    return Completeness(crawl_run_id, configured, check_completeness(source, crawl_run_id), "")


def dag_for(source: Source | None) -> str | None:
    """The DAG that crawls the source: its own when it has a schedule, else news_daily."""
    if source is None or not source.enabled:
        return None
    return f"news_source_{source.slug}" if source.schedule else "news_daily"


@dataclass(frozen=True)
class RetryMarked:
    marked: list[str]  # normalized URLs now due
    unknown: list[str]  # chosen URLs the source's ledger does not hold as retryable pages


RETRYABLE_SQL = """select normalized_url from ops.failed_urls
                   where source = %s and normalized_url = any(%s) and kind = 'page' and resolved_at is null"""


def not_retryable(source: str, normalized_urls: list[str]) -> list[str]:
    """The chosen URLs that are not unresolved pages of the source's ledger."""
    wanted = sorted(set(normalized_urls))
    with transaction() as cur:
        cur.execute("set transaction read only")
        cur.execute(RETRYABLE_SQL, (source, wanted))
        retryable = {r[0] for r in cur.fetchall()}
    return [url for url in wanted if url not in retryable]


def mark_for_retry(source: str, normalized_urls: list[str]) -> RetryMarked:
    """Make the chosen page URLs due now (given-up ones too): the source's next crawl fetches
    them first thing (scrapers/ledger.due_entries). All or nothing: when any chosen URL is not an
    unresolved page of the source's ledger (feeds and sitemaps are re-read by every crawl anyway),
    nothing is marked and the unknown ones are returned."""
    wanted = sorted(set(normalized_urls))
    with transaction() as cur:
        cur.execute(RETRYABLE_SQL + " for update", (source, wanted))
        retryable = {r[0] for r in cur.fetchall()}
        unknown = [url for url in wanted if url not in retryable]
        if unknown:
            return RetryMarked([], unknown)
        cur.execute(
            """update ops.failed_urls set next_retry_at = now(), gave_up_at = null
               where source = %s and normalized_url = any(%s)""",
            (source, wanted),
        )
    log.info("%s: %d URL(s) marked for retry now", source, len(wanted))
    return RetryMarked(wanted, [])


def _dicts(cur: psycopg2.extensions.cursor, query: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    cur.execute(query, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
