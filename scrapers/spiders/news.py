"""The generic news spider: discover from feeds and sitemaps, fetch the window's article pages.

Parsing happens later (transforms/): this spider only decides what to fetch. Every response is
captured to WARC by WarcCaptureMiddleware; the stats it keeps (news/*) decide whether the crawl
succeeded (scrapers/crawl_run.py).
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any, ClassVar

import scrapy
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from scrapers.discovery import Discovered, expand_dated_sitemaps, in_window, parse_feed, parse_sitemap
from scrapers.sources import Source
from scrapers.window import Window, window_from_args
from transforms.normalize import normalize_url

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"
# Sitemap indexes can nest; real sites use one or two levels. Deeper is a loop or a trap.
MAX_SITEMAP_DEPTH = 3


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
        self._queued: set[str] = set()

    async def start(self) -> AsyncIterator[Request]:
        log.info("crawling %s for %s", self.source.slug, self.window)
        for url in self.source.discovery.feeds:
            yield self._discovery_request(url, self.parse_feed, "feed")
        sitemaps = [*self.source.discovery.sitemaps,
                    *expand_dated_sitemaps(self.source.discovery.dated_sitemaps, self.window)]
        for url in sitemaps:
            yield self._discovery_request(url, self.parse_sitemap, "sitemap")

    def _discovery_request(self, url: str, callback: Any, kind: str, depth: int = 0) -> Request:
        return Request(url, callback=callback, errback=self.discovery_failed, priority=10,
                       meta={"capture_kind": kind, "sitemap_depth": depth}, dont_filter=True)

    def parse_feed(self, response: Response) -> Iterable[Request]:
        self.crawler.stats.inc_value("news/discovery_ok")
        items = parse_feed(response.body)
        self.crawler.stats.inc_value("news/feed_items", len(items))
        yield from self._follow(items)

    def parse_sitemap(self, response: Response) -> Iterable[Request]:
        body = response.body
        if body.startswith(GZIP_MAGIC):
            body = self._gunzip(body)
        try:
            document = parse_sitemap(body)
        except ValueError as exc:
            self.crawler.stats.inc_value("news/discovery_failed")
            log.warning("sitemap %s unusable: %s", response.url, exc)
            return
        self.crawler.stats.inc_value("news/discovery_ok")
        depth = response.meta.get("sitemap_depth", 0)
        for child in document.child_sitemaps:
            if depth >= MAX_SITEMAP_DEPTH:
                log.warning("sitemap %s nests deeper than %d; not followed", child.url, MAX_SITEMAP_DEPTH)
                break
            # An index's lastmod is when the child last changed: older than the window means
            # nothing of the window can be in it.
            if child.published is None or child.published >= self.window.start:
                yield self._discovery_request(child.url, self.parse_sitemap, "sitemap", depth + 1)
        self.crawler.stats.inc_value("news/sitemap_urls", len(document.urls))
        yield from self._follow(document.urls)

    def _gunzip(self, body: bytes) -> bytes:
        limit = self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
        with gzip.GzipFile(fileobj=__import__("io").BytesIO(body)) as stream:
            data = stream.read(limit + 1 if limit else -1)
        if limit and len(data) > limit:
            raise ValueError(f"gzipped sitemap expands past DOWNLOAD_MAXSIZE ({limit} bytes)")
        return data

    def _follow(self, items: list[Discovered]) -> Iterable[Request]:
        for item in items:
            url = normalize_url(item.url)
            if url in self._queued:
                continue
            if not self.source.is_article_url(url):
                self.crawler.stats.inc_value("news/skipped_not_article_url")
                continue
            if not in_window(item, self.source, self.window):
                self.crawler.stats.inc_value("news/skipped_outside_window")
                continue
            self._queued.add(url)
            self.crawler.stats.inc_value("news/pages_queued")
            yield Request(url, callback=self.parse_page, errback=self.page_failed,
                          meta={"capture_kind": "page"})

    def parse_page(self, response: Response) -> None:
        self.crawler.stats.inc_value("news/pages_ok")

    def page_failed(self, failure: Failure) -> None:
        self.crawler.stats.inc_value("news/pages_failed")
        self.crawler.stats.inc_value(f"news/pages_failed/{failure.type.__name__}")
        log.warning("page failed: %s: %s", failure.request.url, failure.getErrorMessage())  # type: ignore[attr-defined]

    def discovery_failed(self, failure: Failure) -> None:
        self.crawler.stats.inc_value("news/discovery_failed")
        log.warning("discovery failed: %s: %s", failure.request.url, failure.getErrorMessage())  # type: ignore[attr-defined]
