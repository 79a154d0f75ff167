"""The standfirst a page marks by its class between the headline and the text leads the body,
where trafilatura left the article header out (transforms.extract.standfirst).

Pages and texts are written here in the shapes news sites and press offices use (a lead
paragraph in the article header, a teaser block in a CMS's news template, a French "chapô"),
in English, German, French and Spanish; none is copied from a site.
"""

from __future__ import annotations

import pytest

from tests.fixtures.harbour_story import extracted
from transforms.extract.page import parse_html
from transforms.extract.standfirst import marked_standfirst

STORIES = {
    "en": (
        "Breakwater to be rebuilt",
        "The town's only breakwater will be rebuilt this year after engineers found that its foundations had moved.",
        [
            "The harbour authority said on Monday that the work would begin before the winter storms arrive.",
            "Engineers found that the foundations had shifted by almost a metre since the last survey was made.",
            "Fishing crews have been asked to moor their boats in the northern basin while the work goes on.",
            "The council expects the repairs to cost more than four million euros, most of it from a regional fund.",
            "Residents along the seafront will be able to follow the progress at a public meeting every month.",
        ],
    ),
    "de": (
        "Neue Brücke über den Kanal",
        "Die alte Drehbrücke am Stadthafen wird im Sommer abgerissen, weil Gutachter Risse in den Pfeilern gefunden haben.",
        [
            "Die Stadtverwaltung teilte am Montag mit, dass der Neubau bis zum Herbst des kommenden Jahres dauern soll.",
            "Während der Bauzeit fährt eine kleine Fähre im Halbstundentakt zwischen den beiden Ufern des Kanals.",
            "Die Kosten von rund sechs Millionen Euro trägt zum größten Teil das Land, den Rest zahlt die Stadt.",
            "Anwohner können sich bei einer Bürgerversammlung im Rathaus über die Pläne der Ingenieure informieren.",
            "Die Händler am Hafen hoffen, dass die Fähre genug Kundschaft auf die andere Seite des Wassers bringt.",
        ],
    ),
    "fr": (
        "Le marché couvert rouvre ses portes",
        "Après deux ans de travaux, le marché couvert du centre-ville accueille de nouveau les producteurs de la région.",
        [
            "La mairie a annoncé lundi que quarante étals seraient occupés dès la première semaine d'ouverture.",
            "Les architectes ont conservé la charpente métallique d'origine, restaurée pièce par pièce en atelier.",
            "Le chantier a coûté près de neuf millions d'euros, dont un tiers financé par la région et l'État.",
            "Les commerçants du quartier espèrent que la réouverture ramènera des clients dans les rues voisines.",
            "Un marché nocturne sera organisé chaque premier vendredi du mois pendant toute la saison estivale.",
        ],
    ),
    "es": (
        "La biblioteca municipal amplía su horario",
        "La biblioteca municipal abrirá también los domingos a partir de marzo, tras la contratación de cinco bibliotecarios.",
        [
            "El ayuntamiento explicó el lunes que la medida responde a la demanda de estudiantes durante los exámenes.",
            "La sala de lectura del primer piso tendrá además enchufes nuevos y una conexión a internet más rápida.",
            "El coste anual del nuevo horario rondará los doscientos mil euros, según el presupuesto aprobado.",
            "Los vecinos podrán proponer actividades para los domingos a través de un formulario en la recepción.",
            "La asociación de estudiantes celebró la decisión y pidió que se extienda también a los días festivos.",
        ],
    ),
}


def story_page(lang: str, header: str, after: str = "") -> str:
    """An article page: headline and ``header`` in the article header, the text below, then
    ``after``; no meta description (the standfirst is found by its markup alone)."""
    headline, _, paragraphs = STORIES[lang]
    text = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{headline}</title>'
        '<meta property="og:type" content="article"></head><body>'
        '<nav><a href="/">Home</a> <a href="/news">News</a></nav>'
        f'<main><article><header class="article-header"><h1>{headline}</h1>{header}</header>'
        f'<div class="article-body">{text}</div></article>{after}</main>'
        "<footer><p>All rights reserved.</p></footer></body></html>"
    )


@pytest.mark.parametrize(("lang", "header"), [
    ("en", '<p class="article__lead">{}</p>'),
    ("de", '<div class="news-teaser-text"><p>{}</p></div>'),
    ("fr", '<div class="crayon article-chapo"><p>{}</p></div>'),
    ("es", '<h2 class="ArticleHero__intro--light">{}</h2>'),
    ("de", '<p class="entry-excerpt">{}</p>'),
    ("en", '<section class="typo"><p class="introduction">{}</p></section>'),
])
def test_a_marked_standfirst_leads_the_body(lang: str, header: str) -> None:
    _, standfirst, paragraphs = STORIES[lang]
    result = extracted(story_page(lang, header.format(standfirst)), f"https://news.example/{lang}/story")
    lines = result.body.split("\n")
    assert lines[0] == standfirst
    assert lines[1] == paragraphs[0]


@pytest.mark.parametrize("header", [
    # Headline furniture restating the headline: a dek, not the text's opening.
    '<p class="article__dek">{}</p>',
    # A teaser that is a link (another story promoted above the text).
    '<div class="teaser"><a href="/other">{}</a></div>',
    # No class says what it is.
    '<p class="meta">{}</p>',
])
def test_an_element_not_marked_as_the_texts_opening_is_not_taken(header: str) -> None:
    _, standfirst, paragraphs = STORIES["en"]
    result = extracted(story_page("en", header.format(standfirst)), "https://news.example/en/story")
    assert standfirst not in result.body
    assert result.body.split("\n")[0] == paragraphs[0]


def test_a_teaser_of_another_story_after_the_text_is_not_taken() -> None:
    _, _, paragraphs = STORIES["de"]
    other = "Im Nachbarort beginnt nächste Woche die Sanierung des Freibads, das seit drei Jahren geschlossen ist."
    after = f'<section class="related"><div class="teaser-text"><p>{other}</p></div></section>'
    result = extracted(story_page("de", "", after=after), "https://news.example/de/story")
    assert other not in result.body
    assert result.body.split("\n")[0] == paragraphs[0]


@pytest.mark.parametrize("label", [
    "Lead story",  # a label, not a sentence
    "Wohnen, Bauen und Sanieren in der Stadt: alle Themen rund um den Hafen und die neue Brücke im Überblick",
])
def test_a_marked_element_that_is_not_running_text_is_not_taken(label: str) -> None:
    _, _, paragraphs = STORIES["de"]
    html = story_page("de", f'<div class="intro">{label}</div>')
    tree = parse_html(html)
    assert tree is not None
    assert marked_standfirst(tree, "\n".join(paragraphs)) is None


def test_a_marked_container_holding_the_text_is_not_a_standfirst() -> None:
    # Some templates mark the whole post "excerpt": its text is the body, not a standfirst.
    headline, standfirst, paragraphs = STORIES["fr"]
    inner = "".join(f"<p>{p}</p>" for p in (standfirst, *paragraphs[:2]))
    html = f'<html><body><h1>{headline}</h1><div class="entry-content excerpt">{inner}</div></body></html>'
    tree = parse_html(html)
    assert tree is not None
    assert marked_standfirst(tree, "\n".join(paragraphs[:2])) is None


def test_no_standfirst_where_the_body_is_not_shown_after_the_headline() -> None:
    _, standfirst, paragraphs = STORIES["es"]
    html = story_page("es", f'<p class="lead">{standfirst}</p>')
    tree = parse_html(html)
    assert tree is not None
    assert marked_standfirst(tree, "Un texto que la página no muestra en ningún lugar, con palabras de sobra.") is None
    # Nor where the body already holds it.
    assert marked_standfirst(tree, "\n".join([standfirst, *paragraphs])) is None
    assert marked_standfirst(tree, "\n".join(paragraphs)) == standfirst


# --- a site's menu between the headline and the text (passed by whole where it cannot hold the first line) ---

_LEAD = "Die alte Drehbrücke am Stadthafen wird im Sommer abgerissen, weil Gutachter Risse in den Pfeilern gefunden haben."
_FIRST = "Die Stadtverwaltung teilte am Montag mit, dass der Neubau bis zum Herbst des kommenden Jahres dauern soll."
_SECOND = "Während der Bauzeit fährt eine kleine Fähre im Halbstundentakt zwischen den beiden Ufern des Kanals."


def _menu_page(menu_item: str, lead_wrapper: str = "div") -> str:
    items = "".join(
        f'<li class="nav__item">\n        <a href="/t/{i}">   Thema {i}   </a>\n        <ul><li><a href="/t/{i}/a">Unterseite</a></li></ul>\n    </li>\n'
        for i in range(40)
    )
    return (
        "<html><body><header><h1>Neue Brücke über den Kanal</h1></header>"
        f'<nav class="mainnav"><ul>{items}<li>{menu_item}</li></ul></nav>'
        f'<{lead_wrapper} class="article-intro"><p>{_LEAD}</p></{lead_wrapper}>'
        f'<div class="text"><p>{_FIRST}</p><p>{_SECOND}</p></div></body></html>'
    )


def test_the_standfirst_after_a_long_menu_between_headline_and_text_is_found() -> None:
    tree = parse_html(_menu_page('<a href="/kontakt">Kontakt</a>'))
    assert tree is not None
    assert marked_standfirst(tree, f"{_FIRST}\n{_SECOND}") == _LEAD


def test_a_menu_link_opening_like_the_first_line_is_still_where_the_walk_stops() -> None:
    # A teaser link in the menu repeating the text's first sentence: the first line is taken
    # to be shown there, above the standfirst, which then is not between headline and text.
    tree = parse_html(_menu_page(f'<a href="/brücke"><span>{_FIRST[:70]}</span>  …</a>'))
    assert tree is not None
    assert marked_standfirst(tree, f"{_FIRST}\n{_SECOND}") is None


def test_a_standfirst_marked_inside_an_aside_is_not_taken() -> None:
    tree = parse_html(_menu_page('<a href="/kontakt">Kontakt</a>', lead_wrapper="aside"))
    assert tree is not None
    assert marked_standfirst(tree, f"{_FIRST}\n{_SECOND}") is None
