"""Turn one decoded HTML page into an ``Article``, or a ``Rejected`` that says why not.

Body text comes from trafilatura (``transforms.extract.body``); metadata comes first from the page's
structured data (JSON-LD, Open Graph / ``article:`` meta, site meta such as Al Jazeera's
``publishedDate``) and only then from trafilatura's heuristics, because publishers fill the
structured data for search engines and it is exact where the heuristics guess.

One module a concern: ``page`` (markup), ``not_article`` (rejections), ``body``, ``metadata``
(title, standfirst, section, tags, image, canonical URL), ``bylines``, ``dates``, ``language``.

Never raises on bad input: every failure is a ``Rejected`` with a reason.
Deterministic: no dedup cache, and dates are judged against ``fetched_at``, not the clock.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import lxml.etree
import lxml.html
import trafilatura

from common.urls import normalize_url
from transforms.article import Article, Rejected
from transforms.extract.body import is_entry_text, run_trafilatura, visible_lede
from transforms.extract.bylines import find_authors
from transforms.extract.dates import DateEvidence, as_utc, date_evidence, find_dates
from transforms.extract.language import find_language
from transforms.extract.line_rules import body_lines
from transforms.extract.metadata import (
    find_canonical_url,
    find_description,
    find_image_url,
    find_section,
    find_tags,
    find_title,
)
from transforms.extract.not_article import (
    LIVEBLOG_FLAG,
    MIN_BODY_WORDS,
    is_liveblog,
    reject_by_content,
    reject_by_markup,
)
from transforms.extract.page import PageData, nests_deeper_than, parse_html, read_page, site_names
from transforms.extract.standfirst import marked_standfirst
from transforms.extract.tree_facts import remembering
from transforms.extract.tree_rules import compiled_xpath
from transforms.normalize import content_hash, remove_control_chars, word_count

logger = logging.getLogger(__name__)

__all__ = ["EXTRACTOR", "EXTRACTOR_VERSION", "MIN_BODY_WORDS", "ExtractionHints", "extract_article"]

# Bump when a change here can change the output for the same page: stored articles
# record it, so re-extraction from the WARC archive can target older versions.
EXTRACTOR_VERSION = "25"
EXTRACTOR = f"trafilatura {trafilatura.__version__} + news {EXTRACTOR_VERSION}"

# libxml2 (lxml with huge_tree) stops nesting at this depth and silently drops what is
# deeper; a page that reaches it is rejected instead of loaded short.
PARSER_MAX_DEPTH = 2040


@dataclass(frozen=True)
class ExtractionHints:
    """Per-source extraction settings, built from the source config; checked when built."""

    prune_xpaths: tuple[str, ...] = ()
    naive_timezone: str = "UTC"  # zone of dates without offset in this site's meta
    language: str | None = None  # the source's default language (ISO 639-1)

    def __post_init__(self) -> None:
        for expression in self.prune_xpaths:
            try:
                compiled_xpath(expression)
            except lxml.etree.XPathSyntaxError as exc:
                raise ValueError(f"prune_xpaths: invalid XPath {expression!r}: {exc}") from exc
        try:
            ZoneInfo(self.naive_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"naive_timezone: unknown time zone {self.naive_timezone!r}; use an IANA name"
            ) from exc
        if self.language is not None and not re.fullmatch(r"[a-z]{2}", self.language):
            raise ValueError(f"language: {self.language!r} is not a lower-case ISO 639-1 code")


def extract_article(
    html: str,
    url: str,
    *,
    source: str,
    fetched_at: datetime,
    hints: ExtractionHints = ExtractionHints(),
) -> Article | Rejected:
    """Extract one page; a page that is not a loadable article comes back as ``Rejected``."""
    safe_url = normalize_url(remove_control_chars(url))
    try:
        with remembering():
            return _extract(html, safe_url, source=source, fetched_at=as_utc(fetched_at), hints=hints)
    except MemoryError:  # the page is past the worker's memory limit: the pool records it as such
        raise
    except Exception as exc:  # one bad page must never stop the run
        logger.warning("extraction failed for %s", safe_url, exc_info=True)
        return Rejected(safe_url, "extraction_error", detail=f"{type(exc).__name__}: {exc}"[:500])


def _extract(
    html: str, url: str, *, source: str, fetched_at: datetime, hints: ExtractionHints
) -> Article | Rejected:
    """The extraction proper; may raise on bugs, never on bad input it knows about."""
    tree = parse_html(html)
    if tree is None:
        return Rejected(url, "unparseable", detail="no HTML document in the input")
    if nests_deeper_than(tree, PARSER_MAX_DEPTH):
        return Rejected(
            url, "unparseable", detail=f"markup nested {PARSER_MAX_DEPTH} or more deep; the parser truncates it"
        )
    page = read_page(tree, url)
    rejection = reject_by_markup(page)
    if rejection is not None:
        return rejection
    # Read before trafilatura runs: its metadata pass makes htmldate's costly text search for
    # a date only where nothing else on the page dates it.
    dates = date_evidence(page, fetched_at, ZoneInfo(hints.naive_timezone), tree)
    document = run_trafilatura(tree, page, hints.prune_xpaths, fetched_at, search_dates=dates.needs_search)
    if document is None:
        return Rejected(url, "unparseable", detail="trafilatura found no content")
    return _build_article(tree, page, document, dates, source=source, fetched_at=fetched_at, hints=hints)


def _build_article(
    tree: lxml.html.HtmlElement,
    page: PageData,
    document: Any,
    dates: DateEvidence,
    *,
    source: str,
    fetched_at: datetime,
    hints: ExtractionHints,
) -> Article | Rejected:
    """Merge structured metadata with trafilatura's body into an Article, or reject it."""
    title = find_title(page, document)
    description = find_description(page, document)
    text = document.text or ""
    lede = visible_lede(tree, description, text) or marked_standfirst(tree, text)
    authors = find_authors(page, document, tree)
    lines, original_source = body_lines(
        text, (title,), site_names(page), lede=lede, authors=authors, linked_items=page.linked_list_items
    )
    body = "\n".join(lines)
    words = word_count(body)
    # Only a short body needs to know whether it is the entry's whole text (a walk over the page).
    entry_text = words < MIN_BODY_WORDS and is_entry_text(tree, body)
    rejection = reject_by_content(page, words, entry_text=entry_text)
    if rejection is not None:
        return rejection
    # Dates last, as only a page kept as an article needs them. They read the tree as parsed:
    # trafilatura and htmldate work on copies of it (transforms/extract/date_search.py).
    published_at, modified_at, flags = find_dates(
        page, document, fetched_at, ZoneInfo(hints.naive_timezone), tree, evidence=dates
    )
    if not title:
        flags = (*flags, "title_missing")
    if is_liveblog(page):
        flags = (*flags, LIVEBLOG_FLAG)
    return Article(
        url=page.url,
        source=source,
        title=title,
        body=body,
        content_hash=content_hash(title, description, body, authors),
        word_count=words,
        extractor=EXTRACTOR,
        fetched_at=fetched_at,
        description=description,
        authors=authors,
        published_at=published_at,
        modified_at=modified_at,
        language=find_language(page, hints.language, body),
        section=find_section(page),
        tags=find_tags(page),
        image_url=find_image_url(page, document),
        canonical_url=find_canonical_url(page),
        original_source=original_source,
        flags=flags,
    )
