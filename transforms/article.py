"""The records that flow from extraction to loading."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transforms.fingerprint import ArticleFingerprint


@dataclass(frozen=True)
class Article:
    """One extracted, normalized news article, ready to load.

    Text fields are NFC-normalized and free of NUL and other control characters;
    datetimes are timezone-aware UTC.
    """

    url: str  # normalized: lower-case host, no fragment, no tracking parameters
    source: str  # source slug from scrapers/sources/
    title: str
    body: str
    content_hash: str  # sha256 hex over the fields a reader sees (title, description, body, authors)
    word_count: int
    extractor: str  # e.g. "trafilatura 2.3.1 + news-pipeline 1"
    fetched_at: datetime
    description: str | None = None
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = None  # ISO 639-1
    section: str | None = None
    tags: tuple[str, ...] = ()
    image_url: str | None = None
    canonical_url: str | None = None
    original_source: str | None = None  # where a repost names its original ("www.aljazeera.com")
    flags: tuple[str, ...] = ()  # e.g. "published_at_missing", "liveblog"
    # Near-duplicate fingerprint, attached by the extraction workers (transforms.fingerprint.
    # with_fingerprint) so it is computed in parallel, not in the load; None: the load computes it.
    # Derived data: not part of what makes two articles equal.
    fingerprint: ArticleFingerprint | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Rejected:
    """A captured page that did not become an article, and why (never dropped silently)."""

    url: str
    reason: str  # e.g. "not_article:liveblog", "not_article:video", "extraction_timeout", "empty_body"
    detail: str = ""
    extra: dict[str, str] = field(default_factory=dict)
