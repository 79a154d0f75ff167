"""Where a crawl may send requests: http(s) only, public addresses only, the source's own sites.

Checked on every request the downloader sees, so on every redirect hop too (RedirectMiddleware
re-schedules each hop as a new request). Host names are resolved first
and every address they resolve to must be public; a name that points at 127.0.0.1 or the cloud
metadata address (169.254.169.254) is refused like the literal address. SSRF_ALLOW_LOOPBACK lets
the test servers on 127.0.0.1 through, and nothing else.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError
from twisted.internet.threads import deferToThread

from common.urls import ALLOWED_SCHEMES

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scrapy import Request
    from scrapy.crawler import Crawler
    from twisted.internet.base import ReactorBase
    from twisted.internet.defer import Deferred

log = logging.getLogger(__name__)

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedRequest(IgnoreRequest):
    """A request the crawl refuses to send; ``reason`` is its failed-URL ledger reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        # Refused on a redirect hop: what is wrong is where the redirect led, not the first host.
        self.on_redirect = False


def address_is_public(address: IpAddress, allow_loopback: bool = False) -> bool:
    """False for loopback, link-local, private, shared, multicast, reserved and unspecified addresses."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if address.is_loopback:
        return allow_loopback
    # is_global is False for every special-purpose block (RFC 6890): private, link-local (cloud
    # metadata), shared 100.64/10, documentation, benchmarking, reserved, unspecified.
    return address.is_global and not address.is_multicast


def check_scheme(url: str) -> None:
    """Refuse anything but http(s): file:, data:, ftp:, s3: and friends."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise BlockedRequest("blocked_scheme", f"scheme {scheme or '(none)'!r} is not fetched: {url}")


def resolve(host: str) -> list[IpAddress]:
    """Every address the host name (or literal) stands for; socket.gaierror when it has none."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def check_addresses(host: str, addresses: list[IpAddress], allow_loopback: bool) -> None:
    blocked = [str(a) for a in addresses if not address_is_public(a, allow_loopback)]
    if blocked:
        raise BlockedRequest("blocked_address",
                             f"{host} resolves to non-public address(es) {', '.join(blocked)}: not fetched")


class UrlGuardMiddleware:
    """Downloader middleware (before everything else) refusing unsafe or off-site requests."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.allow_loopback = crawler.settings.getbool("SSRF_ALLOW_LOOPBACK")
        # Replaying from WARC touches no network: resolving the real sites' names would only fail.
        self.resolve_names = not crawler.settings.get("REPLAY_WARC")
        self._verdicts: dict[str, BlockedRequest | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UrlGuardMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        try:
            check_scheme(request.url)
            self._check_redirect_stays_on_site(request)
            host = (urlsplit(request.url).hostname or "").lower()
            if not host:
                raise BlockedRequest("blocked_scheme", f"no host in {request.url}")
            await self._check_host(host)
        except BlockedRequest as blocked:
            blocked.on_redirect = bool(request.meta.get("redirect_urls"))
            self.crawler.stats.inc_value(f"news/blocked/{blocked.reason}")
            log.warning("not fetched: %s", blocked)
            raise

    def _check_redirect_stays_on_site(self, request: Request) -> None:
        """A redirect hop to a host outside the source's domains is stopped."""
        if not request.meta.get("redirect_urls"):
            return
        if request.meta.get("news_robots_txt"):
            return  # robots.txt may move to another host (RFC 9309); the address checks still apply
        spider = self.crawler.spider
        domains = set(getattr(getattr(spider, "source", None), "domains", ()) or ())
        host = (urlsplit(request.url).hostname or "").lower()
        if domains and host not in domains:
            raise BlockedRequest("offsite_redirect",
                                 f"redirect from {request.meta['redirect_urls'][0]} to {request.url} leaves the site")

    async def _check_host(self, host: str) -> None:
        if host not in self._verdicts:
            self._verdicts[host] = await self._verdict(host)
        verdict = self._verdicts[host]
        if verdict is not None:
            raise BlockedRequest(verdict.reason, str(verdict))  # a fresh one: each request marks its own

    async def _verdict(self, host: str) -> BlockedRequest | None:
        try:
            literal = [ipaddress.ip_address(host)]
        except ValueError:
            literal = []
        if literal or not self.resolve_names:
            addresses = literal
        else:
            try:
                addresses = await maybe_deferred_to_future(deferToThread(resolve, host))
            except (socket.gaierror, UnicodeError) as exc:
                return BlockedRequest("dns_error", f"{host} does not resolve: {exc}")
        try:
            check_addresses(host, addresses, self.allow_loopback)
        except BlockedRequest as blocked:
            return blocked
        return None


class PublicOnlyResolver(CachingThreadedResolver):
    """The DNS resolver the downloader connects with, refusing non-public answers.

    The middleware checked the name a moment earlier; checking the address actually used to
    connect closes the gap a DNS-rebinding server would use between the two look-ups.
    """

    allow_loopback = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> PublicOnlyResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow_loopback = crawler.settings.getbool("SSRF_ALLOW_LOOPBACK")
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        return super().getHostByName(name, timeout).addCallback(self._public_only, name)

    def _public_only(self, address: str, name: str) -> str:
        if not address_is_public(ipaddress.ip_address(address), self.allow_loopback):
            raise DNSLookupError(f"{name} resolved to non-public address {address}: refused")
        return address
