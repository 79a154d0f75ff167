"""Names with digits ("FRANCE 24", "Channel 4 News") keep them; dates and commenters are no authors.

Hand-written fixtures in the shape of news pages; no text is copied from a real site.
"""

from __future__ import annotations

import pytest

from tests.fixtures.harbour_story import BODY, extracted


def authors(byline: str, lang: str = "en", after_body: str = "") -> tuple[str, ...]:
    html = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><meta property="og:type" content="article">'
        f"</head><body><article><h1>Breakwater to be rebuilt</h1>{byline}{BODY}{after_body}</article></body></html>"
    )
    return extracted(html, "https://news.example/harbour-story").authors


@pytest.mark.parametrize(
    ("lang", "byline", "expected"),
    [
        # trafilatura guesses these from an element no byline class marks, and drops the digits.
        ("fr", '<div class="writer">FRANCE 24</div>', "FRANCE 24"),
        ("en", '<div class="writer">Channel 4 News</div>', "Channel 4 News"),
        ("de", '<div class="writer">Radio 1 Nachrichten</div>', "Radio 1 Nachrichten"),
        ("es", '<div class="writer">Canal 13</div>', "Canal 13"),
    ],
)
def test_digits_in_a_guessed_name_are_kept_as_the_page_shows_them(lang: str, byline: str, expected: str) -> None:
    assert authors(byline, lang) == (expected,)


@pytest.mark.parametrize(
    "byline",
    [
        '<div class="writer">Jane Doe</div><p class="stamp">Jane Doe 12.03.2024</p>',
        '<div class="writer">Jane Doe 2024</div>',
    ],
)
def test_a_date_beside_a_name_is_not_part_of_it(byline: str) -> None:
    assert authors(byline) == ("Jane Doe",)


def test_commenters_are_no_authors() -> None:
    comments = (
        '<ol class="commentlist"><li class="comment" id="comment-118">'
        '<span class="author">harbourfan</span><p>Great to see the work begin at last.</p></li></ol>'
    )
    assert authors("", after_body=comments) == ()
    assert authors('<p class="byline">By Ann Burke</p>', after_body=comments) == ("Ann Burke",)
