"""Title, standfirst, section, tags, image and canonical URL from the page's structured data."""

from __future__ import annotations

import re
from typing import Any

from transforms.normalize import normalize_url
from transforms.page import (
    META_DESCRIPTION,
    META_IMAGE,
    META_SECTION,
    META_TAGS,
    META_TITLE,
    PageData,
    absolute_http_url,
    compact,
    jsonld_text,
    node_types,
    single_line,
    site_names,
    unique,
)


# Separators between a headline and the site name in <title> / og:title.
TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " : ", "｜", "：")
# A dateline some sites append to titles ("... | DW | 28.04.2023").
_DATE_SEGMENT_RE = re.compile(r"^\s*\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\s*$")

def _strip_site_name(title: str, site_names: set[str]) -> str:
    """The title without a leading or trailing " | Site Name" part."""
    changed = True
    while changed:
        changed = False
        for separator in TITLE_SEPARATORS:
            head, found, tail = title.rpartition(separator)
            if found and head and (compact(tail) in site_names or _DATE_SEGMENT_RE.match(tail)):
                title, changed = head.strip(), True
            head, found, tail = title.partition(separator)
            if found and tail and compact(head) in site_names:
                title, changed = tail.strip(), True
    return title


def find_title(page: PageData, document: Any) -> str:
    """Headline: JSON-LD, then og:/twitter:/meta title, then trafilatura, then <title>.

    Without its site name; and without any other trailing " | Section" part that the other
    headlines on the page (og:title, the single <h1>) show it is not part of.
    """
    candidates = [
        jsonld_text(page.article, "headline"),
        jsonld_text(page.article, "name"),
        *(single_line(v) for v in page.all_meta(META_TITLE)),
        single_line(getattr(document, "title", None)),
    ]
    names = site_names(page)
    title = next((_strip_site_name(c, names) for c in candidates if c), "")
    stripped = [_strip_site_name(c, names) for c in (*candidates, *page.headings[:1]) if c]
    title = _without_unconfirmed_suffix(title, {_fold(c) for c in stripped})
    shared = [_strip_site_name(c, names) for c in (single_line(v) for v in page.all_meta(META_TITLE)) if c]
    return _without_kicker(title, shared, stripped)


# A kicker (German "Dachzeile", Scandinavian "stikktittel") is the short topic label set above
# or before a headline: "Olympische Spiele: ...", "«Evnukkmakeren»: ...". CMSs glue it onto the
# headline in some fields and not in others. It is not part of the headline where the title the
# publisher gives for sharing (og:/twitter: title, an editor's explicit field) is the headline
# without it, or where two headlines on the page share their text after different kickers.
# A visible <h1> without it alone proves nothing: layouts set the kicker in its own element.
KICKER_SEPARATORS = (": ", " - ", " – ", " — ", " | ", " / ")
KICKER_MAX_WORDS = 4
# The headline left after the label must still be a headline, not a fragment.
KICKER_MIN_REST_WORDS = 3


def _without_kicker(title: str, shared: list[str], others: list[str]) -> str:
    """``title`` without a leading kicker that the page's other headlines show is one."""
    rest = _after_kicker(title)
    if rest is not None and any(_fold(rest) == _fold(s) for s in shared):
        return rest
    mine = _kicker_split(title)
    for other in others:
        theirs = _kicker_split(other)
        if mine and theirs and _fold(mine[0]) != _fold(theirs[0]) and _fold(mine[1]) == _fold(theirs[1]):
            return mine[1]
    return title


def _kicker_split(title: str) -> tuple[str, str] | None:
    """(kicker, headline) at the first kicker separator, if the kicker is short enough."""
    cuts = [(title.find(sep), sep) for sep in KICKER_SEPARATORS if title.find(sep) > 0]
    if not cuts:
        return None
    position, separator = min(cuts)
    head, rest = title[:position].strip(), title[position + len(separator) :].strip(" -–—")
    if len(head.split()) > KICKER_MAX_WORDS or len(rest.split()) < KICKER_MIN_REST_WORDS:
        return None
    return head, rest


def _after_kicker(title: str) -> str | None:
    split = _kicker_split(title)
    return split[1] if split else None


def _without_unconfirmed_suffix(title: str, others: set[str]) -> str:
    """``title`` cut before a trailing " | X" when another headline on the page is that cut."""
    for separator in TITLE_SEPARATORS:
        head, found, _ = title.rpartition(separator)
        if found and _fold(head) in others:
            return head.strip()
    return title


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def find_description(page: PageData, document: Any) -> str | None:
    """Standfirst: JSON-LD description, then og:/twitter:/meta description, then trafilatura."""
    candidates = [
        jsonld_text(page.article, "description"),
        *(single_line(v) for v in page.all_meta(META_DESCRIPTION)),
        single_line(getattr(document, "description", None)),
    ]
    return next((c for c in candidates if c), None)

def find_section(page: PageData) -> str | None:
    """articleSection, then article:section meta, then the first breadcrumb below home."""
    section = jsonld_text(page.article, "articleSection") or single_line(page.first_meta(META_SECTION))
    return section or _breadcrumb_section(page)


def _breadcrumb_section(page: PageData) -> str | None:
    """The top breadcrumb entry that is not the home page."""
    for node in page.jsonld:
        if "BreadcrumbList" not in node_types(node):
            continue
        items = [i for i in node.get("itemListElement") or [] if isinstance(i, dict)]
        items.sort(key=lambda i: _position(i.get("position")))
        for item in items:
            name = item.get("name")
            if name is None and isinstance(item.get("item"), dict):
                name = item["item"].get("name")
            name = single_line(name) if isinstance(name, str) else None
            if name and compact(name) not in {"home", "homepage", "start"}:
                return name
    return None


def _position(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1_000_000  # unpositioned items sort last, in page order


def find_tags(page: PageData) -> tuple[str, ...]:
    """Tags from meta (primaryTag first) and JSON-LD keywords, de-duplicated, order kept."""
    raws = page.all_meta(META_TAGS)
    keywords = (page.article or {}).get("keywords")
    raws += keywords if isinstance(keywords, list) else [keywords]
    tags = [t.strip() for raw in raws if isinstance(raw, str) for t in re.split(r"[,;]", raw)]
    return unique(t for t in (single_line(t) for t in tags) if t)


def find_image_url(page: PageData, document: Any) -> str | None:
    """Lead image: og:/twitter: image, then JSON-LD image, then trafilatura's, absolute."""
    candidates = [*page.all_meta(META_IMAGE), _jsonld_image((page.article or {}).get("image"))]
    candidates.append(getattr(document, "image", None))
    for candidate in candidates:
        absolute = absolute_http_url(page.url, candidate)
        if absolute:
            return absolute
    return None


def _jsonld_image(value: Any) -> str | None:
    """The URL of a JSON-LD image property: a string, an ImageObject, or a list of them."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value if isinstance(value, str) else None


def find_canonical_url(page: PageData) -> str | None:
    """<link rel=canonical>, else og:url, absolute and normalized."""
    for candidate in (page.canonical_href, page.first_meta(("og:url",))):
        absolute = absolute_http_url(page.url, candidate)
        if absolute:
            return normalize_url(absolute)
    return None
