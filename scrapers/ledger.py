"""What a crawl remembers between runs: captured URLs, the failed-URL ledger, feed state.

- ``seen_pages``: which article URLs earlier runs captured *and loaded* (or rejected for a lasting
  reason): seen means loaded. One indexed probe per URL, so the cost follows the batch, not the
  history (raw.captures's partial index captures_settled_pages).
- ``ops.failed_urls``: every URL a run meant to fetch and did not capture, with the reason, the
  HTTP status and when to try again; runs retry due entries and give up after give_up_days
  (written by common/failed_urls.py, by the crawl and by the load).
- ``ops.feed_state``: ETag/Last-Modified per feed or sitemap for conditional GET, and its health.

Reading happens when a crawl starts; writing happens only at its close, in the transaction that
publishes the run (scrapers/crawl_run.py), so a killed crawl changes nothing here either.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from psycopg2.extras import Json
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from common.failed_urls import FailedUrl
from common.warehouse import transaction

if TYPE_CHECKING:
    from psycopg2.extensions import cursor
    from twisted.python.failure import Failure

log = logging.getLogger(__name__)


def classify_failure(failure: Failure) -> tuple[str, int | None]:
    """The ledger reason and HTTP status for a failed request's errback failure."""
    exc = failure.value
    assert exc is not None, "a Failure always wraps an exception"
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}", exc.response.status
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str) and isinstance(exc, IgnoreRequest):
        return reason, getattr(exc, "status", None)
    if isinstance(exc, IgnoreRequest):
        message = str(exc)
        if "max redirections" in message:
            return "redirect_limit", None
        if "offsite" in message.lower():
            return "offsite_redirect", None
        if "max size" in message.lower() or "DOWNLOAD_MAXSIZE" in message:
            return "too_large", None
        return "ignored", None
    return network_reason(exc), None


def network_reason(exc: BaseException) -> str:
    """Scrapy's own download errors (2.13+) first, then the Twisted ones they may wrap."""
    if isinstance(exc, (DownloadTimeoutError, net_error.TimeoutError, net_error.TCPTimedOutError)):
        return "timeout"
    if isinstance(exc, (CannotResolveHostError, net_error.DNSLookupError)):
        return "dns_error"
    if isinstance(exc, (DownloadConnectionRefusedError, net_error.ConnectionRefusedError)):
        return "connection_refused"
    if isinstance(exc, ResponseDataLossError):
        return "truncated"
    if "maxsize" in type(exc).__name__.lower() or "max size" in str(exc).lower():
        # Scrapy cancels a body past DOWNLOAD_MAXSIZE (or a request's download_maxsize) with a
        # DownloadCancelledError of no cause: not a lost connection, and no retry changes it.
        return "too_large"
    if isinstance(exc, (DownloadFailedError, DownloadCancelledError)):
        cause = exc.__cause__ or exc.__context__
        return network_reason(cause) if cause is not None and cause is not exc else "connection_lost"
    if isinstance(exc, ResponseFailed):
        text = " ".join(str(r.value) for r in getattr(exc, "reasons", []))
        if "DataLoss" in text or "data loss" in text.lower() or "_DataLoss" in repr(exc.reasons):
            return "truncated"
        return "connection_lost"
    if isinstance(exc, (ResponseNeverReceived, net_error.ConnectionLost, net_error.ConnectionDone)):
        return "connection_lost"
    if isinstance(exc, net_error.ConnectError):
        return "connect_error"
    return "other"


# --- reading, when the crawl starts -------------------------------------------------------------

# A capture whose content reached the warehouse: loaded as an article, or rejected as not an
# article (liveblog, video, section page, paywall), which fetching it again will not change. The
# same predicate as the partial index captures_settled_pages (0220), so the planner uses it.
SETTLED_PAGE = """c.kind = 'page' and c.status = 200
  and (c.extraction_status = 'article'
       or (c.extraction_status = 'rejected' and c.extraction_reason like 'not\\_article:%%'))"""

# A page is seen under the URL it was fetched at and under the URL a redirect to it came from (a
# listing giving http:// links to an https site, /x for /x/): the listed form is what the next
# runs look up.
SEEN_SQL = f"""
select url, min(fetched_at), max(fetched_at)
from (select c.normalized_url as url, c.fetched_at from raw.captures c
      where c.normalized_url = any(%(urls)s) and {SETTLED_PAGE}
      union all
      select c.redirected_from, c.fetched_at from raw.captures c
      where c.redirected_from = any(%(urls)s) and {SETTLED_PAGE}) as seen
group by url
"""


class SeenPage(NamedTuple):
    """When the warehouse's loaded captures of a page were fetched: the first and the latest."""

    first: datetime
    latest: datetime


def seen_pages(urls: list[str]) -> dict[str, SeenPage]:
    """Normalized URL -> its first and latest loaded captures, for those of ``urls`` loaded before.

    Seen means loaded: a capture counts only once its load committed (the load writes the
    capture's extraction status in its own transaction). Captures of a run that failed, was
    never loaded, or is being loaded right now do not count, nor an empty or unparseable page:
    those are fetched again (and a run left unloaded is loaded by the source's next
    extract_load: transforms/run_load.py).
    """
    if not urls:
        return {}
    with transaction() as cur:
        cur.execute(SEEN_SQL, {"urls": list(urls)})
        return {url: SeenPage(first, latest) for url, first, latest in cur.fetchall()}


def due_entries(source: str, limit: int) -> list[tuple[str, str]]:
    """(url, kind) of the source's ledger pages due for a retry, oldest first."""
    with transaction() as cur:
        cur.execute(
            """select url, kind from ops.failed_urls
               where source = %s and resolved_at is null and gave_up_at is null
                 and next_retry_at <= now() and kind = 'page'
               order by next_retry_at limit %s""",
            (source, limit),
        )
        return [(url, kind) for url, kind in cur.fetchall()]


@dataclass(frozen=True)
class FeedState:
    etag: str | None
    last_modified: str | None
    window_start: datetime | None
    window_end: datetime | None
    # What the listing held for later windows (articles dated after the run's window, child
    # sitemaps): a 304 says the listing is unchanged, so these are what it would list now.
    pending: list[dict[str, Any]] | None = None


def feed_states(source: str) -> dict[str, FeedState]:
    """The source's feed validators, none while one of its runs is published but not loaded.

    A 304 lists nothing: the items of a run that was never loaded would stay hidden from every
    crawl until the feed changes. Those runs' pages are not seen, so a full GET fetches them again.
    """
    with transaction() as cur:
        cur.execute(
            """select url, etag, last_modified, validators_window_start, validators_window_end,
                      validators_pending
               from ops.feed_state f where source = %s
                 and not exists (select from ops.crawl_runs r where r.source = f.source and r.status = 'captured')""",
            (source,),
        )
        return {url: FeedState(*rest) for url, *rest in cur.fetchall()}


# --- writing, at the crawl's close (inside crawl_run.record_run's transaction) ------------------

@dataclass(frozen=True)
class FeedFetch:
    """How one feed or sitemap fetch went in this run."""

    url: str
    status: int | None
    etag: str | None
    last_modified: str | None
    items: int | None
    failure: str | None  # ledger reason when it failed
    flag: str | None = None  # used, but not whole: "truncated"
    pending: list[dict[str, Any]] | None = None  # FeedState.pending of a full answer


def write_feed_state(cur: cursor, *, source: str, fetches: list[FeedFetch], window_start: datetime,
                     window_end: datetime, keep_validators: bool = True) -> None:
    """Validators and health per feed/sitemap URL fetched this run.

    A failed run is never loaded: its validators are not kept (a 304 would hide the items it
    read from the next run).
    """
    now = datetime.now(UTC)
    for fetch in fetches:
        ok = fetch.failure is None
        # Nor does a truncated answer: a 304 to its validators would hide the items it lacked.
        keep = keep_validators and fetch.flag is None
        cur.execute(
            """insert into ops.feed_state as f (source, url, etag, last_modified, validators_window_start,
                 validators_window_end, validators_pending, last_status, last_attempt_at, last_success_at,
                 consecutive_failures, last_failure, items_last, last_flag, not_modified_count)
               values (%(source)s, %(url)s, %(etag)s, %(lm)s, %(ws)s, %(we)s, %(pending)s, %(status)s, %(now)s,
                       case when %(ok)s then %(now)s end, case when %(ok)s then 0 else 1 end, %(failure)s, %(items)s,
                       %(flag)s, case when %(status)s = 304 then 1 else 0 end)
               on conflict (source, url) do update set
                 etag = case when %(fresh)s then excluded.etag else f.etag end,
                 last_modified = case when %(fresh)s then excluded.last_modified else f.last_modified end,
                 validators_window_start = case when %(fresh)s then excluded.validators_window_start
                                                else f.validators_window_start end,
                 validators_window_end = case when %(fresh)s then excluded.validators_window_end
                                              else f.validators_window_end end,
                 validators_pending = case when %(fresh)s then excluded.validators_pending
                                           else f.validators_pending end,
                 not_modified_count = f.not_modified_count + excluded.not_modified_count,
                 last_status = excluded.last_status, last_attempt_at = excluded.last_attempt_at,
                 last_success_at = coalesce(excluded.last_success_at, f.last_success_at),
                 consecutive_failures = case when %(ok)s then 0 else f.consecutive_failures + 1 end,
                 last_failure = excluded.last_failure,
                 items_last = coalesce(excluded.items_last, f.items_last),
                 last_flag = excluded.last_flag""",
            {"source": source, "url": fetch.url, "etag": fetch.etag if keep else None,
             "lm": fetch.last_modified if keep else None,
             "ws": window_start, "we": window_end, "status": fetch.status,
             "pending": Json(fetch.pending) if keep and fetch.pending is not None else None, "now": now, "ok": ok,
             "failure": fetch.failure, "items": fetch.items, "flag": fetch.flag,
             # Only a full 200 answer brings new validators; a 304 keeps the stored ones.
             "fresh": ok and fetch.status == 200 and keep},
        )


def summarize_failures(failed: list[FailedUrl]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for entry in failed:
        counts[entry.reason] = counts.get(entry.reason, 0) + 1
    return dict(sorted(counts.items()))
