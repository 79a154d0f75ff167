"""The generic news spider: discover from feeds and sitemaps, fetch the window's new article pages.

Parsing happens later (transforms/): this spider only decides what to fetch, and accounts for
every URL it meant to fetch: each ends captured or as a ``FailedUrl`` for the ledger
(scrapers/ledger.py), written when the run is published (scrapers/crawl_run.py). Every response
is captured to WARC by WarcCaptureMiddleware; the stats it keeps (news/*) decide whether the
crawl succeeded.
"""

from __future__ import annotations

import gzip
import io
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from common.failed_urls import FailedUrl
from common.sources import Source
from common.urls import ALLOWED_SCHEMES, normalize_url
from common.window import Window, window_from_args
from scrapers.discovery import (
    Discovered,
    NotAFeed,
    TruncatedFeed,
    UnreadableFeed,
    article_url,
    as_listed_from,
    candidate,
    changed_since,
    edited_in_window,
    expand_dated_sitemaps,
    listed_for_later,
    listed_just_before,
    listed_url,
    parse_sitemap,
    read_feed,
)
from scrapers.ledger import FeedFetch, FeedState, classify_failure, due_entries, feed_states, seen_pages
from scrapers.page_checks import not_html, page_title, probe_url
from scrapers.politeness import RetryAfterTooLong
from scrapers.replay import NOT_IN_ARCHIVE

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"
# Sitemap indexes can nest; real sites use one or two levels. Deeper is a loop or a trap.
MAX_SITEMAP_DEPTH = 3
# Statuses a discovery callback handles itself: 304 is a conditional GET's "nothing new".
DISCOVERY_STATUSES = [304]


def _newest_first(item: Discovered) -> tuple[bool, float]:
    """Sort key: dated items newest first, then undated ones (a stable sort keeps their order)."""
    return (item.published is None, -item.published.timestamp() if item.published else 0.0)


class NewsSpider(scrapy.Spider):
    """Crawls one configured source for one time window."""

    source: ClassVar[Source]

    def __init__(self, since: str | None = None, until: str | None = None,
                 crawl_run_id: str | None = None, dag_run_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.window: Window = window_from_args(since, until)
        self.crawl_run_id = crawl_run_id
        self.dag_run_id = dag_run_id
        self.allowed_domains = list(self.source.domains)
        self._naive_zone = ZoneInfo(self.source.timezone)  # of listing dates written without an offset
        self._queued: dict[str, str] = {}  # normalized URL -> kind, for everything this run asked for
        self.captured: set[str] = set()  # normalized page URLs captured with 200
        self._resolved_discovery: set[str] = set()  # feeds and sitemaps read this run
        self._skipped_seen: set[str] = set()  # captured by earlier runs, not fetched again
        self.failed: dict[str, FailedUrl] = {}
        self.feed_fetches: list[FeedFetch] = []
        self._feed_state: dict[str, FeedState] = {}
        self._sitemap_children = 0  # child sitemaps this run asked for, against SITEMAP_CHILD_LIMIT
        # Responses that stood in for an article (a wall, an error template, a PDF): archived,
        # never extracted (CrawlRunRecorder files them as kind "other").
        self.refused: set[str] = set()
        # Per host: the <title> of its "not found" answer to the soft-404 probe (None: it has no
        # such page, or the probe failed); a host absent from it has not answered yet.
        self._error_titles: dict[str, str | None] = {}
        self._probed: set[str] = set()
        # Pages captured before their host's probe answered: (key, request, title), judged then.
        self._awaiting_probe: dict[str, list[tuple[str, Request, str]]] = {}

    # --- start: discovery documents and due ledger entries -------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        log.info("crawling %s for %s", self.source.slug, self.window)
        self._feed_state = feed_states(self.source.slug)
        sitemaps = [*self.source.discovery.sitemaps,
                    *expand_dated_sitemaps(self.source.discovery.dated_sitemaps, self.window,
                                           self.source.timezone)]
        documents = [(url, self.parse_feed, "feed") for url in self.source.discovery.feeds]
        documents += [(url, self.parse_sitemap, "sitemap") for url in sitemaps]
        for url, callback, kind in documents:
            request = self._discovery_request(url, callback, kind)
            if request is not None:
                yield request
        limit = self.crawler.settings.getint("FAILED_URL_RETRY_LIMIT", 1000)
        due = due_entries(self.source.slug, limit)
        self.crawler.stats.set_value("news/ledger_due", len(due))
        for url, _kind in due:
            # Due entries belong to earlier windows: fetched whatever this run's window is.
            request = self._page_request(article_url(url, self.source), ledger_retry=True)
            if request is not None:
                yield request

    def _discovery_request(self, url: str, callback: Any, kind: str, depth: int = 0) -> Request | None:
        key = normalize_url(url)
        if key in self._queued:
            return None
        self._queued[key] = kind
        headers = self._conditional_headers(url)
        if headers:
            self.crawler.stats.inc_value("news/conditional_get")
        meta = {"capture_kind": kind, "listing_depth": depth, "news_url": key,
                "handle_httpstatus_list": DISCOVERY_STATUSES}
        if kind == "sitemap":
            meta["download_maxsize"] = self._sitemap_maxsize()  # Scrapy's, and DecodedSizeGuard's
        return Request(url, callback=callback, errback=self.discovery_failed, priority=10, headers=headers,
                       meta=meta, dont_filter=True)

    def _sitemap_maxsize(self) -> int:
        return self.crawler.settings.getint("SITEMAP_MAXSIZE")

    def _conditional_headers(self, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since where a 304 cannot hide an article.

        A 304 means the listing is the one the stored validators came with. That run followed
        every article of its window (captured and loaded, or in the failed-URL ledger: feed_states
        gives no validators while a run is unloaded, and a failed run stores none), and kept what
        the listing held for later windows (``pending``), which a 304 answer follows instead. So a
        run whose window starts no earlier loses nothing; an earlier window would lose the items
        that run skipped as too old. Without ``pending`` (validators stored before it existed)
        only a window inside the stored one is safe. A source that revisits gets none: a revisit
        re-reads pages the listing names again, which a 304 does not name.
        """
        state = self._feed_state.get(url)
        if state is None or not (state.etag or state.last_modified):
            return {}
        if self.source.incremental.revisit_hours > 0:
            return {}
        if state.window_start is None or state.window_end is None:
            return {}
        inside = state.window_start <= self.window.start and self.window.end <= state.window_end
        later = state.pending is not None and state.window_start <= self.window.start
        if not (inside or later):
            return {}
        headers = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        return headers

    # --- discovery callbacks --------------------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterable[Request]:
        if response.status == 304:
            yield from self._not_modified(response, self.parse_feed)
            return
        try:
            feed = read_feed(response.body, self._naive_zone)
        except (NotAFeed, TruncatedFeed, UnreadableFeed) as exc:
            self._discovery_failure(response.request, response.url, exc.reason, response.status)  # type: ignore[arg-type]
            log.warning("feed %s unusable (%s): %s", response.url, exc.reason, exc)
            return
        items = as_listed_from(feed.items, response.url)
        self._count_without_url(response.url, feed.without_url)
        flag = None
        if feed.truncated:
            flag = "truncated"
            self.crawler.stats.inc_value("news/feed_truncated")
            log.warning("feed %s is truncated: using its %d complete items", response.url, len(items))
        next_page = self._next_feed_page(items, listed_url(feed.next_page, response.url) if feed.next_page else None)
        # The next page is pending whatever its items: on a 304 of this page it is asked again.
        pending = [*_pending(listed_for_later(items, self.source, self.window), "page"),
                   *_pending([Discovered(next_page)] if next_page else [], "feed")]
        self._discovered(response, len(items), flag, pending=pending)
        if response.meta.get("listing_depth", 0) == 0:  # a paged feed's older pages are old by design
            self._note_if_stale(response, items)
        self.crawler.stats.inc_value("news/feed_items", len(items))
        if next_page:
            yield from self._feed_page_requests(response.url, [next_page], response.meta.get("listing_depth", 0))
        else:
            self._note_short_feed(response.url, items)
        yield from self._follow(items)

    def _note_short_feed(self, url: str, items: list[Discovered]) -> None:
        """A feed of the window's news that lists nothing as old as the window's start, with no
        next page: it holds the newest N items, and a busy window had more. Said, not guessed at
        (a WordPress feed's ?paged=2 is not announced); the source's sitemaps may list the rest."""
        dated = [item.published for item in items if item.published is not None]
        if not dated or min(dated) <= self.window.start or not any(self.window.contains(d) for d in dated):
            return
        self.crawler.stats.inc_value("news/feed_short_of_window")
        has_sitemaps = bool(self.source.discovery.sitemaps or self.source.discovery.dated_sitemaps)
        log.log(logging.INFO if has_sitemaps else logging.WARNING,
                "feed %s lists back only to %s, after the window's start %s, and has no next page: the "
                "window's earlier articles are not in it%s", url, min(dated).isoformat(),
                self.window.start.isoformat(), " (the source's sitemaps may list them)" if has_sitemaps else "")

    def _next_feed_page(self, items: list[Discovered], next_page: str | None) -> str | None:
        """The next page of a paged feed when the window may go on there: this page has items, on
        the source's hosts, and none dated before the window (a newest-first feed has reached the
        window's start once one is)."""
        if not next_page or not items or not self._is_own_http_url(next_page):
            return None
        if any(item.published is not None and item.published < self.window.start for item in items):
            return None
        return next_page

    def _feed_page_requests(self, feed_url: str, pages: list[str], depth: int) -> Iterable[Request]:
        """A paged feed's next pages, within FEED_PAGE_LIMIT pages (the first included)."""
        limit = self.crawler.settings.getint("FEED_PAGE_LIMIT")
        if limit and depth + 1 >= limit:
            self.crawler.stats.inc_value("news/feed_pages_over_limit", len(pages))
            log.warning("feed %s: its next page not read, past this run's FEED_PAGE_LIMIT of %d pages, with "
                        "the window's start not reached", feed_url, limit)
            return
        for page in pages:
            request = self._discovery_request(page, self.parse_feed, "feed", depth + 1)
            if request is not None:
                self.crawler.stats.inc_value("news/feed_pages_followed")
                yield request

    def parse_sitemap(self, response: Response) -> Iterable[Request]:
        if response.status == 304:
            yield from self._not_modified(response, self.parse_sitemap)
            return
        body = response.body
        try:
            if body.startswith(GZIP_MAGIC):
                body = self._gunzip(body)
            document = parse_sitemap(body, self._naive_zone)
        except ValueError as exc:
            reason = "too_large" if "SITEMAP_MAXSIZE" in str(exc) else getattr(exc, "reason", "unparseable")
            self._discovery_failure(response.request, response.url, reason, response.status)  # type: ignore[arg-type]
            log.warning("sitemap %s unusable: %s", response.url, exc)
            return
        urls = as_listed_from(document.urls, response.url)
        self._count_without_url(response.url, document.without_url)
        children = as_listed_from(document.child_sitemaps, response.url)
        # Child sitemaps are pending whatever their dates: on a 304 of the index they are asked
        # again (each with its own validators), as the index would list them.
        pending = [*_pending(listed_for_later(urls, self.source, self.window), "page"),
                   *_pending(children, "sitemap")]
        flag = None
        if document.truncated:
            flag = "truncated"
            self.crawler.stats.inc_value("news/sitemap_truncated")
            log.warning("sitemap %s is truncated: using its %d complete entries", response.url,
                        len(urls) + len(children))
        self._discovered(response, len(urls) + len(children), flag, pending=pending)
        depth = response.meta.get("listing_depth", 0)
        if depth == 0 and not children:
            self._note_if_stale(response, urls)
        yield from self._child_sitemap_requests(response.url, children, depth)
        self.crawler.stats.inc_value("news/sitemap_urls", len(urls))
        yield from self._follow(urls)

    def _count_without_url(self, listing_url: str, count: int) -> None:
        """Entries a listing gives no URL for (a feed item with no link or permalink, a sitemap
        entry with no <loc>): nothing to fetch, but never dropped unsaid."""
        if count:
            self.crawler.stats.inc_value("news/listed_without_url", count)
            log.warning("%s lists %d entr(ies) naming no page (no link, permalink or <loc>); not followed",
                        listing_url, count)

    def _child_sitemap_requests(self, index_url: str, children: list[Discovered], depth: int) -> Iterable[Request]:
        """The index's children worth fetching, within the run's SITEMAP_CHILD_LIMIT.

        Skipped, and counted in the stats: children off the source's hosts, children whose own
        lastmod is before the window (nothing of the window can be in them), and children past
        the limit (an index of thousands would otherwise take the whole run at a polite delay).
        """
        if not children:
            return
        if depth >= MAX_SITEMAP_DEPTH:
            log.warning("sitemap %s nests deeper than %d; its %d children not followed", index_url,
                        MAX_SITEMAP_DEPTH, len(children))
            self.crawler.stats.inc_value("news/sitemap_children_too_deep", len(children))
            return
        wanted = []
        for child in children:
            if not self._is_own_http_url(child.url):
                self.crawler.stats.inc_value("news/skipped_foreign_sitemap")
            elif child.published is not None and child.published < self.window.start:
                self.crawler.stats.inc_value("news/sitemap_children_skipped_old")
            else:
                wanted.append(child)
        # Dated children first, newest first: the likeliest to hold the window's articles when the
        # limit cuts; undated ones after, in the index's order.
        wanted.sort(key=_newest_first)
        limit = self.crawler.settings.getint("SITEMAP_CHILD_LIMIT")
        for position, child in enumerate(wanted):
            if limit and self._sitemap_children >= limit:
                skipped = len(wanted) - position
                self.crawler.stats.inc_value("news/sitemap_children_over_limit", skipped)
                log.warning("sitemap index %s: %d child sitemap(s) not fetched, over this run's "
                            "SITEMAP_CHILD_LIMIT of %d", index_url, skipped, limit)
                return
            request = self._discovery_request(child.url, self.parse_sitemap, "sitemap", depth + 1)
            if request is not None:
                self._sitemap_children += 1
                self.crawler.stats.inc_value("news/sitemap_children_fetched")
                yield request

    def _not_modified(self, response: Response, callback: Any) -> Iterable[Request]:
        """A 304: the listing is unchanged, a download saved. What it held for later windows is
        followed as if listed again: articles of this window among them, and child sitemaps."""
        self.crawler.stats.inc_value("news/discovery_ok")
        self.crawler.stats.inc_value("news/discovery_not_modified")
        self._record_fetch(response, items=None)
        url = response.request.url if response.request else response.url
        state = self._feed_state.get(url)
        pending = (state.pending if state is not None else None) or []
        pages = [_discovered_item(entry) for entry in pending if entry.get("kind") == "page"]
        children = [_discovered_item(entry) for entry in pending if entry.get("kind") == "sitemap"]
        self.crawler.stats.inc_value("news/not_modified_pending", len(pages) + len(children))
        feed_pages = [entry["url"] for entry in pending if entry.get("kind") == "feed"]
        if callback == self.parse_sitemap and children:
            yield from self._child_sitemap_requests(url, children, response.meta.get("listing_depth", 0))
        if callback == self.parse_feed and feed_pages:
            yield from self._feed_page_requests(url, feed_pages, response.meta.get("listing_depth", 0))
        yield from self._follow(pages)

    def _discovered(self, response: Response, items: int, flag: str | None = None,
                    pending: list[dict[str, Any]] | None = None) -> None:
        self.crawler.stats.inc_value("news/discovery_ok")
        self._record_fetch(response, items=items, flag=flag, pending=pending)

    def _note_if_stale(self, response: Response, items: list[Discovered]) -> None:
        """Count a listing the source's file names that answered but lists nothing dated in the
        window or later: a frozen feed (its newest item days old) or an empty one. The run goes on
        (other listings may hold the window's articles); the completeness check warns where the
        source's history says it publishes (dags/tasks/completeness.py). Child sitemaps are left
        out: an archive month's sitemap is old by design. An undated item could be new: no verdict.
        """
        if any(item.published is None for item in items):
            return
        newest = max((item.published for item in items if item.published is not None), default=None)
        if newest is not None and newest >= self.window.start:
            return
        url = response.request.url if response.request else response.url
        what = "no items" if newest is None else f"newest item {newest.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        stats = self.crawler.stats
        stats.inc_value("news/listings_stale")
        stats.set_value("news/listings_stale_detail", [*(stats.get_value("news/listings_stale_detail") or []),
                                                        f"{url} ({what})"])
        log.warning("listing %s answered but lists nothing of the window %s or later (%s)", url, self.window, what)

    def _record_fetch(self, response: Response, items: int | None, flag: str | None = None,
                      pending: list[dict[str, Any]] | None = None) -> None:
        headers = response.headers
        etag = headers.get(b"ETag")
        modified = headers.get(b"Last-Modified")
        key = response.meta.get("news_url") or normalize_url(response.url)
        self.failed.pop(key, None)
        self.feed_fetches.append(FeedFetch(
            url=response.request.url if response.request else response.url,
            status=response.status, items=items, failure=None, flag=flag,
            etag=etag.decode("latin-1") if etag else None,
            last_modified=modified.decode("latin-1") if modified else None,
            pending=pending,
        ))
        self._resolved_discovery.add(key)

    def _gunzip(self, body: bytes) -> bytes:
        """A gzipped sitemap, read no further than SITEMAP_MAXSIZE (gzip bombs)."""
        limit = self._sitemap_maxsize()
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
                data = stream.read(limit + 1 if limit else -1)
        except (OSError, EOFError) as exc:
            raise ValueError(f"gzipped sitemap does not decompress: {exc}") from exc
        if limit and len(data) > limit:
            raise ValueError(f"gzipped sitemap expands past SITEMAP_MAXSIZE ({limit} bytes)")
        return data

    # --- article pages --------------------------------------------------------------------------

    def _follow(self, items: list[Discovered]) -> Iterable[Request]:
        """Requests for the listed articles of the window not loaded before, and for those loaded
        before whose listing dates a change after the warehouse's latest capture (a correction, an
        update: the new version must reach the warehouse) or that are inside the revisit window."""
        candidates: dict[str, Discovered] = {}
        edited: set[str] = set()  # earlier days' articles the listing says changed in the window
        early: set[str] = set()  # dated just before the window, as a west-of-UTC site's local time stamped GMT
        for item in items:
            url, why_not = candidate(item, self.source, self.window)
            if url is None and why_not == "outside_window":
                url = listed_just_before(item, self.source, self.window)
                if url is not None:
                    early.add(url)
                if (edited_url := edited_in_window(item, self.source, self.window)) is not None:
                    url = edited_url
                    edited.add(url)
            if url is None:
                self.crawler.stats.inc_value(f"news/skipped_{why_not}")
                continue
            if url not in self._queued:
                candidates.setdefault(url, item)
        seen = seen_pages([u for u in candidates if u not in self._skipped_seen])
        for url, item in candidates.items():
            if url in self._skipped_seen:
                continue
            if url in edited and url not in seen and url not in early:  # its own window's run is responsible for it
                self.crawler.stats.inc_value("news/skipped_outside_window")
                continue
            changed = url in seen and changed_since(item, seen[url].latest)
            if url in early and url in seen and not changed:  # the run before loaded it
                self.crawler.stats.inc_value("news/skipped_outside_window")
                continue
            if url in early and url not in seen:
                self.crawler.stats.inc_value("news/fetched_listed_early")
            if url in seen and not changed and not self._revisit(seen[url].first):
                self._skipped_seen.add(url)
                self.crawler.stats.inc_value("news/skipped_seen")
                continue
            if changed:
                self.crawler.stats.inc_value("news/refetched_changed")
            elif url in seen:
                self.crawler.stats.inc_value("news/revisited")
            request = self._page_request(url)
            if request is not None:
                yield request

    def _revisit(self, first_captured: Any) -> bool:
        """Whether an article captured before is young enough to fetch again for updates."""
        hours = self.source.incremental.revisit_hours
        return hours > 0 and first_captured >= self.window.end - timedelta(hours=hours)

    def _page_request(self, url: str, ledger_retry: bool = False) -> Request | None:
        if url in self._queued:
            return None
        self._queued[url] = "page"
        self.crawler.stats.inc_value("news/pages_queued")
        if ledger_retry:
            self.crawler.stats.inc_value("news/ledger_retried")
        # dont_filter: _queued already dedupes; Scrapy's dupe filter would silently drop the hop
        # of a redirect loop that comes back to this URL, leaving it unaccounted for.
        return Request(url, callback=self.parse_page, errback=self.page_failed, dont_filter=True,
                       meta={"capture_kind": "page", "news_url": url, "ledger_retry": ledger_retry})

    def _probing(self) -> bool:
        """Whether this run asks hosts for their "not found" page (never when replaying an archive)."""
        settings = self.crawler.settings
        return settings.getbool("SOFT_404_PROBE") and not settings.get("REPLAY_WARC")

    def _probe_request(self, article: str) -> Request | None:
        """Once per host and run: ask for a page that cannot exist, to learn the host's 404 page."""
        host = urlsplit(article).netloc
        if host in self._probed:
            return None
        self._probed.add(host)
        self.crawler.stats.inc_value("news/soft404_probes")
        return Request(probe_url(article), callback=self.parse_probe, errback=self.probe_failed,
                       dont_filter=True, priority=20, meta={"capture_kind": "other", "news_probe_host": host})

    def parse_probe(self, response: Response) -> None:
        """A 200 to the probe is the host's soft-404 page: its title marks article pages like it."""
        title = page_title(response.body) if response.status == 200 else None
        self._probe_answered(response.meta["news_probe_host"], title)

    def probe_failed(self, failure: Failure) -> None:
        # The usual answer: a real 404. Nothing to learn, nothing to record.
        request: Request = failure.request  # type: ignore[attr-defined]
        self._probe_answered(request.meta["news_probe_host"], None)

    def _probe_answered(self, host: str, title: str | None) -> None:
        self._error_titles[host] = title
        if title is not None:
            log.info("host %s answers a page that does not exist with 200, titled %r: pages titled so "
                     "are its error page, not articles", host, title)
        for key, request, page_title_ in self._awaiting_probe.pop(host, []):
            if title is not None and page_title_ == title:
                self.crawler.stats.inc_value("news/pages_ok", -1)
                self.captured.discard(key)
                self._refuse(request, key, "soft_404", request.url, f"titled {title!r} like the host's 404 page")

    def _is_own_http_url(self, url: str) -> bool:
        """http(s) on one of the source's hosts: never file:, data:, ftp:, s3:."""
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            return False
        return parts.scheme.lower() in ALLOWED_SCHEMES and (parts.hostname or "").lower() in self.source.domains

    def parse_page(self, response: Response) -> Iterable[Request]:
        key = response.meta.get("news_url") or normalize_url(response.url)
        if response.status != 200:
            self._page_failure(response.request, key, f"http_{response.status}", response.status)  # type: ignore[arg-type]
            return
        request: Request = response.request  # type: ignore[assignment]
        if not response.body.strip():
            # A 200 with nothing in it (a CDN hiccup, a server mid-deploy) is no capture of the
            # article: the ledger retries it like any transient failure.
            self._refuse(request, key, "empty_body", response.url, f"{len(response.body)} bytes of whitespace")
            return
        if response.body.startswith(GZIP_MAGIC):
            # Compressed twice, or sent without its Content-Encoding: the server's mistake, which it
            # may mend; not a document of another kind (not_html is never retried).
            self._refuse(request, key, "undecodable_body", response.url, "a gzip stream where the page was expected")
            return
        content_type = response.headers.get(b"Content-Type")
        why_not_html = not_html(response.body, content_type.decode("latin-1") if content_type else None)
        if why_not_html is not None:
            self._refuse(request, key, "not_html", response.url, why_not_html)
            return
        if response.meta.get("redirect_urls") and not self.source.is_article_url(
                article_url(response.url, self.source)):
            # A consent or login wall, the home page: same host, 200, and not the article.
            self._refuse(request, key, "redirected_to_non_article", response.url, f"redirected to {response.url}")
            return
        host = urlsplit(response.url).netloc
        title = page_title(response.body)
        if title is not None and self._error_titles.get(host) == title:
            self._refuse(request, key, "soft_404", response.url, f"titled {title!r} like the host's 404 page")
            return
        self.crawler.stats.inc_value("news/pages_ok")
        self.captured.add(key)
        self.failed.pop(key, None)
        if title is not None and host not in self._error_titles and self._probing():
            self._awaiting_probe.setdefault(host, []).append((key, request, title))
            probe = self._probe_request(response.url)
            if probe is not None:
                yield probe

    def _refuse(self, request: Request, key: str, reason: str, response_url: str, detail: str) -> None:
        """A 200 that is not the article: kept out of extraction, and the article in the ledger."""
        self.refused.add(normalize_url(response_url))
        self._page_failure(request, key, reason, 200)
        log.warning("page %s is not the article (%s): %s", request.url, reason, detail)

    def page_failed(self, failure: Failure) -> None:
        request: Request = failure.request  # type: ignore[attr-defined]
        reason, status = classify_failure(failure)
        key = request.meta.get("news_url") or normalize_url(request.url)
        retry_at = None
        if isinstance(failure.value, RetryAfterTooLong):
            retry_at = datetime.now(UTC) + timedelta(seconds=failure.value.seconds)
            status = failure.value.status
        self._page_failure(request, key, reason, status, retry_at)
        log.warning("page failed (%s): %s: %s", reason, request.url, failure.getErrorMessage())

    def _page_failure(self, request: Request, key: str, reason: str, status: int | None,
                      retry_at: Any = None) -> None:
        if reason == "robots_denied":
            self.crawler.stats.inc_value("news/robots_denied")
        elif reason == "not_html":
            # A PDF or an image among the listed articles: skipped, not a failure of the site.
            self.crawler.stats.inc_value("news/skipped_not_html")
        elif reason == NOT_IN_ARCHIVE:
            # The archive never held the page: nothing the site did, so not in its error rate.
            self.crawler.stats.inc_value("news/not_in_archive")
        else:
            self.crawler.stats.inc_value("news/pages_failed")
        self.crawler.stats.inc_value(f"news/pages_failed/{reason}")
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        self.failed[key] = FailedUrl(url=url, normalized_url=key, kind="page", reason=reason,
                                     http_status=status, retry_at=retry_at)

    def discovery_failed(self, failure: Failure) -> None:
        request: Request = failure.request  # type: ignore[attr-defined]
        reason, status = classify_failure(failure)
        self._discovery_failure(request, request.url, reason, status)
        log.warning("discovery failed (%s): %s: %s", reason, request.url, failure.getErrorMessage())

    def _discovery_failure(self, request: Request, url: str, reason: str, status: int | None) -> None:
        self.crawler.stats.inc_value("news/discovery_failed")
        self.crawler.stats.inc_value(f"news/discovery_failed/{reason}")
        original = (request.meta.get("redirect_urls") or [request.url])[0]
        key = request.meta.get("news_url") or normalize_url(original)
        kind = request.meta.get("capture_kind", "sitemap")
        self.failed[key] = FailedUrl(url=original, normalized_url=key, kind=kind, reason=reason, http_status=status)
        self.feed_fetches.append(FeedFetch(url=original, status=status, etag=None, last_modified=None,
                                           items=None, failure=reason))

    # --- the run's account, read by CrawlRunRecorder at close -----------------------------------

    def ledger_entries(self) -> list[FailedUrl]:
        """Every URL this run meant to fetch and did not capture; unreached ones included."""
        entries = dict(self.failed)
        for url, kind in self._queued.items():
            if url in self.captured or url in entries or url in self._resolved_discovery:
                continue
            entries[url] = FailedUrl(url=url, normalized_url=url, kind=kind, reason="not_reached")
        return list(entries.values())

    def resolved_urls(self) -> list[str]:
        """URLs this run captured (pages) or read (feeds, sitemaps): their ledger entries close."""
        return sorted(self.captured | self._resolved_discovery)


def _pending(items: list[Discovered], kind: str) -> list[dict[str, Any]]:
    """Listed items as ops.feed_state.validators_pending keeps them (JSON)."""
    return [{"url": item.url, "published": item.published.isoformat() if item.published else None,
             "modified": item.modified.isoformat() if item.modified else None,
             "kind": kind} for item in items]


def _discovered_item(entry: dict[str, Any]) -> Discovered:
    published, modified = entry.get("published"), entry.get("modified")
    return Discovered(str(entry["url"]), datetime.fromisoformat(published) if published else None,
                      datetime.fromisoformat(modified) if modified else None)
