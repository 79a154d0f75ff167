"""Finding article URLs in feeds and sitemaps, and keeping those inside a run's window.

XML is parsed with entities and network access off: a feed or sitemap cannot make
us read a file, fetch a URL or expand a billion laughs.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from io import BytesIO
from urllib.parse import urljoin, urlsplit
from xml.parsers import expat
from zoneinfo import ZoneInfo

import feedparser
from lxml import etree

from common.sources import Source
from common.urls import ALLOWED_SCHEMES, article_url
from common.window import Window

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Discovered:
    """A URL a feed or sitemap listed, with the date it gave (if any), and when the listing says
    the page last changed, where it says so apart (a sitemap's lastmod beside a news sitemap's
    publication date, a feed entry's updated beside its published)."""

    url: str
    published: datetime | None = None
    modified: datetime | None = None


@dataclass(frozen=True)
class SitemapDocument:
    """A parsed sitemap: either child sitemaps (an index) or page URLs; ``truncated`` when the
    document ended early (only its complete entries are kept)."""

    child_sitemaps: list[Discovered]
    urls: list[Discovered]
    truncated: bool = False
    without_url: int = 0  # entries with no <loc>: nothing to follow, counted by the spider


class NotAFeed(ValueError):
    """A feed URL answered with something else: an HTML page (a bot challenge, a login or error
    page), an empty body, or XML that is not RSS or Atom."""

    reason = "not_a_feed"


class TruncatedSitemap(ValueError):
    """The sitemap ends before its first entry is complete: nothing of it is usable."""

    reason = "truncated"


class TruncatedFeed(ValueError):
    """The feed ends before its first item is complete: nothing of it is usable."""

    reason = "truncated"


class UnreadableFeed(ValueError):
    """The feed lists items and none of them names a page (no link, no permalink): read, it would
    look like a day without news."""

    reason = "unparseable"


@dataclass(frozen=True)
class FeedDocument:
    """A parsed feed's items; ``truncated`` when the document ended early (only the items that
    were complete are kept); ``without_url`` items named no page and were left out."""

    items: list[Discovered]
    truncated: bool = False
    without_url: int = 0  # items naming no page: nothing to follow, counted by the spider
    next_page: str | None = None  # a paged feed's next (older) page: rel="next" (RFC 5005)


FEED_ITEM_TAGS = frozenset({"item", "entry"})  # RSS 0.9x/1.0/2.0, Atom


def parse_feed(body: bytes, naive_zone: tzinfo = UTC) -> list[Discovered]:
    """Items of an RSS 0.9x/1.0/2.0 or Atom feed (read_feed says whether it was truncated)."""
    return read_feed(body, naive_zone).items


def read_feed(body: bytes, naive_zone: tzinfo = UTC) -> FeedDocument:
    """Items of an RSS 0.9x/1.0/2.0 or Atom feed; NotAFeed or TruncatedFeed when unusable.
    Dates written without an offset are in ``naive_zone`` (the source's time zone).

    A 200 answer is not proof of a feed: a site behind a bot challenge answers every URL with the
    same HTML page, and a cut connection can leave half a feed whose last item has a link but
    not yet its date (which would make it look in any window).
    """
    if not body.strip():
        raise NotAFeed("empty body")
    feed = feedparser.parse(BytesIO(body), resolve_relative_uris=False, sanitize_html=False)
    if not feed.get("version"):
        raise NotAFeed(f"no RSS or Atom document ({_what_it_is(body)})")
    entries = list(feed.entries)
    complete = complete_items_if_truncated(body)
    if complete is not None:
        if complete == 0:
            raise TruncatedFeed(f"the document ends before its first item is complete ({len(body)} bytes)")
        entries = entries[:complete]
    found = []
    not_permalinks: set[str] | None = None
    for entry in entries:
        link = (entry.get("link") or "").strip()
        if link and link == (entry.get("id") or "").strip() and not _may_name_page(link):
            link = ""  # feedparser's stand-in for a missing link: the entry's id, a tag: URI
        if not link:
            if not_permalinks is None:
                not_permalinks = _not_permalink_guids(body)
            link = _identifier_url(entry, str(feed.get("version")), not_permalinks)
        if not link:
            continue
        found.append(Discovered(link, _entry_date(entry, naive_zone), _entry_modified(entry, naive_zone)))
    if entries and not found:
        raise UnreadableFeed(f"none of its {len(entries)} items names a page (no link, no permalink)")
    next_page = next((link.get("href") for link in feed.feed.get("links", [])
                      if link.get("rel") == "next" and link.get("href")), None)
    return FeedDocument(found, truncated=complete is not None, without_url=len(entries) - len(found),
                        next_page=next_page.strip() if next_page else None)


def _identifier_url(entry: feedparser.FeedParserDict, version: str, not_permalinks: set[str]) -> str:
    """The page an item without a link names by its identifier, or "".

    RSS 1.0 gives each item its URL as ``rdf:about``; an RSS 2.0 ``<guid>`` is the item's URL
    unless marked ``isPermaLink="false"``. feedparser takes the guid only when ``<link>`` is
    absent, not when it is there and empty (``<link></link>``, ``<link/>``), as some CMSs write it.
    An Atom ``<id>`` is a name, not an address (often a tag: URI): never taken here.
    """
    ident = (entry.get("id") or "").strip()
    if not _may_name_page(ident):
        return ""
    if version in ("rss10", "rss090") or (version.startswith("rss") and ident not in not_permalinks):
        return ident
    return ""


def _may_name_page(ident: str) -> bool:
    """Whether an identifier is an address: an http(s) URL, or one relative to the feed's host
    ("/news/x", "//host/news/x"; resolved against the feed's URL by the spider). A bare name
    ("12345", "post-12345", a tag: or urn: URI) is not, permalink or not."""
    try:
        scheme = urlsplit(ident).scheme.lower()
    except ValueError:
        return False
    return scheme in ALLOWED_SCHEMES or (not scheme and ident.startswith("/"))


_NOT_PERMALINK_GUID = re.compile(
    rb"<guid\b[^>]*\bisPermaLink\s*=\s*[\"']false[\"'][^>]*>\s*(?:<!\[CDATA\[)?\s*([^<\]]*?)\s*(?:\]\]>)?\s*</guid>",
    re.IGNORECASE)


def _not_permalink_guids(body: bytes) -> set[str]:
    """The guids the feed marks as not being the item's URL (feedparser does not say which)."""
    return {m.group(1).decode("utf-8", "replace").strip() for m in _NOT_PERMALINK_GUID.finditer(body)}


def complete_items_if_truncated(body: bytes) -> int | None:
    """How many items were closed before the document ended early; None if it did not.

    Expat reports a malformed token as soon as it reads it, and an unfinished one only when told
    the input is over: a document broken in its middle is left to feedparser's lenient reading,
    and only a document well-formed up to where it stops is called truncated. The slips real feeds
    make and feedparser reads past (a stray ``&``, an HTML entity such as ``&nbsp;`` that XML does
    not know, blank lines before ``<?xml``) are mended in the copy expat reads, so a feed with one
    of them that is also cut short is still seen as cut. A document declaring entities is not
    examined (never expanded).
    """
    body = _mend_common_slips(body)
    parser = expat.ParserCreate(namespace_separator=" ")
    closed = 0

    def end_element(name: str) -> None:
        nonlocal closed
        if name.rsplit(" ", 1)[-1] in FEED_ITEM_TAGS:
            closed += 1

    def refuse_entities(*_: object) -> None:
        raise _EntityDeclared

    parser.EndElementHandler = end_element
    parser.EntityDeclHandler = refuse_entities
    try:
        parser.Parse(body, False)
    except _EntityDeclared:
        return None
    except expat.ExpatError:
        return _closed_items_if_cut(body)  # broken before the end: judged by how it ends
    try:
        parser.Parse(b"", True)
    except expat.ExpatError:
        return closed
    return None


class _EntityDeclared(Exception):
    pass


# A whole feed ends with its root's end tag (comments and blanks may follow).
_FEED_END = re.compile(rb"</(?:[\w.-]+:)?(?:rss|feed|RDF)\s*>(?:\s|<!--.*?-->)*\Z", re.DOTALL)
_ITEM_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>")


def _closed_items_if_cut(body: bytes) -> int | None:
    """For a document expat cannot read to its end (a ``<`` in a title, a control character, a
    mismatched tag): None if it ends with its root's end tag, else how many items it closed."""
    if _FEED_END.search(body[-8192:]):
        return None
    return len(_ITEM_END.findall(body))


UTF8_BOM = b"\xef\xbb\xbf"
# An ampersand that starts none of the references XML knows without a DTD.
_STRAY_AMPERSAND = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)")
# An ampersand that starts no reference at all (entity references are left to the parser, which
# never expands them).
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9a-fA-F]+);)")


def _mend_common_slips(body: bytes) -> bytes:
    if body.startswith(UTF8_BOM):
        body = body[len(UTF8_BOM):]
    if body[:1].isspace():
        body = body.lstrip()
    return _STRAY_AMPERSAND.sub(b"&amp;", body)


def _what_it_is(body: bytes) -> str:
    head = body[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        title = head.split(b"<title", 1)[1].split(b">", 1)[-1].split(b"</title", 1)[0] if b"<title" in head else b""
        return "an HTML page" + (f" titled {title.decode('utf-8', 'replace').strip()[:80]!r}" if title.strip() else "")
    if head.startswith(b"<"):
        return "XML that is not RSS or Atom"
    return f"{len(body)} bytes that are not XML"


def _entry_date(entry: feedparser.FeedParserDict, naive_zone: tzinfo) -> datetime | None:
    for key in ("published", "updated", "dc_date"):
        raw = entry.get(key)
        if raw:
            moment = parse_date(raw, naive_zone)
            if moment:
                return moment
    return None


def _entry_modified(entry: feedparser.FeedParserDict, naive_zone: tzinfo) -> datetime | None:
    # Only an updated date of its own: feedparser answers a missing one with the published date.
    raw = entry["updated"] if "updated" in entry else None
    return parse_date(raw, naive_zone) if raw else None


def parse_date(text: str, naive_zone: tzinfo = UTC) -> datetime | None:
    """An RFC 822 or ISO-8601 date as UTC; a date without an offset is in ``naive_zone``.

    Sites that print local times without an offset do so in their listings too: read as UTC,
    a New York site's 23:30 became a time before the run that had looked for it, though it was
    published after that run, and the next run's window no longer took it.
    """
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return _as_utc(moment, naive_zone)


def _as_utc(moment: datetime, naive_zone: tzinfo) -> datetime:
    """``moment`` in UTC, a naive one read in ``naive_zone``. A wall time the clocks show twice
    (the hour repeated when they go back) or skip (the hour lost when they go forward) is its
    later reading: a listing date only decides which run fetches the article, and one dated an
    hour late is kept for the next run (listed_for_later), while one dated an hour early can fall
    before the window of the first run to list it, after the run before had gone: lost."""
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    return max(moment.replace(tzinfo=naive_zone, fold=fold).astimezone(UTC) for fold in (0, 1))


# Entities are never expanded, nothing is fetched, libxml2's size limits stay on.
_SAFE_XML_OPTIONS: dict[str, bool] = {
    "resolve_entities": False, "no_network": True, "huge_tree": False, "recover": True, "remove_comments": True,
}


def parse_sitemap(body: bytes, naive_zone: tzinfo = UTC) -> SitemapDocument:
    """A sitemap index or urlset, Google News extensions included; dates written without an
    offset are in ``naive_zone`` (the source's time zone).

    Read entry by entry, each dropped once read: a sitemap may hold 50,000 URLs in 50 MB (the
    protocol's bounds), and a whole tree of that is several times its size in memory. An
    unescaped ``&`` in a ``<loc>`` (``?id=1&lang=en``, common) is read as written: libxml2's
    recovery would drop ``&lang`` and give another URL.
    """
    body = _BARE_AMPERSAND.sub(b"&amp;", body)
    kind: str | None = None
    entries: list[Discovered | None] = []  # one per entry element, None where it has no <loc>
    try:
        for _, element in etree.iterparse(BytesIO(body), events=("end",), **_SAFE_XML_OPTIONS):
            parent = element.getparent()
            if kind is None:
                kind = etree.QName(element.getroottree().getroot()).localname
            if parent is None or parent.getparent() is not None:
                continue  # the root itself, or inside an entry
            if isinstance(element.tag, str):
                entries.append(_sitemap_entry(element, naive_zone))
            element.clear()
            while element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not a sitemap: {exc}") from exc
    if kind is None:
        raise ValueError("not a sitemap: empty document")
    if kind not in ("sitemapindex", "urlset"):
        raise ValueError(f"not a sitemap: root element <{kind}>")
    # libxml2's recovery closes what a cut left open: the entry cut short (its <loc> perhaps cut
    # mid-URL, another page's address) is left out, and the document said to be truncated.
    truncated = not _SITEMAP_END.search(body[-8192:])
    if truncated and _last_entry_open(body):
        entries = entries[:-1]
    found = [entry for entry in entries if entry is not None]
    if truncated and not found:
        raise TruncatedSitemap(f"the document ends before its first entry is complete ({len(body)} bytes)")
    if entries and not found:
        # Read as empty, it would look like a day without news.
        raise ValueError(f"unreadable sitemap: none of its {len(entries)} entries names a page (no <loc>)")
    if kind == "sitemapindex":
        return SitemapDocument(child_sitemaps=found, urls=[], truncated=truncated,
                               without_url=len(entries) - len(found))
    return SitemapDocument(child_sitemaps=[], urls=found, truncated=truncated,
                               without_url=len(entries) - len(found))


# A whole sitemap ends with its root's end tag (comments and blanks may follow).
_SITEMAP_END = re.compile(rb"</(?:[\w.-]+:)?(?:urlset|sitemapindex)\s*>(?:\s|<!--.*?-->)*\Z", re.DOTALL)
_ENTRY_START = re.compile(rb"<(?:[\w.-]+:)?(?:url|sitemap)[\s>]")
_ENTRY_END = re.compile(rb"</(?:[\w.-]+:)?(?:url|sitemap)\s*>")


def _last_entry_open(body: bytes) -> bool:
    """Whether the document's last entry was opened and never closed."""
    tail = body[-65536:]
    starts = [m.start() for m in _ENTRY_START.finditer(tail)]
    ends = [m.start() for m in _ENTRY_END.finditer(tail)]
    return bool(starts) and (not ends or starts[-1] > ends[-1])


def _sitemap_entry(element: etree._Element, naive_zone: tzinfo) -> Discovered | None:
    """The entry's own ``<loc>`` and ``<lastmod>`` are its children; an extension's (an image's
    ``<image:loc>``, which some CMSs write before the page's) sit deeper and are not the page."""
    loc: str | None = None
    dates: dict[str, str] = {}
    for node in element.iter():
        if not isinstance(node.tag, str) or node is element:
            continue
        name = etree.QName(node).localname
        text = (node.text or "").strip()
        own = node.getparent() is element
        if name == "loc" and own and loc is None:
            loc = text
        elif ((name == "lastmod" and own) or name == "publication_date") and text:
            dates.setdefault(name, text)
    if not loc:
        return None
    # A news sitemap's publication date says when the article appeared; lastmod may be a later edit.
    raw_date = dates.get("publication_date") or dates.get("lastmod")
    lastmod = dates.get("lastmod")
    return Discovered(loc, parse_date(raw_date, naive_zone) if raw_date else None,
                      parse_date(lastmod, naive_zone) if lastmod else None)


def expand_dated_sitemaps(templates: tuple[str, ...], window: Window, timezone: str = "UTC") -> list[str]:
    """Each date-templated sitemap URL for each day (or month) the window touches, once: its UTC
    days, and its days in the site's own ``timezone``.

    A site files an article under its local day: 23:30 at UTC-5 on the 4th is the 5th in UTC,
    and only the 4th's sitemap lists it. The run of the 5th (UTC) reads the 4th's too.
    A template without a day placeholder is a monthly sitemap: one URL per month touched.
    """
    urls: dict[str, None] = {}
    days = dict.fromkeys([*window.days(), *_local_days(window, timezone)])
    for day in days:
        for template in templates:
            urls.setdefault(
                template.replace("{yyyy}", f"{day.year:04d}")
                .replace("{mm}", f"{day.month:02d}")
                .replace("{dd}", f"{day.day:02d}")
                .replace("{m}", str(day.month))
                .replace("{d}", str(day.day))
            )
    return list(urls)


def _local_days(window: Window, timezone: str) -> list[date]:
    zone = ZoneInfo(timezone)
    first = window.start.astimezone(zone).date()
    last = (window.end - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# The widest UTC offset (UTC+14): a listed date this much before the start of the UTC day an
# article's URL names can still be the same local day.
MAX_UTC_OFFSET = timedelta(hours=14)


def listed_date(item: Discovered, source: Source) -> datetime | None:
    """The item's listed date where it can be true: None when it is before the day the article's
    own URL names (a lastmod stamped before publication), so the URL's date decides instead."""
    if item.published is None:
        return None
    url_day = url_date(item.url, source)
    if url_day is not None and item.published < datetime(url_day.year, url_day.month, url_day.day,
                                                         tzinfo=UTC) - MAX_UTC_OFFSET:
        return None
    return item.published


def in_window(item: Discovered, source: Source, window: Window) -> bool:
    """Whether an article belongs to the run: by its listed date, else by the date in its URL.

    A URL with neither is kept (the extractor dates it); dropping it would lose news.
    """
    published = listed_date(item, source)
    if published is not None:
        return window.contains(published)
    url_day = url_date(item.url, source)
    if url_day is not None:
        return window.overlaps_day(url_day)
    return True


def url_date(url: str, source: Source) -> date | None:
    """The publication day written in an article URL, where the source has a date pattern."""
    if source.url_date is None:
        return None
    match = source.url_date.search(url)
    if not match:
        return None
    month_text = match["month"].lower()
    # The Guardian writes the month as a name: /world/2024/feb/24/slug.
    month = MONTH_NAMES.get(month_text[:3]) if not month_text.isdigit() else int(month_text)
    try:
        return date(int(match["year"]), month or 0, int(match["day"]))
    except ValueError:
        return None


MONTH_NAMES = {name: i for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def candidate(item: Discovered, source: Source, window: Window) -> tuple[str | None, str]:
    """(article URL, "") when a listed item is an article of the window, else (None, why not).

    The scheme is checked before any rewrite (never file:, data:, ftp:, s3:); the
    host and patterns after the canonical rewrite, so an AMP host maps onto the article's.
    """
    try:
        scheme = urlsplit(item.url.strip()).scheme.lower()
    except ValueError:
        return None, "not_article_url"
    if scheme not in ALLOWED_SCHEMES:
        return None, "not_article_url"
    url = article_url(item.url, source)
    if not source.is_article_url(url):
        return None, "not_article_url"
    if not in_window(item, source, window):
        return None, "outside_window"
    return url, ""


def edited_in_window(item: Discovered, source: Source, window: Window) -> str | None:
    """The article URL of an item dated before the window whose listing says it changed inside it
    (a correction or an update of an earlier day's article), else None. Such a page is fetched
    again only if the warehouse holds an older capture of it: its own window's run was for the rest.
    """
    if item.modified is None or not window.contains(item.modified):
        return None
    url, why_not = candidate(Discovered(item.url, item.modified), source, window)
    return url if why_not == "" else None


def listed_just_before(item: Discovered, source: Source, window: Window) -> str | None:
    """The article URL of an item dated before the window by no more than the source's time zone
    is behind UTC at that date, else None (always None for a zone at or east of UTC).

    A site west of UTC that writes its local time as GMT or Z (a common CMS slip) dates every
    article that many hours early: one published in the hours after a run looks to belong to that
    run's window, which had gone before it existed, and the next window no longer takes it. Such
    an item is fetched if the warehouse does not hold it yet (the run before loaded the others).
    East of UTC the slip dates articles late, which the next window takes.
    """
    published = listed_date(item, source)
    if published is None or published >= window.start:
        return None
    behind = published.astimezone(ZoneInfo(source.timezone)).utcoffset() or timedelta(0)
    if behind >= timedelta(0) or published < window.start + behind:
        return None
    url, why_not = candidate(Discovered(item.url, window.start), source, window)
    return url if why_not == "" else None


def changed_since(item: Discovered, captured_at: datetime) -> bool:
    """Whether the listing dates a change of the page after ``captured_at`` (the warehouse's
    latest capture of it): the page must be fetched again, whether or not it was seen."""
    listed = [moment for moment in (item.published, item.modified) if moment is not None]
    return bool(listed) and max(listed) > captured_at


def listed_for_later(items: list[Discovered], source: Source, window: Window) -> list[Discovered]:
    """The article items a later window could take that this window did not: dated after it, or
    listed as changed after it (an edit a later window fetches again: edited_in_window).

    What a 304 to this listing's validators would hide from a later run. Items before the window
    are not among them: a later window starts no earlier (the spider sends validators only then).
    """
    later = []
    for item in items:
        url, why_not = candidate(item, source, window)
        if why_not in ("", "outside_window") and item.modified is not None and item.modified >= window.end:
            later.append(item)
            continue
        if url is not None or why_not != "outside_window":
            continue
        published = listed_date(item, source)
        if published is not None:
            is_later = published >= window.start
        else:
            url_day = url_date(item.url, source)
            is_later = url_day is not None and url_day >= window.start.date()
        if is_later:
            later.append(item)
    return later


# "&" written as an entity inside the URL text itself: a feed's CDATA link or a sitemap escaped
# twice keeps "&amp;" after XML parsing, which no server means. Only the ampersand's entities:
# html.unescape would also read "&copy=1" as "©=1".
_ESCAPED_AMPERSAND = re.compile(r"&(?:amp|#0*38|#x0*26);", re.IGNORECASE)
# Tabs and line breaks anywhere in a URL are dropped, as browsers do (WHATWG URL standard), with
# the indentation of a <loc> wrapped over lines (a URL never holds a raw space).
_URL_LINE_BREAKS = re.compile(r"[ \t]*[\r\n][ \t]*|\t")


def listed_url(raw: str, listing_url: str) -> str:
    """A URL as a listing gives it, as a browser would follow it from the listing: ampersands
    unescaped, line breaks dropped, relative and protocol-relative (//host/path) URLs resolved
    against the listing's own URL (a feed's xml:base is already applied by feedparser)."""
    url = _URL_LINE_BREAKS.sub("", raw).strip()
    while _ESCAPED_AMPERSAND.search(url):  # escaped twice, or more
        url = _ESCAPED_AMPERSAND.sub("&", url)
    try:
        return urljoin(listing_url, url)
    except ValueError:
        return url  # left for candidate() to refuse, counted as not an article URL


def as_listed_from(items: list[Discovered], listing_url: str) -> list[Discovered]:
    return [replace(item, url=listed_url(item.url, listing_url)) for item in items]


def select_articles(items: list[Discovered], source: Source, window: Window) -> list[str]:
    """The article URLs of the window among a feed's or sitemap's items, first listing kept."""
    kept: dict[str, None] = {}
    for item in items:
        url, _ = candidate(item, source, window)
        if url is not None:
            kept.setdefault(url)
    return list(kept)
