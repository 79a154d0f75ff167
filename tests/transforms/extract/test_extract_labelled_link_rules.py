"""Labelled links ("Label: <a>another story's headline</a>") leave the body in any language; a
sentence with a link in it, a short product credit and a link inside running text stay.

Pages are written here in the shapes sites use; none is copied from a real site.
"""

from __future__ import annotations

import lxml.html
import pytest

from tests.fixtures.harbour_story import SENTENCES, extracted, story_page
from transforms.extract.labelled_links import labelled_link_paragraphs, without_labelled_links

URL = "https://news.example/2026/03/04/harbour-story"

# (paragraph markup, its text); the texts are invented.
LABELLED = {
    "de": (
        '<p>Lesen Sie hier: <a href="/stadt/faehre-faellt-aus-123"><em>Fähre fällt wegen Sturm an zwei Tagen'
        " aus</em></a></p>",
        "Lesen Sie hier: Fähre fällt wegen Sturm an zwei Tagen aus",
    ),
    "pl": (
        '<p><strong>Dowiedz się więcej: <a href="https://news.example/pl/1"><em>Port zamknięty do końca'
        " tygodnia z powodu sztormu</em></a></strong></p>",
        "Dowiedz się więcej: Port zamknięty do końca tygodnia z powodu sztormu",
    ),
    "fr": (
        '<p>À voir: <a href="/video/digue">La digue du port filmée depuis un drone</a>.</p>',
        "À voir: La digue du port filmée depuis un drone.",
    ),
    "en": (
        '<p><em>Related:<a href="/2026/02/10/storm"> Storm damage bill for the seafront passes a million</a></em></p>',
        "Related: Storm damage bill for the seafront passes a million",
    ),
}


@pytest.mark.parametrize("name", sorted(LABELLED))
def test_a_labelled_link_leaves_the_body(name: str) -> None:
    paragraph, shown = LABELLED[name]
    body = extracted(story_page(paragraph), URL).body
    assert shown.split(":")[1].strip().rstrip(".") not in body
    assert all(s in body for s in SENTENCES)


@pytest.mark.parametrize("name", sorted(LABELLED))
def test_the_rule_itself_takes_the_line(name: str) -> None:
    paragraph, shown = LABELLED[name]
    tree = lxml.html.document_fromstring(story_page(paragraph))
    text = "\n".join([*SENTENCES[:3], shown, *SENTENCES[3:]])
    assert without_labelled_links(tree, text).split("\n") == SENTENCES


@pytest.mark.parametrize(
    "paragraph",
    [
        # a sentence of the story that ends in a link
        '<p>The full report of the survey can be read <a href="/report.pdf">on the authority\'s website</a>.</p>',
        # a product credit: a label and a shop's two-word name
        '<p>Earring: <a href="https://shop.example/">Harbour Gold</a></p>',
        # a label with two links is a list, not a pointer to one page
        '<p>See also: <a href="/a">Storm closes the northern pier</a> and <a href="/b">Ferry back on time</a></p>',
        # a long lead-in is a sentence, not a label
        '<p>According to the minutes of the meeting held last week: <a href="/m">minutes of the council</a></p>',
    ],
)
def test_text_with_links_is_not_a_labelled_link(paragraph: str) -> None:
    tree = lxml.html.document_fromstring(f"<html><body>{paragraph}</body></html>")
    assert labelled_link_paragraphs(tree) == set()
