"""All-digit dates ("04/05/2023", "6.11.22", "2023-05-04") read only where their reading is certain.

htmldate reads every such date one way (slashes day first, any two-digit year as 20xx), so
"04/05/2023" on an American page became 4 May and "5/6/07" became 5 June 2007. A date read
wrongly is worse than none (the warehouse cannot tell it from a right one), so here:

- year first with four digits (ISO "2023-05-04", "2023/05/04", "2023.05.04"): read as written;
- dots with the year last: day first, as everywhere dots are written that way; a month above
  12 ("12.13.2022") is a typing error, not a date;
- slashes or dashes with the year last: where only one order gives a real date, that one;
  where both do (04/05/2023), day first in a declared language other than English or an
  English of a region that writes the day first (en-GB, en-AU, ...); English as such, or
  American English, is left undecided: it is also what CMSs declare until someone changes it
  (WordPress's lang="en-US" on French or Spanish sites), so it cannot settle the order;
- a two-digit year: only dotted and day first ("6.11.22"), in a language that never writes the
  year first (Japanese, Chinese, Korean, Hungarian and Lithuanian do: "23.11.06" is 2023 there);
  with slashes or dashes ("5/6/07") the fields could be in any order.

``language`` None means the page declares none and its text is in a script of day-first
languages (``language_of_script`` tells the year-first scripts).

Undecided and mistyped dates give ``UNREADABLE``: the caller takes no date from that text.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import Enum
from typing import Final


class Unreadable(Enum):
    UNREADABLE = "unreadable"


UNREADABLE: Final = Unreadable.UNREADABLE
NumericReading = date | Unreadable | None

# Languages that write a short year first ("23.11.06", "23/11/06").
YEAR_FIRST_LANGUAGES = frozenset({"ja", "zh", "ko", "hu", "lt"})
# Regions whose English writes the month first (04/05/2023 is 5 April there).
MONTH_FIRST_REGIONS = frozenset({"us", "ph", "fm", "mh", "pw"})
# Scripts of languages that write the year first, by a letter's Unicode name.
_YEAR_FIRST_SCRIPTS = (("HANGUL", "ko"), ("HIRAGANA", "ja"), ("KATAKANA", "ja"), ("CJK", "zh"))
# Two-digit years stand for the news era: 00-69 as 20xx, 70-99 as 19xx (never before 1990).
_CENTURY_PIVOT = 70

_YEAR_FIRST_RE = re.compile(
    r"(?<![\w.,/-])(?P<y>(?:19|20)\d{2})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?![\d/-]|\.\d)"
)
_YEAR_LAST_RE = re.compile(
    r"(?<![\w.,/-])(?P<a>\d{1,2})(?P<s>[-/.])\s?(?P<b>\d{1,2})(?P=s)\s?(?P<y>\d{4}|\d{2})(?![\d/-]|\.\d|:\d)"
)


def read_numeric_date(text: str, language: str | None, region: str | None) -> NumericReading:
    """The day the first all-digit date in ``text`` stands for, ``UNREADABLE`` where its
    reading is uncertain or it is no real date, None where ``text`` holds none."""
    year_first = _YEAR_FIRST_RE.search(text)
    year_last = _YEAR_LAST_RE.search(text)
    if year_first is not None and (year_last is None or year_first.start() <= year_last.start()):
        return _valid(int(year_first["y"]), int(year_first["m"]), int(year_first["d"]))
    if year_last is None:
        return None
    first, second, separator = int(year_last["a"]), int(year_last["b"]), year_last["s"]
    short_year = len(year_last["y"]) == 2
    if short_year and (separator != "." or language in YEAR_FIRST_LANGUAGES):
        return UNREADABLE
    year = _full_year(year_last["y"])
    if separator == ".":
        return _valid(year, second, first)
    return _slashed(year, first, second, language, region)


def _slashed(year: int, first: int, second: int, language: str | None, region: str | None) -> NumericReading:
    """A date written with slashes or dashes and the year last, in the order that is certain."""
    day_first = _valid(year, second, first)
    month_first = _valid(year, first, second)
    if day_first is UNREADABLE or month_first is UNREADABLE or day_first == month_first:
        return month_first if day_first is UNREADABLE else day_first
    if language is None or language in YEAR_FIRST_LANGUAGES:
        return UNREADABLE
    if language == "en" and (region is None or region in MONTH_FIRST_REGIONS):
        return UNREADABLE
    return day_first


def language_of_script(texts: list[str]) -> str | None:
    """A year-first language that ``texts`` are written in by their script (Hangul, kana,
    Han), for a page that declares no language; None for every other script."""
    for text in texts:
        for char in text:
            if ord(char) < 0x1100:
                continue
            name = unicodedata.name(char, "")
            found = next((code for prefix, code in _YEAR_FIRST_SCRIPTS if name.startswith(prefix)), None)
            if found is not None:
                return found
    return None


def _full_year(digits: str) -> int:
    if len(digits) == 4:
        return int(digits)
    short = int(digits)
    return (2000 if short < _CENTURY_PIVOT else 1900) + short


def _valid(year: int, month: int, day: int) -> date | Unreadable:
    try:
        return date(year, month, day)
    except ValueError:
        return UNREADABLE


def shown_only_unreadably(text: str, day: date, language: str | None, region: str | None) -> bool:
    """True when ``text`` writes ``day`` in all-digit forms only, none of which has a certain
    reading: a reader such as htmldate's search, which reads each such form one fixed way,
    found ``day`` by guessing."""
    forms = 0
    for match in _YEAR_LAST_RE.finditer(text):
        first, second = int(match["a"]), int(match["b"])
        if _full_year(match["y"]) != day.year or {first, second} != {day.day, day.month}:
            continue
        forms += 1
        reading = read_numeric_date(match.group(0), language, region)
        if reading == day:
            return False
    return forms > 0
