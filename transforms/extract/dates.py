"""Published and modified times: structured data first, never after the fetch.

Times keep the offset the page gave them (the same instant as in UTC, and the page's own
calendar day, which is what a reader of the page sees); values without one are in the
source's zone.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html
from htmldate import find_date

from transforms.extract.page import META_MODIFIED, META_PUBLISHED, PageData, jsonld_text

# Dates before the web news era are parse errors (0001-01-01, epoch zero), not facts.
MIN_PLAUSIBLE_YEAR = 1990

def find_dates(
    page: PageData, document: Any, fetched_at: datetime, naive_zone: ZoneInfo,
    tree: lxml.html.HtmlElement | None = None,
) -> tuple[datetime | None, datetime | None, tuple[str, ...]]:
    """Published and modified times, never after fetch time, with flags saying why not."""
    flags: list[str] = []
    published = _first_datetime(
        [jsonld_text(page.article, "datePublished"), *page.all_meta(META_PUBLISHED)], naive_zone
    )
    modified = _first_datetime(
        [jsonld_text(page.article, "dateModified"), *page.all_meta(META_MODIFIED)], naive_zone
    )
    if published is None:
        # A dateline in the title ("... | DW | 28.04.2023"), else htmldate's search for the
        # original date (the URL's date, a visible date line, then the whole text): day
        # precision only. An "updated" date alone must not pass as published (FAULTS 16):
        # htmldate's day is not taken where it is the structured modified day or later
        # (htmldate reads the modified meta where nothing else dates the page).
        published = _title_date(page, naive_zone)
        searched = getattr(document, "date", None) or (
            _searched_date(tree, page.url, fetched_at) if published is None and tree is not None else None
        )
        if published is None and searched:
            published = _parse_datetime(searched, naive_zone)
            if published is not None and modified is not None and published.date() >= modified.date():
                published = None
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


def _searched_date(tree: lxml.html.HtmlElement, url: str, fetched_at: datetime) -> str | None:
    """htmldate's extensive search (the URL, date lines, then the whole text) for the original
    date, where trafilatura's run (in its fast mode, which skips that search) found none."""
    return find_date(
        tree, url=url, original_date=True, extensive_search=True, max_date=fetched_at.strftime("%Y-%m-%d")
    )


def _first_datetime(raws: Iterable[str | None], naive_zone: ZoneInfo) -> datetime | None:
    """The first value that parses as a plausible date-time."""
    for raw in raws:
        parsed = _parse_datetime(raw, naive_zone) if raw else None
        if parsed is not None:
            return parsed
    return None


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
