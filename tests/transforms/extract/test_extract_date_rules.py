"""Date rules on hand-written pages: zone abbreviations, day-first dotted dates, Unix time.

Pages are written here in the shapes news sites use; none is copied from a real site.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.fixtures.harbour_story import BODY, extracted
from transforms.article import Article
from transforms.extract.extractor import ExtractionHints

URL = "https://news.example/2026/03/04/harbour-story"


def published(value: str, zone: str = "UTC") -> datetime | None:
    return article_dated(value, zone).published_at


def article_dated(value: str, zone: str = "UTC") -> Article:
    head = f'<meta property="og:type" content="article"><meta property="article:published_time" content="{value}">'
    html = (
        f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">{head}</head>'
        f"<body><article><h1>Breakwater to be rebuilt</h1>{BODY}</article></body></html>"
    )
    return extracted(html, URL, ExtractionHints(naive_timezone=zone))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # One hour after midnight in Central European Summer Time is still the day before in UTC.
        ("Sat Apr 29 01:20:36 CEST 2023", datetime(2023, 4, 28, 23, 20, 36, tzinfo=UTC)),
        ("Sat, 29 Apr 2023 01:20:36 CEST", datetime(2023, 4, 28, 23, 20, 36, tzinfo=UTC)),
        ("2023-04-29T01:20:36 CEST", datetime(2023, 4, 28, 23, 20, 36, tzinfo=UTC)),
        ("Fri, 28 Apr 2023 21:20:36 EST", datetime(2023, 4, 29, 2, 20, 36, tzinfo=UTC)),
        ("Fri, 28 Apr 2023 21:20:36 GMT", datetime(2023, 4, 28, 21, 20, 36, tzinfo=UTC)),
    ],
)
def test_zone_abbreviation_gives_the_offset(value: str, expected: datetime) -> None:
    # The site's naive zone (Tokyo here) must not apply where the value names its own zone.
    assert published(value, zone="Asia/Tokyo") == expected


def test_day_first_dotted_date_with_time_is_in_the_site_zone() -> None:
    assert published("29.04.2023 01:20", zone="Europe/Berlin") == datetime(2023, 4, 28, 23, 20, tzinfo=UTC)
    assert published("28.04.2023, 19:20 Uhr", zone="Europe/Berlin") == datetime(2023, 4, 28, 17, 20, tzinfo=UTC)


def test_impossible_dotted_date_is_no_date() -> None:
    # Unusable as a structured date: only the day in the URL is left.
    result = article_dated("31.02.2023 10:00")
    assert result.published_at == datetime(2026, 3, 4, tzinfo=UTC)
    assert "published_at_day_only" in result.flags


@pytest.mark.parametrize("value", ["1682709636", "1682709636000"])
def test_unix_time_in_seconds_or_milliseconds(value: str) -> None:
    assert published(value, zone="Europe/Berlin") == datetime(2023, 4, 28, 19, 20, 36, tzinfo=UTC)
