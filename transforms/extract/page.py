"""What a page says about itself in markup: the parsed tree, JSON-LD, meta, lang, links.

Shared by every extraction step; pure helpers, no text extraction here.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import unicodedata
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from html import unescape
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from transforms.normalize import clean_text, remove_control_chars, word_key

logger = logging.getLogger(__name__)


ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "ReportageNewsArticle", "OpinionNewsArticle",
        "AnalysisNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle",
        "AskPublicNewsArticle", "SatiricalArticle", "ScholarlyArticle", "TechArticle", "ClaimReview",
        "Report", "BlogPosting", "SocialMediaPosting", "Review",
    }
)
LIVEBLOG_TYPES = frozenset({"LiveBlogPosting"})
VIDEO_TYPES = frozenset({"VideoObject", "VideoGallery"})
# Organization names ("Al Jazeera and news agencies") are one author, never split.
ORGANIZATION_TYPES = frozenset({"Organization", "NewsMediaOrganization", "Corporation", "NGO"})
COLLECTION_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage"})
# Liveblog URLs as Al Jazeera (/news/liveblog/...), the Guardian (/live/...) and others
# spell them; some liveblogs render only their first batch of updates server-side.
LIVEBLOG_URL_RE = re.compile(r"/(?:live-?blogs?|live-updates?|live)/", re.IGNORECASE)

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

_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_VIDEO_PLAYER_XPATH = (
    "//video | //iframe[contains(@src, 'youtube') or contains(@src, 'brightcove')"
    " or contains(@src, 'vimeo') or contains(@src, 'jwplayer') or contains(@src, 'dailymotion')]"
)


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
    headings: tuple[str, ...] = ()  # the page's <h1> texts, in page order, the site's logo left out
    subheadings: tuple[str, ...] = ()  # the first <h2> texts, in page order
    logo_names: tuple[str, ...] = ()  # texts of <h1>s that are only a link to the home page
    html_title: str | None = None  # the <title> element's text
    visible_bylines: tuple[str, ...] = ()  # short texts of elements marked as author/byline
    labelled_bylines: tuple[str, ...] = ()  # short texts that open with a byline label ("von Jane Doe")
    # word_key() of <li> items that are mostly a link (``LinkedListItems``: read at the first question)
    linked_list_items: Container[str] = frozenset()
    # What the page's relative URLs resolve against: its <base href> (HTML's document base URL),
    # else its own URL. None: the page's URL.
    base_href: str | None = None

    @property
    def base_url(self) -> str:
        """The document base URL: the first <base href> resolved against the page URL."""
        return absolute_http_url(self.url, self.base_href) or self.url

    @functools.cached_property
    def types(self) -> frozenset[str]:
        """Every schema.org @type declared on the page."""
        return frozenset(t for node in self.jsonld for t in node_types(node))

    @functools.cached_property
    def article(self) -> dict[str, Any] | None:
        """The first JSON-LD node typed as an article, if any; else the liveblog's node, which
        schema.org types as a kind of blog post and which carries the same headline, authors
        and dates."""
        article = next((n for n in self.jsonld if node_types(n) & ARTICLE_TYPES), None)
        return article or next((n for n in self.jsonld if node_types(n) & LIVEBLOG_TYPES), None)

    @functools.cached_property
    def site_names(self) -> frozenset[str]:
        """See ``site_names()``: read once a page, asked for by several rules."""
        return _site_names(self)

    def first_meta(self, keys: Iterable[str]) -> str | None:
        """The first non-empty meta content among ``keys``, in the given order."""
        return next(iter(self.all_meta(keys)), None)

    def all_meta(self, keys: Iterable[str]) -> list[str]:
        """Every non-empty meta content among ``keys``, in key order then page order."""
        return [v for k in keys for v in self.meta.get(k, ()) if v.strip()]

# --- parsing ---------------------------------------------------------------------------


# Every element is an lxml.html.HtmlElement, picked in C. lxml.html's own lookup asks a Python
# method for the class of each element proxy it makes (to give forms and inputs classes of their
# own, which nothing here uses): 190,000 calls, a fifth of the pipeline's time on a 25 KB page,
# paid again in every trafilatura run on a copy of the tree.
_ELEMENT_CLASSES = lxml.etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity,
)


def html_parser() -> lxml.html.HTMLParser:
    """A parser for one page (parsers are not shared: lxml forbids using one in two threads)."""
    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
    parser.set_element_class_lookup(_ELEMENT_CLASSES)
    return parser


def empty_document() -> lxml.html.HtmlElement:
    """``<html><body></body></html>``, with the element classes of ``parse_html``'s trees."""
    return lxml.html.document_fromstring("<html><body></body></html>", parser=html_parser())


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """An lxml tree of the page, or None when there is no document to parse."""
    text = _XML_DECLARATION_RE.sub("", remove_control_chars(html), count=1)
    if not text.strip():
        return None
    parser = html_parser()
    try:
        return lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        logger.debug("lxml could not parse the page", exc_info=True)
        return None


@functools.lru_cache(maxsize=8)
def _depth_xpath(depth: int) -> lxml.etree.XPath:
    # One step per level: libxml2 expands the node set level by level, linear in the tree's
    # size, where walking the tree in Python costs about 1 ms a page.
    return lxml.etree.XPath("boolean(" + "/*" * (depth + 1) + ")")


def nests_deeper_than(tree: lxml.html.HtmlElement, depth: int) -> bool:
    """True when some element sits ``depth`` or more levels below the root element."""
    return bool(_depth_xpath(depth)(tree))


def read_page(tree: lxml.html.HtmlElement, url: str) -> PageData:
    """Collect the page's structured data: JSON-LD, meta, lang, canonical link."""
    canonical = tree.xpath('//link[contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href')
    base = tree.xpath("(//base[@href])[1]/@href")
    headings, logos = _headings_and_logos(tree, url)
    return PageData(
        url=url,
        jsonld=tuple(_jsonld_nodes(tree)),
        meta=_meta_map(tree),
        html_lang=tree.get("lang") or tree.get("xml:lang"),
        canonical_href=str(canonical[0]) if canonical else None,
        link_count=int(tree.xpath("count(//body//a[@href])")),
        has_video_player=bool(tree.xpath(_VIDEO_PLAYER_XPATH)),
        headings=tuple(h for h in headings if h not in logos),
        subheadings=tuple(h for h in (_heading_text(e) for e in islice(tree.iter("h2"), MAX_SUBHEADINGS)) if h),
        logo_names=tuple(logos),
        html_title=single_line(tree.findtext("head/title")),
        visible_bylines=_visible_bylines(tree),
        labelled_bylines=_labelled_bylines(tree),
        linked_list_items=LinkedListItems(tree),
        base_href=str(base[0]) if base else None,
    )


# Only the first <h2>s can be the headline of a page without an <h1> (old blog themes set the
# site's name in the <h1> and each post's title in an <h2>); later ones are sections and sidebars.
MAX_SUBHEADINGS = 12
_VISIBLE_TEXT_XPATH = lxml.etree.XPath(".//text()[not(ancestor::style or ancestor::script or ancestor::template)]")
# The home page's address: the site's root, also inside an archive's wrapper
# ("https://web.archive.org/web/2014/http://www.example.com/").
_HOME_HREF_RE = re.compile(r"^(?:https?:)?//[^/?#]+/?$|^/?$|/https?://[^/?#]+/?$")


def _heading_text(element: lxml.html.HtmlElement) -> str | None:
    """A heading's visible text: without the <style> and <script> some CMSs set inside it."""
    return single_line("".join(_VISIBLE_TEXT_XPATH(element)))


def _headings_and_logos(tree: lxml.html.HtmlElement, url: str) -> tuple[list[str], list[str]]:
    """The <h1> texts, and those of them that are a link to the site's home page: the site's
    logo, set in an <h1> by many blog and CMS themes, names the site and is no headline."""
    headings: list[str] = []
    logos: list[str] = []
    for element in tree.iter("h1"):
        text = _heading_text(element)
        if not text:
            continue
        headings.append(text)
        links = [a for a in element.iter("a") if _HOME_HREF_RE.search(_href_path(url, a.get("href")))]
        linked = "".join(a.text_content() for a in links)
        if links and compact(linked) == compact(text):
            logos.append(text)
    return headings, logos


def _href_path(base: str, href: str | None) -> str:
    """The path and beyond of ``href`` resolved against ``base``, for telling home-page links;
    "-" (no home page) where it is missing or another site's."""
    absolute = absolute_http_url(base, href)
    if absolute is None:
        return "-"
    if url_part(absolute, "hostname").removeprefix("www.") != url_part(base, "hostname").removeprefix("www."):
        return "-"
    split = urlsplit(absolute)
    return split.path + ("?" + split.query if split.query else "")


# A list item whose link text is at least this share of its text points to another page:
# "The strange life and <a>mysterious death of a coder</a>" is a related-story teaser.
LINKED_ITEM_MIN_LINK_SHARE = 0.3




class LinkedListItems(Container[str]):
    """``_linked_list_items(tree)``, walked at the first question: only a body with a run of list
    items asks one, and most bodies have none. Asked while the extraction reads the page, before
    anything changes the tree."""

    def __init__(self, tree: lxml.html.HtmlElement) -> None:
        self._tree = tree
        self._items: frozenset[str] | None = None

    def __contains__(self, key: object) -> bool:
        if self._items is None:
            self._items = _linked_list_items(self._tree)
        return key in self._items


def _linked_list_items(tree: lxml.html.HtmlElement) -> frozenset[str]:
    """word_key() of every <li> whose links make up a large part of its text."""
    found: set[str] = set()
    for item in tree.iter("li"):
        if item.find(".//a") is None:
            continue  # no link: not a list of other pages (and most list items are skipped cheaply)
        text = word_key(item.text_content())
        if not text:
            continue
        linked = sum(len(word_key(a.text_content()).replace(" ", "")) for a in item.iter("a"))
        if linked >= LINKED_ITEM_MIN_LINK_SHARE * len(text.replace(" ", "")):
            found.add(text)
    return frozenset(found)


# Elements that mark a byline (``_marks_byline``): rel/itemprop author, an "author"/"byline"
# class, a link to an author page (/author/..., German /autor/, /autoren/). Found by walking
# the body in Python: an XPath lower-casing every class attribute cost eight times as much.
# A byline is a few names; longer texts are author bios or teasers.
BYLINE_MAX_WORDS = 12
# Only the first few such elements are the article's byline; later ones are related stories.
MAX_VISIBLE_BYLINES = 3
_SOURCE_CREDIT_RE = re.compile(r"^(?:source|quelle|fuente|fonte|źródło|kilde|källa)\s*:", re.IGNORECASE)
_OUTSIDE_ARTICLE_TAGS = frozenset({"nav", "footer", "aside", "script", "style", "noscript", "template"})
# A comment thread's entries ("comment", "commentlist", id "comment-22203"): their author
# elements name readers who commented, not the article's author.
_COMMENT_THREAD_RE = re.compile(r"^(?:comments?|commentlist|comment-list|comments-area|comment-\d+)$")


def in_comment_thread(element: lxml.html.HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        tokens = (ancestor.get("class") or "").lower().split()
        if any(_COMMENT_THREAD_RE.match(t) for t in (*tokens, (ancestor.get("id") or "").lower())):
            return True
    return False


def _visible_bylines(tree: lxml.html.HtmlElement) -> tuple[str, ...]:
    """Texts of the first byline elements (the innermost of nested ones), in page order."""
    found: list[str] = []
    bylines = (e for body in tree.iter("body") for e in _outside_passed_by(body) if _marks_byline(e))
    for element in bylines:
        if in_comment_thread(element):  # what navigations and footers hold was passed by
            continue
        if any(_marks_byline(child) for child in element.iterdescendants()):
            continue  # a wrapper; its innermost byline element is read on its own
        text = single_line(element.text_content())
        if text and _SOURCE_CREDIT_RE.match(text):
            continue  # "Quelle: dpa" credits an agency for the text; it names no author
        if text and len(text.split()) <= BYLINE_MAX_WORDS and text not in found:
            found.append(text)
        if len(found) >= MAX_VISIBLE_BYLINES:
            break
    return tuple(found)


def _outside_passed_by(body: lxml.html.HtmlElement) -> Iterator[Any]:
    """The descendants of ``body`` in page order (comments included), without what navigations,
    footers, asides, scripts... hold (each such element itself is among them): no byline is
    taken from inside one, and on some pages a navigation holds nearly the whole page."""
    walk = PageWalk(body, include_root=False)
    for element in walk:
        yield element
        if element.tag in _OUTSIDE_ARTICLE_TAGS:
            walk.pass_by(element)


def next_in_page(element: lxml.html.HtmlElement, scope: lxml.html.HtmlElement) -> Any:
    """The node after ``element`` and its descendants in page order, inside ``scope``; else None."""
    node = element
    while node is not scope:
        after = node.getnext()
        if after is not None:
            return after
        node = node.getparent()
        if node is None:
            return None
    return None


class PageWalk:
    """The nodes of ``root`` in page order (comments included), lxml's own walk (in C), where
    the inside of an element handed to ``pass_by`` while it is the current node is skipped up
    to the node that follows it in page order."""

    def __init__(self, root: lxml.html.HtmlElement, *, include_root: bool = True) -> None:
        self._root = root
        self._include_root = include_root
        self._following: Any = None
        self._finished = False

    def __iter__(self) -> Iterator[Any]:
        nodes = self._root.iter() if self._include_root else self._root.iterdescendants()
        for node in nodes:
            if self._following is not None:
                if node is not self._following:
                    continue
                self._following = None
            yield node
            if self._finished:
                return  # the rest of the page was inside the element passed by

    def pass_by(self, element: lxml.html.HtmlElement) -> None:
        """Skip what the current node, ``element``, holds."""
        if len(element):
            self._following = next_in_page(element, self._root)
            self._finished = self._following is None


def _marks_byline(element: lxml.html.HtmlElement) -> bool:
    # Asked of every element of the page: the tests that settle most elements come first.
    tag = element.tag
    if not isinstance(tag, str):
        return False
    classes = element.get("class")
    if classes and _names_byline(classes):
        return True
    if tag == "a":
        href = element.get("href") or ""
        if "/author/" in href or "/autor" in href:
            return True
    if element.get("rel") == "author" or element.get("itemprop") == "author":
        return True
    return bool(len(element)) and _opens_with_author_label(element)


@functools.lru_cache(maxsize=4096)
def _names_byline(classes: str) -> bool:
    """Whether a class attribute's value names a byline (a page repeats a few values on
    thousands of elements: each is read once)."""
    lowered = classes.lower()
    return "author" in lowered or "byline" in lowered


# A byline without any marking: a short element whose text is a label and a capitalised name
# ("von Daniela Obers", "By Jane Doe", "par Didier Roy", "Text von …", "Eine Kolumne von …"),
# a date after it allowed ("von Alexander Rosenkranz 09.03.2022"). Labels in the languages of
# the corpus (en, de, fr, es, it, pt, nl).
_BYLINE_LABEL_RE = re.compile(
    r"^(?:(?:text|texte|eine\s+kolumne|ein\s+beitrag|ein\s+kommentar|geschrieben|written|posted|"
    r"reported)\s+)?(?:von|by|par|por|di|door|autor|autorin|author|auteur|autore|autora)\s*:?\s+",
    re.IGNORECASE,
)
_LABELLED_NAME_RE = re.compile(
    r"(?P<name>[^\W\d_][\w'’.-]*(?:\s+(?:[^\W\d_][\w'’.-]*)){1,3})(?:\s*(?:[|,·•–-]\s*)?\d.*)?$"
)
_LABEL_CANDIDATE_TAGS = frozenset({"p", "span", "div", "i", "em", "small", "li", "a", "strong", "b", "address"})
LABELLED_BYLINE_MAX_WORDS = 10


def _labelled_bylines(tree: lxml.html.HtmlElement) -> tuple[str, ...]:
    """Texts of the first short elements, outside navigation, that are a byline label and a name."""
    found: list[str] = []
    for body in tree.iter("body"):
        for element in body.iter(*_LABEL_CANDIDATE_TAGS):
            lead = (element.text or "").lstrip()
            if not lead or not _BYLINE_LABEL_RE.match(lead[:40] + " "):
                continue  # cheap test first: most elements do not open with a label
            text = single_line(element.text_content())
            if not text or len(text.split()) > LABELLED_BYLINE_MAX_WORDS:
                text = single_line(lead)
            # A wide gap ends the byline: "Text von A \xa0 \xa0Illustration von B".
            byline = _labelled_name(text) or _labelled_name(single_line(re.split(r"\s{2,}", element.text_content())[0]))
            if byline and not any(a.tag in _OUTSIDE_ARTICLE_TAGS for a in element.iterancestors()):
                found.append(byline)
            if len(found) >= MAX_VISIBLE_BYLINES:
                return tuple(found)
    return tuple(found)


def _labelled_name(text: str | None) -> str | None:
    """The name in a "label Name" text whose words are capitalised, or None."""
    label = _BYLINE_LABEL_RE.match(text or "")
    if not text or not label:
        return None
    match = _LABELLED_NAME_RE.fullmatch(text[label.end():])
    name = match["name"] if match else ""
    words = name.split()
    if not words or not words[0][0].isupper() or not all(w[0].isupper() for w in words if len(w) > 3):
        return None
    return name


# An element that opens with an author label in bold or a <dt>, the name after it, is a byline
# without any class ("<li><strong>Autorin/Autor</strong> Jane Doe</li>"); bylines.py drops the label.
_LABEL_TAGS = frozenset({"strong", "b", "dt"})
BYLINE_LABELS = frozenset(
    {"author", "authors", "autor", "autorin", "autoren", "autorin/autor", "autor/autorin", "autor/in"}
)


def _opens_with_author_label(element: lxml.html.HtmlElement) -> bool:
    if not len(element) or (element.text or "").strip():
        return False
    first = element[0]
    if first.tag not in _LABEL_TAGS:
        return False
    return first.text_content().strip().rstrip(":").strip().casefold() in BYLINE_LABELS


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


def node_types(node: Mapping[str, Any]) -> frozenset[str]:
    """A node's @type values without schema.org prefixes ("schema:NewsArticle")."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return frozenset(re.split(r"[/:#]", v)[-1] for v in values if isinstance(v, str) and v)

def jsonld_text(node: Mapping[str, Any] | None, key: str) -> str | None:
    """A JSON-LD string property (first item if a list), cleaned; None if absent."""
    value = node.get(key) if node else None
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    # Some CMSs HTML-escape JSON-LD strings ("zerst&ouml;ren", "&#039;"); JSON needs no escaping.
    return single_line(unescape(value)) if isinstance(value, str) else None


def single_line(text: str | None) -> str | None:
    """Cleaned text on one line, or None when nothing is left."""
    if text is None:
        return None
    cleaned = " ".join(clean_text(text).split())
    return cleaned or None


def site_names(page: PageData) -> set[str]:
    """Names the site goes by: og:site_name, the JSON-LD publisher, its logo, the domain label."""
    return set(page.site_names)


def _site_names(page: PageData) -> frozenset[str]:
    names = {compact(n) for n in page.all_meta(META_SITE_NAME)}
    for node in page.jsonld:
        if node_types(node) & (ORGANIZATION_TYPES | {"WebSite"}):
            names.add(compact(str(node.get("name") or "")))
    publisher = (page.article or {}).get("publisher")
    if isinstance(publisher, dict):
        names.add(compact(str(publisher.get("name") or "")))
    names.update(compact(n) for n in page.logo_names)
    host = url_part(page.url, "hostname").removeprefix("www.")
    names.add(compact(host.split(".")[0]))
    names.add(compact(host))
    names.discard("")
    return frozenset(names)


# German letters as domain names spell them ("Börsen-Zeitung" on boersen-zeitung.de).
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@functools.lru_cache(maxsize=4096)
def compact(text: str) -> str:
    """Letters and digits only, case-folded and unaccented: names compared this way match
    whether spelled as a brand, a handle or a host name. Kept for the texts asked again: the
    title rules compact the same headline segments and site names dozens of times a page."""
    folded = text.casefold().removeprefix("@").translate(_TRANSLITERATION)
    plain = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return re.sub(r"\W+", "", plain)

def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Values without case-insensitive repeats, first spelling and order kept."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return tuple(kept)

def fold(text: str) -> str:
    return " ".join(text.casefold().split())

def url_part(url: str, part: str) -> str:
    """One component of a URL ("path", "hostname"), or "" if the URL does not parse."""
    try:
        return getattr(urlsplit(url), part) or ""
    except ValueError:
        return ""


def absolute_http_url(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base`` if it is an http(s) URL, else None."""
    if not href or not href.strip():
        return None
    try:
        absolute = urljoin(base, remove_control_chars(href.strip()))
    except ValueError:
        return None
    return absolute if url_part(absolute, "scheme") in {"http", "https"} else None


def og_type(page: PageData) -> str:
    return (page.first_meta(("og:type",)) or "").strip().lower()


def has_article_markup(page: PageData) -> bool:
    """True when the page declares itself an article in JSON-LD or Open Graph."""
    return page.article is not None or og_type(page) == "article" or bool(page.meta.get("article:published_time"))


def is_inside(element: lxml.html.HtmlElement, container: lxml.html.HtmlElement) -> bool:
    """True when ``container`` is one of ``element``'s ancestors."""
    return any(ancestor is container for ancestor in element.iterancestors())
