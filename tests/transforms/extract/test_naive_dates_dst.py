"""Pages that print their dates as local times without an offset, at the daylight-saving changes of
2026 (Europe/London 03-29 and 10-25, America/New_York 03-08 and 11-01): each date is read in the
source's time zone with the offset in force at that moment, not the zone's standard offset nor
UTC; the hour that happens twice is its first occurrence and the hour that never happens takes
the offset before the change (Python's fold 0), so neither is more than an hour off."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from transforms.article import Article
from transforms.extract.extractor import ExtractionHints, extract_article

FETCHED_AT = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
PARAGRAPH = ("The harbour authority said on Monday that the old breakwater would be rebuilt before the "
             "winter storms arrive, after engineers found cracks along its seaward side.")


def page(published: str) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Breakwater to be rebuilt",
            "datePublished": published}
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Breakwater to be rebuilt</title>'
            f'<script type="application/ld+json">{json.dumps(data)}</script></head><body><article>'
            "<h1>Breakwater to be rebuilt</h1>" + f"<p>{PARAGRAPH}</p>" * 6 + "</article></body></html>")


@pytest.mark.parametrize(("zone", "local", "utc"), [
    ("Europe/London", "2026-03-29T00:30:00", datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),  # GMT
    ("Europe/London", "2026-03-29T01:30:00", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # never happens
    ("Europe/London", "2026-03-29T02:30:00", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # BST
    ("Europe/London", "2026-10-25T01:30:00", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # twice: the first
    ("Europe/London", "2026-10-25T02:30:00", datetime(2026, 10, 25, 2, 30, tzinfo=UTC)),  # GMT
    ("America/New_York", "2026-03-08T02:30:00", datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),  # never happens
    ("America/New_York", "2026-03-08T03:30:00", datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),  # EDT
    ("America/New_York", "2026-11-01T01:30:00", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),  # twice: the first
    ("America/New_York", "2026-11-01T23:30:00", datetime(2026, 11, 2, 4, 30, tzinfo=UTC)),  # EST
])
def test_a_naive_local_date_takes_the_offset_in_force_then(zone: str, local: str, utc: datetime) -> None:
    result = extract_article(page(local), "https://news.example/2026/11/1/breakwater", source="test",
                             fetched_at=FETCHED_AT, hints=ExtractionHints(naive_timezone=zone))
    assert isinstance(result, Article), result
    assert result.published_at is not None
    # As UTC: == between zones is False for an hour that is missing or doubled (PEP 495), whatever the instant.
    assert result.published_at.astimezone(UTC) == utc
    assert result.published_at.isoformat()[:19] == local  # the page's own wall time and day kept
