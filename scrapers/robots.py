"""robots.txt as RFC 9309 says, not as Scrapy does.

Scrapy's RobotsTxtMiddleware allows everything when robots.txt answers 5xx or does not answer
at all. RFC 9309 (2.3.1.3, 2.3.1.4): 4xx means no rules (allowed); 5xx, a timeout or a network
error means the file is unreachable and the crawler must assume complete disallow. We treat 429
like 5xx, as the large crawlers do. ``Crawl-delay`` for our user agent becomes the host's minimum
delay between requests, whatever AutoThrottle would like.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from scrapers.ledger import network_reason
from scrapers.replay import NOT_IN_ARCHIVE
from scrapers.safety import BlockedRequest

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

log = logging.getLogger(__name__)

# Failures of the robots.txt fetch that say the whole host is unreachable, kept as the reason.
HOST_DOWN_REASONS = frozenset({"connection_refused", "dns_error", "blocked_address"})
# RFC 9309 2.3.1.2: follow at least five consecutive redirects, even to another host
# (example.com/robots.txt -> www.example.com/robots.txt is common); REDIRECT_MAX_TIMES still caps it.
ROBOTS_MAX_REDIRECTS = 5
# Request meta marking a robots.txt fetch: its redirects may leave the source's hosts (each hop
# still passes the SSRF guard), and its rules apply to the host it was asked for.
ROBOTS_META = "news_robots_txt"


class RobotsUnreachable(RobotParser):
    """Stands in for the rules of a host whose robots.txt could not be had: nothing is allowed."""

    def __init__(self, why: str, reason: str = "robots_unavailable") -> None:
        self.why = why
        self.reason = reason

    @classmethod
    def from_crawler(cls, crawler: Crawler, robotstxt_body: bytes) -> RobotsUnreachable:
        return cls("unreachable")

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return False


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Replaces Scrapy's robots.txt middleware at the same place in the chain."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._crawl_delays: dict[str, float] = {}

    async def process_request(self, request: Request) -> None:  # type: ignore[override]
        if request.meta.get("dont_obey_robotstxt"):
            return
        parser = await self.robot_parser(request)
        netloc = urlparse_cached(request).netloc
        if isinstance(parser, RobotsUnreachable):
            self._stats.inc_value("news/robots_unreachable_blocked")
            raise BlockedRequest(parser.reason,
                                 f"robots.txt of {netloc} {parser.why}: nothing fetched from it this run (RFC 9309)")
        try:
            self.process_request_2(parser, request)
        except IgnoreRequest:
            raise BlockedRequest("robots_denied", f"disallowed by robots.txt of {netloc}: {request.url}") from None
        delay = self._crawl_delays.get(netloc)
        if delay:
            self._enforce_delay(request, delay)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """Scrapy's, with a robots.txt request that follows redirects to other hosts."""
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            try:
                response = await self.crawler.engine.download_async(
                    robots_request(f"{url.scheme}://{netloc}/robots.txt"))
                await self._parse_robots(response, netloc, request)
            except Exception as exc:  # every failure of the fetch: the host counts as unreachable
                self._robots_error(exc, netloc)
            self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        status = response.status
        if status >= 500 or status == 429:
            log.warning("robots.txt of %s answered %d: treating the host as disallowed", netloc, status)
            self._settle(netloc, RobotsUnreachable(f"answered {status}"))
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{status}")
            return
        if 400 <= status < 500:
            # No rules: everything allowed. Parsing an error page could invent rules.
            self._stats.inc_value(f"robotstxt/response_status_count/{status}")
            self._settle(netloc, None)
            return
        await super()._parse_robots(response, netloc, request)
        parser = self._parsers.get(netloc)
        crawl_delay = getattr(parser, "crawl_delay", None)
        if callable(crawl_delay):
            delay = crawl_delay(self._robotstxt_useragent or self._default_useragent)
            if delay:
                self._crawl_delays[netloc] = min(float(delay), self._max_crawl_delay())
                log.info("robots.txt of %s asks for Crawl-delay %s s", netloc, delay)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        key = f"robotstxt/exception_count/{type(exc).__name__}"
        self._stats.inc_value(key)
        if getattr(exc, "reason", None) == NOT_IN_ARCHIVE:
            # Replaying an archive that holds no robots.txt (CC-NEWS keeps none): the site's rules
            # are unknown, not unreachable; the archive's captures were allowed when they were made.
            log.info("robots.txt of %s is not in the replayed archive: no rules", netloc)
            self._settle(netloc, None)
            return
        log.warning("robots.txt of %s unreachable (%s): treating the host as disallowed", netloc, exc)
        # A host that refuses connections or has no address is down, not shy: the ledger says so.
        # Not when a redirect led there: then the site's robots.txt is what is unavailable.
        reason = getattr(exc, "reason", None) or network_reason(exc)
        if reason not in HOST_DOWN_REASONS or getattr(exc, "on_redirect", False):
            reason = "robots_unavailable"
        self._settle(netloc, RobotsUnreachable(f"unreachable ({type(exc).__name__})", reason))

    def _settle(self, netloc: str, parser: RobotParser | None) -> None:
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        if hasattr(waiting, "callback"):
            waiting.callback(parser)  # type: ignore[union-attr]

    def _max_crawl_delay(self) -> float:
        # A site asking for an hour between requests gets the most we will wait; the crawl's
        # own time limit then ends the run and the ledger keeps the rest for the next one.
        return self.crawler.settings.getfloat("ROBOTSTXT_MAX_CRAWL_DELAY", 60.0)

    def _enforce_delay(self, request: Request, delay: float) -> None:
        """The host's download slot waits at least ``delay`` seconds between requests."""
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        settings = downloader.per_slot_settings.setdefault(key, {})
        settings["delay"] = max(float(settings.get("delay", 0)), delay)
        settings["jitter"] = 0  # a random factor would shorten some gaps below the asked delay
        slot = downloader.slots.get(key)
        if slot is not None and (slot.delay < delay or slot.jitter):
            slot.delay = max(slot.delay, delay)
            slot.jitter = 0.0


def robots_request(url: str) -> Request:
    """The robots.txt fetch: first before the host's pages, up to ROBOTS_MAX_REDIRECTS hops to any
    host (Scrapy's offsite filter off for it; UrlGuardMiddleware checks each hop's address)."""
    return Request(url, priority=RobotsTxtMiddleware.DOWNLOAD_PRIORITY, callback=NO_CALLBACK,
                   meta={"dont_obey_robotstxt": True, "allow_offsite": True, ROBOTS_META: True,
                         "redirect_ttl": ROBOTS_MAX_REDIRECTS})
