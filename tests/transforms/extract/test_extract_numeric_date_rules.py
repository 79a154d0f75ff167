"""All-digit dates, mistyped and ambiguous dates, dates after the fetch and update dates found by
htmldate's search: a date that cannot be read with certainty as the publication's gives no date
rather than a wrong one.

Hand-written fixtures in the shape of news pages; no text is copied from a real site.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.fixtures.harbour_story import BODY, FETCHED_AT, extracted
from transforms.article import Article
from transforms.extract.numeric_dates import UNREADABLE, language_of_script, read_numeric_date, shown_only_unreadably


@pytest.mark.parametrize(
    ("text", "language", "region", "expected"),
    [
        # Year first: read as written; an impossible month is a typing error.
        ("2023-05-04", None, None, date(2023, 5, 4)),
        ("Posted 2023/05/04 10:00", "en", "us", date(2023, 5, 4)),
        ("2022-29-11", "de", None, UNREADABLE),
        # Dots: day first everywhere; a month above 12 is a typing error, not a US date.
        ("12.03.2024, 10:15 Uhr", "de", None, date(2024, 3, 12)),
        ("12.13.2022", "de", None, UNREADABLE),
        ("31.02.2024", "fr", None, UNREADABLE),
        # Slashes: one order only gives a real date.
        ("05/13/2023", "en", None, date(2023, 5, 13)),
        ("13/05/2023", "en", "us", date(2023, 5, 13)),
        ("07/07/2023", "en", None, date(2023, 7, 7)),
        # Both orders give one: the page's locale, where it can be trusted to say.
        ("04/05/2023", "fr", None, date(2023, 5, 4)),
        ("04-05-2023", "es", "mx", date(2023, 5, 4)),
        ("04/05/2023", "en", "gb", date(2023, 5, 4)),
        ("04/05/2023", "en", None, UNREADABLE),
        ("04/05/2023", "en", "us", UNREADABLE),  # also the CMS default on non-American sites
        ("04/05/2023", None, None, UNREADABLE),
        ("04/05/2023", "ja", None, UNREADABLE),
        # Two-digit years: dotted day first in day-first languages only; never with slashes.
        ("6.11.22", "de", None, date(2022, 11, 6)),
        ("06.11.23", None, None, date(2023, 11, 6)),
        ("23.11.06", "ko", None, UNREADABLE),
        ("5/6/07", "en", "gb", UNREADABLE),
        ("13/6/07", "it", None, UNREADABLE),
        # No all-digit date at all.
        ("12 March 2024", "en", None, None),
        ("Ausgabe 3/2024", "de", None, None),
        ("Version 2.7.1", "en", None, None),
        ("Release v1.2.2022", "en", None, None),  # a version, glued to its letter
    ],
)
def test_an_all_digit_date_is_read_only_where_its_reading_is_certain(
    text: str, language: str | None, region: str | None, expected: object
) -> None:
    assert read_numeric_date(text, language, region) == expected


def test_the_script_of_a_page_without_a_declared_language_tells_a_year_first_one() -> None:
    assert language_of_script(["항구 방파제 재건"]) == "ko"
    assert language_of_script(["港の防波堤を再建へ"]) in {"ja", "zh"}  # both write the year first
    assert language_of_script(["Wellenbrecher wird neu gebaut", "Le brise-lames"]) is None


def test_a_day_shown_only_in_ambiguous_forms_was_guessed() -> None:
    assert shown_only_unreadably("Posted 04/05/2023 by the desk", date(2023, 5, 4), "en", None)
    assert shown_only_unreadably("Posted 04/05/2023 by the desk", date(2023, 4, 5), "en", None)
    # One certain form settles it; a day not written in digits at all is not this rule's.
    assert not shown_only_unreadably("04/05/2023 · 04/05/2023", date(2023, 5, 4), "fr", None)
    assert not shown_only_unreadably("4 May 2023", date(2023, 5, 4), "en", None)


def page(lang: str, below: str, url: str = "https://news.example/harbour-story", elsewhere: str = "") -> Article:
    html = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><meta property="og:type" content="article">'
        f"</head><body><article><h1>Breakwater to be rebuilt</h1>{below}{BODY}</article>{elsewhere}</body></html>"
    )
    return extracted(html, url)


@pytest.mark.parametrize(
    ("lang", "below", "expected"),
    [
        ("fr", '<p class="date">Publié le 04/05/2023</p>', "2023-05-04"),
        ("es", '<p class="fecha">04/05/2023 - 10:15</p>', "2023-05-04"),
        ("en-GB", '<p class="date">By Ann Burke, 04/05/2023</p>', "2023-05-04"),
        ("en", '<p class="date">05/13/2023</p>', "2023-05-13"),
        ("de", '<p class="datum">06.11.23</p>', "2023-11-06"),
        # A month name fixes the order: the two digits after it are the year.
        ("it", "<p>(Roma, 14 gennaio 20)</p>", "2020-01-14"),
    ],
)
def test_an_all_digit_date_line_is_read_in_the_page_order(lang: str, below: str, expected: str) -> None:
    result = page(lang, below)
    assert result.published_at is not None and result.published_at.date().isoformat() == expected


@pytest.mark.parametrize(
    ("lang", "below"),
    [
        ("en", '<p class="date">04/05/2023</p>'),  # 4 May or 5 April
        ("en-US", '<p class="date">Posted 04/05/2023</p>'),  # also WordPress's default
        ("en-GB", '<p class="date">5/6/07</p>'),  # two-digit year: any order
        ("de", '<p class="datum">12.13.2022</p>'),  # no 13th month
        ("nl", '<p class="datum">2022-29-11</p>'),  # no 29th month
        ("it", '<p class="data">31/02/2023</p>'),  # no 31 February
        ("ko", '<p class="date">23.11.06</p>'),  # 2023-11-06 in Korean, 23 November 2006 in German
        ("en", '<p class="date">Jan 04</p>'),  # no year at all
        ("ja", '<p class="date">[06月24日 11時30分]</p>'),  # no year at all
    ],
)
def test_an_ambiguous_or_mistyped_date_line_gives_no_date(lang: str, below: str) -> None:
    result = page(lang, below)
    assert result.published_at is None and "published_at_missing" in result.flags


def test_an_ambiguous_date_line_leaves_the_url_date() -> None:
    result = page("en", '<p class="date">04/05/2023</p>', url="https://news.example/2023/04/05/harbour-story")
    assert result.published_at == datetime(2023, 4, 5, tzinfo=UTC)


def test_a_searched_date_read_from_an_ambiguous_form_is_dropped() -> None:
    # Outside the date line's reach (the page's footer), htmldate's search reads 04/05/2023
    # one fixed way; that guess is no publication date.
    result = page("en", "", elsewhere="<footer><p>Posted 04/05/2023</p></footer>")
    assert result.published_at is None and "published_at_missing" in result.flags
    # Where the page's own language settles the order, the same footer dates it.
    settled = page("fr", "", elsewhere="<footer><p>Publié 04/05/2023</p></footer>")
    assert settled.published_at is not None and settled.published_at.date().isoformat() == "2023-05-04"


@pytest.mark.parametrize(
    ("lang", "below"),
    [
        ("de", '<p class="datum">12.03.2027</p>'),
        ("fr", '<p class="date">Publié le 12/03/2027</p>'),
        ("en", '<p class="date">March 12, 2027</p>'),
        ("es", "<p>12 de marzo de 2027</p>"),
        ("pt", "<p>2027-03-12</p>"),
    ],
)
def test_a_date_line_after_the_fetch_gives_no_date(lang: str, below: str) -> None:
    assert FETCHED_AT < datetime(2027, 1, 1, tzinfo=UTC)
    result = page(lang, below)
    assert result.published_at is None and "published_at_missing" in result.flags


def test_a_structured_date_after_the_fetch_is_dropped_with_its_flag() -> None:
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2027-03-12T10:00:00+01:00">'
        '<meta property="article:modified_time" content="2027-03-13T10:00:00+01:00">'
        f"</head><body><article><h1>Breakwater to be rebuilt</h1>{BODY}</article></body></html>"
    )
    result = extracted(html, "https://news.example/harbour-story")
    assert result.published_at is None and result.modified_at is None
    assert {"published_at_in_future", "modified_at_in_future", "published_at_missing"} <= set(result.flags)


@pytest.mark.parametrize(
    ("lang", "footer"),
    [
        ("en", "<p>This page was last modified on 4 November 2020, at 19:23.</p>"),
        ("de", "<p>Zuletzt aktualisiert: 04.11.2020</p>"),
        ("fr", "<p>Mis à jour le 4 novembre 2020</p>"),
        ("es", "<p>Actualizado el 4 de noviembre de 2020</p>"),
        ("nl", "<p><span>Bijgewerkt op</span> <span>4 november 2020</span></p>"),
    ],
)
def test_an_update_date_found_by_the_search_is_no_publication_date(lang: str, footer: str) -> None:
    # Out of the date line's reach (under the page), only htmldate's search finds it.
    result = page(lang, "", elsewhere=f'<div id="page-info">{footer}</div>')
    assert result.published_at is None and "published_at_missing" in result.flags


def test_the_url_date_stands_where_the_page_labels_the_same_day_an_update() -> None:
    footer = '<div id="page-info"><p>Zuletzt aktualisiert: 04.11.2020</p></div>'
    result = page("de", "", url="https://news.example/2020/11/04/harbour-story", elsewhere=footer)
    assert result.published_at == datetime(2020, 11, 4, tzinfo=UTC)


def test_a_day_shown_unlabelled_as_well_is_still_the_publication() -> None:
    footer = '<div id="page-info"><p>Posted on 4 November 2020</p><p>Last modified on 4 November 2020</p></div>'
    result = page("en", "", elsewhere=footer)
    assert result.published_at is not None and result.published_at.date().isoformat() == "2020-11-04"


@pytest.mark.parametrize(
    ("lang", "elsewhere"),
    [
        ("es", '<div id="page-info"><p>Actualizado el 4 de noviembre de 2020</p></div>'),  # searched as 2020-01-01
        ("en", '<div id="page-info"><p>Filed 2020-29-11</p></div>'),  # no 29th month: the year alone is left
        ("de", '<div id="page-info"><p>Mitteilung Nr. 12 aus dem Archiv 2020</p></div>'),
    ],
)
def test_a_year_the_search_completes_to_its_first_day_is_no_date(lang: str, elsewhere: str) -> None:
    result = page(lang, "", elsewhere=elsewhere)
    assert result.published_at is None or result.published_at.date().isoformat() != "2020-01-01"


def test_a_first_of_the_month_the_page_shows_is_kept() -> None:
    result = page("en", "", elsewhere='<div id="page-info"><p>Posted on 1 January 2020</p></div>')
    assert result.published_at is not None and result.published_at.date().isoformat() == "2020-01-01"
    timed = page("en", "", elsewhere='<div id="page-info"><time datetime="2020-01-01">New Year</time></div>')
    assert timed.published_at is not None and timed.published_at.date().isoformat() == "2020-01-01"


def test_a_compact_url_date_stands_where_the_page_labels_the_same_day_an_as_of_date() -> None:
    footer = '<div id="page-info"><p class="updated">Stand 27.01.2022</p></div>'
    result = page("de", "", url="https://amt.example/texte/22/20220127-gedenkstunde.html", elsewhere=footer)
    assert result.published_at == datetime(2022, 1, 27, tzinfo=UTC)
    # Digits that make no date, or a date after the fetch, are no URL date.
    for url in ("https://amt.example/texte/20221327-x.html", "https://amt.example/texte/20290127-x.html"):
        assert page("de", "", url=url, elsewhere=footer).published_at is None


@pytest.mark.parametrize(
    ("lang", "url"),
    [
        ("de", "https://amt.example/texte/22/20220127-gedenkstunde.html"),
        ("en", "https://news.example/press/pr_20220127_harbour"),
        ("it", "https://comune.example/notizie/20220127/molo"),
    ],
)
def test_a_compact_url_date_dates_a_page_nothing_else_dates(lang: str, url: str) -> None:
    result = page(lang, "", url=url)
    assert result.published_at == datetime(2022, 1, 27, tzinfo=UTC)
    assert "published_at_day_only" in result.flags
