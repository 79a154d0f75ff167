"""Body text: trafilatura on the pruned page, made whole where the article is split in chunks,
then cleaned line by line of what trafilatura leaves in (repeated headline, comment forms,
a repost's source line).
"""

from __future__ import annotations

import copy
import functools
import logging
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import lxml.etree
import lxml.html
from trafilatura import bare_extraction

from transforms.normalize import clean_text, word_count
from transforms.page import PageData, compact, fold

logger = logging.getLogger(__name__)


# favor_precision is the better default (fundus set 0.951 vs 0.947) but on some pages it
# keeps only a fragment (a reprint notice instead of the story). Below this many words the
# recall run is tried too, and preferred when it finds RECALL_PREFERRED_RATIO times more:
# body F1 aeb 0.955 -> 0.963, fundus 0.948 -> 0.950 against precision alone.
RECALL_RETRY_BELOW_WORDS = 150
RECALL_PREFERRED_RATIO = 2

# Pruned on every site: WordPress comment forms and comment lists leak into the body of
# reposts otherwise (see ../shared/seed/); per-site XPaths come from the source config.
DEFAULT_PRUNE_XPATHS = (
    '//*[@id="respond"]',
    '//*[@id="comments"]',
    '//form[contains(concat(" ", normalize-space(@class), " "), " comment-form ")]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " comment-respond ")]',
)

# Lines of a comment form that survive as text when the form is not marked up as one.
COMMENT_FORM_LINE_RE = re.compile(
    r"^(?:your email address will not be published\b.*"
    r"|required fields are marked\b.*"
    r"|save my name, email,? and website\b.*"
    r"|cancel reply|post comment|submit comment"
    r"|you must be logged in to post a comment\.?)$",
    re.IGNORECASE,
)
# A comment-section heading: it and everything after it is not article text.
COMMENT_HEADING_RE = re.compile(
    r"^(?:leave a (?:reply|comment)|post a comment|add a comment|join the discussion)\b.{0,40}$",
    re.IGNORECASE,
)
# A repost's attribution line, moved out of the body into ``original_source``.
ORIGINAL_SOURCE_RE = re.compile(
    r"^(?:original(?:ly)?\s+(?:source|published\s+(?:on|at|by|in))|source|via)\s*[:：]\s*"
    r"(?P<source>\S.{0,150}?)\.?$",
    re.IGNORECASE,
)

# Site names shorter than this ("bbc" is the shortest we know) match too much by prefix.
MIN_SITE_NAME_CHARS = 3

@functools.lru_cache(maxsize=512)
def compiled_xpath(expression: str) -> lxml.etree.XPath:
    """A compiled XPath; sources reuse the same few expressions on every page."""
    return lxml.etree.XPath(expression)


def pruned_copy(tree: lxml.html.HtmlElement, xpaths: Iterable[str]) -> lxml.html.HtmlElement:
    """A copy of the tree without the elements the XPaths select (their tail text kept)."""
    pruned = copy.deepcopy(tree)
    for expression in xpaths:
        for element in compiled_xpath(expression)(pruned):
            if isinstance(element, lxml.html.HtmlElement) and element.getparent() is not None:
                element.drop_tree()
    return pruned


def run_trafilatura(
    tree: lxml.html.HtmlElement, page: PageData, prune_xpaths: tuple[str, ...], fetched_at: datetime
) -> Any:
    """trafilatura's Document for the pruned page: precision mode, recall if that is thin."""
    precise = _trafilatura_document(tree, page, prune_xpaths, fetched_at, favor_precision=True)
    precise_words = word_count(precise.text or "") if precise is not None else 0
    if precise_words >= RECALL_RETRY_BELOW_WORDS:
        return precise
    recalled = _trafilatura_document(tree, page, prune_xpaths, fetched_at, favor_precision=False)
    if recalled is not None and word_count(recalled.text or "") >= RECALL_PREFERRED_RATIO * max(precise_words, 1):
        return recalled
    return precise or recalled


def _trafilatura_document(
    tree: lxml.html.HtmlElement,
    page: PageData,
    prune_xpaths: tuple[str, ...],
    fetched_at: datetime,
    *,
    favor_precision: bool,
) -> Any:
    """One trafilatura run on a freshly pruned copy; dates judged against the fetch day."""
    return bare_extraction(
        pruned_copy(tree, (*DEFAULT_PRUNE_XPATHS, *prune_xpaths)),
        url=page.url,
        include_comments=False,
        with_metadata=True,
        favor_precision=favor_precision,
        deduplicate=False,  # its cache makes output depend on earlier pages (trafilatura#778)
        date_extraction_params={
            "original_date": True,
            "extensive_search": False,
            "max_date": fetched_at.strftime("%Y-%m-%d"),
        },
    )


def body_lines(
    text: str, repeats: Iterable[str | None], site_names: set[str]
) -> tuple[list[str], str | None]:
    """Clean body paragraphs, and the original source a repost's last line names.

    A source line naming the site itself ("Source: Al Jazeera and news agencies" on Al
    Jazeera) is attribution, not syndication: it leaves the body but names no original.
    """
    lines = [line for line in (clean_text(raw) for raw in text.split("\n")) if line]
    lines = _drop_leading_repeats(lines, repeats)
    lines = _drop_comment_form(lines)
    original_source = None
    if lines and (match := ORIGINAL_SOURCE_RE.match(lines[-1])):
        named = match.group("source").strip()
        original_source = None if _names_site(named, site_names) else named
        lines = _drop_comment_form(lines[:-1])
    return lines, original_source


def _names_site(text: str, site_names: set[str]) -> bool:
    """True when ``text`` starts with one of the site's own names."""
    compacted = compact(text)
    return any(compacted.startswith(name) for name in site_names if len(name) >= MIN_SITE_NAME_CHARS)


def _drop_leading_repeats(lines: list[str], repeats: Iterable[str | None]) -> list[str]:
    """Lines without a leading title/standfirst that the extractor repeated from the header."""
    seen = {fold(r) for r in repeats if r}
    start = 0
    while start < min(len(lines), len(seen)) and fold(lines[start]) in seen:
        start += 1
    return lines[start:]


def _drop_comment_form(lines: list[str]) -> list[str]:
    """Lines up to a comment-section heading, without comment-form boilerplate."""
    kept: list[str] = []
    for line in lines:
        if COMMENT_HEADING_RE.match(line):
            break
        if not COMMENT_FORM_LINE_RE.match(line):
            kept.append(line)
    return kept
