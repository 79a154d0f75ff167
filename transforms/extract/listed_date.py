"""The day a page's own site lists it under: a dated entry that links to the page itself.

Simple sites put a "latest news" box beside every story, the story itself among the entries
("16.10.2021" above a link to this very page). Where a page has no structured date and no date
line, that entry dates it as the site does; htmldate's search of the whole text would take the
box's first entry, or any other date the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import lxml.etree
import lxml.html

from common.urls import normalize_url
from transforms.extract.numeric_dates import Unreadable
from transforms.extract.page import absolute_http_url

# An entry is a link with the few texts around it (a date, a title, a teaser line); an element
# holding more is a whole list of entries, or the story itself, whose dates are not the link's.
ENTRY_MAX_CHARS = 200
ENTRY_MAX_LEVELS = 3

# The entry's day is shown with a four-digit year: two-digit ones are as often a version
# ("Python 2.7.13 released"). Two years in one entry are a range ("09 Jan 2014 - 01 Jan 2017"
# on an archive's bar of captures, an event's "01.03.2024 to 05.03.2024") or two entries.
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")

_LINKS = lxml.etree.XPath("//body//a[@href]")
_ENTRY_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template"})

DayReader = Callable[[str], date | Unreadable | None]


def self_listed_day(
    tree: lxml.html.HtmlElement, base_url: str, page_urls: Iterable[str | None], read_day: DayReader
) -> date | None:
    """The one day the page's dated entries linking to it show, None where none does or
    they disagree. ``page_urls`` are the page's own (its URL, its declared canonical);
    ``read_day`` reads the day a short text shows, as a date line is read (None where it shows
    none or labels it an update, UNREADABLE where its digits have no certain reading)."""
    urls = [url for url in (absolute_http_url(base_url, u) for u in page_urls) if url]
    own = {_page_key(url) for url in urls}
    ends = {_last_piece(url) for url in urls}
    days: set[date] = set()
    for link in _LINKS(tree):
        href = link.get("href", "")
        if "#" in href:
            continue  # a comment's permalink, beside the comment's own date
        if not any(end in href for end in ends):
            continue  # cheap test first: normalizing every link costs milliseconds on a long page
        target = absolute_http_url(base_url, href)
        if target is None or _page_key(target) not in own:
            continue
        day = _entry_day(link, read_day, lambda a: _page_key(absolute_http_url(base_url, a) or a) in own)
        if day is not None:
            days.add(day)
    return days.pop() if len(days) == 1 else None


def _entry_day(link: lxml.html.HtmlElement, read_day: DayReader, links_here: Callable[[str], bool]) -> date | None:
    """The day the entry around ``link`` shows: the link's own text first, then its parent's,
    up to ``ENTRY_MAX_LEVELS`` up while the element stays one entry: entry-sized, and linking
    nowhere but to the page (``links_here``); another link makes it a list of entries."""
    element: lxml.html.HtmlElement | None = link
    for _ in range(ENTRY_MAX_LEVELS):
        if element is None or element.tag == "body":
            return None
        if any(not links_here(other.get("href", "")) for other in element.iterfind(".//a[@href]")):
            return None
        pieces = _text_pieces(element)
        if len(" ".join(pieces)) > ENTRY_MAX_CHARS:
            return None
        dated = [piece for piece in pieces if _YEAR_RE.search(piece)]
        if len(dated) > 1 or (dated and len(_YEAR_RE.findall(dated[0])) > 1):
            return None
        if dated:
            day = read_day(dated[0])
            # All-digit dates of no certain reading give no day to stand on.
            return day if isinstance(day, date) else None
        element = element.getparent()
    return None


def _text_pieces(element: lxml.html.HtmlElement) -> list[str]:
    """``element``'s visible text pieces, blanks collapsed."""
    pieces = []
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag not in _ENTRY_SKIPPED_TAGS and node.text and node.text.strip():
            pieces.append(" ".join(node.text.split()))
        if node is not element and node.tail and node.tail.strip():
            pieces.append(" ".join(node.tail.split()))
    return pieces


def _page_key(url: str) -> str:
    """``url`` as one page whatever its scheme and final slash: the same page's link may be
    written either way."""
    parts = urlsplit(normalize_url(url))
    host = parts.netloc.removeprefix("www.")
    return urlunsplit(("", host, parts.path.rstrip("/"), parts.query, ""))


def _last_piece(url: str) -> str:
    """The last part of ``url``'s path, as any link to it holds it, however relative."""
    path = urlsplit(url).path.rstrip("/")
    return path.rpartition("/")[2] or urlsplit(url).netloc
