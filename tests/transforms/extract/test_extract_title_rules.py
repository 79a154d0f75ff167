"""Title rules on hand-written pages: kickers (topic labels glued before a headline).

Pages are written here in the shapes news sites use; none is copied from a real site.
"""

from __future__ import annotations

import json

from tests.fixtures.harbour_story import BODY, extracted

URL = "https://news.example/2026/03/04/harbour-story"


def title_of(*, headline: str | None, og: str | None, h1: str, twitter: str | None = None) -> str:
    head = '<meta property="og:type" content="article">'
    if headline:
        head += '<script type="application/ld+json">' + json.dumps(
            {"@context": "https://schema.org", "@type": "NewsArticle", "headline": headline}
        ) + "</script>"
    if og:
        head += f'<meta property="og:title" content="{og}">'
    if twitter:
        head += f'<meta name="twitter:title" content="{twitter}">'
    html = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{head}</head>'
        f"<body><article><h1>{h1}</h1>{BODY}</article></body></html>"
    )
    result = extracted(html, URL)
    return result.title


def test_kicker_dropped_where_the_shared_title_lacks_it() -> None:
    assert title_of(
        headline="Harbour works: Breakwater to be rebuilt before winter",
        og="Breakwater to be rebuilt before winter",
        h1="Harbour works: Breakwater to be rebuilt before winter",
    ) == "Breakwater to be rebuilt before winter"


def test_kicker_kept_where_only_the_h1_lacks_it() -> None:
    # Layouts set the kicker in its own element above the <h1>; that is no evidence.
    assert title_of(
        headline="Harbour works: Breakwater to be rebuilt before winter",
        og="Harbour works: Breakwater to be rebuilt before winter",
        h1="Breakwater to be rebuilt before winter",
    ) == "Harbour works: Breakwater to be rebuilt before winter"


def test_two_kickers_on_the_same_headline_leave_the_headline() -> None:
    assert title_of(
        headline=None,
        og="Storm in the north: «We will rebuild the whole breakwater»",
        h1="Harbour works - «We will rebuild the whole breakwater»",
    ) == "«We will rebuild the whole breakwater»"


def test_an_h1_that_sets_a_label_before_the_same_kicker_keeps_the_kicker() -> None:
    # The <h1> holds a dachzeile of its own in a span, then the kicker and headline every other
    # field gives: it shows the kicker, it does not replace it.
    headline = "Breakwater: What the harbour towns should know"
    assert title_of(
        headline=headline, og=headline,
        h1='<span class="entry-title__toptitle">Avoiding storm damage</span> ' + headline,
    ) == headline
    assert title_of(  # the same label after the kicker in the <h1> proves nothing either
        headline=headline, og=None, h1="Breakwater works: What the harbour towns should know",
    ) == headline


def test_a_long_opening_clause_is_not_a_kicker() -> None:
    title = "The harbour town has failed its fishing crews: there is a way out, here is what it needs"
    assert title_of(
        headline=title,
        og=title,
        h1="The harbour village has failed its fishing crews: there is a way out, here is what it needs",
    ) == title


def test_an_affix_the_displayed_headline_lacks_is_dropped() -> None:
    # The <title>/og:title carries a slogan, a date or a section in brackets; the page shows the headline alone.
    for og in (
        "Breakwater to be rebuilt » Everything about the coast",
        "Breakwater to be rebuilt (Harbour Gazette)",
        "04.03.2026 | Breakwater to be rebuilt",
        "Breakwater to be rebuilt › coast.example",
    ):
        assert title_of(headline=None, og=og, h1="Breakwater to be rebuilt") == "Breakwater to be rebuilt", og


def test_an_affix_kept_where_the_structured_headline_carries_it_or_it_is_a_colon_kicker() -> None:
    declared = "Breakwater to be rebuilt - Today's news"
    assert title_of(headline=declared, og=declared, h1="Breakwater to be rebuilt") == declared
    # "Kicker: headline" is left to the kicker rules (the og:title here shows the kicker).
    assert title_of(headline=None, og="Harbour works: Breakwater to be rebuilt",
                    h1="Breakwater to be rebuilt") == "Harbour works: Breakwater to be rebuilt"


def test_soft_hyphens_leave_the_title_body_and_standfirst() -> None:
    # German sites set &shy; in long words for line breaking; stored, they hide the word from
    # ILIKE and full-text search ("Deutsch&shy;land" is no match for "Deutschland").
    shy = "Harbour&shy;master: Break&shy;water to be rebuilt before winter"
    head = (f'<meta property="og:type" content="article"><meta property="og:title" content="{shy}">'
            '<meta name="description" content="The sea&shy;front will stay open.">')
    body = BODY.replace("breakwater", "break&shy;water")
    html = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{head}</head>'
            f"<body><article><h1>{shy}</h1>{body}</article></body></html>")
    result = extracted(html, URL)
    assert result.title == "Harbourmaster: Breakwater to be rebuilt before winter"
    assert "\u00ad" not in result.body and "old breakwater would be rebuilt" in result.body
    assert result.description == "The seafront will stay open."
