"""The story's own structure kept: subheadings and list items between the body's paragraphs
(where trafilatura fell back on bare paragraphs), a story split into a header <article> and a
text <article>, a short post that is all of its entry, a blog post that is a list of links.

Pages are written here in the shapes blogs and news sites use, in several languages; none is
copied from a real site.
"""

from __future__ import annotations

import lxml.html
import pytest

from tests.fixtures.harbour_story import FETCHED_AT, extracted
from transforms.article import Rejected
from transforms.extract.body import is_entry_text, own_article, with_structure_between
from transforms.extract.extractor import extract_article
from transforms.extract.line_rules import drop_link_lists

URL = "https://blog.example/2026/03/04/story"

# (paragraphs, subheading, list items) per language: invented texts in the shape of a guide.
STORIES = {
    "de": (
        [
            "Die Stadtwerke haben am Montag angekündigt, dass die alte Brücke über den Kanal im Frühjahr erneuert wird.",
            "Nach Angaben der Ingenieure haben sich die Fundamente seit der letzten Prüfung um fast einen Meter gesenkt.",
            "Die Anwohner sollen in den kommenden Wochen über die Umleitungen und die Bauzeiten informiert werden.",
            "Der Stadtrat rechnet mit Kosten von mehr als vier Millionen Euro, die zum größten Teil das Land trägt.",
            "Die Geschäfte am Ufer fürchten einen ruhigen Sommer, doch der Bürgermeister verspricht offene Wege.",
            "Eine öffentliche Versammlung soll jeden Monat über den Fortschritt der Arbeiten am Kanal berichten.",
        ],
        "Was die Anwohner wissen müssen",
        ["Die Brücke bleibt für Fußgänger offen", "Busse fahren über die Nordstraße", "Lieferverkehr nur nachts"],
    ),
    "fr": (
        [
            "La municipalité a annoncé lundi que le vieux pont sur le canal serait reconstruit au printemps prochain.",
            "Selon les ingénieurs, les fondations se sont affaissées de près d'un mètre depuis la dernière inspection.",
            "Les riverains seront informés dans les semaines à venir des déviations et des horaires du chantier.",
            "Le conseil municipal estime le coût des travaux à plus de quatre millions d'euros, payés par la région.",
            "Les commerçants du quai craignent un été calme, mais le maire promet que la promenade restera ouverte.",
            "Une réunion publique fera chaque mois le point sur l'avancement des travaux le long du canal.",
        ],
        "Ce que les riverains doivent savoir",
        ["Le pont reste ouvert aux piétons", "Les bus passent par la rue du Nord", "Livraisons uniquement la nuit"],
    ),
    "es": (
        [
            "El ayuntamiento anunció el lunes que el viejo puente sobre el canal será reconstruido en primavera.",
            "Según los ingenieros, los cimientos se han hundido casi un metro desde la última inspección técnica.",
            "Los vecinos serán informados en las próximas semanas de los desvíos y de los horarios de las obras.",
            "El consejo calcula que la obra costará más de cuatro millones de euros, pagados en su mayoría por la región.",
            "Los comercios del muelle temen un verano tranquilo, pero el alcalde promete que el paseo seguirá abierto.",
            "Una reunión pública informará cada mes sobre el avance de las obras a lo largo del canal.",
        ],
        "Lo que los vecinos deben saber",
        ["El puente sigue abierto a los peatones", "Los autobuses pasan por la calle Norte", "Entregas solo de noche"],
    ),
}


def guide_page(language: str, container_class: str = "teaser_blog_text", between: str | None = None) -> str:
    """A post whose text container is classed with a furniture word ("teaser"), which makes
    trafilatura fall back on the page's bare paragraphs."""
    paragraphs, heading, items = STORIES[language]
    listed = "".join(f"<li>{item}</li>" for item in items)
    middle = between if between is not None else f"<h3>{heading}</h3><ul>{listed}</ul>"
    text = (
        "".join(f"<p>{p} {p}</p>" for p in paragraphs[:3])
        + middle
        + "".join(f"<p>{p} {p}</p>" for p in paragraphs[3:])
    )
    return (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta property="og:type" content="article"><title>Die Brücke</title></head><body>'
        '<nav><a href="/">Start</a><a href="/a">A</a></nav>'
        f'<div class="post"><h1>Die Brücke</h1><div class="{container_class}" id="content">{text}</div></div>'
        "<footer><p>Impressum</p></footer></body></html>"
    )


@pytest.mark.parametrize("language", sorted(STORIES))
def test_subheadings_and_list_items_between_paragraphs_are_kept(language: str) -> None:
    paragraphs, heading, items = STORIES[language]
    body = extracted(guide_page(language), URL).body
    lines = body.split("\n")
    assert heading in lines
    assert [f"- {item}" for item in items] == [line for line in lines if line.startswith("- ")]
    # In their place: after the third paragraph, before the fourth.
    third = next(i for i, line in enumerate(lines) if line.startswith(paragraphs[2]))
    assert lines[third + 1] == heading
    assert lines[third + 5].startswith(paragraphs[3])


def test_a_list_of_links_between_paragraphs_is_not_put_back() -> None:
    related = '<h3>Lesen Sie auch</h3><ul>' + "".join(
        f'<li><a href="/story-{n}">Weitere Geschichte Nummer {n} aus der Stadt</a></li>' for n in range(3)
    ) + "</ul>"
    body = extracted(guide_page("de", between=related), URL).body
    assert "Weitere Geschichte" not in body


def test_a_heading_in_an_aside_or_a_hidden_box_is_not_put_back() -> None:
    aside = '<aside><h3>Newsletter</h3><ul><li>Jeden Freitag die Nachrichten der Woche</li></ul></aside>'
    assert "Newsletter" not in extracted(guide_page("de", between=aside), URL).body
    hidden = '<div style="display: none"><h3>Versteckt</h3></div>'
    assert "Versteckt" not in extracted(guide_page("de", between=hidden), URL).body


LONG = " and it goes on for a while, as the paragraphs of a story do when they explain a thing."
FIRST, SECOND, THIRD = (f"{n} paragraph of the story{LONG}" for n in ("First", "Second", "Third"))


def test_structure_is_only_put_back_between_consecutive_body_lines() -> None:
    tree = lxml.html.document_fromstring(
        f"<html><body><div id='c'><h2>Above</h2><p>{FIRST}</p><h3>Between the first and the second</h3>"
        f"<p>{SECOND}</p><p>A paragraph the body does not hold, as one a line rule took out.</p><h3>After it</h3>"
        f"<p>{THIRD}</p><h3>Below</h3></div></body></html>"
    )
    text = "\n".join([FIRST, SECOND, THIRD])
    assert with_structure_between(tree, text).split("\n") == [FIRST, "Between the first and the second", SECOND, THIRD]


def test_nothing_is_put_back_where_other_text_shares_the_gap() -> None:
    # A related box's heading whose links are not list items: the links' text sits in the gap.
    tree = lxml.html.document_fromstring(
        f"<html><body><div id='c'><p>{FIRST}</p><h3>See also</h3><a href='/x'>Another story</a>"
        f"<p>{SECOND}</p><p>{THIRD}</p></div></body></html>"
    )
    text = "\n".join([FIRST, SECOND, THIRD])
    assert with_structure_between(tree, text) == text


@pytest.mark.parametrize("control", ['class="faq-accordion__title"', 'aria-expanded="false"', 'data-toggle="panel"'])
def test_an_accordion_title_is_not_put_back(control: str) -> None:
    tree = lxml.html.document_fromstring(
        f"<html><body><div id='c'><p>{FIRST}</p><h3 {control}>How does it work?</h3>"
        f"<p>{SECOND}</p><p>{THIRD}</p></div></body></html>"
    )
    text = "\n".join([FIRST, SECOND, THIRD])
    assert with_structure_between(tree, text) == text


def test_headings_between_short_teaser_blurbs_are_not_put_back() -> None:
    cards = "".join(f"<h3>Product {n} tested</h3><p>Many families tested product {n}. Read what they thought.</p>"
                    for n in range(4))
    tree = lxml.html.document_fromstring(f"<html><body><div id='c'>{cards}</div></body></html>")
    text = "\n".join(f"Many families tested product {n}. Read what they thought." for n in range(4))
    assert with_structure_between(tree, text) == text


# --- a story split into a header <article> and a text <article> -------------------------------

SPLIT_TEXT = [
    "Il comune ha annunciato lunedì che il vecchio ponte sul canale sarà ricostruito entro la prossima primavera.",
    "Secondo gli ingegneri le fondamenta si sono abbassate di quasi un metro dall'ultima ispezione eseguita.",
    "I residenti saranno informati nelle prossime settimane sulle deviazioni e sugli orari del cantiere.",
    "Il consiglio stima che i lavori costeranno più di quattro milioni di euro, pagati in gran parte dalla regione.",
    "I negozi lungo il molo temono un'estate tranquilla, ma il sindaco promette che la passeggiata resterà aperta.",
]


def split_page(second: str) -> str:
    return (
        '<!DOCTYPE html><html lang="it"><head><meta charset="utf-8"><meta property="og:type" content="article">'
        "<title>Il ponte</title></head><body>"
        "<article><h1>Il ponte sarà ricostruito</h1><p>Una breve introduzione alla storia del ponte sul canale "
        "e ai lavori che cominceranno in primavera.</p></article>" + second + "</body></html>"
    )


def test_a_story_split_into_header_and_text_articles_is_read_whole() -> None:
    text = "<article class='content'><h2>I lavori</h2>" + "".join(f"<p>{s} {s}</p>" for s in SPLIT_TEXT) + "</article>"
    body = extracted(split_page(text), "https://notizie.example/ponte").body
    assert all(s in body for s in SPLIT_TEXT)


HEADER_TEXT = "Una breve introduzione alla storia del ponte sul canale e ai lavori che cominceranno in primavera."


def test_a_next_story_with_its_own_headline_is_not_read_as_the_text() -> None:
    other = "<article><h1>Un'altra notizia</h1>" + "".join(f"<p>{s} {s}</p>" for s in SPLIT_TEXT) + "</article>"
    tree = lxml.html.document_fromstring(split_page(other))
    own = own_article(tree, HEADER_TEXT)
    assert own is not None and "Il ponte" in own.text_content()


def test_beside_a_list_of_posts_the_header_article_is_read_alone() -> None:
    posts = "".join("<article><h2>Un post</h2>" + "".join(f"<p>{s} {s}</p>" for s in SPLIT_TEXT) + "</article>"
                    for _ in range(3))
    tree = lxml.html.document_fromstring(split_page(posts))
    assert own_article(tree, HEADER_TEXT) is not None


def test_a_list_of_posts_nested_in_one_another_is_not_the_text() -> None:
    # Unclosed tags nest a blog's post list: one <article> after the header, holding the others.
    post = "<h2>Un post</h2>" + "".join(f"<p>{s} {s}</p>" for s in SPLIT_TEXT)
    tree = lxml.html.document_fromstring(split_page(f"<article>{post}<article>{post}</article></article>"))
    assert own_article(tree, HEADER_TEXT) is not None


def test_the_text_article_after_the_header_is_not_left_out() -> None:
    text = "<article><h2>I lavori</h2>" + "".join(f"<p>{s} {s}</p>" for s in SPLIT_TEXT) + "</article>"
    assert own_article(lxml.html.document_fromstring(split_page(text)), HEADER_TEXT) is None


# --- short posts -----------------------------------------------------------------------------

SHORT_POST = "Wer rutscht als Nächstes auf dem Glatteis aus? Ich wette, dass du es bist. Und dann: paff. Gewonnen!"


def post_page(content: str, og_type: str = "article") -> str:
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f'<meta property="og:type" content="{og_type}"><title>Gespräche</title></head><body>'
        '<div class="post hentry"><h2>Gespräche</h2>' + content + "</div>"
        "<div id='sidebar'><ul><li><a href='/a'>Archiv</a></li><li><a href='/b'>Kategorien</a></li></ul></div>"
        "</body></html>"
    )


@pytest.mark.parametrize("marked", ['<div class="post-content">{}</div>', '<div class="entry-content">{}</div>',
                                    '<article>{}</article>', '<div itemprop="articleBody">{}</div>'])
def test_a_short_post_that_is_all_of_its_entry_is_an_article(marked: str) -> None:
    result = extracted(post_page(marked.format(f"<p>{SHORT_POST}</p>")), URL)
    assert result.body == SHORT_POST


def test_a_short_text_outside_any_entry_is_still_rejected() -> None:
    shell = post_page(f'<div class="app-shell"><p>{SHORT_POST}</p></div>')
    result = extract_article(shell, URL, source="test", fetched_at=FETCHED_AT)
    assert isinstance(result, Rejected) and result.reason == "empty_body"


def test_a_short_entry_on_a_page_that_is_no_article_is_still_rejected() -> None:
    page = post_page(f'<div class="entry-content"><p>{SHORT_POST}</p></div>', og_type="website")
    result = extract_article(page, URL, source="test", fetched_at=FETCHED_AT)
    assert isinstance(result, Rejected)


def test_a_fragment_of_a_few_words_is_still_rejected() -> None:
    page = post_page('<div class="entry-content"><p>Bild: Archiv</p></div>')
    result = extract_article(page, URL, source="test", fetched_at=FETCHED_AT)
    assert isinstance(result, Rejected) and result.reason == "empty_body"


def test_entry_text_needs_every_line_inside_one_entry() -> None:
    tree = lxml.html.document_fromstring(
        "<html><body><div class='entry-content'><p>Erste Zeile des Eintrags</p></div>"
        "<div class='widget'><p>Zweite Zeile im Seitenrand</p></div></body></html>"
    )
    assert is_entry_text(tree, "Erste Zeile des Eintrags")
    assert not is_entry_text(tree, "Erste Zeile des Eintrags\nZweite Zeile im Seitenrand")
    assert not is_entry_text(tree, "")


# --- a post that is a list of links ------------------------------------------------------------

LINKS = ["Studie zweifelt an der Förderung der Presse via Horizont", "Gewalt im Netz und Opferschutz via Netzpolitik"]


def test_a_link_list_beside_the_story_goes() -> None:
    lines = ["Ein Absatz der Geschichte.", *(f"- {link}" for link in LINKS)]
    linked = frozenset(" ".join(link.casefold().split()) for link in LINKS)
    assert drop_link_lists(lines, linked) == ["Ein Absatz der Geschichte."]


def test_a_post_that_is_only_a_list_of_links_keeps_it() -> None:
    lines = [f"- {link}" for link in LINKS]
    linked = frozenset(" ".join(link.casefold().split()) for link in LINKS)
    assert drop_link_lists(lines, linked) == lines
