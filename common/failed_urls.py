"""The failed-URL ledger (ops.failed_urls): every URL a run meant to have and does not, with why.

Written by the crawl at its close (scrapers/crawl_run.py: what it could not fetch) and by the
load (transforms/load/run.py: pages it fetched whose content did not reach the warehouse, for a
reason fetching them again may change: an extraction timeout, a worker killed, a short body).
The next crawls of the source retry due entries (scrapers/ledger.due_entries), with backoff,
until one is resolved or given up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psycopg2.extensions import cursor

# First retry after this many seconds, doubling per failed run up to a day; given up this many
# days after the first failure (a source may override with [incremental] give_up_days). The
# crawl reads them as its FAILED_URL_* settings (scrapers/settings.py), the load from here.
RETRY_BASE_SECONDS_ENV = "NEWS_FAILED_URL_RETRY_BASE_SECONDS"
GIVE_UP_DAYS_ENV = "NEWS_FAILED_URL_GIVE_UP_DAYS"


def retry_base_seconds() -> float:
    return float(os.environ.get(RETRY_BASE_SECONDS_ENV, "3600"))


def give_up_days() -> float:
    return float(os.environ.get(GIVE_UP_DAYS_ENV, "7"))


# HTTP statuses worth trying again later; other 4xx answers are final.
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
# Reasons that will not change by asking again (robots rules change, but slowly: re-discovery
# queues the URL again if the site lists it again).
PERMANENT_REASONS = frozenset({"robots_denied", "blocked_address", "blocked_scheme", "offsite_redirect",
                               "redirect_limit", "too_large", "unsupported_encoding", "not_html"})


@dataclass(frozen=True)
class FailedUrl:
    """One URL this run did not capture, as the ledger records it."""

    url: str
    normalized_url: str
    kind: str  # feed | sitemap | page
    reason: str
    http_status: int | None = None
    retry_at: datetime | None = None  # the server said when (Retry-After); else the backoff decides

    @property
    def permanent(self) -> bool:
        if self.reason in PERMANENT_REASONS:
            return True
        return self.http_status is not None and self.reason.startswith("http_") and \
            self.http_status not in TRANSIENT_STATUSES


def next_retry(entry: FailedUrl, attempts: int, first_failed_at: datetime, now: datetime,
               base_seconds: float, give_up_days: float) -> tuple[datetime | None, datetime | None]:
    """(next_retry_at, gave_up_at) for an entry after its ``attempts``-th failed run."""
    if entry.permanent:
        return None, now
    if now - first_failed_at >= timedelta(days=give_up_days):
        return None, now
    # Exponential backoff between runs, capped at a day so a daily schedule always retries.
    wait = min(base_seconds * 2 ** max(attempts - 1, 0), 86400.0)
    due = now + timedelta(seconds=wait)
    if entry.retry_at is not None:
        due = max(due, entry.retry_at)
    return due, None


def write_ledger(cur: cursor, *, source: str, run_id: str, failed: list[FailedUrl], captured: list[str],
                 base_seconds: float, give_up_days: float) -> None:
    """Upsert this run's failures; resolve entries this run captured.

    Called twice for one run when its load finds a captured page unloadable: the crawl resolved
    the entry by capturing the page, and that was no success, so the entry goes on counting its
    attempts rather than starting a new story (which would retry it forever). A second load of
    the same run (a retried task) counts its failures once.
    """
    now = datetime.now(UTC)
    if captured:
        cur.execute(
            """update ops.failed_urls set resolved_at = %s, next_retry_at = null, last_crawl_run_id = %s
               where source = %s and normalized_url = any(%s) and resolved_at is null""",
            (now, run_id, source, captured),
        )
    if not failed:
        return
    cur.execute("select normalized_url, attempts, first_failed_at, resolved_at, last_crawl_run_id::text "
                "from ops.failed_urls where source = %s and normalized_url = any(%s)",
                (source, [f.normalized_url for f in failed]))
    previous = {url: (attempts, first, resolved, last_run)
                for url, attempts, first, resolved, last_run in cur.fetchall()}
    for entry in failed:
        attempts, first, resolved, last_run = previous.get(entry.normalized_url, (0, now, None, None))
        if last_run == run_id and resolved is None:  # this run's failure, already counted
            attempts -= 1
        elif resolved is not None and last_run != run_id:  # failing again after a success: a new story
            attempts, first = 0, now
        attempts += 1
        due, gave_up = next_retry(entry, attempts, first, now, base_seconds, give_up_days)
        cur.execute(
            """insert into ops.failed_urls (source, normalized_url, url, kind, reason, http_status, attempts,
                 first_failed_at, last_failed_at, next_retry_at, gave_up_at, resolved_at, last_crawl_run_id)
               values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, null, %s)
               on conflict (source, normalized_url) do update set
                 url = excluded.url, kind = excluded.kind, reason = excluded.reason,
                 http_status = excluded.http_status, attempts = excluded.attempts,
                 first_failed_at = excluded.first_failed_at, last_failed_at = excluded.last_failed_at,
                 next_retry_at = excluded.next_retry_at, gave_up_at = excluded.gave_up_at,
                 resolved_at = null, last_crawl_run_id = excluded.last_crawl_run_id""",
            (source, entry.normalized_url, entry.url, entry.kind, entry.reason, entry.http_status, attempts,
             first, now, due, gave_up, run_id),
        )
