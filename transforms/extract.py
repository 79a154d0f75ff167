"""Turn one decoded HTML page into an ``Article``, or a ``Rejected`` that says why not.

Body text comes from trafilatura; metadata comes first from the page's structured data
(JSON-LD, Open Graph / ``article:`` meta, site meta such as Al Jazeera's ``publishedDate``)
and only then from trafilatura's heuristics, because publishers fill the structured data
for search engines and it is exact where the heuristics guess.

Never raises on bad input: every failure is a ``Rejected`` with a reason (FAULTS 11-17).
Deterministic: no dedup cache, and dates are judged against ``fetched_at``, not the clock.
"""

from __future__ import annotations

import copy
import email.utils
import functools
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import lxml.etree
import lxml.html
import trafilatura
from trafilatura import bare_extraction

from transforms.article import Article, Rejected
from transforms.normalize import (
    clean_text,
    content_hash,
    normalize_url,
    remove_control_chars,
    word_count,
)

logger = logging.getLogger(__name__)

# Bump when a change here can change the output for the same page: stored articles
# record it, so re-extraction from the WARC archive can target older versions.
EXTRACTOR_VERSION = "1"
EXTRACTOR = f"trafilatura {trafilatura.__version__} + news {EXTRACTOR_VERSION}"

# Below this many words what was extracted is a caption, teaser or leftover boilerplate,
# not an article; the shortest real wire briefs ("X has died, his family said on ...")
# run to 40+ words, so 30 keeps them while rejecting pages whose text did not render.
MIN_BODY_WORDS = 30
# A page marked isAccessibleForFree=false whose body is shorter than this is the teaser
# (a lede of 1-3 paragraphs); longer ones are the full text served to crawlers.
PAYWALL_TEASER_MAX_WORDS = 150
# A section front links to dozens of stories; an article without article markup that has
# this many links and under SECTION_MAX_BODY_WORDS words of text is a listing.
SECTION_MIN_LINKS = 30
SECTION_MAX_BODY_WORDS = 150
# favor_precision is the better default (fundus set 0.951 vs 0.947) but on some pages it
# keeps only a fragment (a reprint notice instead of the story). Below this many words the
# recall run is tried too, and preferred when it finds RECALL_PREFERRED_RATIO times more:
# body F1 aeb 0.955 -> 0.963, fundus 0.948 -> 0.950 against precision alone.
RECALL_RETRY_BELOW_WORDS = 150
RECALL_PREFERRED_RATIO = 2
# libxml2 (lxml with huge_tree) stops nesting at this depth and silently drops what is
# deeper (FAULTS 13); a page that reaches it is rejected instead of loaded short.
PARSER_MAX_DEPTH = 2040
# Dates before the web news era are parse errors (0001-01-01, epoch zero), not facts.
MIN_PLAUSIBLE_YEAR = 1990

ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "ReportageNewsArticle", "OpinionNewsArticle",
        "AnalysisNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle",
        "AskPublicNewsArticle", "SatiricalArticle", "ScholarlyArticle", "TechArticle",
        "Report", "BlogPosting", "SocialMediaPosting", "Review",
    }
)
LIVEBLOG_TYPES = frozenset({"LiveBlogPosting"})
VIDEO_TYPES = frozenset({"VideoObject", "VideoGallery"})
# Organization names ("Al Jazeera and news agencies") are one author, never split.
ORGANIZATION_TYPES = frozenset({"Organization", "NewsMediaOrganization", "Corporation", "NGO"})
COLLECTION_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage"})
# Liveblog URLs as Al Jazeera (/news/liveblog/...), the Guardian (/live/...) and others
# spell them; liveblogs render only their first batch of updates server-side.
LIVEBLOG_URL_RE = re.compile(r"/(?:live-?blogs?|live-updates?|live)/", re.IGNORECASE)

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
# "By", "Written by", "Reporting by" (and German "Von", "Autor:") in front of a byline.
BYLINE_PREFIX_RE = re.compile(
    r"^(?:(?:written|reported|reporting|words|text|story|posted|published|compiled)\s+)?by\b\s*:?\s*"
    r"|^(?:authors?|byline|autor(?:in)?)\b\s*:?\s*|^von\s+",
    re.IGNORECASE,
)
# Separators between several names in one byline: "A, B and C", "A & B", "A; B", and
# "and" in the languages of our sources (und, og, och, et, y, e, ve, и).
AUTHOR_SPLIT_RE = re.compile(r"\s*(?:[,;&]|\s(?:and|und|og|och|et|y|e|ve|и)\s)\s*", re.IGNORECASE)
# Newsroom initials after a name ("Elena Oberholzer (obe)"): not part of the name.
AUTHOR_INITIALS_RE = re.compile(r"\s*\([^)]{1,12}\)$")
# Profile slugs ("emma-mackenzie") and photo credits that CMSs put in author fields.
NOT_A_NAME_RE = re.compile(r"^(?:[a-z0-9]+(?:-[a-z0-9]+)+|\(.*|[Ii]mage:.*|[Pp]hoto:.*)$")
# Longest plausible person or desk name; longer "authors" are sentences that leaked in.
MAX_AUTHOR_CHARS = 80
# Site names shorter than this ("bbc" is the shortest we know) match too much by prefix.
MIN_SITE_NAME_CHARS = 3
# Separators between a headline and the site name in <title> / og:title.
TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " : ")

# Meta keys (name/property/itemprop, lower-cased) in order of trust, per field.
META_TITLE = ("og:title", "twitter:title", "title", "headline")
META_DESCRIPTION = ("og:description", "twitter:description", "description")
META_AUTHOR = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl")
META_PUBLISHED = (
    "article:published_time", "og:article:published_time", "datepublished", "publisheddate",
    "publishdate", "publish-date", "pubdate", "parsely-pub-date", "sailthru.date",
    "dc.date.issued", "dcterms.created", "date",
)
META_MODIFIED = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
    "lastdate", "last-modified", "dcterms.modified",
)
META_TAGS = ("primarytag", "article:tag", "tags", "news_keywords", "keywords")
META_SECTION = ("article:section", "og:article:section")
META_IMAGE = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")
META_LANGUAGE = ("og:locale", "content-language", "dc.language", "language")
META_SITE_NAME = ("og:site_name", "application-name", "twitter:site")

_LANGUAGE_RE = re.compile(r"^([a-zA-Z]{2})(?:[-_].*)?$")
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_VIDEO_PLAYER_XPATH = (
    "//video | //iframe[contains(@src, 'youtube') or contains(@src, 'brightcove')"
    " or contains(@src, 'vimeo') or contains(@src, 'jwplayer') or contains(@src, 'dailymotion')]"
)


@dataclass(frozen=True)
class ExtractionHints:
    """Per-source extraction settings, built from the source config; checked when built."""

    prune_xpaths: tuple[str, ...] = ()
    naive_timezone: str = "UTC"  # zone of dates without offset in this site's meta
    language: str | None = None  # the source's default language (ISO 639-1)

    def __post_init__(self) -> None:
        for expression in self.prune_xpaths:
            try:
                _compiled_xpath(expression)
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


@dataclass(frozen=True)
class PageData:
    """What the page says about itself in markup, before any text extraction."""

    url: str
    jsonld: tuple[dict[str, Any], ...]  # every JSON-LD node, @graph flattened
    meta: Mapping[str, tuple[str, ...]]  # lower-cased name/property/itemprop -> contents
    html_lang: str | None
    canonical_href: str | None
    link_count: int
    has_video_player: bool

    @functools.cached_property
    def types(self) -> frozenset[str]:
        """Every schema.org @type declared on the page."""
        return frozenset(t for node in self.jsonld for t in _node_types(node))

    @functools.cached_property
    def article(self) -> dict[str, Any] | None:
        """The first JSON-LD node typed as an article, if any."""
        return next((n for n in self.jsonld if _node_types(n) & ARTICLE_TYPES), None)

    def first_meta(self, keys: Iterable[str]) -> str | None:
        """The first non-empty meta content among ``keys``, in the given order."""
        return next(iter(self.all_meta(keys)), None)

    def all_meta(self, keys: Iterable[str]) -> list[str]:
        """Every non-empty meta content among ``keys``, in key order then page order."""
        return [v for k in keys for v in self.meta.get(k, ()) if v.strip()]


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
        return _extract(html, safe_url, source=source, fetched_at=_as_utc(fetched_at), hints=hints)
    except Exception as exc:  # one bad page must never stop the run (FAULTS 12-14)
        logger.warning("extraction failed for %s", safe_url, exc_info=True)
        return Rejected(safe_url, "extraction_error", detail=f"{type(exc).__name__}: {exc}"[:500])


def _extract(
    html: str, url: str, *, source: str, fetched_at: datetime, hints: ExtractionHints
) -> Article | Rejected:
    """The extraction proper; may raise on bugs, never on bad input it knows about."""
    tree = _parse(html)
    if tree is None:
        return Rejected(url, "unparseable", detail="no HTML document in the input")
    depth = _tree_depth(tree)
    if depth >= PARSER_MAX_DEPTH:
        return Rejected(url, "unparseable", detail=f"markup nested {depth} deep; the parser truncates it")
    page = _read_page(tree, url)
    rejection = _reject_by_markup(page)
    if rejection is not None:
        return rejection
    document = _run_trafilatura(tree, page, hints, fetched_at)
    if document is None:
        return Rejected(url, "unparseable", detail="trafilatura found no content")
    return _build_article(page, document, source=source, fetched_at=fetched_at, hints=hints)


# --- parsing ---------------------------------------------------------------------------


def _parse(html: str) -> lxml.html.HtmlElement | None:
    """An lxml tree of the page, or None when there is no document to parse."""
    text = _XML_DECLARATION_RE.sub("", remove_control_chars(html), count=1)
    if not text.strip():
        return None
    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        logger.debug("lxml could not parse the page", exc_info=True)
        return None


def _tree_depth(tree: lxml.html.HtmlElement) -> int:
    """Deepest element nesting in the tree, without recursion."""
    deepest = 0
    stack = [(tree, 0)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element)
    return deepest


def _read_page(tree: lxml.html.HtmlElement, url: str) -> PageData:
    """Collect the page's structured data: JSON-LD, meta, lang, canonical link."""
    canonical = tree.xpath('//link[contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href')
    return PageData(
        url=url,
        jsonld=tuple(_jsonld_nodes(tree)),
        meta=_meta_map(tree),
        html_lang=tree.get("lang") or tree.get("xml:lang"),
        canonical_href=str(canonical[0]) if canonical else None,
        link_count=int(tree.xpath("count(//body//a[@href])")),
        has_video_player=bool(tree.xpath(_VIDEO_PLAYER_XPATH)),
    )


def _meta_map(tree: lxml.html.HtmlElement) -> dict[str, tuple[str, ...]]:
    """Meta contents keyed by lower-cased name/property/itemprop/http-equiv, page order."""
    found: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        key = element.get("name") or element.get("property") or element.get("itemprop") or element.get("http-equiv")
        content = element.get("content")
        if key and content is not None:
            found.setdefault(key.strip().lower(), []).append(content)
    for element in tree.xpath("//time[@itemprop][@datetime]"):
        found.setdefault(element.get("itemprop").strip().lower(), []).append(element.get("datetime"))
    return {key: tuple(values) for key, values in found.items()}


def _jsonld_nodes(tree: lxml.html.HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object on the page, with @graph members and mainEntity flattened."""
    scripts = tree.xpath(
        "//script[translate(normalize-space(@type), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
        "'abcdefghijklmnopqrstuvwxyz') = 'application/ld+json']"
    )
    for script in scripts:
        data = _load_json(script.text or "")
        if data is not None:
            yield from _flatten_jsonld(data, depth=0)


def _load_json(text: str) -> Any:
    """Parsed JSON, tolerating the CDATA wrappers and trailing semicolons sites add."""
    cleaned = text.strip().removeprefix("<![CDATA[").removesuffix("]]>").strip().rstrip(";")
    try:
        return json.loads(cleaned, strict=False)
    except (ValueError, RecursionError):
        logger.debug("unreadable JSON-LD block skipped")
        return None


# JSON-LD nests publishers in authors in pages; four levels reach every node we read.
_JSONLD_MAX_DEPTH = 4


def _flatten_jsonld(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    """Yield the dict nodes of a JSON-LD document that can be the page's main entity."""
    if depth > _JSONLD_MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten_jsonld(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            yield data
        for key in ("@graph", "mainEntity"):
            if key in data:
                yield from _flatten_jsonld(data[key], depth + 1)


def _node_types(node: Mapping[str, Any]) -> frozenset[str]:
    """A node's @type values without schema.org prefixes ("schema:NewsArticle")."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return frozenset(re.split(r"[/:#]", v)[-1] for v in values if isinstance(v, str) and v)


# --- page classification ---------------------------------------------------------------


def _reject_by_markup(page: PageData) -> Rejected | None:
    """Rejections that markup alone decides: liveblogs and video pages."""
    if page.types & LIVEBLOG_TYPES or LIVEBLOG_URL_RE.search(_url_part(page.url, "path")):
        return Rejected(page.url, "not_article:liveblog", detail="LiveBlogPosting or liveblog URL")
    if not _has_article_markup(page) and (page.types & VIDEO_TYPES or _og_type(page).startswith("video")):
        return Rejected(page.url, "not_article:video", detail="video is the main entity")
    return None


def _reject_by_content(page: PageData, words: int) -> Rejected | None:
    """Rejections that need the extracted body: section fronts, paywalls, empty pages."""
    if _is_section_page(page, words):
        return Rejected(page.url, "not_article:section_page", detail=f"{page.link_count} links, {words} words")
    if _is_paywalled(page) and words < PAYWALL_TEASER_MAX_WORDS:
        return Rejected(page.url, "not_article:paywall", detail=f"teaser of {words} words")
    if words < MIN_BODY_WORDS:
        if _has_video(page):
            return Rejected(page.url, "not_article:video", detail=f"video with {words} words of text")
        return Rejected(page.url, "empty_body", detail=f"{words} words < {MIN_BODY_WORDS}")
    return None


def _og_type(page: PageData) -> str:
    return (page.first_meta(("og:type",)) or "").strip().lower()


def _has_article_markup(page: PageData) -> bool:
    """True when the page declares itself an article in JSON-LD or Open Graph."""
    return page.article is not None or _og_type(page) == "article" or bool(page.meta.get("article:published_time"))


def _is_section_page(page: PageData, words: int) -> bool:
    """A listing of stories: it says so in markup, has no article markup, and many links.

    Pages without any structured data are never judged listings: short blog posts on
    link-heavy templates look just like them (three such false positives in the aeb set).
    """
    if _has_article_markup(page) or page.link_count < SECTION_MIN_LINKS:
        return False
    if page.types & COLLECTION_TYPES:
        return True
    says_webpage = bool(page.types & {"WebPage", "WebSite"}) or _og_type(page) == "website"
    return says_webpage and words < SECTION_MAX_BODY_WORDS


def _is_paywalled(page: PageData) -> bool:
    """True when the article's JSON-LD says it is not free to read."""
    node = page.article or {}
    parts = node.get("hasPart")
    flags = [node.get("isAccessibleForFree")]
    flags += [p.get("isAccessibleForFree") for p in (parts if isinstance(parts, list) else [parts]) if isinstance(p, dict)]
    return any(flag is False or (isinstance(flag, str) and flag.strip().lower() == "false") for flag in flags)


def _has_video(page: PageData) -> bool:
    return bool(page.types & VIDEO_TYPES) or page.has_video_player or bool(page.meta.get("og:video"))


# --- body --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def _compiled_xpath(expression: str) -> lxml.etree.XPath:
    """A compiled XPath; sources reuse the same few expressions on every page."""
    return lxml.etree.XPath(expression)


def _pruned_copy(tree: lxml.html.HtmlElement, xpaths: Iterable[str]) -> lxml.html.HtmlElement:
    """A copy of the tree without the elements the XPaths select (their tail text kept)."""
    pruned = copy.deepcopy(tree)
    for expression in xpaths:
        for element in _compiled_xpath(expression)(pruned):
            if isinstance(element, lxml.html.HtmlElement) and element.getparent() is not None:
                element.drop_tree()
    return pruned


def _run_trafilatura(
    tree: lxml.html.HtmlElement, page: PageData, hints: ExtractionHints, fetched_at: datetime
) -> Any:
    """trafilatura's Document for the pruned page: precision mode, recall if that is thin."""
    precise = _trafilatura_document(tree, page, hints, fetched_at, favor_precision=True)
    precise_words = word_count(precise.text or "") if precise is not None else 0
    if precise_words >= RECALL_RETRY_BELOW_WORDS:
        return precise
    recalled = _trafilatura_document(tree, page, hints, fetched_at, favor_precision=False)
    if recalled is not None and word_count(recalled.text or "") >= RECALL_PREFERRED_RATIO * max(precise_words, 1):
        return recalled
    return precise or recalled


def _trafilatura_document(
    tree: lxml.html.HtmlElement,
    page: PageData,
    hints: ExtractionHints,
    fetched_at: datetime,
    *,
    favor_precision: bool,
) -> Any:
    """One trafilatura run on a freshly pruned copy; dates judged against the fetch day."""
    return bare_extraction(
        _pruned_copy(tree, (*DEFAULT_PRUNE_XPATHS, *hints.prune_xpaths)),
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


def _body_lines(
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
    compact = _compact(text)
    return any(compact.startswith(name) for name in site_names if len(name) >= MIN_SITE_NAME_CHARS)


def _drop_leading_repeats(lines: list[str], repeats: Iterable[str | None]) -> list[str]:
    """Lines without a leading title/standfirst that the extractor repeated from the header."""
    seen = {_fold(r) for r in repeats if r}
    start = 0
    while start < min(len(lines), len(seen)) and _fold(lines[start]) in seen:
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


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


# --- metadata ----------------------------------------------------------------------------


def _build_article(
    page: PageData, document: Any, *, source: str, fetched_at: datetime, hints: ExtractionHints
) -> Article | Rejected:
    """Merge structured metadata with trafilatura's body into an Article, or reject it."""
    title = _title(page, document)
    description = _description(page, document)
    lines, original_source = _body_lines(document.text or "", (title, description), _site_names(page))
    body = "\n".join(lines)
    words = word_count(body)
    rejection = _reject_by_content(page, words)
    if rejection is not None:
        return rejection
    authors = _authors(page, document)
    published_at, modified_at, flags = _dates(page, document, fetched_at, ZoneInfo(hints.naive_timezone))
    if not title:
        flags = (*flags, "title_missing")
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
        language=_language(page, hints),
        section=_section(page),
        tags=_tags(page),
        image_url=_image_url(page, document),
        canonical_url=_canonical_url(page),
        original_source=original_source,
        flags=flags,
    )


def _jsonld_text(node: Mapping[str, Any] | None, key: str) -> str | None:
    """A JSON-LD string property (first item if a list), cleaned; None if absent."""
    value = node.get(key) if node else None
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    # Some CMSs HTML-escape JSON-LD strings ("zerst&ouml;ren", "&#039;"); JSON needs no escaping.
    return _single_line(unescape(value)) if isinstance(value, str) else None


def _single_line(text: str | None) -> str | None:
    """Cleaned text on one line, or None when nothing is left."""
    if text is None:
        return None
    cleaned = " ".join(clean_text(text).split())
    return cleaned or None


def _site_names(page: PageData) -> set[str]:
    """Names the site goes by: og:site_name, the JSON-LD publisher, the domain label."""
    names = {_compact(n) for n in page.all_meta(META_SITE_NAME)}
    for node in page.jsonld:
        if _node_types(node) & (ORGANIZATION_TYPES | {"WebSite"}):
            names.add(_compact(str(node.get("name") or "")))
    publisher = (page.article or {}).get("publisher")
    if isinstance(publisher, dict):
        names.add(_compact(str(publisher.get("name") or "")))
    host = _url_part(page.url, "hostname").removeprefix("www.")
    names.add(_compact(host.split(".")[0]))
    names.add(_compact(host))
    names.discard("")
    return names


def _compact(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold().removeprefix("@"))


def _strip_site_name(title: str, site_names: set[str]) -> str:
    """The title without a leading or trailing " | Site Name" part."""
    changed = True
    while changed:
        changed = False
        for separator in TITLE_SEPARATORS:
            head, found, tail = title.rpartition(separator)
            if found and head and _compact(tail) in site_names:
                title, changed = head.strip(), True
            head, found, tail = title.partition(separator)
            if found and tail and _compact(head) in site_names:
                title, changed = tail.strip(), True
    return title


def _title(page: PageData, document: Any) -> str:
    """Headline: JSON-LD, then og:/twitter:/meta title, then trafilatura, then <title>."""
    candidates = [
        _jsonld_text(page.article, "headline"),
        _jsonld_text(page.article, "name"),
        *(_single_line(v) for v in page.all_meta(META_TITLE)),
        _single_line(getattr(document, "title", None)),
    ]
    site_names = _site_names(page)
    for candidate in candidates:
        if candidate:
            return _strip_site_name(candidate, site_names)
    return ""


def _description(page: PageData, document: Any) -> str | None:
    """Standfirst: JSON-LD description, then og:/twitter:/meta description, then trafilatura."""
    candidates = [
        _jsonld_text(page.article, "description"),
        *(_single_line(v) for v in page.all_meta(META_DESCRIPTION)),
        _single_line(getattr(document, "description", None)),
    ]
    return next((c for c in candidates if c), None)


def _authors(page: PageData, document: Any) -> tuple[str, ...]:
    """Author names in byline order: JSON-LD, then meta, then trafilatura's guess."""
    names = _jsonld_authors(page.article)
    if not names:
        names = [n for raw in page.all_meta(META_AUTHOR) if not _looks_like_url(raw) for n in _split_byline(raw)]
    if not names and getattr(document, "author", None):
        names = [n for raw in document.author.split(";") for n in _split_byline(raw)]
    return _unique(names)


def _jsonld_authors(article: Mapping[str, Any] | None) -> list[str]:
    """Names of the article's JSON-LD authors; Person names may hold several people."""
    raw = (article or {}).get("author")
    entries = raw if isinstance(raw, list) else [raw]
    names: list[str] = []
    for entry in entries:
        if isinstance(entry, str):
            names.extend(_split_byline(entry))
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
            name = unescape(entry["name"])
            names.extend(_split_byline(name, split=not _node_types(entry) & ORGANIZATION_TYPES))
    return names


def _split_byline(byline: str, *, split: bool = True) -> list[str]:
    """Individual names from a byline: "By A, B and C" -> ["A", "B", "C"]."""
    text = BYLINE_PREFIX_RE.sub("", _single_line(byline) or "")
    parts = AUTHOR_SPLIT_RE.split(text) if split else [text]
    names = [AUTHOR_INITIALS_RE.sub("", BYLINE_PREFIX_RE.sub("", p)).strip(" .-|") for p in parts]
    return [n for n in names if _is_plausible_name(n)]


def _is_plausible_name(name: str) -> bool:
    """False for empty strings, sentences, URLs, emails, slugs and photo credits."""
    if not name or len(name) > MAX_AUTHOR_CHARS or _looks_like_url(name):
        return False
    if NOT_A_NAME_RE.match(name) and (" " not in name or name.startswith("(")):
        return False
    return any(c.isalpha() for c in name)


def _looks_like_url(text: str) -> bool:
    return bool(re.match(r"^\s*(?:https?:|www\.|/)", text)) or "@" in text


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    """Values without case-insensitive repeats, first spelling and order kept."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return tuple(kept)


def _dates(
    page: PageData, document: Any, fetched_at: datetime, naive_zone: ZoneInfo
) -> tuple[datetime | None, datetime | None, tuple[str, ...]]:
    """Published and modified times in UTC, never after fetch time, with flags saying why not."""
    flags: list[str] = []
    published = _first_datetime(
        [_jsonld_text(page.article, "datePublished"), *page.all_meta(META_PUBLISHED)], naive_zone
    )
    modified = _first_datetime(
        [_jsonld_text(page.article, "dateModified"), *page.all_meta(META_MODIFIED)], naive_zone
    )
    if published is None and modified is None and getattr(document, "date", None):
        # htmldate's guess from the text: day precision only, and only when the page has
        # no structured dates at all (an "updated" date alone must not pass as published).
        published = _parse_datetime(document.date, naive_zone)
        if published is not None:
            flags.append("published_at_day_only")
    if published is not None and published > fetched_at:
        published = None
        flags.append("published_at_in_future")
    if modified is not None and modified > fetched_at:
        modified = None
        flags.append("modified_at_in_future")
    if published is None:
        flags.append("published_at_missing")
    return published, modified, tuple(flags)


def _first_datetime(raws: Iterable[str | None], naive_zone: ZoneInfo) -> datetime | None:
    """The first value that parses as a plausible date-time."""
    for raw in raws:
        parsed = _parse_datetime(raw, naive_zone) if raw else None
        if parsed is not None:
            return parsed
    return None


def _parse_datetime(raw: str, naive_zone: ZoneInfo) -> datetime | None:
    """An aware UTC datetime from ISO 8601 or RFC 822 text; naive values are in naive_zone."""
    text = raw.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.year < MIN_PLAUSIBLE_YEAR:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=naive_zone)
    return parsed.astimezone(UTC)


def _as_utc(moment: datetime) -> datetime:
    """``moment`` as aware UTC; a naive fetch time is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _language(page: PageData, hints: ExtractionHints) -> str | None:
    """ISO 639-1 code: <html lang>, JSON-LD inLanguage, og:locale/meta, else the source's."""
    in_language = (page.article or {}).get("inLanguage")
    if isinstance(in_language, dict):
        in_language = in_language.get("alternateName") or in_language.get("name")
    candidates = [page.html_lang, in_language if isinstance(in_language, str) else None, *page.all_meta(META_LANGUAGE)]
    for candidate in candidates:
        match = _LANGUAGE_RE.match(candidate.strip()) if candidate else None
        if match:
            return match.group(1).lower()
    return hints.language


def _section(page: PageData) -> str | None:
    """articleSection, then article:section meta, then the first breadcrumb below home."""
    section = _jsonld_text(page.article, "articleSection") or _single_line(page.first_meta(META_SECTION))
    return section or _breadcrumb_section(page)


def _breadcrumb_section(page: PageData) -> str | None:
    """The top breadcrumb entry that is not the home page."""
    for node in page.jsonld:
        if "BreadcrumbList" not in _node_types(node):
            continue
        items = [i for i in node.get("itemListElement") or [] if isinstance(i, dict)]
        items.sort(key=lambda i: _position(i.get("position")))
        for item in items:
            name = item.get("name")
            if name is None and isinstance(item.get("item"), dict):
                name = item["item"].get("name")
            name = _single_line(name) if isinstance(name, str) else None
            if name and _compact(name) not in {"home", "homepage", "start"}:
                return name
    return None


def _position(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1_000_000  # unpositioned items sort last, in page order


def _tags(page: PageData) -> tuple[str, ...]:
    """Tags from meta (primaryTag first) and JSON-LD keywords, de-duplicated, order kept."""
    raws = page.all_meta(META_TAGS)
    keywords = (page.article or {}).get("keywords")
    raws += keywords if isinstance(keywords, list) else [keywords]
    tags = [t.strip() for raw in raws if isinstance(raw, str) for t in re.split(r"[,;]", raw)]
    return _unique(t for t in (_single_line(t) for t in tags) if t)


def _image_url(page: PageData, document: Any) -> str | None:
    """Lead image: og:/twitter: image, then JSON-LD image, then trafilatura's, absolute."""
    candidates = [*page.all_meta(META_IMAGE), _jsonld_image((page.article or {}).get("image"))]
    candidates.append(getattr(document, "image", None))
    for candidate in candidates:
        absolute = _absolute_http_url(page.url, candidate)
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


def _canonical_url(page: PageData) -> str | None:
    """<link rel=canonical>, else og:url, absolute and normalized."""
    for candidate in (page.canonical_href, page.first_meta(("og:url",))):
        absolute = _absolute_http_url(page.url, candidate)
        if absolute:
            return normalize_url(absolute)
    return None


def _url_part(url: str, part: str) -> str:
    """One component of a URL ("path", "hostname"), or "" if the URL does not parse."""
    try:
        return getattr(urlsplit(url), part) or ""
    except ValueError:
        return ""


def _absolute_http_url(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base`` if it is an http(s) URL, else None."""
    if not href or not href.strip():
        return None
    try:
        absolute = urljoin(base, remove_control_chars(href.strip()))
    except ValueError:
        return None
    return absolute if _url_part(absolute, "scheme") in {"http", "https"} else None
