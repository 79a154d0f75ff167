"""The invented harbour story the extraction rule tests are written around, and how they extract it.

Hand-written in the shape of a news article; no text is copied from a real site.
"""

from __future__ import annotations

from datetime import UTC, datetime

from transforms.article import Article
from transforms.extract import ExtractionHints, extract_article

FETCHED_AT = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
SENTENCES = [
    "The harbour authority said on Monday that the old breakwater would be rebuilt before the winter storms arrive.",
    "Engineers found that the foundations had shifted by almost a metre since the last survey was carried out.",
    "Fishing crews have been asked to moor their boats in the northern basin while the work goes on.",
    "The council expects the repairs to cost more than four million euros, most of it from a regional fund.",
    "Residents who live along the seafront will be able to follow the progress at a public meeting every month.",
    "Local shops said they feared a quiet summer, but the mayor promised that the promenade would stay open.",
]
# The story's first four paragraphs: enough text to be an article.
BODY = "".join(f"<p>{sentence}</p>" for sentence in SENTENCES[:4])


def extracted(html: str, url: str, hints: ExtractionHints = ExtractionHints()) -> Article:
    """The page extracted as the pipeline does; fails the test when it is not an article."""
    result = extract_article(html, url, source="test", fetched_at=FETCHED_AT, hints=hints)
    assert isinstance(result, Article), result
    return result
