"""Scrapy spider loader that makes one spider per configured source.

``python -m scrapy crawl aljazeera`` needs no spider class for Al Jazeera: the source's TOML
file is enough. A source that needs code names its spider class in the future; for now every
source runs the generic NewsSpider.
"""

from __future__ import annotations

import builtins
from typing import Any

from scrapy import Request
from scrapy.settings import BaseSettings

from common.sources import Source, SourceConfigError, read_registry
from scrapers.crawl_progress import demote_scrapy_dumps
from scrapers.spiders.news import NewsSpider


def spider_class_for(source: Source) -> type[NewsSpider]:
    """A NewsSpider subclass bound to the source, with its politeness settings."""
    settings = {
        "DOWNLOAD_DELAY": source.politeness.download_delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": source.politeness.concurrency_per_domain,
    }
    return type(f"{source.slug.title().replace('_', '')}Spider", (NewsSpider,),
                {"name": source.slug, "source": source, "custom_settings": settings})


class SourceSpiderLoader:
    """Implements Scrapy's ISpiderLoader over the source registry."""

    def __init__(self, settings: BaseSettings) -> None:
        # The loader is built before Scrapy logs its settings dump: the earliest hook a
        # project has into `scrapy crawl`.
        demote_scrapy_dumps()
        # A broken file of another source must not stop this crawl; asking for its own spider
        # raises its error (files are named after their slug).
        registry = read_registry()
        self._sources = registry.sources
        self._broken: dict[str, SourceConfigError] = {path.stem: error for path, error in registry.broken.items()}

    @classmethod
    def from_settings(cls, settings: BaseSettings, **kwargs: Any) -> SourceSpiderLoader:
        return cls(settings)

    def load(self, spider_name: str) -> type[NewsSpider]:
        source = self._sources.get(spider_name)
        if source is None and spider_name in self._broken:
            raise self._broken[spider_name]
        if source is None:
            known = ", ".join(sorted(self._sources)) or "none"
            raise KeyError(f"Spider not found: {spider_name} (configured sources: {known})")
        return spider_class_for(source)

    def list(self) -> builtins.list[str]:
        return sorted(self._sources)

    def find_by_request(self, request: Request) -> builtins.list[str]:
        return [slug for slug, source in self._sources.items() if source.is_article_url(request.url)]
