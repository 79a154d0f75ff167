"""Authors: from JSON-LD, meta and visible bylines, split into single names."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from html import unescape
from typing import Any

import lxml.etree
import lxml.html

from transforms.extract.page import (
    META_AUTHOR,
    ORGANIZATION_TYPES,
    PageData,
    compact,
    in_comment_thread,
    node_types,
    single_line,
    site_names,
    unique,
)

# "By", "Written by", "Reporting by" (and German "Von", "Autor:") in front of a byline.
BYLINE_PREFIX_RE = re.compile(
    r"^(?:(?:written|reported|reporting|words|text|story|posted|published|compiled)\s+)?by\b\s*:?\s*"
    r"|^(?:authors?|byline|autor(?:in|en|innen)?(?:\s*/\s*autor(?:in|en|innen)?)?)\b\s*:?\s*|^von\s+"
    # An author page's link text ("View all posts by ..."), and the label in the other languages
    # of the corpus: "Von:", "vom", "ein Beitrag von", "Auteur", "Autore", "door:", "par :", "por:".
    r"|^(?:view\s+all\s+|more\s+)?posts\s+by\s*:?\s*|^von\s*:\s*|^vom\s+"
    r"|^(?:ein\s+)?beitrag\s+von\s+|^(?:geschrieben|verfasst)\s+von\s+"
    r"|^(?:auteure?|autore|autora)\b\s*:?\s*|^(?:door|par|por|di)\s*:\s*",
    re.IGNORECASE,
)
# Non-standard meta keys that name the author, read only where none of the common ones is
# set ("articleAuthor": CMSs that mirror schema.org properties into meta tags).
FALLBACK_AUTHOR_META_KEYS = ("articleauthor",)
# Separators between several names in one byline: "A, B and C", "A & B", "A; B", and
# "and" in the languages of our sources (und, og, och, et, y, e, ve, и).
AUTHOR_SPLIT_RE = re.compile(r"\s*(?:[,;&]|\s(?:and|und|og|och|et|y|e|ve|и)\s)\s*", re.IGNORECASE)
# Newsroom initials after a name ("Elena Oberholzer (obe)"): not part of the name.
# A host after a name ("Deutsche Welle (www.dw.com)") is not part of it either.
AUTHOR_INITIALS_RE = re.compile(r"\s*\((?:[^)]{1,12}|(?:https?://)?[\w-]+(?:\.[\w-]+)+/?)\)$")
# Profile slugs ("emma-mackenzie") and photo credits that CMSs put in author fields.
NOT_A_NAME_RE = re.compile(r"^(?:[a-z0-9]+(?:-[a-z0-9]+)+|\(.*|[Ii]mage:.*|[Pp]hoto:.*)$")
# Labels and stamps that templates put where a byline goes (a comment form's "Name *", a
# "Posted on" without its name, a weekday or a date), and a commenter's "... says:".
NOT_A_NAME_WORDS = frozenset({
    "name", "posted", "posted on", "published", "author", "autor", "by", "von", "redaktion:", "no author",
    "admin", "administrator", "webmaster",  # a CMS's default account, not a writer
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo",
})
_DATE_LIKE_RE = re.compile(r"(?<!\w)\d{4}(?!\w)|\d{1,2}[./]\s*\d{1,2}[./]|\d{1,2}\.\s+\w+")
_SAYS_RE = re.compile(r"\s(?:says|sagt|dit|dice|zegt)\s*:?$", re.IGNORECASE)
# A host ("jungle.world", "facebook.com/jane.doe") beside a person's name is a link, not an author.
_HOST_LIKE_RE = re.compile(r"^[\w-]+(?:\.[\w-]+)+(?:/\S*)?$")
# Longest plausible person or desk name; longer "authors" are sentences that leaked in.
MAX_AUTHOR_CHARS = 80

# "Source: ...", "Quelle: ..." before agency names: a credit line, not a byline.
SOURCE_CREDIT_RE = re.compile(r"^(?:source|quelle|fuente|fonte|źródło|kilde|källa)\b", re.IGNORECASE)


def find_authors(page: PageData, document: Any, tree: lxml.html.HtmlElement | None = None) -> tuple[str, ...]:
    """Author names in byline order: JSON-LD, then meta, then trafilatura's guess, then
    marked bylines; an unmarked labelled line ("von Jane Doe") only where nothing else is found.

    The site's own name as "author" (CMSs fill it when no byline is set) is a fallback only:
    a source further down that names someone else wins. ``tree`` (the page) gives back the
    digits trafilatura drops from the names it guesses ("FRANCE 24", "Channel 4").
    """
    own_names = site_names(page)
    own_names |= _self_credits(page.all_meta(META_AUTHOR), own_names)
    found: list[str] = []
    for names in _author_sources(page, document, own_names, tree):
        names = list(unique(_spelled_in_full(n, page) for n in names))
        if not names:
            continue
        people = [n for n in names if compact(n) not in own_names and not _HOST_LIKE_RE.match(n)]
        if people:
            # The site's name or a host beside a person ("El Mostrador; Raúl Espina") is the
            # publisher credited with them, not a second author.
            return tuple(people)
        if not all(compact(n) in own_names for n in names):
            return tuple(names)
        found = found or names
    if not found:
        # An unmarked "von Jane Doe" line is the weakest evidence: read only where the page
        # names no one at all, not even the site (its teasers carry such lines too).
        found = next((n for n in (_split_byline(raw, own_names) for raw in page.labelled_bylines) if n), [])
    return tuple(found)


def _spelled_in_full(name: str, page: PageData) -> str:
    """The page's visible byline for a ``name`` given as one word: a handle
    ("arianschlichenmayer", "edilson.la.rosa") or a first name only ("Nils")."""
    if " " in name:
        return name
    for byline in (*page.visible_bylines, *page.labelled_bylines):
        shown = BYLINE_PREFIX_RE.sub("", byline).strip()
        words = shown.split()
        if not 2 <= len(words) <= 4 or not _is_plausible_name(shown) or _DATE_LIKE_RE.search(shown):
            continue
        if compact(shown) == compact(name) or words[0].casefold() == name.casefold():
            return shown
    return name


# "Deutsche Welle (www.dw.com)": a name followed by the site's own host is the site itself.
_NAME_WITH_HOST_RE = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<host>[^()]+)\)\s*$")


def _self_credits(raws: list[str], own_names: set[str]) -> set[str]:
    """Compacted names that the page gives with its own host in parentheses."""
    found: set[str] = set()
    for raw in raws:
        match = _NAME_WITH_HOST_RE.match(raw.strip())
        if match and compact(match["host"].removeprefix("www.")) in own_names | {compact(match["host"])}:
            found.add(compact(match["name"]))
    return found


def _author_sources(
    page: PageData, document: Any, own_names: set[str], tree: lxml.html.HtmlElement | None
) -> Iterator[list[str]]:
    """Candidate author lists, most trusted first."""
    yield _jsonld_authors(page.article, own_names)
    raws = page.all_meta(META_AUTHOR) or page.all_meta(FALLBACK_AUTHOR_META_KEYS)
    metas = [raw for raw in raws if not _looks_like_url(raw)]
    yield [n for raw in metas for n in _split_byline(raw, own_names)]
    guessed = getattr(document, "author", None) or ""
    if not SOURCE_CREDIT_RE.match(guessed.strip()):  # trafilatura's "Quelle sid; Dpa" from "Quelle: sid/dpa"
        shown = _visible_spelling(guessed, page.visible_bylines)
        if shown is not None:
            yield _split_byline(shown, own_names)
        else:
            names = [n for raw in guessed.split(";") for n in _split_byline(raw, own_names)]
            yield _as_the_page_shows(names, tree) if tree is not None else names
    yield next((names for names in (_split_byline(raw, own_names) for raw in page.visible_bylines) if names), [])


def _visible_spelling(guessed: str, bylines: tuple[str, ...]) -> str | None:
    """The visible byline that trafilatura's author guess was read from, as the page spells it.

    trafilatura re-cases names and splits at every "/" ("srf/hosb;kesm" -> "Srf; Hosb; Kesm");
    the page's own text keeps desk prefixes and separators as the publisher wrote them.
    """
    letters = compact(guessed)
    return next((b for b in bylines if letters and compact(BYLINE_PREFIX_RE.sub("", b)) == letters), None)


# trafilatura's author normaliser cuts a name at its first digit, so "FRANCE 24" comes back as
# "FRANCE" and "Channel 4 News" as "Channel". The page's own short text that reads as the guess
# up to its first digit is the name as published; a text whose digits make a date
# ("Jane Doe 12.03.2024") is a dateline, not a name.
_MAX_NAME_TEXTS = 400
_DIGITS_RE = re.compile(r"\d+")
# The page's text nodes, read and lower-cased once per guess and searched for each of its names'
# first words in Python (an XPath contains(translate(...)) per name re-reads the whole page each
# time). Only ASCII letters are lower-cased, as the XPath translate() it stands for does. A
# script's or style's long own text (framework state as JSON is often most of a page's text)
# is left out before lower-casing; any other text is asked whether it is shown when it matches
# (asking every short text first costs more than lower-casing it).
_SHORT_TEXT_CHARS = 200
_BODY_TEXTS = lxml.etree.XPath("//body//text()")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_NOT_SHOWN_TAGS = frozenset({"script", "style"})


def _as_the_page_shows(names: list[str], tree: lxml.html.HtmlElement) -> list[str]:
    """trafilatura's guessed ``names`` as the page shows them (``_with_digits_shown``), without
    those it shows only inside its comment thread (readers who commented, whose author
    elements trafilatura took for the byline)."""
    kept: list[str] = []
    page_texts: list[tuple[Any, str]] | None = None
    for name in names:
        words = name.split()
        if words and page_texts is None:
            page_texts = [(raw, str(raw).translate(_ASCII_LOWER)) for raw in _BODY_TEXTS(tree)
                          if len(raw) < _SHORT_TEXT_CHARS or not _script_or_style_text(raw)]
        texts = texts_with_word(page_texts, words[0].casefold()) if words and page_texts else []
        holders = [h for h in (raw.getparent() for raw in texts) if h is not None]
        if holders and all(in_comment_thread(h) for h in holders):
            continue
        kept.append(_with_digits_shown(name, [str(raw) for raw in texts]))
    return kept


def texts_with_word(page_texts: list[tuple[Any, str]], word: str) -> list[Any]:
    """The first ``_MAX_NAME_TEXTS`` of the page's text nodes (each with its ASCII-lower-cased
    text) that hold ``word`` and are not inside a script or style element."""
    found: list[Any] = []
    for raw, lowered in page_texts:
        if word in lowered and not _inside_script_or_style(raw):
            found.append(raw)
            if len(found) == _MAX_NAME_TEXTS:
                break
    return found


def _script_or_style_text(raw: Any) -> bool:
    """Whether ``raw`` is the text a script or style element holds (not its tail)."""
    if raw.is_tail:
        return False
    element = raw.getparent()
    return element is not None and element.tag in _NOT_SHOWN_TAGS


def _inside_script_or_style(raw: Any) -> bool:
    # A tail's getparent() is the element it follows, which does not hold it.
    element = raw.getparent()
    if element is not None and raw.is_tail:
        element = element.getparent()
    while element is not None:
        if element.tag in _NOT_SHOWN_TAGS:
            return True
        element = element.getparent()
    return False


def _with_digits_shown(name: str, texts: list[str]) -> str:
    """``name`` with the digits the page's ``texts`` (those holding its first word) show in it."""
    target = " ".join(name.split()).casefold()
    for raw in texts:
        shown = _trimmed(BYLINE_PREFIX_RE.sub("", single_line(raw) or ""))
        if not _DIGITS_RE.search(shown) or len(shown) > MAX_AUTHOR_CHARS or _DATE_LIKE_RE.search(shown):
            continue
        if " ".join(_DIGITS_RE.split(shown, 1)[0].split()).casefold() == target and _is_plausible_name(shown):
            return shown
    return name


def _jsonld_authors(article: Mapping[str, Any] | None, own_names: set[str]) -> list[str]:
    """Names of the article's JSON-LD authors; Person names may hold several people."""
    raw = (article or {}).get("author")
    entries = raw if isinstance(raw, list) else [raw]
    names: list[str] = []
    for entry in entries:
        if isinstance(entry, str):
            names.extend(_split_byline(entry, own_names))
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
            name = unescape(entry["name"])
            names.extend(_split_byline(name, own_names, split=not node_types(entry) & ORGANIZATION_TYPES))
    return names


def _split_byline(byline: str, own_names: AbstractSet[str] = frozenset(), *, split: bool = True) -> list[str]:
    """Individual names from a byline: "By A, B and C" -> ["A", "B", "C"].

    A credit that names the publisher itself ("Le Figaro et AFP", "Al Jazeera and news
    agencies") is a desk line, one author, and is not split.
    """
    text = BYLINE_PREFIX_RE.sub("", single_line(byline) or "")
    if SOURCE_CREDIT_RE.match(text):
        return []  # "Quelle: dpa" credits an agency for the text; it names no author
    text = _without_own_credit(text, own_names)
    parts = AUTHOR_SPLIT_RE.split(text) if split else [text]
    if len(parts) > 1 and any(compact(p) in own_names for p in parts):
        parts = [text]
    names = [_trimmed(AUTHOR_INITIALS_RE.sub("", BYLINE_PREFIX_RE.sub("", p))) for p in parts]
    names = [n for n in names if _is_plausible_name(n)]
    people = [n for n in names if not _HOST_LIKE_RE.match(n)]
    return people if people else names


# "Rob Picheta, CNN", "unocero - Alberto Ávila": the site's own name set before or after one
# byline with a comma or a dash credits the publisher; a desk line joined with "and"
# ("Al Jazeera and news agencies") is left whole.
_OWN_CREDIT_AFTER_RE = re.compile(r"^(?P<rest>.+?)\s*(?:,|\s[-–|/])\s*(?P<own>[^,]+)$")
_OWN_CREDIT_BEFORE_RE = re.compile(r"^(?P<own>[^,]+?)\s[-–|/]\s*(?P<rest>.+)$")


def _without_own_credit(text: str, own_names: AbstractSet[str]) -> str:
    """``text`` without the site's own name credited beside a byline."""
    for pattern in (_OWN_CREDIT_AFTER_RE, _OWN_CREDIT_BEFORE_RE):
        match = pattern.match(text)
        if match and compact(match["own"]) in own_names and compact(match["rest"]) not in own_names:
            return match["rest"].strip()
    return text


# An initial keeps its full stop ("Nicolas Gutierrez C."); other trailing punctuation goes.
_ENDS_WITH_INITIAL_RE = re.compile(r"(?:^|[\s.])[^\W\d_]\.$")


# The word that opens the date after a byline whose date was cut away or is a link of its own
# ("Von R. R. am <a>07.08.2013</a>", "Posted by Jane on", "Houzz Deutschland vor 5 Stunden"):
# lowercase, it never ends a name (a name's particles, "van", "de", "von", come before it).
_DATE_OPENER_AFTER_NAME_RE = re.compile(r"(?<=\S)\s+(?:am|um|vor|on|at|le|el|il|em|op)\s*$")


def _trimmed(name: str) -> str:
    name = _DATE_OPENER_AFTER_NAME_RE.sub("", name)
    trimmed = name.strip(" .-|*")
    return trimmed + "." if _ENDS_WITH_INITIAL_RE.search(name.rstrip(" -|*")) else trimmed


def _is_plausible_name(name: str) -> bool:
    """False for empty strings, sentences, URLs, emails, slugs and photo credits."""
    if not name or len(name) > MAX_AUTHOR_CHARS or _looks_like_url(name) or name.endswith(":"):
        return False  # a label whose value is elsewhere ("Datum:"), or an address
    if name.casefold().strip(" *:") in NOT_A_NAME_WORDS or _DATE_LIKE_RE.search(name) or _SAYS_RE.search(name):
        return False
    if NOT_A_NAME_RE.match(name) and (" " not in name or name.startswith("(")):
        return False
    return any(c.isalpha() for c in name)


def _looks_like_url(text: str) -> bool:
    return bool(re.match(r"^\s*(?:https?:|www\.|/)", text) or _EMAIL_RE.search(text))


# An e-mail address, also written to fool harvesters ("jane[at]example.org").
_EMAIL_RE = re.compile(r"@|\[at\]|\(at\)", re.IGNORECASE)
