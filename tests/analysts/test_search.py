"""marts.search_articles means what websearch_to_tsquery users expect, in each article's language:
exclusion, phrases and OR, with words whose stems differ from what was typed (growers -> grower,
Häfen -> haf, Gewerkschaften -> gewerkschaft)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg2
import pytest

from demo.warehouse import scratch_database
from tests.analysts.conftest import rows
from transforms.article import Article
from transforms.load.articles import load_articles

FETCHED = datetime(2026, 11, 20, 4, tzinfo=UTC)
ARTICLES = {
    "growers": ("en", "Cocoa growers win fight over export levy",
                "The cocoa growers of the islands won their dispute over the export levy.\n"
                "Farmers celebrated in both cities after the ruling."),
    "prices": ("en", "Cocoa prices climb in London",
               "Cocoa futures rose as traders bet on a poor harvest in West Africa.\n"
               "Chocolate makers said shelves would stay full this winter."),
    "haefen": ("de", "Bauern protestieren gegen neue Häfen",
               "Die Bauern der Region protestieren gegen den Bau zweier Häfen an der Küste.\n"
               "Der Bürgermeister schweigt zu den Plänen."),
    "rekord": ("de", "Hafen meldet Rekord beim Umschlag",
               "Der Hafen meldete einen Rekord beim Umschlag von Containern.\n"
               "Die Gewerkschaften fordern nun mehr Lohn für die Beschäftigten."),
}


@pytest.fixture(scope="module")
def search_db(server_dsn: str) -> Iterator[str]:
    with scratch_database(server_dsn, prefix="news_search") as dsn:
        conn = psycopg2.connect(dsn)
        try:
            with conn, conn.cursor() as cur:
                cur.execute("""insert into ops.sources (source, name, domains, language, enabled) values
                               ('daily_planet', 'The Daily Planet', '{planet.example}', 'en', true),
                               ('tagesblatt', 'Tagesblatt', '{tagesblatt.example}', 'de', true)""")
                run_id = str(uuid.uuid4())
                cur.execute("""insert into ops.crawl_runs (crawl_run_id, source, window_start, window_end, started_at,
                                 finished_at, finish_reason, status)
                               values (%s, 'daily_planet', '2026-11-19', '2026-11-20', now(), now(), 'finished', 'loaded')""",
                            (run_id,))
                load_articles(cur, [_article(key, *value) for key, value in ARTICLES.items()], run_id)
        finally:
            conn.close()
        yield dsn


def _article(key: str, language: str, title: str, body: str) -> Article:
    source, host = ("daily_planet", "planet.example") if language == "en" else ("tagesblatt", "tagesblatt.example")
    return Article(url=f"https://{host}/{key}", source=source, title=title, body=body,
                   content_hash=uuid.uuid5(uuid.NAMESPACE_URL, key).hex * 2, word_count=len(body.split()),
                   extractor="test", fetched_at=FETCHED, published_at=datetime(2026, 11, 19, 8, tzinfo=UTC),
                   language=language)


def found(dsn: str, query: str) -> set[str]:
    return {str(url).rsplit("/", 1)[1] for (url,) in rows(dsn, "select url from marts.search_articles(%s)", (query,))}


@pytest.mark.parametrize(("query", "expected"), [
    # Stems: what is typed differs from what the document holds.
    ("grower levies", {"growers"}),
    ("cocoa", {"growers", "prices"}),
    # Exclusion, with the excluded word typed as in the page and as its stem.
    ("cocoa -growers", {"prices"}),
    ("cocoa -grower", {"prices"}),
    ("cocoa -levies", {"prices"}),
    ("cocoa -chocolate -growers", set()),
    # Phrases: words in that order, next to each other.
    ('"export levy"', {"growers"}),
    ('"export levies"', {"growers"}),
    ('"levy export"', set()),
    ('"cocoa futures" -harvest', set()),
    # OR.
    ("nickel or growers", {"growers"}),
    ("growers or chocolate", {"growers", "prices"}),
    ("growers or Gewerkschaften", {"growers", "rekord"}),
])
def test_english_web_search_semantics(search_db: str, query: str, expected: set[str]) -> None:
    assert found(search_db, query) == expected, query


@pytest.mark.parametrize(("query", "expected"), [
    ("Hafen", {"haefen", "rekord"}),  # "Häfen" is stemmed to the same "haf"
    ("Häfen", {"haefen", "rekord"}),
    ("Hafen -Bauern", {"rekord"}),
    ("Häfen -Bauer", {"rekord"}),
    ("Rekord -Gewerkschaften", set()),  # the page says "Gewerkschaften": stem "gewerkschaft"
    ("Rekord -Gewerkschaft", set()),
    ("Rekord", {"rekord"}),
    ('"neue Häfen"', {"haefen"}),
    ('"neuen Hafen"', {"haefen"}),  # the same stems, in that order
    ('"Häfen neue"', set()),
    ("Bürgermeister or Containern", {"haefen", "rekord"}),
    ("Bürgermeister or Flughafen", {"haefen"}),
])
def test_german_web_search_semantics(search_db: str, query: str, expected: set[str]) -> None:
    assert found(search_db, query) == expected, query


def test_the_snippet_marks_the_words_in_the_articles_language(search_db: str) -> None:
    [(snippet,)] = rows(search_db, "select snippet from marts.search_articles('Hafen -Bauern')")
    assert "**Hafen**" in snippet
    [(snippet,)] = rows(search_db, "select snippet from marts.search_articles('Häfen Küste')")
    assert "**Häfen**" in snippet


def test_a_query_of_stop_words_only_finds_nothing_and_an_empty_one_is_refused(search_db: str) -> None:
    assert found(search_db, "the and der die") == set()
    with pytest.raises(psycopg2.errors.RaiseException, match="give some words"):
        rows(search_db, "select * from marts.search_articles('  ')")
