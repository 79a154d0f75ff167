"""Title, standfirst, section, tags, image and canonical URL from the page's structured data."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from common.urls import normalize_url
from transforms.extract.page import (
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

# Further separators seen only between a headline and the site's name ("Headline » Site",
# "Headline • Site", "Headline│Site", "Site|Headline"): never used to cut a headline otherwise.
SITE_SEPARATORS = (*TITLE_SEPARATORS, " » ", " « ", " › ", " • ", " ǀ ", "│", "|")


def _strip_site_name(title: str, site_names: set[str]) -> str:
    """The title without a leading " Site Name |" or trailing " | Site Name" part, and without
    a date before or after it ("23.01.2022 - Headline").

    A trailing part is cut at the first separator behind which the site's name starts, with
    whatever follows it (a slogan, "| Site | Your weekly magazine"), or behind which all that
    is left is the name, even when the name holds separators itself ("Site - Yoga Lifestyle").
    """
    changed = True
    while changed:
        changed = False
        for separator in SITE_SEPARATORS:
            head = _before_site_name(title, separator, site_names)
            if head is not None:
                title, changed = head, True
            head, found, tail = title.partition(separator)
            if found and tail.strip() and (compact(head) in site_names or _DATE_SEGMENT_RE.match(head)):
                title, changed = tail.strip(), True
    return title


def _before_site_name(title: str, separator: str, site_names: set[str]) -> str | None:
    """``title`` up to the first ``separator`` that the site's name, a date or only
    decoration ("» ☆☆☆☆☆") follows."""
    start = 0
    while (position := title.find(separator, start)) > 0:
        head, tail = title[:position].strip(), title[position + len(separator):]
        first = _first_segment(tail)
        rest = compact(tail)
        if head and (not rest or rest in site_names or compact(first) in site_names or _DATE_SEGMENT_RE.match(tail)):
            return head
        start = position + len(separator)
    return None


def _first_segment(text: str) -> str:
    """``text`` up to its first separator."""
    cuts = [i for i in (text.find(s) for s in SITE_SEPARATORS) if i > 0]
    return text[: min(cuts)] if cuts else text


def find_title(page: PageData, document: Any) -> str:
    """Headline: JSON-LD, then og:/twitter:/meta title, then trafilatura, then <title>.

    Without its site name; og:title instead of a JSON-LD headline that nothing visible on the
    page repeats; and without any other trailing " | Section" part or leading kicker that the
    other headlines on the page (og:title, the single <h1>) show it is not part of.
    """
    names = site_names(page)
    declared = (
        jsonld_text(page.article, "headline"),
        jsonld_text(page.article, "name"),
        *(single_line(v) for v in page.all_meta(META_TITLE)),
    )
    candidates: list[str | None] = [c for c in declared if c and not _names_site(c, names)]
    first = candidates[0] if candidates else None
    title = _strip_site_name(first, names) if first else _title_without_structured_data(page, document, names)
    candidates.append(single_line(getattr(document, "title", None)))
    title = _confirmed_headline(title, page, names)
    title = _confirmed_html_title(title, page, names)
    title = _shown_instead_of_sharing_title(title, page, names)
    title = _without_heading_kicker(title, page.headings)
    stripped = [_strip_site_name(c, names) for c in (*candidates, *page.headings[:1], page.html_title) if c]
    title = _without_unconfirmed_suffix(title, {_fold(c) for c in stripped}, _declared_headline(page, names))
    shared = [_strip_site_name(c, names) for c in (single_line(v) for v in page.all_meta(META_TITLE)) if c]
    title = _without_kicker(title, shared, stripped)
    title = _with_displayed_kicker(title, _og_title(page, names), page.headings[:1])
    title = _untruncated(title, stripped, page.subheadings)
    if page.headings:
        title = _as_displayed(title, page.headings, _headline(page, names))
    else:
        title = next((h for h in page.subheadings if _as_displayed(title, (h,)) == h), title)
    title = _continued_by_heading(title, page.headings)
    return _with_displayed_dashes(title, page.headings or page.subheadings)


def _names_site(title: str, names: set[str]) -> bool:
    """True for a "title" that is only the site's name (a site-wide og:title or <title>)."""
    return compact(title) in names or compact(_strip_site_name(title, names)) in names


def _title_without_structured_data(page: PageData, document: Any, names: set[str]) -> str:
    """Where the page declares no headline: the part of its <title> that a heading on the page
    shows; else trafilatura's title, unless it is the site's name; else the <title> without
    the site's name."""
    if page.html_title:
        shown = _heading_in_title(page.html_title, (*page.headings, *page.subheadings))
        if shown:
            return shown
    guessed = single_line(getattr(document, "title", None))
    if not page.headings and page.html_title and not _names_site(page.html_title, names):
        return _strip_site_name(page.html_title, names)  # trafilatura would take an <h2>: a sidebar's
    if guessed and not _names_site(guessed, names):
        return _strip_site_name(guessed, names)
    if page.headings:
        return page.headings[0]
    if page.html_title and not _names_site(page.html_title, names):
        return _strip_site_name(page.html_title, names)
    return guessed or ""


def _heading_in_title(title: str, headings: tuple[str, ...]) -> str | None:
    """The first heading that is the <title> or a run of its separator-delimited parts."""
    parts = _title_parts(title)
    return next((h for h in headings if _fold(h) in parts and len(h.split()) >= 2), None)


def _title_parts(title: str) -> set[str]:
    """Folded runs of consecutive parts of ``title`` between separators, the whole included."""
    pattern = "|".join(re.escape(s) for s in sorted(SITE_SEPARATORS, key=len, reverse=True))
    parts = [p for p in re.split(pattern, title) if p.strip()]
    runs = {_fold(" ".join(parts[i:j])) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)}
    return runs | {_fold(title)}


# og:title against the <title>, where the page has no JSON-LD headline: a section's or a
# listing's name left in og:title by a template ("Press releases") while the <title> and the
# headline on the page name the story.
def _confirmed_html_title(title: str, page: PageData, names: set[str]) -> str:
    """The <title> (without the site's name) instead of ``title`` where the page's <h1> shows
    the <title> and nothing on the page shows ``title``."""
    if not page.html_title or _headline(page, names) or not page.headings:
        return title
    html_title = _strip_site_name(page.html_title, names)
    if _fold(html_title) == _fold(title) or len(html_title.split()) < 3:
        return title
    shown = [_fold(h) for h in page.headings]
    if any(_fold(title) in h for h in shown) or _fold(title) in _fold(html_title):
        return title
    if any(h == _fold(html_title) or h.endswith(_fold(html_title)) for h in shown):
        return html_title
    return title


# og:title is the title for sharing cards. Where the page declares no JSON-LD headline and
# og:title does not even open like the page's one <h1> (an SEO phrasing, a listing's name,
# an older headline), the <h1> is the headline readers see. Titles that open alike differ by
# a kicker or an edit and are left to the kicker rules.
SHARED_OPENING_WORDS = 2


def _shown_instead_of_sharing_title(title: str, page: PageData, names: set[str]) -> str:
    """The page's one <h1> instead of a ``title`` taken from og:title that opens differently."""
    og = _og_title(page, names)
    if _headline(page, names) or len(page.headings) != 1 or not og or _fold(og) != _fold(title):
        return title
    shown = page.headings[0]
    if len(shown.split()) < SHARED_OPENING_WORDS or _names_site(shown, names):
        return title
    seen, declared = _DASHES_RE.sub(" - ", _fold(shown)), _DASHES_RE.sub(" - ", _fold(title))
    if seen.split()[:SHARED_OPENING_WORDS] == declared.split()[:SHARED_OPENING_WORDS]:
        return title
    if seen.endswith(declared) or declared.endswith(seen):
        return title  # the same headline with a kicker in one of them: the kicker rules decide
    return _strip_site_name(shown, names)


# A spaced hyphen in a title typed for a meta field stands for the dash the page's headline
# sets ("Site - Slogan" in one, "Site – Slogan" in the other): the headline's spelling is the
# publisher's own.
_DASHES_RE = re.compile(r"\s[-–—]\s")


def _with_displayed_dashes(title: str, headings: tuple[str, ...]) -> str:
    """The heading that is ``title`` with dashes where ``title`` has hyphens, else ``title``."""
    if not _DASHES_RE.search(title):
        return title
    plain = _DASHES_RE.sub(" - ", _fold(title))
    for heading in headings:
        shown = " ".join(heading.split())
        if _fold(shown) != _fold(title) and _DASHES_RE.sub(" - ", _fold(shown)).endswith(plain):
            # The heading may set a kicker before it in its own element ("Immobilienkrise Rene …").
            tail = shown[len(shown) - len(title):] if len(shown) > len(title) else shown
            if _DASHES_RE.sub(" - ", _fold(tail)) == plain:
                return tail
    return title


# A headline shortened for sharing: the page's one <h1> is the same sentence going on
# ("… erhöht Gigafactory-Kapazität" / "… erhöht Gigafactory-Kapazität in Tennessee").
CONTINUATION_MAX_WORDS = 4
CONTINUED_MIN_WORDS = 3


def _continued_by_heading(title: str, headings: tuple[str, ...]) -> str:
    """The one <h1> where it is ``title`` followed by a few more words of the same sentence."""
    if len(headings) != 1 or len(title.split()) < CONTINUED_MIN_WORDS:
        return title
    shown, folded = " ".join(headings[0].split()), _fold(title)
    if not _fold(shown).startswith(folded + " "):
        return title
    rest = shown[len(title):].strip()
    if not rest or not rest[0].isalnum() or len(rest.split()) > CONTINUATION_MAX_WORDS:
        return title  # a separator or a long tail: an affix, left to _as_displayed
    return shown


# Between a headline and an affix the page's own headline does not show: a site or section
# name ("… › evang.at", "… (neues deutschland)"), a date or a number ("08.11.2021 | …"), a
# slogan ("… » 1000 EUR sofort aufs Konto"). A colon is left out on purpose: "Kicker: Headline"
# is a kicker some publishers count as part of the headline (kept by _with_displayed_kicker).
_AFFIX_SEPARATOR = r"(?:\s[|›»•·–—-]+\s?|\s?[|›»•·]\s|\s\()"
_AFFIX_MAX_WORDS = 12


def _as_displayed(title: str, headings: tuple[str, ...], declared: str | None = None) -> str:
    """The page's one <h1> where ``title`` is that headline with an affix before or after it
    behind a separator, unless the article's structured headline (``declared``) carries the
    affix too; else ``title``."""
    if len(headings) != 1 or not title or (declared and _fold(declared) == _fold(title)):
        return title
    shown = headings[0]
    if _fold(shown) == _fold(title) or len(shown.split()) < 2:
        return title
    folded, wanted = _fold(title), _fold(shown)
    if folded.startswith(wanted):
        rest = title[len(shown):] if title.startswith(shown) else title[len(title) - len(folded) + len(wanted):]
        bare_separator = rest.strip() in {"-", "–", "|"}
        if re.match(_AFFIX_SEPARATOR, rest) and len(rest.split()) <= _AFFIX_MAX_WORDS or bare_separator:
            return shown
    if folded.endswith(wanted):
        rest = title[: len(title) - len(shown)] + " "
        if re.search(_AFFIX_SEPARATOR + r"\s*$", " " + rest) and len(rest.split()) <= _AFFIX_MAX_WORDS:
            return shown
    return title


def _og_title(page: PageData, names: set[str]) -> str | None:
    og = single_line(page.first_meta(("og:title",)))
    return _strip_site_name(og, names) if og else None


def _headline(page: PageData, names: set[str]) -> str | None:
    headline = jsonld_text(page.article, "headline")
    return _strip_site_name(headline, names) if headline else None


# og:title against the JSON-LD headline. Both are the publisher's own statements and they
# differ on many pages (an SEO headline in one, the printed one in the other; one of them
# stale after an edit). Readers see neither: they see the <title>, the <h1> and the
# breadcrumb's entry for the page. The JSON-LD headline is trusted first, unless nothing a
# reader sees repeats it while something repeats og:title; or unless the JSON-LD's own
# ``name`` disowns it by giving og:title's text.
def _confirmed_headline(title: str, page: PageData, names: set[str]) -> str:
    """``title`` (the JSON-LD headline), or og:title where the page backs og:title instead."""
    headline, og = _headline(page, names), _og_title(page, names)
    if not headline or not og or _fold(title) != _fold(headline) or _fold(og) == _fold(headline):
        return title
    if compact(og) in names:
        return title  # a site-wide og:title ("Harbour News") repeated by a site-wide <title>
    visible = _visible_titles(page, names)
    if not any(_confirms(v, og) for v in visible):
        return title
    if not any(_confirms(v, headline) for v in visible):
        return og
    name = jsonld_text(page.article, "name")
    if name and _fold(_strip_site_name(name, names)) == _fold(og):
        return og
    return title


def _visible_titles(page: PageData, names: set[str]) -> list[str]:
    """What a reader sees as the page's title: <title>, the first <h1>, the breadcrumb's last entry."""
    found = [page.html_title, *page.headings[:1], *_breadcrumb_page_names(page)]
    return [_strip_site_name(t, names) for t in found if t]


# A <title> is often the headline plus a section ("Headline - Politics"): that still repeats it.
_SECTION_TAIL_RE = re.compile(r"^\s*[|\-–—:·/｜：]\s")


def _confirms(visible: str, candidate: str) -> bool:
    """True when ``visible`` is ``candidate``, or ``candidate`` followed by a " | Part"."""
    seen, wanted = _fold(visible), _fold(candidate)
    return seen == wanted or (seen.startswith(wanted) and bool(_SECTION_TAIL_RE.match(seen[len(wanted) :] + " ")))


def _breadcrumb_page_names(page: PageData) -> list[str]:
    """The last entry of each JSON-LD breadcrumb trail: the name the site gives this page."""
    found: list[str] = []
    for node in page.jsonld:
        if "BreadcrumbList" not in node_types(node):
            continue
        items = [i for i in node.get("itemListElement") or [] if isinstance(i, dict)]
        if not items:
            continue
        last = sorted(items, key=lambda i: _position(i.get("position")))[-1]
        name = last.get("name")
        if name is None and isinstance(last.get("item"), dict):
            name = last["item"].get("name")
        text = single_line(unescape(name)) if isinstance(name, str) else None
        if text:
            found.append(text)
    return found


def _declared_headline(page: PageData, names: set[str]) -> str | None:
    """The headline og:title and the JSON-LD headline agree on, if they do."""
    headline, og = _headline(page, names), _og_title(page, names)
    return headline if headline and og and _fold(headline) == _fold(og) else None


def _with_displayed_kicker(title: str, og: str | None, headings: tuple[str, ...]) -> str:
    """og:title where it is ``title`` behind a kicker and the <h1> shows that kicker too.

    The <h1> often holds the kicker in its own element with no space before the headline
    ("Nationale DemoDer 9. Juli..."), so the comparison is on letters and digits only.
    """
    split = _kicker_split(og) if og else None
    if og and split and headings and _fold(split[1]) == _fold(title) and compact(og) == compact(headings[0]):
        return og
    return title


# A title cut short for a sharing card ("Google's Search makeover…"); the full one is on the page.
_ELLIPSIS_RE = re.compile(r"\s*(?:…|\.\.\.)$")


# A title cut at a quotation mark: a meta tag written with the headline's own quotes unescaped
# (content="Senator calls Biden "unfit"") ends before the first of them.
_OPENING_QUOTES = frozenset('"“„«‘')


def _untruncated(title: str, others: list[str], headings: tuple[str, ...] = ()) -> str:
    """The full text of a ``title`` that ends in an ellipsis, where another headline or a
    heading has it, or that ends before a quotation mark where another headline goes on."""
    if not _ELLIPSIS_RE.search(title):
        cut = next((o for o in others if len(o) > len(title) and _fold(o).startswith(_fold(title))
                    and o[len(title):].lstrip()[:1] in _OPENING_QUOTES), None)
        return cut if cut and title else title
    others = [*others, *headings]
    stem = _fold(_ELLIPSIS_RE.sub("", title))
    longer = [o for o in others
              if len(_fold(o)) > len(stem) and _fold(o).startswith(stem) and not _ELLIPSIS_RE.search(o)]
    return max(longer, key=len) if longer else title


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
        if mine and theirs and _other_kicker(mine[0], theirs[0]) and _fold(mine[1]) == _fold(theirs[1]):
            return mine[1]
    return title


def _other_kicker(mine: str, theirs: str) -> bool:
    """Whether two kickers differ, rather than one holding the other: an <h1> that sets a
    label of its own before the title's kicker ("Forderungsausfälle vermeiden Eigentumsvorbehalt:
    ...") shows that kicker, it does not replace it."""
    mine_words, their_words = _fold(mine).split(), _fold(theirs).split()
    shorter, longer = sorted((mine_words, their_words), key=len)
    return longer[: len(shorter)] != shorter and longer[len(longer) - len(shorter):] != shorter


def _without_heading_kicker(title: str, headings: tuple[str, ...]) -> str:
    """``title`` without a leading "Section - " where the page sets both that section's name
    and the headline after it as headings of their own (a listing's title above the story)."""
    split = _kicker_split(title)
    shown = {_fold(h) for h in headings}
    if split and _fold(split[0]) in shown and _fold(split[1]) in shown:
        return split[1]
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


def _without_unconfirmed_suffix(title: str, others: set[str], declared: str | None = None) -> str:
    """``title`` cut before a trailing " | X" when another headline on the page is that cut.

    Not where og:title and the JSON-LD headline both carry the " | X": two fields the
    publisher sets for the headline itself outweigh an <h1> or meta title without it.
    """
    if declared is not None and _fold(declared) == _fold(title):
        return title
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
    """articleSection, then article:section meta, then the first breadcrumb below home.

    HTML entities left in the value are decoded ("My&#x20;Europe"); the site's own name, the
    home page ("Startseite", "Accueil"), WordPress's default category ("Uncategorized",
    "Allgemein") and the page's own headline are never a section.
    """
    own_headlines = _own_headlines(page)
    for raw in (jsonld_text(page.article, "articleSection"), single_line(page.first_meta(META_SECTION)),
                _breadcrumb_section(page, own_headlines)):
        section = _decoded(raw)
        if section and not _names_home(section, page) and compact(section) not in own_headlines:
            return section
    return None


def _own_headlines(page: PageData) -> set[str]:
    """Compacted headlines of the page itself: a breadcrumb's last entry names the page, and a
    template that fills the section with the post's title names no section."""
    names = site_names(page)
    found = [jsonld_text(page.article, "headline"), *page.all_meta(META_TITLE), *page.headings, page.html_title]
    return {compact(_strip_site_name(t, names)) for t in found if t} - {""}


# The home page's name in a breadcrumb, in the corpus's languages (en, de, fr, es, it, pt, nl):
# the start of every path, never a section.
HOME_WORDS = frozenset({
    "home", "homepage", "home page", "start", "startseite", "accueil", "inicio", "portada", "página principal",
    "pagina principale", "página inicial", "início", "voorpagina", "hoofdpagina", "news home", "front page",
    # WordPress's default category, in the same languages: a post nobody filed.
    "uncategorized", "uncategorised", "allgemein", "non classé", "sin categoría", "senza categoria",
    "sem categoria", "geen categorie", "ongecategoriseerd",
})


def _decoded(text: str | None) -> str | None:
    """``text`` with HTML entities a CMS escaped twice decoded, whitespace collapsed."""
    if not text:
        return None
    return single_line(unescape(text))


def _names_home(section: str, page: PageData) -> bool:
    folded = " ".join(section.casefold().split())
    return folded in HOME_WORDS or compact(section) in site_names(page)


def _breadcrumb_section(page: PageData, own_headlines: set[str]) -> str | None:
    """The top breadcrumb entry that is neither the home page nor the page itself."""
    for node in page.jsonld:
        if "BreadcrumbList" not in node_types(node):
            continue
        items = [i for i in node.get("itemListElement") or [] if isinstance(i, dict)]
        items.sort(key=lambda i: _position(i.get("position")))
        for item in items:
            name = item.get("name")
            if name is None and isinstance(item.get("item"), dict):
                name = item["item"].get("name")
            name = _decoded(name) if isinstance(name, str) else None
            if name and not _names_home(name, page) and compact(name) not in own_headlines:
                return name
    return None


def _position(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1_000_000  # unpositioned items sort last, in page order


def find_tags(page: PageData) -> tuple[str, ...]:
    """Tags from meta (primaryTag first) and JSON-LD keywords, de-duplicated, order kept."""
    raws: list[object] = list(page.all_meta(META_TAGS))
    keywords = (page.article or {}).get("keywords")
    raws += keywords if isinstance(keywords, list) else [keywords]
    tags = [t.strip() for raw in raws if isinstance(raw, str) for t in re.split(r"[,;]", raw)]
    return unique(t for t in (single_line(t) for t in tags) if t)


def find_image_url(page: PageData, document: Any) -> str | None:
    """Lead image: og:/twitter: image, then JSON-LD image, then trafilatura's, absolute (against
    the page's <base href> where it has one, as a browser resolves it)."""
    candidates = [*page.all_meta(META_IMAGE), _jsonld_image((page.article or {}).get("image"))]
    candidates.append(getattr(document, "image", None))
    for candidate in candidates:
        absolute = absolute_http_url(page.base_url, candidate)
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
    """<link rel=canonical>, else og:url, absolute (against the page's <base href> where it has
    one) and normalized."""
    for candidate in (page.canonical_href, page.first_meta(("og:url",))):
        absolute = absolute_http_url(page.base_url, candidate)
        if absolute:
            return normalize_url(absolute)
    return None
