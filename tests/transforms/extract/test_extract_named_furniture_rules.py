"""Furniture a template names (image captions and credits, reader comments, advertising
disclosures) leaves the body in any language; the story's own text stays, also where a caption
repeats one of its paragraphs or the page is a gallery told in its captions.

Pages are written here in the shapes sites use; none is copied from a real site.
"""

from __future__ import annotations

import lxml.html
import pytest

from tests.fixtures.harbour_story import SENTENCES, extracted, story_page
from transforms.extract.named_furniture import named_furniture_boxes, without_named_furniture

URL = "https://news.example/2026/03/04/harbour-story"

# (box markup, a phrase of it that must leave the body); the texts are invented.
BOXES = {
    "en-caption-box": (
        '<div class="article__img"><img src="/b.jpg" alt=""><div class="article__img__caption">'
        '<div class="caption__small">Waves break over the old wall during the storm of last November.</div>'
        '<div class="photo-credit">Jane Doe/Harbour Press</div></div></div>',
        "Waves break over the old wall",
    ),
    "de-comment-module": (
        '<div id="kommentarModul" class="kommentarModul"><h3>3 Kommentare</h3><div class="kommentarContent">'
        "<p>Sie sind aktuell nicht eingeloggt. Um einen Kommentar zu hinterlassen, melden Sie sich bitte an.</p>"
        '<a href="/login">Anmelden</a></div></div>',
        "Sie sind aktuell nicht eingeloggt",
    ),
    "fr-comments": (
        '<section id="commentaires"><h2>0 commentaire</h2><p>Aucun commentaire pour le moment, soyez le premier'
        ' à réagir à cet article.</p></section>',
        "Aucun commentaire pour le moment",
    ),
    "es-caption": (
        '<div class="foto"><img src="/c.jpg" alt=""><p class="pie-caption">El rompeolas visto desde el puerto '
        "norte durante las obras del verano pasado.</p></div>",
        "El rompeolas visto desde el puerto",
    ),
    "it-comments": (
        '<div class="commenti"><p>Nessun commento ancora presente, lascia il tuo parere qui sotto per primo.</p>'
        "</div>",
        "Nessun commento ancora presente",
    ),
    "en-disclosure": (
        '<section class="editorial-disclosure"><p>This post contains references to products from our advertisers.'
        " We may receive compensation when you click on links to those products.</p></section>",
        "references to products from our advertisers",
    ),
    "nl-disclaimer": (
        '<p class="affiliate-disclaimer">Laatste update op 2 februari / Deze pagina bevat affiliate links; wij '
        "ontvangen een kleine vergoeding wanneer u via deze links iets koopt.</p>",
        "Deze pagina bevat affiliate links",
    ),
}


@pytest.mark.parametrize("where", ["between", "end"])
@pytest.mark.parametrize("name", sorted(BOXES))
def test_named_furniture_leaves_the_body(name: str, where: str) -> None:
    box, phrase = BOXES[name]
    body = extracted(story_page(box, where), URL).body
    assert phrase not in body
    assert all(s in body for s in SENTENCES)


@pytest.mark.parametrize("name", sorted(BOXES))
def test_the_rule_itself_takes_the_box_lines(name: str) -> None:
    """Without trafilatura in between: the lines shown inside the box go, the story's stay."""
    box, phrase = BOXES[name]
    tree = lxml.html.document_fromstring(story_page(box, "end"))
    box_text = " ".join(lxml.html.fragment_fromstring(box).text_content().split())
    text = "\n".join([*SENTENCES, box_text])
    kept = without_named_furniture(tree, text)
    assert phrase not in kept
    assert kept.split("\n") == SENTENCES


def test_a_heading_run_into_the_next_paragraph_is_still_read_apart() -> None:
    """"<h2>0 Kommentare</h2><p>Keine Kommentare ...</p>" is "0 KommentareKeine ..." as one text."""
    tree = lxml.html.document_fromstring(
        '<html><body><section class="kommentare"><h2>0 Kommentare</h2><p>Keine Kommentare bisher, schreiben'
        " Sie den ersten.</p></section></body></html>"
    )
    text = "\n".join([*SENTENCES, "Keine Kommentare bisher, schreiben Sie den ersten."])
    assert without_named_furniture(tree, text).split("\n") == SENTENCES


def test_a_caption_that_repeats_a_paragraph_of_the_story_stays() -> None:
    tree = lxml.html.document_fromstring(
        f"<html><body><figure><img src='/a.jpg'><figcaption>{SENTENCES[0]}</figcaption></figure>"
        + "".join(f"<p>{s}</p>" for s in SENTENCES)
        + "</body></html>"
    )
    text = "\n".join(SENTENCES)
    assert without_named_furniture(tree, text) == text


def test_a_gallery_told_in_its_captions_keeps_them() -> None:
    """Where the captions are most of the body, they are what the page shows."""
    slides = "".join(
        f'<div class="slide"><img src="/{i}.jpg"><div class="slide-caption">{s}</div></div>'
        for i, s in enumerate(SENTENCES)
    )
    tree = lxml.html.document_fromstring(f"<html><body><h1>Ten costumes</h1>{slides}</body></html>")
    text = "\n".join(SENTENCES)
    assert without_named_furniture(tree, text) == text


def test_an_opinion_column_classed_kommentar_is_the_body_not_furniture() -> None:
    """German papers call an opinion piece a "Kommentar": a box that holds most of the body is
    the body's own container."""
    tree = lxml.html.document_fromstring(
        '<html><body><div class="kommentar">' + "".join(f"<p>{s}</p>" for s in SENTENCES) + "</div></body></html>"
    )
    text = "\n".join(SENTENCES)
    assert without_named_furniture(tree, text) == text


def test_a_short_line_is_taken_only_as_a_box_s_whole_text() -> None:
    """A two-word line found somewhere inside a caption is a chance match, not the caption."""
    tree = lxml.html.document_fromstring(
        '<html><body><div class="image-credit">Photo by the harbour authority archive</div></body></html>'
    )
    text = "\n".join([*SENTENCES, "harbour authority"])
    assert without_named_furniture(tree, text) == text


def test_words_are_matched_as_parts_of_class_and_id_tokens() -> None:
    tree = lxml.html.document_fromstring(
        '<html><body><div class="imgCaption">A</div><div id="bildunterschrift-1">B</div>'
        '<div class="recaption-service">C</div><div class="discredited">D</div></body></html>'
    )
    boxes, _ = named_furniture_boxes(tree)
    assert sorted(boxes) == ["a", "b"]


def test_a_class_value_is_judged_once_for_all_the_elements_carrying_it() -> None:
    # The walk remembers each class and id value's verdict: every element carrying a value
    # that names furniture is found, in page order, one read per element, and an element whose
    # class names nothing is found by its id or its figcaption tag.
    tree = lxml.html.document_fromstring(
        '<html><body><div class="Caption">A</div><p class="lead">B</p><div class="Caption">C</div>'
        '<div class="lead" id="user-kommentare">D</div><figcaption class="lead">E</figcaption>'
        '<div class="caption" id="comments">F</div><p class="lead">G</p></body></html>'
    )
    boxes, elements = named_furniture_boxes(tree)
    assert boxes == ["a", "c", "d", "e", "f"]
    assert len(elements) == len({id(element) for element in elements}) == 5
