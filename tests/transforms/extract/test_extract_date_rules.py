"""Date rules on hand-written pages: zone abbreviations, day-first dotted dates, Unix time.

Pages are written here in the shapes news sites use; none is copied from a real site.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import lxml.html
import pytest

from tests.fixtures.harbour_story import BODY, FETCHED_AT, SENTENCES, extracted
from transforms.article import Article
from transforms.extract.dates import date_line
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


def test_the_page_own_offset_is_kept() -> None:
    # The same instant as in UTC, and the calendar day the page's readers see (29 April).
    moment = published("2023-04-29T01:20:36+02:00", zone="Asia/Tokyo")
    assert moment == datetime(2023, 4, 28, 23, 20, 36, tzinfo=UTC)
    assert moment is not None and moment.isoformat() == "2023-04-29T01:20:36+02:00"


def page_without_structured_date(extra_head: str, shown: str, url: str = "https://news.example/harbour-story") -> Article:
    html = (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><meta property="og:type" content="article">'
        f"{extra_head}</head><body><article><h1>Breakwater to be rebuilt</h1>{shown}{BODY}</article></body></html>"
    )
    return extracted(html, url)


@pytest.mark.parametrize(
    "shown",
    ['<p class="date">Veröffentlicht am 12.03.2024</p>', "<p><time>12. März 2024</time></p>", '<p class="meta">March 12, 2024</p>'],
)
def test_a_visible_date_line_dates_a_page_without_structured_dates(shown: str) -> None:
    result = page_without_structured_date("", shown)
    assert result.published_at is not None and result.published_at.date().isoformat() == "2024-03-12"
    assert "published_at_day_only" in result.flags


def test_the_date_line_time_element_gives_the_moment() -> None:
    # The date line's own markup states the moment: published, then updated the same day.
    shown = (
        '<p class="meta"><time class="published" datetime="2024-03-12T09:41:00+01:00">12. März 2024</time>'
        '<time class="updated" datetime="2024-03-12T16:05:00+01:00">12. März 2024, 16:05</time></p>'
    )
    result = page_without_structured_date("", shown)
    assert result.published_at is not None and result.published_at.isoformat() == "2024-03-12T09:41:00+01:00"
    assert "published_at_day_only" not in result.flags


@pytest.mark.parametrize(
    "time_element",
    [
        # A teaser's time under the headline shows no day: it is another story's.
        '<ul class="latest"><li><a href="/other">Ferry timetable</a><time datetime="2024-03-12T19:32:00+01:00">19:32</time></li></ul>',
        # A value at midnight is a day written as a moment.
        '<time datetime="2024-03-12T00:00:00+01:00">12. März 2024</time>',
        # Another day than the date line's.
        '<time datetime="2024-03-11T18:00:00+01:00">11. März 2024</time>',
    ],
)
def test_a_time_element_that_is_not_the_date_line_leaves_the_day(time_element: str) -> None:
    result = page_without_structured_date("", f'<p class="date">Veröffentlicht am 12.03.2024</p>{time_element}')
    assert result.published_at is not None and result.published_at.date().isoformat() == "2024-03-12"
    assert result.published_at.time().isoformat() == "00:00:00"
    assert "published_at_day_only" in result.flags


def test_the_url_date_dates_a_page_without_structured_dates() -> None:
    result = page_without_structured_date("", "", url="https://news.example/2024/03/12/harbour-story")
    assert result.published_at is not None and result.published_at.date().isoformat() == "2024-03-12"


def test_no_date_anywhere_is_null_with_a_flag() -> None:
    result = page_without_structured_date("", "")
    assert result.published_at is None and "published_at_missing" in result.flags


@pytest.mark.parametrize("modified", ["2024-03-01T10:00:00+01:00", "2024-03-20T10:00:00+01:00"])
def test_an_updated_date_alone_never_passes_as_published(modified: str) -> None:
    # htmldate's search would return the modified meta's day: that is no publication date (FAULTS 16).
    head = f'<meta property="article:modified_time" content="{modified}">'
    result = page_without_structured_date(head, "")
    assert result.published_at is None and "published_at_missing" in result.flags
    assert result.modified_at == datetime.fromisoformat(modified)


def test_a_searched_date_after_the_fetch_is_dropped() -> None:
    result = page_without_structured_date("", '<p class="date">Veröffentlicht am 12.03.2027</p>')
    assert result.published_at is None and "published_at_missing" in result.flags


def test_htmldate_search_runs_where_trafilatura_fast_run_found_no_date() -> None:
    # trafilatura's fast run (the pipeline's) skips htmldate's extensive search; the dates
    # step makes it where the page has no published date at all.
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    import lxml.html

    from transforms.extract.dates import find_dates
    from transforms.extract.page import read_page

    tree = lxml.html.document_fromstring(
        "<html><body><div class='post'><div class='meta'>Patch notes, posted Sep 18, 2020 by the team</div>"
        f"{BODY}</div></body></html>"
    )
    page = read_page(tree, "https://forum.example/threads/patch-notes.123/")
    fetched = datetime(2026, 3, 6, tzinfo=UTC)
    published, modified, flags = find_dates(page, SimpleNamespace(date=None), fetched, ZoneInfo("UTC"), tree)
    assert published is not None and published.date().isoformat() == "2020-09-18"
    assert modified is None and "published_at_day_only" in flags
    # Without the tree (as before) nothing dates the page.
    assert find_dates(page, SimpleNamespace(date=None), fetched, ZoneInfo("UTC"))[0] is None


# --- the date line beside the headline ------------------------------------------------------


def page_with_head_and_lines(
    head: str, above: str, below: str, url: str = "https://news.example/harbour-story", lang: str = ""
) -> Article:
    html = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><meta property="og:type" content="article">'
        f'{head}</head><body><nav><a href="/">Home</a> <span>01.01.2020</span></nav><article>{above}'
        f"<h1>Breakwater to be rebuilt</h1>{below}{BODY}</article></body></html>"
    )
    return extracted(html, url)


@pytest.mark.parametrize(
    ("lang", "above", "below", "shown_time"),
    [
        ("de", "", '<div class="byline">Von Anna Berg | 12.03.2024, 10:15 Uhr</div>', time(10, 15)),
        ("fr-FR", "", '<p class="auteur">Par Anne Berger</p><p>Publié le 12 mars 2024 à 08:01</p>', time(8, 1)),
        ("fr", "", "<p>Publié le 12 mars. 2024</p>", None),
        ("es", "", '<div><span>Redacción</span><time>12 de marzo de 2024</time><time>21:25</time></div>', time(21, 25)),
        ("pt-BR", "", "<p>12 de março de 2024</p>", None),
        ("en", "", '<p class="meta">By Ann Burke</p><p>March 12, 2024 at 11:30 p.m.</p>', time(23, 30)),
        ("it", "", "<p>Pubblicato il 12 marzo 2024</p>", None),
        ("nl", "", "<p>Door Anne de Berg, 12 maart 2024</p>", None),
        # A kicker above the headline: "section  date".
        ("it", '<div class="kicker"><a href="/famiglia">Famiglia</a> 12/03/2024</div>', "", None),
    ],
)
def test_the_date_line_beside_the_headline_dates_the_page(
    lang: str, above: str, below: str, shown_time: time | None
) -> None:
    # A time shown on the line is the site's local time (the test source's zone is UTC).
    result = page_with_head_and_lines("", above, below, lang=lang)
    assert result.published_at == datetime.combine(date(2024, 3, 12), shown_time or time(0), tzinfo=UTC)
    assert ("published_at_day_only" in result.flags) is (shown_time is None)


def test_a_time_shown_with_its_offset_is_read_in_that_offset() -> None:
    # An ISO moment printed as the date line: its offset is the zone's, never a time of its own.
    result = page_with_head_and_lines("", "", "<p>Opublikowano: 2024-03-12 17:13:04.031886+02:00</p>", lang="pl")
    assert result.published_at is not None and result.published_at.isoformat() == "2024-03-12T17:13:00+02:00"


def test_a_time_shown_on_the_line_is_in_the_source_zone() -> None:
    html = (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><meta property="og:type" content="article">'
        '</head><body><article><h1>Breakwater to be rebuilt</h1>'
        f'<div class="byline">Von Anna Berg | 12.03.2024, 10:15 Uhr</div>{BODY}</article></body></html>'
    )
    result = extracted(html, URL, ExtractionHints(naive_timezone="Europe/Berlin"))
    assert result.published_at == datetime(2024, 3, 12, 9, 15, tzinfo=UTC)


def test_the_date_line_outranks_a_meta_named_only_date() -> None:
    # A meta named "date" is stamped on publishing or on every edit alike: what the page
    # shows beside its headline is the publication day.
    head = '<meta name="date" content="2024-03-14">'
    shown = page_with_head_and_lines(head, "", '<p class="date">12.03.2024</p>')
    assert shown.published_at is not None and shown.published_at.date().isoformat() == "2024-03-12"
    # Without a date line, the meta still dates the page.
    alone = page_with_head_and_lines(head, "", "")
    assert alone.published_at is not None and alone.published_at.date().isoformat() == "2024-03-14"


def test_an_explicit_published_meta_outranks_the_date_line() -> None:
    head = '<meta property="article:published_time" content="2024-03-10T09:00:00+01:00">'
    result = page_with_head_and_lines(head, "", '<p class="date">12.03.2024</p>')
    assert result.published_at == datetime.fromisoformat("2024-03-10T09:00:00+01:00")


@pytest.mark.parametrize(
    "below",
    [
        '<p class="date">Aktualisiert am 14.03.2024</p>',
        '<p class="date"><span>Stand:</span> 14.03.2024, 07:30 Uhr</p>',
        '<p class="date">Updated March 14, 2024</p>',
        '<p class="date">Mis à jour le 14 mars 2024</p>',
        '<p class="date">Actualizado el 14 de marzo de 2024</p>',
    ],
)
def test_an_update_labelled_date_is_no_date_line(below: str) -> None:
    result = page_with_head_and_lines("", "", below, url="https://news.example/2024/03/12/harbour-story")
    # The URL's date, not the update's.
    assert result.published_at == datetime(2024, 3, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "below",
    [
        '<p class="issue">Ausgabe 3/2024</p>',  # a month: htmldate would complete it with the 1st
        "<p>Der Rat hatte am 14.03.2024 beschlossen, dass die alte Mole vor dem Winter neu gebaut werden muss.</p>",
    ],
)
def test_a_month_or_a_date_inside_a_sentence_is_no_date_line(below: str) -> None:
    result = page_with_head_and_lines("", "", below)
    assert result.published_at is None or result.published_at.date().isoformat() not in {"2024-03-01", "2024-03-14"}


def test_a_date_line_after_the_modified_day_is_not_taken() -> None:
    # Shown after the last modification: a date of something else (an event), not the publication.
    head = '<meta property="article:modified_time" content="2024-03-01T10:00:00+01:00">'
    result = page_with_head_and_lines(head, "", '<p class="date">12.03.2024</p>')
    assert result.published_at is None and "published_at_missing" in result.flags


# --- structured times in UTC, shown in the page's own time ----------------------------------


def utc_dated(value: str, below: str, lang: str = "en") -> datetime | None:
    head = f'<meta property="article:published_time" content="{value}">'
    return page_with_head_and_lines(head, "", below, lang=lang).published_at


@pytest.mark.parametrize(
    ("lang", "value", "below", "expected"),
    [
        # The instant stays; the offset is the page's (US Central, Argentina, Central Europe).
        ("en", "2023-11-09T05:30:59Z", "<p>November 8, 2023 at 11:30 p.m.</p>", "2023-11-08T23:30:59-06:00"),
        ("es", "2022-05-04T00:25:56Z", "<div><time>3 de mayo de 2022</time><time>21:25</time></div>",
         "2022-05-03T21:25:56-03:00"),
        ("de", "2019-01-01T23:11:59+00:00", "<p>02.01.2019, 00:11 Uhr</p>", "2019-01-02T00:11:59+01:00"),
        # The day shown without a time: the nearest whole-hour offset that gives it.
        ("en", "2023-11-09T05:30:59Z", "<p>November 8, 2023</p>", "2023-11-08T23:30:59-06:00"),
        ("de", "2018-12-31T23:11:59+00:00", '<p class="date">01.01.2019</p>', "2019-01-01T00:11:59+01:00"),
        ("fr", "2022-03-11T23:40:00Z", "<p>Publié le 12 mars 2022</p>", "2022-03-12T00:40:00+01:00"),
    ],
)
def test_a_utc_time_takes_the_offset_the_page_shows_it_in(lang: str, value: str, below: str, expected: str) -> None:
    moment = utc_dated(value, below, lang)
    assert moment is not None and moment.isoformat() == expected


@pytest.mark.parametrize(
    ("value", "below"),
    [
        ("2023-11-09T05:30:59Z", "<p>November 9, 2023 at 6:30 a.m.</p>"),  # the same day: nothing to fix
        ("2023-11-09T05:30:59Z", "<p>November 7, 2023</p>"),  # two days apart: no offset gives that day
        ("2023-11-09T05:30:59-05:00", "<p>November 8, 2023 at 11:30 p.m.</p>"),  # the page's own offset
        ("2023-11-09T05:30:59Z", "<p>November 7, 2023 at 11:30 p.m.</p>"),  # no zone is 30 hours behind
    ],
)
def test_a_time_in_utc_is_left_alone_without_a_shown_offset(value: str, below: str) -> None:
    assert utc_dated(value, below) == datetime.fromisoformat(value)


# --- the date line settles structured values that contradict each other --------------------


def test_the_headline_is_the_h1_the_title_names() -> None:
    # An accessibility <h1> ("Navigation und Service") comes first on some sites; the date
    # line sits beside the article's headline (and outranks the meta named only "date").
    html = (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Breakwater to be rebuilt | Hafenblatt'
        '</title><meta name="date" content="2022-01-27"></head><body><header><h1>Navigation und Service</h1><div class="menu">'
        + "".join(f'<a href="/thema-{n}">Thema {n}</a>' for n in range(20))
        + '</div></header><main><h1>Breakwater to be rebuilt</h1>'
        f'<p class="meta">Ort Hafenstadt</p><p class="meta">Datum 28.01.2022</p>{BODY}</main></body></html>'
    )
    result = extracted(html, "https://news.example/presse/breakwater")
    assert result.published_at == datetime(2022, 1, 28, tzinfo=UTC)


def test_of_two_published_values_the_one_the_page_shows_wins() -> None:
    head = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
        '"headline": "Breakwater to be rebuilt", "datePublished": "2024-03-10T07:29:00.000Z"}</script>'
        '<meta property="article:published_time" content="2024-03-12T08:29:34+01:00">'
    )
    result = page_with_head_and_lines(head, "", '<p class="date">12.03.2024</p>', lang="de")
    assert result.published_at is not None and result.published_at.isoformat() == "2024-03-12T08:29:34+01:00"
    # Without the date line, JSON-LD's value stands.
    alone = page_with_head_and_lines(head, "", "", lang="de")
    assert alone.published_at == datetime(2024, 3, 10, 7, 29, tzinfo=UTC)


def test_a_published_value_after_the_modified_one_gives_way_to_the_date_line() -> None:
    # Re-saving stamped the page's published meta a minute after its last modification.
    head = (
        '<meta property="article:published_time" content="2024-11-17T10:33:13Z">'
        '<meta property="article:modified_time" content="2024-11-17T10:32:18Z">'
    )
    result = page_with_head_and_lines(head, "", '<p class="byline">von Anna Berg</p><p>09.03.2024</p>', lang="de")
    assert result.published_at == datetime(2024, 3, 9, tzinfo=UTC)
    assert "published_at_day_only" in result.flags
    # A consistent pair keeps the structured value whatever the line shows.
    consistent = head.replace("10:32:18", "10:34:18")
    kept = page_with_head_and_lines(consistent, "", "<p>09.03.2024</p>", lang="de")
    assert kept.published_at == datetime(2024, 11, 17, 10, 33, 13, tzinfo=UTC)


# --- what htmldate's costly search is spent on ----------------------------------------------


@pytest.mark.parametrize(
    ("head", "title", "shown", "needs_search"),
    [
        ('<meta property="article:published_time" content="2024-03-12T08:00:00+01:00">', "Breakwater", "", False),
        ("", "Breakwater to be rebuilt | 12.03.2024", "", False),  # a date closing the title
        ("", "Breakwater", '<p class="date">12 mars 2024</p>', False),  # the date line
        ('<meta name="date" content="2024-03-12">', "Breakwater", "", False),
        # Only a modified day, or a date line after it: the search alone can date the page.
        ('<meta property="article:modified_time" content="2024-03-01T10:00:00+01:00">', "Breakwater",
         '<p class="date">12.03.2024</p>', True),
        ("", "Breakwater", "", True),
    ],
)
def test_htmldate_search_is_made_only_where_nothing_else_dates_the_page(
    head: str, title: str, shown: str, needs_search: bool
) -> None:
    # Every other piece of evidence outranks the search: where one is present the search cannot
    # change the outcome, and trafilatura's metadata pass is spared it.
    from zoneinfo import ZoneInfo

    import lxml.html

    from transforms.extract.dates import date_evidence
    from transforms.extract.page import read_page

    tree = lxml.html.document_fromstring(
        f'<html lang="fr"><head><title>{title}</title>{head}</head><body><article>'
        f"<h1>Breakwater to be rebuilt</h1>{shown}{BODY}</article></body></html>"
    )
    page = read_page(tree, "https://news.example/harbour-story")
    assert date_evidence(page, datetime(2026, 3, 6, tzinfo=UTC), ZoneInfo("UTC"), tree).needs_search is needs_search


def test_a_warmed_date_search_reads_month_names_without_loading_every_language() -> None:
    # In a fresh process (this one may be warm already): htmldate's dateparser compiles every
    # language's patterns on its first month name, 1.4-2 s of CPU; after the warm-up (the pool's
    # fork server makes it) a month name costs a few milliseconds.
    import subprocess
    import sys
    from pathlib import Path

    probe = (
        "import time\n"
        "from htmldate.extractors import get_external_parser\n"
        "from transforms.extract.dates import warm_date_search\n"
        "get_external_parser()\n"
        "start = time.process_time(); warm_date_search(); warm = time.process_time() - start\n"
        "start = time.process_time()\n"
        "found = [get_external_parser().get_date_data(t).date_obj for t in ('13 avril 2022', '13. April 2022')]\n"
        "print(warm, time.process_time() - start, *(f.date() for f in found))\n"
    )
    repo = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=repo
    ).stdout.split()
    warm, after = float(out[0]), float(out[1])
    assert out[2:] == ["2022-04-13", "2022-04-13"]
    assert after < 0.3 < warm


# --- dates the line rules read further -------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("de", "<p>4.\u2009 2.\u20092022</p>"),  # thin spaces
        ("de", '<div class="meta">Von Anna Berg | 4. 2. 2022</div>'),
        ("cs", "<p>4. 2. 2022</p>"),
        ("sk", "<p>4.&nbsp;2.&nbsp;2022</p>"),
    ],
)
def test_a_dotted_date_set_with_spaces_is_read_day_first(lang: str, shown: str) -> None:
    result = page_with_head_and_lines("", "", shown, lang=lang)
    assert result.published_at == datetime(2022, 2, 4, tzinfo=UTC)


# Long enough that what follows it lies beyond the date line's reach below the headline.
LONG_BODY = "".join(f"<p>{sentence}</p>" for sentence in SENTENCES * 3)


def page_with_a_closing_line(closing: str, lang: str, head: str = "") -> Article:
    html = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><meta property="og:type" content="article">'
        f"{head}</head><body><article><h1>Breakwater to be rebuilt</h1>{LONG_BODY}{closing}</article></body></html>"
    )
    return extracted(html, "https://news.example/harbour-story")


@pytest.mark.parametrize(
    ("lang", "closing", "shown_time"),
    [
        ("de", '<p class="info">Letzte Änderung: 10.03.2024 - 14:49:39</p><p class="info">Erschienen am: 12.03.2024</p>',
         None),
        ("en", "<p>First published on March 12, 2024 01:38 pm</p>", time(13, 38)),
        ("fr", "<footer-note><p>Publié le 12 mars 2024</p></footer-note>", None),
        ("es", "<p>Publicado el 12 de marzo de 2024</p>", None),
        ("nl", "<p>Gepubliceerd op 12 maart 2024</p>", None),
    ],
)
def test_a_labelled_publication_date_under_the_body_dates_the_page(
    lang: str, closing: str, shown_time: time | None
) -> None:
    result = page_with_a_closing_line(closing, lang)
    assert result.published_at == datetime.combine(date(2024, 3, 12), shown_time or time(0), tzinfo=UTC)
    assert ("published_at_day_only" in result.flags) is (shown_time is None)


@pytest.mark.parametrize(
    "closing",
    [
        "<p>12.03.2024</p>",  # far from the headline and unlabelled: a date of something else
        '<p class="info">Letzte Änderung: 12.03.2024</p>',  # the modified day
        "<p>Updated March 12, 2024</p>",
    ],
)
def test_an_unlabelled_or_update_date_under_the_body_is_no_date_line(closing: str) -> None:
    # (htmldate's search, the last resort, may still read it: the page has nothing else.)
    import lxml.html

    from transforms.extract.dates import date_line

    tree = lxml.html.document_fromstring(
        f'<html lang="de"><body><article><h1>Breakwater to be rebuilt</h1>{LONG_BODY}{closing}</article></body></html>'
    )
    assert date_line(tree, datetime(2026, 3, 6, tzinfo=UTC), "de") is None


def test_a_structured_date_outranks_a_labelled_date_under_the_body() -> None:
    head = '<meta property="article:published_time" content="2024-03-10T09:00:00+01:00">'
    result = page_with_a_closing_line("<p>Erschienen am: 12.03.2024</p>", "de", head)
    assert result.published_at == datetime.fromisoformat("2024-03-10T09:00:00+01:00")


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("<p><em>( Hafenstadt, 12 März 24 )</em></p>", date(2024, 3, 12)),
        ('<p class="meta">12 MAR 24</p>', date(2024, 3, 12)),
        ('<p class="meta">12. März 98</p>', date(1998, 3, 12)),
    ],
)
def test_a_worded_date_with_a_two_digit_year_is_read(shown: str, expected: date) -> None:
    result = page_without_structured_date("", shown)
    assert result.published_at is not None and result.published_at.date() == expected


@pytest.mark.parametrize(
    "shown",
    [
        '<p class="meta">12 Mar 20:15</p>',  # a day and a time, no year
        '<p class="meta">Folge 12 Teil 24</p>',  # numbers beside a word that is no month
        '<p class="meta">12 März 24 Uhr</p>',  # a time of day
        '<p class="meta">Sa., 12 März 20.15</p>',  # a time with a dot
    ],
)
def test_two_digits_after_a_day_and_a_word_are_not_always_a_year(shown: str) -> None:
    # Asked of the date line alone: htmldate's search of the whole page reads some of these its own way.
    tree = lxml.html.fromstring(f"<html><body><h1>Breakwater to be rebuilt</h1>{shown}{BODY}</body></html>")
    assert date_line(tree, FETCHED_AT, "de") is None


def test_a_page_wholly_inside_noscript_has_its_date_line_read() -> None:
    # Some sites serve their whole script-free version inside <noscript>: its headline and date
    # line are the page's, while a <noscript> beside the headline is still no date line.
    html = (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><meta property="og:type" content="article">'
        '</head><body><div id="app"></div><noscript><div class="page"><h1>Breakwater to be rebuilt</h1>'
        '<noscript>Stand 01.01.2020</noscript><p class="date">12.03.2024</p>'
        f"{BODY}</div></noscript></body></html>"
    )
    result = extracted(html, "https://news.example/harbour-story")
    assert result.published_at is not None and result.published_at.date() == date(2024, 3, 12)
