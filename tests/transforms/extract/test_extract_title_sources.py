"""Title rules on hand-written pages: which of og:title and the JSON-LD headline is the title.

Each page is written here in a shape news sites use (an SEO headline in one field, the printed
one in another, a section after the <title>, a breadcrumb naming the page); none is copied
from a real site.
"""

from __future__ import annotations

import json
from html import escape

from tests.fixtures.harbour_story import BODY, extracted

URL = "https://tidings.example/2026/03/04/harbour-story"
PRINTED = "Breakwater to be rebuilt before the winter storms"
SEO = "Harbour repairs will cost four million euros"


def title_of(
    *,
    headline: str | None = None,
    og: str | None = None,
    h1: str | None = None,
    html_title: str | None = None,
    name: str | None = None,
    crumb: str | None = None,
) -> str:
    """The extracted title of a page with exactly the given title fields."""
    article: dict[str, object] = {"@context": "https://schema.org", "@type": "NewsArticle"}
    if headline:
        article["headline"] = headline
    if name:
        article["name"] = name
    head = '<meta property="og:type" content="article"><meta property="og:site_name" content="Tidings">'
    head += f'<script type="application/ld+json">{json.dumps(article)}</script>'
    if crumb:
        trail = {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "Home", "item": "https://tidings.example/"},
                {"@type": "ListItem", "position": 2, "name": "Region", "item": "https://tidings.example/region/"},
                {"@type": "ListItem", "position": 3, "name": crumb, "item": URL},
            ],
        }
        head += f'<script type="application/ld+json">{json.dumps(trail)}</script>'
    if og:
        head += f'<meta property="og:title" content="{escape(og)}">'
    if html_title:
        head += f"<title>{escape(html_title)}</title>"
    heading = f"<h1>{h1}</h1>" if h1 else ""
    html = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{head}</head>'
        f"<body><article>{heading}{BODY}</article></body></html>"
    )
    result = extracted(html, URL)
    return result.title


def test_headline_that_nothing_visible_repeats_gives_way_to_og_title() -> None:
    # The JSON-LD holds an SEO headline; the <title>, the <h1> and og:title agree on another.
    assert title_of(headline=SEO, og=PRINTED, h1=PRINTED, html_title=f"{PRINTED} | Tidings") == PRINTED


def test_headline_repeated_by_the_breadcrumb_stays() -> None:
    # Everything else agrees with og:title, but the site's breadcrumb names the page by its headline.
    assert title_of(headline=SEO, og=PRINTED, h1=PRINTED, html_title=PRINTED, crumb=SEO) == SEO


def test_headline_repeated_by_the_h1_stays() -> None:
    assert title_of(headline=PRINTED, og=SEO, h1=PRINTED, html_title=SEO) == PRINTED


def test_headline_stays_where_og_title_is_repeated_by_nothing() -> None:
    assert title_of(headline=PRINTED, og=SEO, html_title="Tidings") == PRINTED


def test_section_after_the_html_title_still_repeats_og_title() -> None:
    # "Headline - Politics": the <title> repeats og:title; the headline differs in punctuation only.
    assert title_of(
        headline="Harbour works - Breakwater to be rebuilt",
        og="Harbour works: Breakwater to be rebuilt",
        h1="Breakwater to be rebuilt",
        html_title="Harbour works: Breakwater to be rebuilt - Region",
    ) == "Harbour works: Breakwater to be rebuilt"


def test_json_ld_name_siding_with_og_title_outweighs_the_headline() -> None:
    assert title_of(
        headline=PRINTED, name=SEO, og=SEO, h1=PRINTED, html_title=f"{SEO} – Region"
    ) == SEO


def test_json_ld_name_alone_does_not_override() -> None:
    # og:title has nothing visible behind it: the JSON-LD headline stays.
    assert title_of(headline=PRINTED, name=SEO, og=SEO, h1=PRINTED, html_title=PRINTED) == PRINTED


def test_trailing_part_both_structured_fields_carry_is_kept() -> None:
    # og:title and the JSON-LD headline both end in " - Latest news"; the <h1> alone lacks it.
    full = f"{PRINTED} - Latest news"
    assert title_of(headline=full, og=full, h1=PRINTED, html_title=full) == full


def test_trailing_part_only_the_headline_carries_is_cut() -> None:
    assert title_of(headline=f"{PRINTED} | Region", og=PRINTED, h1=PRINTED) == PRINTED


def test_kicker_shown_in_the_h1_is_part_of_the_title() -> None:
    # The <h1> sets the kicker in its own span, with no space before the headline.
    assert title_of(
        headline=PRINTED,
        og=f"Storm season / {PRINTED}",
        h1=f"<span>Storm season</span>{PRINTED}",
        crumb=PRINTED,
    ) == f"Storm season / {PRINTED}"


def test_kicker_missing_from_the_h1_is_not_part_of_the_title() -> None:
    assert title_of(headline=PRINTED, og=f"Storm season | {PRINTED}", h1=PRINTED) == PRINTED


def test_truncated_title_is_completed_from_the_h1() -> None:
    assert title_of(og="Breakwater to be rebuilt before…", h1=PRINTED) == PRINTED


def test_breadcrumb_names_are_unescaped_before_comparing() -> None:
    printed = "Harbour chief: ‘We will rebuild it’"
    assert title_of(
        headline=printed,
        og="Harbour chief: 'We will rebuild it'",
        html_title="Harbour chief: 'We will rebuild it'",
        h1="Repairs",
        crumb="Harbour chief: &#8216;We will rebuild it&#8217;",
    ) == printed


def test_site_wide_og_title_never_replaces_the_headline() -> None:
    # A template that sets og:title and <title> to the site's name on every page.
    assert title_of(headline=PRINTED, og="Tidings", html_title="Tidings") == PRINTED
