"""The day a page's own entry in its site's dated list of stories shows, on hand-written pages.

Pages are written here in the shape of small sites' story pages (no structured date, no date
line by the headline, a "latest news" box beside the story); none is copied from a real site.
"""

from __future__ import annotations

import re
from datetime import date

import lxml.html
import pytest

from tests.fixtures.harbour_story import BODY, extracted
from transforms.article import Article
from transforms.extract.listed_date import self_listed_day
from transforms.extract.numeric_dates import Unreadable

URL = "https://harbour.example/detail.php?id=40&lang=de"
OWN_LINK = "detail.php?id=40&amp;lang=de"


def entry(day: str, href: str, title: str) -> str:
    return f'<li><i class="icon-calendar"></i> {day}<br><a href="{href}">{title}</a></li>'


# The story is the box's second entry: a search of the whole text takes the first entry's date.
NEWS_BOX = (
    entry("12.03.2024", "detail.php?id=41&amp;lang=de", "Ferry timetable changes for the spring")
    + entry("05.03.2024", OWN_LINK, "Breakwater to be rebuilt")
    + entry("27.02.2024", "detail.php?id=39&amp;lang=de", "Lighthouse open to visitors again")
)


def story(box: str = NEWS_BOX, head: str = "", url: str = URL) -> Article:
    html = (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f"<title>Harbour authority</title>{head}</head><body>"
        f'<div class="main"><h4>Breakwater to be rebuilt</h4>{BODY}</div>'
        f'<div class="sidebar"><h3>Nachrichten</h3><ul>{box}</ul></div></body></html>'
    )
    return extracted(html, url)


def published_day(article: Article) -> date | None:
    return article.published_at.date() if article.published_at else None


def test_the_page_own_entry_dates_it() -> None:
    article = story()
    assert published_day(article) == date(2024, 3, 5)
    assert "published_at_day_only" in article.flags


def test_without_its_own_entry_the_box_dates_nothing_of_it() -> None:
    # The same box without the story's entry: the day is not taken from another entry.
    box = NEWS_BOX.replace(OWN_LINK, "detail.php?id=38&amp;lang=de")
    assert published_day(story(box)) != date(2024, 3, 5)


def test_the_declared_canonical_is_the_page_too() -> None:
    # Reached under a tracking variant; the entry links to the canonical URL.
    head = f'<link rel="canonical" href="{URL}">'
    article = story(head=head, url="https://harbour.example/detail.php?id=40&lang=de&ref=home")
    assert published_day(article) == date(2024, 3, 5)


def test_http_and_final_slash_variants_are_the_page() -> None:
    box = NEWS_BOX.replace(OWN_LINK, "http://www.harbour.example/news/breakwater/")
    assert published_day(story(box, url="https://harbour.example/news/breakwater")) == date(2024, 3, 5)


@pytest.mark.parametrize(
    "box",
    [
        # A comment's permalink beside the comment's date.
        f'<li>Ana wrote on 01.03.2024 <a href="{OWN_LINK}#comment-3">link</a></li>',
        # An archive's bar: the range of its captures of the page.
        f'<li><a href="{OWN_LINK}">5 captures</a> 09.01.2014 - 01.01.2017</li>',
        # An event's span, not a day.
        f'<li>Harbour festival 01.03.2024 to 05.03.2024 <a href="{OWN_LINK}">read</a></li>',
        # A list of links whose texts read as dates ("2.7.13"): no entry is the page's alone.
        f'<li><a href="{OWN_LINK}">Breakwater to be rebuilt</a> <a href="detail.php?id=2">Tide tables 2.7.13</a></li>',
        # Two entries for the page on different days: no one day.
        entry("05.03.2024", OWN_LINK, "Breakwater to be rebuilt") + entry("06.03.2024", OWN_LINK, "Breakwater"),
    ],
    ids=["comment-permalink", "capture-range", "event-span", "list-of-links", "disagreeing-entries"],
)
def test_entries_that_are_not_the_page_own_do_not_date_it(box: str) -> None:
    # Asked of the rule itself: on the whole page, htmldate's search may still read these dates.
    tree = lxml.html.fromstring(f"<html><body><ul>{box}</ul></body></html>")
    assert self_listed_day(tree, URL, (URL,), read_day) is None


def read_day(text: str) -> date | Unreadable | None:
    """Day-first dotted dates, two-digit years too, as a German page's reader takes them."""
    match = re.search(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?!\d)", text)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    return date(year if year > 99 else 2000 + year, month, day)


def test_the_rule_reads_the_own_entry_alone() -> None:
    tree = lxml.html.fromstring(f"<html><body><ul>{NEWS_BOX}</ul></body></html>")
    assert self_listed_day(tree, URL, (URL,), read_day) == date(2024, 3, 5)


def test_an_entry_labelled_as_an_update_does_not_date_the_page() -> None:
    box = NEWS_BOX.replace("05.03.2024", "Aktualisiert am 05.03.2024")
    assert published_day(story(box)) != date(2024, 3, 5)


def test_structured_data_outranks_the_entry() -> None:
    head = '<meta property="og:type" content="article"><meta property="article:published_time" content="2024-03-04T09:30:00+01:00">'
    assert published_day(story(head=head)) == date(2024, 3, 4)


def test_the_url_date_outranks_the_entry() -> None:
    box = NEWS_BOX.replace(OWN_LINK, "/2024/03/04/breakwater")
    assert published_day(story(box, url="https://harbour.example/2024/03/04/breakwater")) == date(2024, 3, 4)
