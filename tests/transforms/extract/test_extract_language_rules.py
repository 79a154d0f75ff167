"""Language rules on hand-written pages: a declared English the text contradicts.

Pages are written here in the shapes news sites use; none is copied from a real site.
"""

from __future__ import annotations

from datetime import UTC, datetime

from transforms.article import Article
from transforms.extract.extractor import extract_article

FETCHED_AT = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
URL = "https://news.example/2026/03/04/hafen"
GERMAN = [
    "Der Hafen der Stadt wird in diesem Jahr umgebaut, nachdem Ingenieure festgestellt haben, dass sich die "
    "Fundamente der alten Mole um fast einen Meter verschoben haben.",
    "Die Fischer sollen ihre Boote während der Arbeiten im nördlichen Becken festmachen, teilte die Hafenbehörde "
    "am Montag mit.",
    "Der Gemeinderat rechnet mit Kosten von mehr als vier Millionen Euro, die zum größten Teil aus einem "
    "regionalen Fonds bezahlt werden sollen.",
    "Anwohner an der Uferpromenade können den Fortschritt der Bauarbeiten jeden Monat bei einer öffentlichen "
    "Versammlung im Rathaus verfolgen.",
    "Die Geschäfte am Hafen fürchten einen ruhigen Sommer, doch der Bürgermeister versprach, dass die Promenade "
    "während der gesamten Zeit geöffnet bleibt.",
]
ENGLISH = [
    "The harbour authority said on Monday that the old breakwater would be rebuilt before the winter storms arrive.",
    "Engineers found that the foundations had shifted by almost a metre since the last survey was carried out.",
    "Fishing crews have been asked to moor their boats in the northern basin while the work goes on.",
    "The council expects the repairs to cost more than four million euros, most of it from a regional fund.",
    "Residents who live along the seafront will be able to follow the progress at a public meeting every month.",
]


def language_of(sentences: list[str], lang: str, repeat: int = 2) -> str | None:
    body = "".join(f"<p>{s}</p>" for _ in range(repeat) for s in sentences)
    html = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta property="og:type" content="article"></head>'
        f"<body><article><h1>Hafen</h1>{body}</article></body></html>"
    )
    result = extract_article(html, URL, source="test", fetched_at=FETCHED_AT)
    assert isinstance(result, Article), result
    return result.language


def test_default_english_gives_way_to_a_clearly_german_text() -> None:
    # A CMS installed in English and never switched: lang="en-US" over a German article.
    assert language_of(GERMAN, "en-US") == "de"


def test_declared_english_stays_on_an_english_text() -> None:
    assert language_of(ENGLISH, "en-US") == "en"


def test_declared_english_stays_where_the_text_is_too_short_to_overrule() -> None:
    assert language_of(GERMAN[:3], "en", repeat=1) == "en"


def test_a_declared_language_other_than_english_was_chosen_and_stays() -> None:
    assert language_of(ENGLISH, "de") == "de"


def test_plainly_english_text_is_not_run_through_the_classifier() -> None:
    # Its model takes most of a second to load in each worker, inside the first page's time
    # limit: a page declared English whose words are plainly English must not need it.
    from transforms.extract.language import _identifier

    _identifier.cache_clear()
    assert language_of(ENGLISH, "en") == "en"
    assert _identifier.cache_info().currsize == 0
    assert language_of(GERMAN, "en") == "de"
    assert _identifier.cache_info().currsize == 1
