"""Publishing a finished crawl: WARC into the archive, run stats and capture index into the warehouse.

Nothing is published before the crawl finishes. A crawl killed or shut down midway publishes
nothing and removes its work file, so the retry starts clean.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from psycopg2.extras import Json, execute_values
from scrapy import signals

from common import archive_store
from common.failed_urls import FailedUrl, write_ledger
from common.sources import Source
from common.warehouse import transaction
from common.window import Window
from scrapers.ledger import FeedFetch, summarize_failures, write_feed_state
from scrapers.run_stats import NOT_PUBLISHED_PREFIX, discovery_shortfall, reasons_text
from scrapers.warc_capture import Capture, WarcCaptureMiddleware

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

# Finish reasons after which what was captured is kept: a normal end, or our own time limit
# (the URLs not reached are simply fetched by the next run).
PUBLISHABLE_REASONS = {"finished", "closespider_timeout"}


@dataclass(frozen=True)
class CrawlOutcome:
    """What the crawl did, decided from its stats (Scrapy's exit code says nothing)."""

    status: str  # captured | failed
    failure: str | None
    pages_fetched: int
    requests: int


def decide_outcome(stats: dict[str, Any], source: Source) -> CrawlOutcome:
    """Failed when no feed or sitemap answered, or too many article pages failed.

    Scrapy exits 0 even when every request failed (scrapy#1231): this is where a run is judged.
    """
    discovery_ok = stats.get("news/discovery_ok", 0)
    discovery_failed = stats.get("news/discovery_failed", 0)
    pages_ok = stats.get("news/pages_ok", 0)
    pages_failed = stats.get("news/pages_failed", 0)
    requests = stats.get("downloader/request_count", 0)
    failure = None
    if discovery_ok == 0:
        why = reasons_text(stats, "news/discovery_failed/")
        failure = (f"no feed or sitemap was reachable ({discovery_failed} tried"
                   + (f": {why}" if why else "") + ")")
    elif pages_ok + pages_failed and pages_failed / (pages_ok + pages_failed) > source.politeness.max_error_rate:
        why = reasons_text(stats, "news/pages_failed/")
        failure = (f"{pages_failed} of {pages_ok + pages_failed} article pages failed ({why}), over the "
                   f"source's max_error_rate {source.politeness.max_error_rate:.0%}")
    return CrawlOutcome("failed" if failure else "captured", failure, pages_ok, requests)


def stats_columns(stats: dict[str, Any], failed: list[FailedUrl], duration: float) -> dict[str, Any]:
    """The crawl stats ops.crawl_runs keeps as columns (all of them stay in its stats jsonb)."""
    prefix = "downloader/response_status_count/"
    return {
        "duration_seconds": round(duration, 3),
        "responses_by_status": {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)},
        "bytes_received": stats.get("downloader/response_bytes", 0),
        "pages_captured": stats.get("news/pages_ok", 0),
        "skipped_seen": stats.get("news/skipped_seen", 0),
        "robots_denied": stats.get("news/robots_denied", 0),
        "retries": stats.get("retry/count", 0),
        "urls_failed": len(failed),
        "failed_by_reason": summarize_failures(failed),
    }


def archive_path(source: str, window: Window, run_id: str) -> str:
    """The run's WARC location under ARCHIVE_ROOT (a local path, or a URL for object storage)."""
    day = window.start.astimezone(UTC)
    return archive_store.join(archive_store.archive_root(), source, f"{day:%Y}", f"{day:%m}", f"{day:%d}",
                              f"{run_id}.warc.gz")


# The columns of ops.crawl_runs a finished crawl writes, each once, with its SQL type: the insert
# is built from this, and crawl_run_row must give exactly these (json ones are sent as JSON).
CRAWL_RUN_COLUMNS: dict[str, str] = {
    "crawl_run_id": "uuid", "source": "text", "dag_run_id": "text", "window_start": "timestamptz",
    "window_end": "timestamptz", "started_at": "timestamptz", "finished_at": "timestamptz",
    "finish_reason": "text", "status": "text", "failure": "text", "warc_uri": "text",
    "pages_fetched": "integer", "requests": "integer", "stats": "jsonb", "duration_seconds": "numeric",
    "responses_by_status": "jsonb", "bytes_received": "bigint", "pages_captured": "integer",
    "skipped_seen": "integer", "robots_denied": "integer", "retries": "integer", "urls_failed": "integer",
    "failed_by_reason": "jsonb",
}
CRAWL_RUN_INSERT_SQL = "insert into ops.crawl_runs ({}) values ({})".format(
    ", ".join(CRAWL_RUN_COLUMNS), ", ".join(f"%({name})s" for name in CRAWL_RUN_COLUMNS))


def crawl_run_row(
    *, run_id: str, source: Source, window: Window, dag_run_id: str | None, started_at: datetime,
    finished_at: datetime, finish_reason: str, outcome: CrawlOutcome, warc_uri: str,
    stats: dict[str, Any], columns: dict[str, Any],
) -> dict[str, Any]:
    """The run's row of ops.crawl_runs, by column name (CRAWL_RUN_COLUMNS)."""
    row: dict[str, Any] = {
        "crawl_run_id": run_id, "source": source.slug, "dag_run_id": dag_run_id,
        "window_start": window.start, "window_end": window.end, "started_at": started_at,
        "finished_at": finished_at, "finish_reason": finish_reason, "status": outcome.status,
        "failure": outcome.failure, "warc_uri": warc_uri, "pages_fetched": outcome.pages_fetched,
        "requests": outcome.requests, "stats": stats, **columns,
    }
    if row.keys() != CRAWL_RUN_COLUMNS.keys():
        raise ValueError(f"ops.crawl_runs row: missing {sorted(CRAWL_RUN_COLUMNS.keys() - row.keys())}, "
                         f"undeclared {sorted(row.keys() - CRAWL_RUN_COLUMNS.keys())}")
    return {name: Json(value) if CRAWL_RUN_COLUMNS[name] == "jsonb" else value for name, value in row.items()}


def record_run(
    *, run_id: str, source: Source, window: Window, dag_run_id: str | None, started_at: datetime,
    finished_at: datetime, finish_reason: str, outcome: CrawlOutcome, warc_uri: str,
    stats: dict[str, Any], captures: list[Capture], ledger: RunLedger | None = None,
) -> None:
    """The run's row, its capture index, its ledger entries and feed state, in one transaction."""
    ledger = ledger or RunLedger()
    columns = stats_columns(stats, ledger.failed, (finished_at - started_at).total_seconds())
    with transaction() as cur:
        cur.execute(
            """insert into ops.sources (source, name, domains, language, enabled, timezone, country)
               values (%s, %s, %s, %s, %s, %s, %s)
               on conflict (source) do update set name = excluded.name, domains = excluded.domains,
                 language = excluded.language, enabled = excluded.enabled, timezone = excluded.timezone,
                 country = excluded.country, updated_at = now()""",
            (source.slug, source.name, list(source.domains), source.language, source.enabled, source.timezone,
             source.country),
        )
        cur.execute(CRAWL_RUN_INSERT_SQL, crawl_run_row(
            run_id=run_id, source=source, window=window, dag_run_id=dag_run_id, started_at=started_at,
            finished_at=finished_at, finish_reason=finish_reason, outcome=outcome, warc_uri=warc_uri,
            stats=stats, columns=columns,
        ))
        execute_values(
            cur,
            """insert into raw.captures (crawl_run_id, url, normalized_url, kind, status, content_type,
                 fetched_at, warc_uri, warc_offset, warc_length, payload_digest, redirected_from) values %s""",
            [(run_id, c.url, c.normalized_url, c.kind, c.status, c.content_type, c.fetched_at,
              warc_uri, c.offset, c.length, c.payload_digest, c.redirected_from) for c in captures],
            page_size=1000,
        )
        write_ledger(cur, source=source.slug, run_id=run_id, failed=ledger.failed, captured=ledger.resolved,
                     base_seconds=ledger.retry_base_seconds,
                     give_up_days=source.incremental.give_up_days or ledger.give_up_days)
        write_feed_state(cur, source=source.slug, fetches=ledger.feed_fetches,
                         window_start=window.start, window_end=window.end,
                         keep_validators=outcome.status != "failed")


@dataclass
class RunLedger:
    """What the spider accounted for: failures, resolved URLs, feed fetches."""

    failed: list[FailedUrl] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    feed_fetches: list[FeedFetch] = field(default_factory=list)
    retry_base_seconds: float = 3600.0
    give_up_days: float = 7.0


class CrawlRunRecorder:
    """Extension: at spider close, publish the run or discard it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.started_at = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_closed(self, spider: Spider, reason: str) -> None:
        capture: WarcCaptureMiddleware | None = getattr(self.crawler, "warc_capture", None)
        if capture is None or capture.path is None:
            log.error("no WARC capture was running; nothing to publish")
            return
        try:
            capture.close()
            if reason not in PUBLISHABLE_REASONS:
                capture.discard()
                self.crawler.news_run_status = "discarded"  # type: ignore[attr-defined]
                log.warning("crawl ended with %r: nothing published, work file removed", reason)
                return
            self._publish(spider, reason, capture)
        except Exception as exc:
            # Raised on for Scrapy's log; the line tells the task why (scrapers/crawl_process.py).
            print(f"{NOT_PUBLISHED_PREFIX}{type(exc).__name__}: {exc}", flush=True)
            raise

    def _publish(self, spider: Spider, reason: str, capture: WarcCaptureMiddleware) -> None:
        source: Source = spider.source  # type: ignore[attr-defined]
        window: Window = spider.window  # type: ignore[attr-defined]
        peak = peak_rss_bytes()
        if peak is not None:
            self.crawler.stats.set_value("news/peak_rss_bytes", peak)
        stats = _json_safe(self.crawler.stats.get_stats())
        outcome = decide_outcome(stats, source)
        settings = self.crawler.settings
        ledger = RunLedger(
            failed=spider.ledger_entries(),  # type: ignore[attr-defined]
            resolved=spider.resolved_urls(),  # type: ignore[attr-defined]
            feed_fetches=spider.feed_fetches,  # type: ignore[attr-defined]
            retry_base_seconds=settings.getfloat("FAILED_URL_RETRY_BASE_SECONDS"),
            give_up_days=settings.getfloat("FAILED_URL_GIVE_UP_DAYS"),
        )
        for entry in ledger.failed:
            stats[f"news/ledger/{entry.reason}"] = stats.get(f"news/ledger/{entry.reason}", 0) + 1
        finished_at = datetime.now(UTC)
        destination = archive_path(source.slug, window, capture.run_id)
        assert capture.path is not None
        archive_store.publish(capture.path, destination)
        stats_path = archive_store.stats_location(destination)
        archive_store.write_text(stats_path, json.dumps(stats, indent=2, sort_keys=True))
        record_run(
            run_id=capture.run_id, source=source, window=window,
            dag_run_id=getattr(spider, "dag_run_id", None), started_at=self.started_at,
            finished_at=finished_at, finish_reason=reason, outcome=outcome,
            warc_uri=destination, stats=stats,
            captures=not_extracted(capture.captures, spider.refused),  # type: ignore[attr-defined]
            ledger=ledger,
        )
        # Read by `scrapy crawl` (scrapers/commands/crawl.py) for its exit code.
        self.crawler.news_run_status = outcome.status  # type: ignore[attr-defined]
        summary = (f"crawl {capture.run_id} [{source.slug}, {window}]: {outcome.status}; "
                   f"{outcome.pages_fetched} pages, {stats.get('news/skipped_seen', 0)} skipped as seen, "
                   f"{len(ledger.failed)} in the failed-URL ledger, {outcome.requests} requests, "
                   f"{stats.get('news/discovery_not_modified', 0)} feed/sitemap download(s) saved by 304; "
                   f"WARC {destination}; stats {stats_path}")
        if outcome.failure:
            summary += f"; FAILED: {outcome.failure}"
        elif shortfall := discovery_shortfall(stats):
            summary += f"; {shortfall}"
        print(summary, flush=True)  # stdout: the one line a person running the crawl reads


def not_extracted(captures: list[Capture], refused: set[str]) -> list[Capture]:
    """The captures, those of pages that were not the article they stood for filed as "other":
    the load extracts only kind "page", and such a page is neither loaded nor counted as seen."""
    return [replace(c, kind="other") if c.kind == "page" and c.status == 200 and c.normalized_url in refused
            else c for c in captures]


def peak_rss_bytes() -> int | None:
    """This process's own peak resident memory (Linux VmHWM), None where /proc does not say.

    Scrapy's memusage/max comes from getrusage, whose maxrss a child started by fork and exec
    inherits from its parent: a crawl started from a large process reports that process's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _json_safe(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in stats.items()}
