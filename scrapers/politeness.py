"""Retries that respect the server: ``Retry-After`` on 429 and 503 (scrapy#3849).

Scrapy's RetryMiddleware retries at once, whatever the server asked. Here a 429/503 that carries
``Retry-After`` pauses the whole host (its download slot) for that long and only then retries;
an answer asking for more than RETRY_AFTER_MAX seconds is not waited for: the URL goes to the
failed-URL ledger due again at the time the server named.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

log = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = frozenset({429, 503})


class RetryAfterTooLong(IgnoreRequest):
    """The server asked us to come back later than this run is willing to wait."""

    reason = "retry_after"

    def __init__(self, seconds: float, status: int, url: str) -> None:
        super().__init__(f"{url} answered {status} with Retry-After {seconds:.0f} s: retried by a later run")
        self.seconds = seconds
        self.status = status


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if absent/bad."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """RetryMiddleware that waits as long as ``Retry-After`` says before retrying."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("RETRY_AFTER_MAX", 120.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        wait = None
        if response.status in RETRY_AFTER_STATUSES and not request.meta.get("dont_retry"):
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is None:
            return super().process_response(request, response)
        self.crawler.stats.inc_value("news/retry_after_seen")
        if wait > self.max_wait:
            raise RetryAfterTooLong(wait, response.status, request.url)
        retry = self._retry(request, f"{response.status} with Retry-After {wait:.0f} s")
        if retry is None:
            return response  # retry budget spent: HttpError, then the ledger, as for any 503
        self._pause_host(request, wait)
        log.info("%s: %d, Retry-After %.0f s: waiting before the retry", request.url, response.status, wait)
        await asyncio.sleep(wait)
        return retry

    def _pause_host(self, request: Request, wait: float) -> None:
        """No request to this host leaves before ``wait`` seconds have passed."""
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None:
            # The downloader sends the next request once monotonic() - lastseen >= the slot's delay.
            slot.lastseen = max(slot.lastseen, time.monotonic() + wait - slot.delay)
