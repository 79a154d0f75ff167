"""Published and modified times: structured data first, never after the fetch.

Times keep the offset the page gave them (the same instant as in UTC, and the page's own
calendar day, which is what a reader of the page sees); values without one are in the
source's zone.
"""

from __future__ import annotations

import email.utils
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone
from datetime import time as dt_time
from itertools import islice
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import lxml.etree
import lxml.html
from dateparser.date import DateDataParser
from htmldate.extractors import extract_url_date, try_date_expr
from htmldate.utils import Extractor

from transforms.extract.date_search import searched_date
from transforms.extract.listed_date import self_listed_day
from transforms.extract.numeric_dates import (
    UNREADABLE,
    Unreadable,
    language_of_script,
    read_numeric_date,
    shown_only_unreadably,
)
from transforms.extract.page import META_LANGUAGE, META_MODIFIED, META_PUBLISHED, PageData, jsonld_text

# Dates before the web news era are parse errors (0001-01-01, epoch zero), not facts.
MIN_PLAUSIBLE_YEAR = 1990

# Meta names that say only "date": a CMS stamps them on publishing or on every edit alike,
# so a date line the page shows beside its headline outranks them (it is what readers see).
GENERIC_DATE_META = frozenset({"date"})


@dataclass(frozen=True)
class DateEvidence:
    """What dates the page without htmldate's search: its structured values, the date
    closing its title, the date line beside its headline and a meta named only "date"."""

    stated: tuple[datetime, ...]  # published values, JSON-LD's first
    modified: datetime | None
    line: ShownDate | None
    title_day: datetime | None
    generic: datetime | None
    # The day of the page's own entry in a dated list of the site's stories (``self_listed_day``),
    # read only where nothing above dates the page.
    listed: date | None = None
    # The date line is there but its digits have no certain reading (04/05/2023 on a page of
    # no stated locale, "5/6/07", a month above 12): htmldate's search would read the same
    # text one way or the other, so only the URL's date may stand in for it.
    line_unreadable: bool = False

    @property
    def needs_search(self) -> bool:
        """True when only htmldate's search can date the page: every other piece of evidence
        outranks it (``find_dates``), so where one is present the search cannot change the
        outcome and its cost (dateparser loading every language it knows, seconds of CPU on
        some pages) is not paid."""
        return self.undated and self.listed is None

    @property
    def undated(self) -> bool:
        """True when neither structured data, the title nor the date line dates the page."""
        return (
            not self.stated and self.title_day is None and self.generic is None
            and not self.line_dates_page and not self.line_unreadable
        )

    @property
    def line_dates_page(self) -> bool:
        """True when the date line can stand as the published day (never after the modified one)."""
        return self.line is not None and (self.modified is None or self.line.day <= self.modified.date())


def date_evidence(
    page: PageData, fetched_at: datetime, naive_zone: ZoneInfo, tree: lxml.html.HtmlElement | None = None
) -> DateEvidence:
    """The page's dates short of htmldate's search; read before trafilatura runs, which needs
    to know whether its metadata pass should make that search."""
    titles = _titles(page)
    language, region = _page_locale(page)
    line = None
    if tree is not None:
        # Without a declared language, the titles' script tells a year-first one ("23.11.06").
        line = read_date_line(tree, fetched_at, language or language_of_script(titles), region, titles)
    stated = _all_datetimes(
        [jsonld_text(page.article, "datePublished"),
         *page.all_meta(k for k in META_PUBLISHED if k not in GENERIC_DATE_META)],
        naive_zone,
    )
    evidence = DateEvidence(
        stated=tuple(stated),
        modified=_first_datetime(
            [jsonld_text(page.article, "dateModified"), *page.all_meta(META_MODIFIED)], naive_zone
        ),
        line=line if isinstance(line, ShownDate) else None,
        title_day=_title_date(page, naive_zone),
        generic=_first_datetime(page.all_meta(GENERIC_DATE_META), naive_zone),
        line_unreadable=line is UNREADABLE,
    )
    urls = (page.url, page.canonical_href)
    if tree is None or not evidence.undated or any(_url_day(u, fetched_at, naive_zone) for u in urls if u):
        return evidence  # the URL's own date outranks a listing's
    language = language or language_of_script(titles)
    listed = self_listed_day(
        tree, page.base_url, urls,
        lambda text: _shown_date(text, "", fetched_at, language, region),
    )
    return replace(evidence, listed=listed)


def find_dates(
    page: PageData, document: Any, fetched_at: datetime, naive_zone: ZoneInfo,
    tree: lxml.html.HtmlElement | None = None, evidence: DateEvidence | None = None,
) -> tuple[datetime | None, datetime | None, tuple[str, ...]]:
    """Published and modified times, never after fetch time, with flags saying why not.

    Evidence in order: JSON-LD's datePublished and the meta tags naming a publication,
    a date closing the title, the date line shown beside the headline, a meta tag named
    only "date", then htmldate's search (the URL's date, date elements, the text).
    ``evidence`` is ``date_evidence``'s for this page where the caller already read it.
    """
    if evidence is None:
        evidence = date_evidence(page, fetched_at, naive_zone, tree)
    flags: list[str] = []
    published = evidence.stated[0] if evidence.stated else None
    modified, line = evidence.modified, evidence.line
    if published is not None and line is not None and not _shows_modified(line, published, modified):
        published, day_only = _as_shown(list(evidence.stated), modified, line, naive_zone)
        if day_only:
            flags.append("published_at_day_only")
    if published is None:
        published, day_only = _fallback_published(page, document, tree, fetched_at, naive_zone, evidence)
        if published is not None and day_only:
            timed = _timed_by_element(tree, page, published.date(), fetched_at, naive_zone) or _timed_by_line(
                published, evidence, naive_zone
            )
            if timed is None or timed > fetched_at:
                flags.append("published_at_day_only")
            else:
                published = timed
    if published is not None and published > fetched_at:
        published = None
        flags.append("published_at_in_future")
    if modified is not None and modified > fetched_at:
        modified = None
        flags.append("modified_at_in_future")
    if published is None:
        flags.append("published_at_missing")
    return published, modified, tuple(flags)


def _as_shown(
    stated: list[datetime], modified: datetime | None, line: ShownDate, naive_zone: ZoneInfo
) -> tuple[datetime, bool]:
    """The structured published time, settled by the date line where the page's structured
    values contradict each other, and whether only its day is known.

    - Two published values on different days (JSON-LD and a meta tag): the one whose day
      the page shows.
    - A published value later than the modified one (a stamp from re-saving or migrating
      the page), with the date line showing an earlier day: that day.
    - Otherwise the first value, in the offset the page shows it in (``in_shown_offset``).
    """
    published = stated[0]
    if published.date() != line.day:
        shown = next((moment for moment in stated if moment.date() == line.day), None)
        if shown is not None:
            return shown, False
        if modified is not None and published > modified and line.day < published.date():
            return datetime.combine(line.day, datetime.min.time(), tzinfo=naive_zone), True
    return in_shown_offset(published, line), False


def _fallback_published(
    page: PageData, document: Any, tree: lxml.html.HtmlElement | None, fetched_at: datetime,
    naive_zone: ZoneInfo, evidence: DateEvidence,
) -> tuple[datetime | None, bool]:
    """The published time where no structured value names one, and whether it is a day only.

    An "updated" date alone must not pass as published (FAULTS 16): a day found by search is
    not taken where it is after the structured modified day (a date line, which skips
    update-labelled dates) or on it or after (htmldate, which reads the modified meta where
    nothing else dates the page).
    """
    if evidence.title_day is not None:
        return evidence.title_day, True
    if evidence.line is not None and evidence.line_dates_page:
        return datetime.combine(evidence.line.day, datetime.min.time(), tzinfo=naive_zone), True
    if evidence.generic is not None:
        return evidence.generic, False
    if evidence.line_unreadable:
        return _url_day(page.url, fetched_at, naive_zone), True
    if evidence.listed is not None and (evidence.modified is None or evidence.listed <= evidence.modified.date()):
        return datetime.combine(evidence.listed, datetime.min.time(), tzinfo=naive_zone), True
    searched = getattr(document, "date", None) or (
        _searched_date(tree, page.url, fetched_at) if tree is not None else None
    )
    found = _parse_datetime(searched, naive_zone) if searched else None
    if found is None or (tree is not None and _misread_by_search(tree, page, found, fetched_at, naive_zone)):
        # The URL's date, also where written without separators, which htmldate does not read.
        found = _url_day(page.url, fetched_at, naive_zone)
    modified = evidence.modified
    if found is not None and modified is not None and found.date() >= modified.date():
        return None, False
    return found, found is not None


def _timed_by_line(published: datetime, evidence: DateEvidence, naive_zone: ZoneInfo) -> datetime | None:
    """The day the date line gave, at the time the line shows beside it (the site's local time,
    as a value written without an offset), where it shows one."""
    line = evidence.line
    if line is None or line.time is None or evidence.title_day is not None or published.date() != line.day:
        return None
    return datetime.combine(line.day, line.time.replace(tzinfo=None), tzinfo=line.time.tzinfo or naive_zone)


# A <time> element names the published moment only as the date line's own markup: the few
# nearest the headline whose text shows the day, not a teaser's ("19:32" in a list of stories).
TIME_ELEMENTS_AFTER_HEADLINE = 3
TIME_ELEMENTS_BEFORE_HEADLINE = 2


def _timed_by_element(
    tree: lxml.html.HtmlElement | None, page: PageData, day: date, fetched_at: datetime, naive_zone: ZoneInfo
) -> datetime | None:
    """The moment a ``<time datetime>`` beside the headline gives for ``day``, where the page's
    other evidence dated it to the day only and the element's own text shows that day; the
    earliest where several do (published, then updated the same day). A value at midnight is
    a day, not a moment."""
    headline = _headline(tree, _titles(page)) if tree is not None else None
    if headline is None:
        return None
    language, region = _page_locale(page)
    elements = [
        *headline.xpath(f"following::time[@datetime][position() <= {TIME_ELEMENTS_AFTER_HEADLINE}]"),
        *headline.xpath(f"preceding::time[@datetime][position() <= {TIME_ELEMENTS_BEFORE_HEADLINE}]"),
    ]
    moments = [
        _parse_datetime(element.get("datetime", ""), naive_zone)
        for element in elements
        if _read_day(" ".join(element.text_content().split()), fetched_at, language, region) == day
    ]
    return min(
        (m for m in moments if m is not None and m.date() == day and m.timetz().replace(tzinfo=None) != dt_time()),
        default=None,
    )


# A date closing a title after a separator: "28.04.2023" (day first) or ISO "2023-04-28".
# Slashed dates are left alone: 04/05/2023 is April or May depending on the country.
_TITLE_DATE_RE = re.compile(
    r"(?:\||-|–|—|·)\s*(?:(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2}))\s*$"
)
_TITLE_KEYS = ("og:title", "twitter:title", "title")


def _title_date(page: PageData, naive_zone: ZoneInfo) -> datetime | None:
    """The date a title ends with, at midnight in the site's zone, if any title does."""
    for title in page.all_meta(_TITLE_KEYS):
        match = _TITLE_DATE_RE.search(title)
        if match is None:
            continue
        if match["y"]:
            year, month, day = match["y"], match["m"], match["d"]
        else:
            year, month, day = match["iy"], match["im"], match["id"]
        try:
            moment = datetime(int(year), int(month), int(day), tzinfo=naive_zone)
        except ValueError:
            continue
        if moment.year >= MIN_PLAUSIBLE_YEAR:
            return moment
    return None


@dataclass(frozen=True)
class ShownDate:
    """A date the page shows beside its headline: the day, and the time where one is shown."""

    day: date
    time: dt_time | None = None


# The date line sits right around the headline: a kicker or dateline above it (a few text
# pieces), the byline and date under it (before the body's paragraphs begin).
DATE_LINE_TEXTS_BEFORE = 4
DATE_LINE_TEXTS_AFTER = 15
# A heading shorter than this is matched against the titles only as the first <h1> would be.
MIN_HEADLINE_CHARS = 10
# A date line is short ("Von Anna Berg, 12.03.2024, 10:15 Uhr"); in a longer text only a
# date at its very start counts ("29.11.2022 – Mehrfach ..."), the others belong to sentences.
DATE_LINE_MAX_CHARS = 60
DATE_LINE_HEAD_CHARS = 25
# Text inside these elements is never a date line. The texts around the headline are walked
# outward from it and the walk stops at the last piece read: an XPath over the following:: axis
# with a position() limit reads (and tests the ancestors of) every text node to the page's end.
DATE_LINE_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "nav", "footer", "button", "select"})
# Beyond the date line's reach, only a date the page labels as the publication's: some CMSs print
# it under the body ("Erschienen am: 01.11.2023", "Published 7:07 PM EST Nov 19, 2019").
LABELLED_DATE_TEXTS_AFTER = 80
# What XPath's normalize-space() takes for blank: a text of no-break spaces is not.
_XML_BLANKS = " \t\r\n"


def texts_after(headline: lxml.html.HtmlElement) -> Iterator[str]:
    """The text pieces after ``headline`` (not inside it), in page order, that hold more than
    blanks and lie in no ``DATE_LINE_SKIPPED_TAGS`` element."""
    node = headline
    for parent, skipped in _ancestors_skipped(headline):
        if not skipped:
            if node.tail is not None and node.tail.strip(_XML_BLANKS):
                yield node.tail
            for sibling in node.itersiblings():
                yield from _texts_within(sibling)
                if sibling.tail is not None and sibling.tail.strip(_XML_BLANKS):
                    yield sibling.tail
        node = parent


def texts_before(headline: lxml.html.HtmlElement) -> Iterator[str]:
    """The text pieces before ``headline``, nearest first, that hold more than blanks and lie in
    no ``DATE_LINE_SKIPPED_TAGS`` element."""
    node = headline
    for parent, skipped in _ancestors_skipped(headline):
        if not skipped:
            for sibling in node.itersiblings(preceding=True):
                if sibling.tail is not None and sibling.tail.strip(_XML_BLANKS):
                    yield sibling.tail
                yield from _texts_within_backwards(sibling)
            if parent.text is not None and parent.text.strip(_XML_BLANKS):
                yield parent.text
        node = parent


def _ancestors_skipped(element: lxml.html.HtmlElement) -> list[tuple[lxml.html.HtmlElement, bool]]:
    """``element``'s ancestors, nearest first, each with whether it or one above it is skipped.
    A ``<noscript>`` around the headline is not: it holds the page's whole script-free version."""
    ancestors = list(element.iterancestors())
    skipped = False
    flags = []
    for ancestor in reversed(ancestors):
        skipped = skipped or (ancestor.tag in DATE_LINE_SKIPPED_TAGS and ancestor.tag != "noscript")
        flags.append(skipped)
    return list(zip(ancestors, reversed(flags), strict=True))


def _texts_within(element: lxml.html.HtmlElement) -> Iterator[str]:
    """The non-blank text pieces inside ``element`` (not its tail), in page order."""
    if not isinstance(element.tag, str) or element.tag in DATE_LINE_SKIPPED_TAGS:
        return  # a comment holds no text piece; a skipped element's text is no date line
    if element.text is not None and element.text.strip(_XML_BLANKS):
        yield element.text
    for child in element:
        yield from _texts_within(child)
        if child.tail is not None and child.tail.strip(_XML_BLANKS):
            yield child.tail


def _texts_within_backwards(element: lxml.html.HtmlElement) -> Iterator[str]:
    """``_texts_within(element)``, last first."""
    if not isinstance(element.tag, str) or element.tag in DATE_LINE_SKIPPED_TAGS:
        return
    for child in reversed(element):
        if child.tail is not None and child.tail.strip(_XML_BLANKS):
            yield child.tail
        yield from _texts_within_backwards(child)
    if element.text is not None and element.text.strip(_XML_BLANKS):
        yield element.text


# Publication labels (en, de, fr, es, it, pt, nl).
_PUBLISHED_LABEL_RE = re.compile(
    r"\b(?:published|erschienen|ver[öo]ffentlicht|publi[ée]e?|publicad[oa]|pubblicat[oa]|gepubliceerd)\b",
    re.IGNORECASE,
)
# A date labelled as an update is the modified date, however close to the headline it sits
# (en, de, fr, es, it, pt, nl).
_UPDATE_LABEL_RE = re.compile(
    r"\b(?:updated?|last modified|aktualisiert|stand|letzte [äa]nderung|ge[äa]ndert|mis à jour|modifié"
    r"|actualizad[oa]|actualización|aggiornat[oa]|atualizad[oa]|bijgewerkt|gewijzigd)\b",
    re.IGNORECASE,
)
# A time of day shown with the date: "21:25", "11:30 p.m.", "10:00am".
# Only colon-separated: "02.01" is a day and month in "02.01.2019".
# Seconds and fractions may follow ("17:13:04.031886"), and an offset, which is the zone's, not a
# time ("+02:00"); an offset is never read as a time of its own.
_SHOWN_TIME_RE = re.compile(
    r"(?<![\d:.+\-−])(?P<H>[01]?\d|2[0-3]):(?P<M>[0-5]\d)(?::[0-5]\d(?:[.,]\d+)?)?(?![\d:])"
    r"(?:(?P<offset>[+\-−](?:0\d|1[0-4]):?[0-5]\d)(?!\d)|\s*(?P<ampm>[ap])?\.?m?\b)",
    re.IGNORECASE,
)


def date_line(
    tree: lxml.html.HtmlElement, fetched_at: datetime, language: str | None = None, titles: Iterable[str] = (),
    region: str | None = None,
) -> ShownDate | None:
    """The date shown beside the page's headline (below it first, then above), with the time
    where the same line shows one; update-labelled dates are skipped. ``language`` (ISO 639-1,
    the page's) reads month names htmldate's own patterns do not know, and with ``region``
    (ISO 3166, lower case) the order of all-digit dates; ``titles`` (the page's declared
    titles) tell the headline from other <h1>s ("Navigation", the site's name)."""
    shown = read_date_line(tree, fetched_at, language, region, titles)
    return shown if isinstance(shown, ShownDate) else None


def read_date_line(
    tree: lxml.html.HtmlElement, fetched_at: datetime, language: str | None, region: str | None,
    titles: Iterable[str] = (),
) -> ShownDate | Unreadable | None:
    """``date_line``, or ``UNREADABLE`` where the first date line's digits have no certain reading."""
    headline = _headline(tree, titles)
    if headline is None:
        return None
    following = texts_after(headline)
    after = [t.strip() for t in islice(following, DATE_LINE_TEXTS_AFTER)]
    before = [t.strip() for t in islice(texts_before(headline), DATE_LINE_TEXTS_BEFORE)]
    for texts in (after, before):
        shown = _first_shown(texts, fetched_at, language, region)
        if shown is not None:
            return shown
    far = [t.strip() for t in islice(following, LABELLED_DATE_TEXTS_AFTER - DATE_LINE_TEXTS_AFTER)]
    return _first_shown(far, fetched_at, language, region, labelled=True)


def _first_shown(
    texts: list[str], fetched_at: datetime, language: str | None, region: str | None, *, labelled: bool = False
) -> ShownDate | Unreadable | None:
    """The first date ``texts`` show as a date line (only those labelled as the publication's
    with ``labelled``), with the time shown beside it; ``UNREADABLE`` where that line's
    all-digit date has no certain reading."""
    for index, text in enumerate(texts):
        if labelled and (len(text) > DATE_LINE_MAX_CHARS or _PUBLISHED_LABEL_RE.search(text) is None):
            continue
        shown = _shown_date(text, texts[index - 1] if index else "", fetched_at, language, region)
        if shown is UNREADABLE:
            return UNREADABLE
        if shown is not None:
            following = texts[index + 1] if index + 1 < len(texts) else ""
            return ShownDate(shown, _shown_time(text) or _shown_time(following, alone=True))
    return None


def _headline(tree: lxml.html.HtmlElement, titles: Iterable[str]) -> lxml.html.HtmlElement | None:
    """The first <h1> a declared title holds (or that holds it), else the first <h1>."""
    headings = list(tree.iterfind(".//body//h1"))
    folded = [" ".join(t.split()).casefold() for t in titles if t and t.strip()]
    for heading in headings:
        text = " ".join(heading.text_content().split()).casefold()
        if len(text) >= MIN_HEADLINE_CHARS and any(text in title or title in text for title in folded):
            return heading
    return headings[0] if headings else None


def _titles(page: PageData) -> list[str]:
    return [t for t in (jsonld_text(page.article, "headline"), *page.all_meta(_TITLE_KEYS), page.html_title) if t]


# A day-first dotted date set with spaces ("4. 2. 2022", often thin ones), which htmldate's
# patterns do not read: closed up to "4.2.2022" first.
_SPACED_DOTTED_RE = re.compile(r"(?<![\d.])(\d{1,2})\.\s+(\d{1,2})\.\s*((?:19|20)\d{2})(?!\d)")


# A day, a month word and a two-digit year ("14 Gennaio 20", "04 NOV 25"), which neither
# htmldate's patterns nor dateparser read as a year: the year written out in full first. Not
# before a time or a unit ("12 Jan 20:15", "3 March 20 h") nor inside a longer number.
_SHORT_YEAR_WORDED_RE = re.compile(
    r"(?<![\w.-])(?P<head>\d{1,2}\.?\s*[^\W\d_]{3,10}\.?,?\s+)(?P<yy>\d{2})(?![\w:.,/-]|\s*(?:h|uhr)\b)",
    re.IGNORECASE,
)


def _with_full_year(text: str, latest_year: int) -> str:
    """``text`` with a worded date's two-digit year written as the nearest year not after
    ``latest_year`` ("20" in 2026 is 2020, "98" is 1998)."""

    def full(match: re.Match[str]) -> str:
        year = latest_year - (latest_year - int(match["yy"])) % 100
        return f"{match['head']}{year}"

    return _SHORT_YEAR_WORDED_RE.sub(full, text)


def _shown_date(
    text: str, previous: str, fetched_at: datetime, language: str | None, region: str | None
) -> date | Unreadable | None:
    """The day ``text`` shows as a date line, unless it is labelled as an update;
    ``UNREADABLE`` where its all-digit date has no certain reading."""
    if _labels_update(text, previous):
        return None
    return _read_day(text, fetched_at, language, region)


def _labels_update(text: str, previous: str) -> bool:
    """True when ``text`` or the end of the text before it labels a date as an update."""
    return _UPDATE_LABEL_RE.search(text) is not None or _UPDATE_LABEL_RE.search(previous[-30:]) is not None


def _read_day(text: str, fetched_at: datetime, language: str | None, region: str | None) -> date | Unreadable | None:
    """The day a short ``text`` shows (in a longer one, at its start), whatever its label."""
    if len(text) > DATE_LINE_MAX_CHARS:
        text = text[:DATE_LINE_HEAD_CHARS]
    text = _SPACED_DOTTED_RE.sub(r"\1.\2.\3", text)
    if not any(c.isdigit() for c in text):
        return None
    latest = fetched_at.replace(tzinfo=None)
    text = _with_full_year(text, latest.year)
    numeric = read_numeric_date(text, language, region)
    if numeric is not None:
        # The digits are read here, in the order the page's locale writes them, not by htmldate.
        if numeric is UNREADABLE or MIN_PLAUSIBLE_YEAR <= numeric.year and numeric <= latest.date():
            return numeric
        return None
    found = _parsed_day(text, latest, language)
    if found is None:
        # A label htmldate does not know ("Pubblicato il 12 marzo 2024"): the date after it.
        first_digit = next(i for i, c in enumerate(text) if c.isdigit())
        found = _parsed_day(text[first_digit:], latest, language) if first_digit else None
    if found is None:
        return None
    day = date.fromisoformat(found)
    # htmldate completes a month ("Ausgabe 2/2022") with the 1st: a date line shows its day.
    if re.search(rf"(?<!\d)0?{day.day}(?!\d)", text) is None:
        return None
    return day


# A day, a month word and a four-digit year ("3 de mayo de 2022", "12 marzo 2024"): the shape
# htmldate's own patterns do not read in every language, handed to dateparser in the page's
# language only. (htmldate's own use of dateparser tries every language it knows, which loads
# them all: 1.5-2 s of CPU in each fresh worker for one French "18 juil. 2024".)
_WORDED_DATE_RE = re.compile(
    r"(?<![\w-])\d{1,2}(?!\d)\.?\s*(?:de\s+)?[^\W\d_]{3,10}\.?,?\s*(?:de\s+)?(?:19|20)\d{2}(?!\d)"
)
_DATEPARSER_SETTINGS = {
    "STRICT_PARSING": True,  # a day, a month and a year, or nothing
    "PARSERS": ["absolute-time"],
    "PREFER_DATES_FROM": "past",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "NORMALIZE": True,
}


def _parsed_day(text: str, latest: datetime, language: str | None) -> str | None:
    """The day ``text`` shows, ISO-formatted, between MIN_PLAUSIBLE_YEAR and ``latest``."""
    earliest = datetime(MIN_PLAUSIBLE_YEAR, 1, 1)
    found = try_date_expr(text, "%Y-%m-%d", False, earliest, latest)
    if found is not None or language is None or _WORDED_DATE_RE.search(text) is None:
        return found
    parser = _month_name_parser(language)
    parsed = parser.get_date_data(text).date_obj if parser is not None else None
    if parsed is None or not earliest <= parsed <= latest:
        return None
    return parsed.strftime("%Y-%m-%d")


@functools.lru_cache(maxsize=32)
def _month_name_parser(language: str) -> DateDataParser | None:
    """dateparser for one language (about 20 ms to load), None for one it does not know."""
    try:
        return DateDataParser(languages=[language], settings=_DATEPARSER_SETTINGS)
    except ValueError:
        return None


def _page_locale(page: PageData) -> tuple[str | None, str | None]:
    """The page's declared language as ISO 639-1 and its region as ISO 3166, both lower case
    (("en", "us") for "en-US" or "en_US"), each None where the page does not say."""
    declared = page.html_lang or page.first_meta(META_LANGUAGE)
    parts = re.split(r"[-_]", declared.strip().lower()) if declared else []
    language = parts[0] if parts and re.fullmatch(r"[a-z]{2}", parts[0]) else None
    region = parts[1] if language and len(parts) > 1 and re.fullmatch(r"[a-z]{2}", parts[1]) else None
    return language, region


def _shown_time(text: str, *, alone: bool = False) -> dt_time | None:
    """The time of day ``text`` shows (the whole of it when ``alone``), 12-hour clocks read."""
    match = _SHOWN_TIME_RE.fullmatch(text.strip()) if alone else _SHOWN_TIME_RE.search(text)
    if match is None:
        return None
    hour = int(match["H"])
    if match["ampm"]:
        if hour > 12:
            return None
        hour = hour % 12 + (12 if match["ampm"].lower() == "p" else 0)
    return dt_time(hour, int(match["M"]), tzinfo=_offset_zone(match["offset"]) if match["offset"] else None)


def _offset_zone(text: str) -> timezone:
    """The fixed zone an offset such as "+02:00", "-0500" or "−03:30" names."""
    digits = text[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(-offset if text[0] in "-−" else offset)


# The offsets zones use (UTC-12 to UTC+14), in the quarter hours they come in.
_MIN_OFFSET, _MAX_OFFSET = timedelta(hours=-12), timedelta(hours=14)
_OFFSET_STEP = timedelta(minutes=15)


def _shows_modified(shown: ShownDate, published: datetime, modified: datetime | None) -> bool:
    """True when the date line is the modified day (a page showing when it was updated)."""
    return modified is not None and modified.date() != published.date() and shown.day == modified.date()


def in_shown_offset(published: datetime, shown: ShownDate) -> datetime:
    """``published`` in the offset the page shows it in, where it was given in UTC.

    Many CMSs write structured times in UTC while the page shows the local time: the
    instant is right, the day is not the page's ("23:30 on 8 November" shown, 05:30 UTC on
    the 9th written). Where the date line shows a different day with a time, the difference
    is the page's offset when it is a real one (quarter hours, UTC-12 to UTC+14). Where it
    shows the day alone, the nearest whole-hour offset giving that day (``_nearest_offset_to``).
    """
    if published.utcoffset() != timedelta(0) or shown.day == published.date():
        return published
    if shown.time is None:
        offset = _nearest_offset_to(published, shown.day)
    else:
        local = datetime.combine(shown.day, shown.time.replace(tzinfo=None))
        offset = local - published.replace(tzinfo=None, second=0, microsecond=0)
        offset = _OFFSET_STEP * round(offset / _OFFSET_STEP)
    if offset is None or not _MIN_OFFSET <= offset <= _MAX_OFFSET:
        return published
    return published.astimezone(timezone(offset))


def _nearest_offset_to(published: datetime, day: date) -> timedelta | None:
    """The whole-hour offset nearest UTC at which ``published`` (in UTC) falls on ``day``, the
    day before or after its own: where the page shows its day without a time, the instant
    stays and the day becomes the page's (23:11 UTC shown as the next day is 00:11+01:00)."""
    naive = published.replace(tzinfo=None)
    midnight = datetime.combine(published.date(), datetime.min.time())
    hour = timedelta(hours=1)
    if day == published.date() + timedelta(days=1):
        return -((midnight + timedelta(days=1) - naive) // -hour) * hour  # rounded up to the hour
    if day == published.date() - timedelta(days=1):
        return -((naive - midnight) // hour + 1) * hour
    return None


# Digits and a word no language has: dateparser finds no locale it fits, so it has tried them all.
_NO_LANGUAGE_DATE = "13 Xqzvw 2022"


def warm_date_search() -> None:
    """Compile now what htmldate's text search compiles on its first month name: its dateparser
    tries every language it knows (about 200 locales, each compiled on first use), 1.4-2 s of
    CPU that fell on whichever page of a fresh worker first needed it and on a loaded machine
    pushed that page past the pool's time limit. The extraction pool's fork server calls this
    once, and its workers inherit the compiled patterns."""
    from htmldate.extractors import get_external_parser  # the parser find_date's search uses

    get_external_parser().get_date_data(_NO_LANGUAGE_DATE)


def _guessed_from_digits(tree: lxml.html.HtmlElement, page: PageData, day: date) -> bool:
    """True when the page's text shows ``day`` only as all-digit dates of no certain reading
    (04/05/2023 on an English page, "5/6/07", "12.13.2022"), which htmldate's search reads
    one fixed way."""
    language, region = _page_locale(page)
    body = next(tree.iter("body"), tree)
    text = " ".join(str(t) for t in _VISIBLE_TEXTS(body))
    return shown_only_unreadably(text, day, language or language_of_script(_titles(page)), region)


def _misread_by_search(
    tree: lxml.html.HtmlElement, page: PageData, found: datetime, fetched_at: datetime, naive_zone: ZoneInfo
) -> bool:
    """True when htmldate's search took ``found`` from text that does not make it the
    publication day: all-digit forms of no certain reading, or a date labelled as an update
    or a 1st of a month the page shows nowhere (a year or a month completed); a day the
    URL spells out is the URL's, whatever the text says of it."""
    if _guessed_from_digits(tree, page, found.date()):
        return True
    url_day = _url_day(page.url, fetched_at, naive_zone)
    if url_day is not None and url_day.date() == found.date():
        return False
    return _shown_as_update(tree, page, found, fetched_at) or _completed_by_search(tree, page, found.date(), fetched_at)


def _shown_as_update(tree: lxml.html.HtmlElement, page: PageData, found: datetime, fetched_at: datetime) -> bool:
    """True when the page shows ``found``'s day, in its own short texts, only labelled as an
    update ("This page was last modified on 4 November 2020", "Aktualisiert: 12.03.2024"):
    htmldate's search returns such a day where nothing else dates the page, and an update is
    no publication (FAULTS 16)."""
    language, region = _page_locale(page)
    language = language or language_of_script(_titles(page))
    day = found.date()
    # Cheap filter first: a text that can show the day holds its number and its year.
    day_re = re.compile(rf"(?<!\d)0?{day.day}(?!\d)")
    years = (str(day.year), f"{day.year % 100:02d}")
    body = next(tree.iter("body"), tree)
    texts = [" ".join(str(t).split()) for t in _VISIBLE_TEXTS(body)]
    labelled = False
    for index, text in enumerate(texts):
        if not any(y in text for y in years) or day_re.search(text) is None:
            continue
        if _read_day(text, fetched_at, language, region) != day:
            continue
        if not _labels_update(text, texts[index - 1] if index else ""):
            return False
        labelled = True
    return labelled


_VISIBLE_TEXTS = lxml.etree.XPath(".//text()[normalize-space()][not(ancestor::script or ancestor::style)]")
_ATTRIBUTES_WITH = lxml.etree.XPath("//@*[contains(., $iso)]")


def _completed_by_search(tree: lxml.html.HtmlElement, page: PageData, day: date, fetched_at: datetime) -> bool:
    """True when ``day`` is the 1st that htmldate's search put to a year or a month alone
    ("2020" -> 2020-01-01, a "Mitteilung 2022-29-11" of no real month): neither a text of the
    page nor an attribute (a ``datetime``, a meta tag) shows that day."""
    if day.day != 1 or _ATTRIBUTES_WITH(tree, iso=day.isoformat()):
        return False
    language, region = _page_locale(page)
    language = language or language_of_script(_titles(page))
    body = next(tree.iter("body"), tree)
    texts = (" ".join(str(t).split()) for t in _VISIBLE_TEXTS(body))
    return not any(
        str(day.year) in text and _read_day(text, fetched_at, language, region) == day for text in texts
    )


def _url_day(url: str, fetched_at: datetime, naive_zone: ZoneInfo) -> datetime | None:
    """The date a URL's path spells out ("/2024/03/12/", "/20240312-harbour"), at midnight in
    the site's zone; None where it spells none, or one after the fetch."""
    options = Extractor(True, fetched_at.replace(tzinfo=None), datetime(MIN_PLAUSIBLE_YEAR, 1, 1), True, "%Y-%m-%d")
    found = extract_url_date(url, options)
    if found is not None:
        return datetime.combine(date.fromisoformat(found), datetime.min.time(), tzinfo=naive_zone)
    try:
        path = urlsplit(url).path
    except ValueError:  # "http://[broken": no path to read a date from
        return None
    match = _COMPACT_URL_DATE_RE.search(path)
    if match is None:
        return None
    day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    if not MIN_PLAUSIBLE_YEAR <= day.year or day > fetched_at.date():
        return None
    return datetime.combine(day, datetime.min.time(), tzinfo=naive_zone)


# A date written without separators as a piece of a path ("/texte/22/20220127-gedenkstunde.html"),
# which htmldate's URL pattern (separators only) does not read.
_COMPACT_URL_DATE_RE = re.compile(
    r"(?<=[/_-])(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
)


def _searched_date(tree: lxml.html.HtmlElement, url: str, fetched_at: datetime) -> str | None:
    """htmldate's extensive search (the URL, date lines, then the whole text) for the original
    date, where trafilatura's run (in its fast mode, which skips that search) found none. Where
    the metadata pass searched this very tree with this URL (a page with nothing to prune),
    its answer is given again (``searched_date``)."""
    return searched_date(
        tree, url=url, original_date=True, extensive_search=True, max_date=fetched_at.strftime("%Y-%m-%d")
    )


def _first_datetime(raws: Iterable[str | None], naive_zone: ZoneInfo) -> datetime | None:
    """The first value that parses as a plausible date-time."""
    return next(iter(_all_datetimes(raws, naive_zone)), None)


def _all_datetimes(raws: Iterable[str | None], naive_zone: ZoneInfo) -> list[datetime]:
    """Every value that parses as a plausible date-time, in order."""
    parsed = (_parse_datetime(raw, naive_zone) if raw else None for raw in raws)
    return [moment for moment in parsed if moment is not None]


# Zone abbreviations with one meaning and a fixed offset, as CMSs print them after a time
# ("Fri Apr 28 19:20:36 CEST 2023"). RFC 822 knows only the North American ones and reads
# any other as "no zone"; ambiguous ones (IST, CST, BST in some feeds) are left out on purpose
# except BST, which news sites use only for British Summer Time.
ZONE_ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "MEZ": 1,
    "MESZ": 2, "EET": 2, "EEST": 3, "MSK": 3, "TRT": 3, "GST": 4, "PKT": 5, "HKT": 8, "SGT": 8,
    "AWST": 8, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
    "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}
_ZONE_RE = re.compile(r"(?<=[\d\s])(" + "|".join(sorted(ZONE_ABBREVIATIONS, key=len, reverse=True)) + r")\b")
# Day first with dots ("28.04.2023 19:20"): every locale that writes dates with dots puts the day first.
_DOTTED_RE = re.compile(
    r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?:,?\s+(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::(?P<S>\d{2}))?)?(?:\s*Uhr)?$"
)
# Unix time in seconds or milliseconds, as some CMSs put it in meta tags.
_EPOCH_RE = re.compile(r"^\d{10}(?:\d{3})?$")


def _parse_datetime(raw: str, naive_zone: ZoneInfo) -> datetime | None:
    """An aware datetime, in the offset it was written with, from ISO 8601, RFC 822,
    day-first dotted or Unix-time text.

    Values without an offset are in the zone abbreviation they carry, else in naive_zone.
    """
    text, offset = _without_zone_name(raw.strip())
    parsed = _parse_naive_or_aware(text)
    if parsed is None or parsed.year < MIN_PLAUSIBLE_YEAR:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone(timedelta(hours=offset)) if offset is not None else naive_zone)
    return parsed


def _without_zone_name(text: str) -> tuple[str, int | None]:
    """``text`` without a zone abbreviation, and that zone's offset in hours."""
    match = _ZONE_RE.search(text)
    if match is None:
        return text, None
    return (text[: match.start()] + text[match.end() :]).strip(), ZONE_ABBREVIATIONS[match.group(1)]


def _parse_naive_or_aware(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    if _EPOCH_RE.match(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, UTC)
    dotted = _DOTTED_RE.match(text)
    if dotted:
        try:
            return datetime(
                int(dotted["y"]), int(dotted["m"]), int(dotted["d"]),
                int(dotted["H"] or 0), int(dotted["M"] or 0), int(dotted["S"] or 0),
            )
        except ValueError:
            return None
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def as_utc(moment: datetime) -> datetime:
    """``moment`` as aware UTC; a naive fetch time is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
