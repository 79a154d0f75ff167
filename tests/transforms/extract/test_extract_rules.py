"""The general extraction rules behind the evaluation scores, each on a hand-written page.

Chunked bodies, the visible standfirst, page furniture, title cleaning, bylines, title
datelines, language from text. Pages are written here in the shapes news sites use; none
is copied from a real site.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.fixtures.harbour_story import SENTENCES, extracted
from transforms.article import Article
from transforms.extract.decoding import decode_html
from transforms.extract.language import language_from_text

URL = "https://news.example/2026/03/04/harbour-story"


def paragraphs(prefix: str, n: int = 3) -> str:
    return "".join(f"<p>{prefix} {SENTENCES[i % len(SENTENCES)]}</p>" for i in range(n))


def page(head: str, body: str, lang: str | None = "en") -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    return f'<!DOCTYPE html><html{lang_attr}><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


def jsonld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def article(html: str, url: str = URL) -> Article:
    return extracted(html, url)


NEWS_HEAD = '<meta property="og:type" content="article"><meta property="og:site_name" content="Harbour News">'


# --- bodies split in chunks ----------------------------------------------------------------


def chunked_page(second_chunk_article: bool = False) -> str:
    chunk = '<div class="body__inner-container">{}</div>'
    ad = '<div class="ad-slot"><span>Advertisement</span></div>'
    first = chunk.format(paragraphs("First part.", 4))
    rest = chunk.format(paragraphs("Second part.", 4)) + ad + chunk.format(paragraphs("Third part.", 4))
    if second_chunk_article:  # a different story further down the page, same CMS classes
        return page(NEWS_HEAD, f"<main><article><h1>Harbour</h1>{first}</article><article>{rest}</article></main>")
    return page(NEWS_HEAD, f"<main><article><h1>Harbour</h1>{first}{ad}{rest}</article></main>")


def test_article_split_in_same_class_chunks_is_read_whole() -> None:
    result = article(chunked_page())
    for part in ("First part.", "Second part.", "Third part."):
        assert part in result.body
    assert result.body.index("First part.") < result.body.index("Second part.") < result.body.index("Third part.")
    assert "Advertisement" not in result.body


def test_chunks_of_another_article_element_are_not_merged() -> None:
    result = article(chunked_page(second_chunk_article=True))
    assert "First part." in result.body
    assert "Third part." not in result.body


# --- the visible standfirst ------------------------------------------------------------------

STANDFIRST = "The town's only breakwater will be rebuilt this year after engineers found its foundations had moved."


def standfirst_page(css_class: str) -> str:
    head = NEWS_HEAD + f'<meta name="description" content="{STANDFIRST}">'
    body = (
        f'<article><header><h1>Breakwater to be rebuilt</h1><p class="{css_class}">{STANDFIRST}</p></header>'
        f'<div class="article-body">{paragraphs("Body.", 5)}</div></article>'
    )
    return page(head, body)


def test_visible_standfirst_leads_the_body() -> None:
    result = article(standfirst_page("article__lead"))
    assert result.body.split("\n")[0] == STANDFIRST
    assert result.description == STANDFIRST


@pytest.mark.parametrize("css_class", ["article__dek", "subhead", "c-strapline"])
def test_dek_or_subhead_is_headline_furniture_not_body(css_class: str) -> None:
    result = article(standfirst_page(css_class))
    assert STANDFIRST not in result.body
    assert result.body.startswith("Body.")


# --- page furniture ------------------------------------------------------------------------


def test_furniture_lines_dropped_and_prose_kept() -> None:
    head = NEWS_HEAD + jsonld({"@type": "NewsArticle", "headline": "Breakwater to be rebuilt",
                               "author": {"@type": "Person", "name": "Jane Doe"}})
    body = (
        "<article><h1>Breakwater to be rebuilt</h1><div class='text'>"
        "<p>By Jane Doe</p><p>Stand: 04.03.2026, 09:15 Uhr</p>"
        f"<p>{SENTENCES[0]}</p><p>Read more: Storm season starts early this year</p>"
        f"<p>{SENTENCES[1]}</p><p>Workers on the pier at dawn</p><p>Photo: John Smith/Harbour News</p>"
        f"<p>{SENTENCES[2]}</p><p>More than forty boats were moved to the northern basin on Monday night.</p>"
        f"<p>{SENTENCES[3]}</p><p>Advertisement</p><p>{SENTENCES[4]}</p>"
        "<p>Sign up for our morning newsletter to get the news in your inbox.</p>"
        "<p>Follow Harbour News on Twitter and Facebook.</p></div></article>"
    )
    result = article(page(head, body))
    lines = result.body.split("\n")
    assert lines[0] == SENTENCES[0]
    assert lines[-1] == SENTENCES[4]
    for leaked in ("By Jane Doe", "Stand:", "Read more", "Photo:", "Workers on the pier", "Advertisement", "Sign up", "Follow"):
        assert leaked not in result.body
    assert "More than forty boats were moved" in result.body  # prose that starts like a label stays


# --- titles --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "h1", "expected"),
    [
        ('<meta property="og:title" content="Dax falls as yields rise | Börsen-Zeitung">', "", "Dax falls as yields rise"),
        ('<meta property="og:title" content="Goals, chances, risks | HN | 28.04.2023">', "", "Goals, chances, risks"),
        ('<meta property="og:title" content="Bomber back: coach asks for patience | Sport">',
         "Bomber back: coach asks for patience", "Bomber back: coach asks for patience"),
        ('<meta property="og:title" content="津波注意報 気象庁：港新聞デジタル"><meta property="og:site_name" content="港新聞デジタル">',
         "", "津波注意報 気象庁"),
    ],
    ids=["transliterated-site-name", "trailing-dateline", "section-suffix-h1-agrees", "full-width-separator"],
)
def test_title_cleaning(head: str, h1: str, expected: str) -> None:
    site = '<meta property="og:site_name" content="HN">' if "og:site_name" not in head else ""
    html = page('<meta property="og:type" content="article">' + site + head, f"<article><h1>{h1}</h1>{paragraphs('B.', 4)}</article>")
    assert article(html, "https://www.boersen-zeitung.example/markets/dax").title == expected


# --- bylines -------------------------------------------------------------------------------


def test_site_name_as_author_gives_way_to_a_visible_byline() -> None:
    head = '<meta property="og:type" content="article"><meta property="og:site_name" content="LTO">' + jsonld(
        {"@type": "NewsArticle", "headline": "Court ruling", "author": {"@type": "Organization", "name": "LTO"}}
    )
    body = f'<article><h1>Court ruling</h1><p class="meta">by <a href="/autoren/name/max-kolter">Dr. Max Kolter</a></p>{paragraphs("B.", 4)}</article>'
    assert article(page(head, body), "https://www.lto.example/recht/a").authors == ("Dr. Max Kolter",)


def test_site_name_kept_when_no_one_else_is_named() -> None:
    head = '<meta property="og:type" content="article"><meta property="og:site_name" content="LTO">' + jsonld(
        {"@type": "NewsArticle", "headline": "Court ruling", "author": {"@type": "Organization", "name": "LTO"}}
    )
    assert article(page(head, f"<article><h1>Court ruling</h1>{paragraphs('B.', 4)}</article>"), "https://www.lto.example/a").authors == ("LTO",)


def test_desk_line_naming_the_publisher_is_one_author() -> None:
    head = '<meta property="og:type" content="article"><meta property="og:site_name" content="Le Figaro">' + jsonld(
        {"@type": "NewsArticle", "headline": "Frappes", "author": [{"@type": "Person", "name": "Le Figaro et AFP"}]}
    )
    result = article(page(head, f"<article><h1>Frappes</h1>{paragraphs('B.', 4)}</article>", lang="fr"), "https://www.lefigaro.example/a")
    assert result.authors == ("Le Figaro et AFP",)


def test_agency_source_credit_is_not_an_author() -> None:
    head = '<meta property="og:type" content="article">'
    body = f'<article><h1>Match report</h1><div class="author">Quelle: sid/dpa</div>{paragraphs("B.", 4)}</article>'
    assert article(page(head, body)).authors == ()


# --- dates -----------------------------------------------------------------------------------


def test_title_dateline_dates_a_page_without_structured_dates() -> None:
    head = '<meta property="og:type" content="article"><meta property="og:title" content="Counter-offensive: goals | HN | 28.04.2023">'
    result = article(page(head, f"<article><h1>Counter-offensive</h1>{paragraphs('B.', 4)}</article>"))
    assert result.published_at == datetime(2023, 4, 28, tzinfo=UTC)
    assert "published_at_day_only" in result.flags


def test_fact_check_claim_review_is_dated_from_its_json_ld() -> None:
    head = jsonld({"@type": "ClaimReview", "name": "Claim checked", "datePublished": "2026-02-13 15:44",
                   "author": {"@type": "Organization", "name": "Fact Desk"}})
    result = article(page(head, f"<article><h1>Claim checked</h1>{paragraphs('B.', 4)}</article>"))
    assert result.published_at == datetime(2026, 2, 13, 15, 44, tzinfo=UTC)


# --- language --------------------------------------------------------------------------------

GERMAN = (
    "Der Hafen der Stadt wird in diesem Jahr umgebaut, nachdem Ingenieure festgestellt haben, dass sich die "
    "Fundamente der alten Mole um fast einen Meter verschoben haben. Die Fischer sollen ihre Boote während der "
    "Arbeiten im nördlichen Becken festmachen, teilte die Hafenbehörde am Montag mit."
)


def test_language_from_text_where_markup_names_none() -> None:
    body = "<article><h1>Hafen</h1>" + "".join(f"<p>{GERMAN}</p>" for _ in range(3)) + "</article>"
    result = article(page('<meta property="og:type" content="article">', body, lang=None))
    assert result.language == "de"


def test_markup_language_wins_over_the_text() -> None:
    body = "<article><h1>Hafen</h1>" + "".join(f"<p>{GERMAN}</p>" for _ in range(3)) + "</article>"
    assert article(page('<meta property="og:type" content="article">', body, lang="de-AT")).language == "de"


def test_language_from_text_is_deterministic_and_needs_enough_words() -> None:
    assert language_from_text(GERMAN) == language_from_text(GERMAN) == "de"
    assert language_from_text("Hafen Mole Boote") is None


def test_source_default_language_when_text_is_too_short_to_tell() -> None:
    from transforms.extract.language import find_language
    from transforms.extract.page import parse_html, read_page

    tree = parse_html(page("", "<p>Kurz.</p>", lang=None))
    assert tree is not None
    assert find_language(read_page(tree, URL), "de", "Kurz.") == "de"


# --- decoding ----------------------------------------------------------------------


def test_utf8_page_declaring_latin1_decodes_as_utf8_into_the_body() -> None:
    html = page('<meta property="og:type" content="article">', f"<article><h1>Günstige Tarife</h1>{paragraphs('Für Normalsurfer:', 4)}</article>")
    raw = html.replace('<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">').encode("utf-8")
    result = article(decode_html(raw, "text/html; charset=iso-8859-1"))
    assert "Für Normalsurfer" in result.body and "Ã" not in result.body
