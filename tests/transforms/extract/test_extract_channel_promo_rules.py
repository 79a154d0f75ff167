"""Closing promotions of the publisher's channels (follow us on a network or messenger, get the
app) leave the end of the body in any language; a story's sentences that link to a quoted post,
and a channel link in the middle of the story, stay.

Pages are written here in the shapes sites use; none is copied from a real site.
"""

from __future__ import annotations

import lxml.html
import pytest

from tests.fixtures.harbour_story import SENTENCES, extracted, story_page
from transforms.extract.channel_promos import is_channel_link, without_channel_promos

URL = "https://news.example/2026/03/04/harbour-story"

# (closing paragraph, a phrase of it); the texts are invented.
PROMOS = {
    "es-telegram": (
        '<p>¿Ya sabías que tenemos canal de Telegram? Únete desde tu celular en este<a href="https://t.me/noticias">'
        " enlace de invitación</a>.</p>",
        "tenemos canal de Telegram",
    ),
    "en-app": (
        "<p>For the latest stories download the Harbour News apps for "
        '<a href="https://apps.apple.com/us/app/harbour-news/id123"><strong>iOS</strong></a> and '
        '<a href="https://play.google.com/store/apps/details?id=news.harbour">Android</a>.</p>',
        "download the Harbour News apps",
    ),
    "es-networks-split": (
        '<div class="siguenos"><em>\n  Síguenos en\n  <a href="https://t.me/Puerto">Telegram</a>,\n'
        '  <a href="https://www.instagram.com/puerto/">Instagram</a> y\n  <a href="https://x.com/Puerto">X</a>\n'
        "  para recibir todas nuestras actualizaciones\n</em></div>",
        "para recibir todas nuestras actualizaciones",
    ),
    "de-whatsapp": (
        '<p>Folgen Sie uns auch auf <a href="https://whatsapp.com/channel/0029Va">WhatsApp</a> und verpassen Sie'
        " keine Nachricht aus dem Hafen.</p>",
        "Folgen Sie uns auch auf",
    ),
}


@pytest.mark.parametrize("name", sorted(PROMOS))
def test_a_closing_channel_promotion_leaves_the_body(name: str) -> None:
    paragraph, phrase = PROMOS[name]
    body = extracted(story_page(paragraph, "end"), URL).body
    assert phrase not in body
    assert all(s in body for s in SENTENCES)


def test_a_promotion_broken_over_several_lines_goes_whole() -> None:
    paragraph, _ = PROMOS["es-networks-split"]
    tree = lxml.html.document_fromstring(story_page(paragraph, "end"))
    text = "\n".join([*SENTENCES, "Síguenos en", "Telegram,", "Instagram y", "X",
                      "para recibir todas nuestras actualizaciones"])
    assert without_channel_promos(tree, text).split("\n") == SENTENCES


def test_a_story_sentence_linking_a_quoted_post_stays() -> None:
    quoted = ('<p>The mayor wrote on X that the promenade <a href="https://x.com/mayor/status/1234567">would stay'
              " open all summer</a>.</p>")
    tree = lxml.html.document_fromstring(story_page(quoted, "end"))
    text = "\n".join([*SENTENCES, "The mayor wrote on X that the promenade would stay open all summer."])
    assert without_channel_promos(tree, text) == text


def test_a_channel_link_inside_the_story_stays() -> None:
    """Only the end of the body is searched: the story may name a channel it reports on."""
    middle = '<p>The harbour authority now posts its notices on <a href="https://t.me/harbour">Telegram</a>.</p>'
    tree = lxml.html.document_fromstring(story_page(middle, "end"))
    text = "\n".join([SENTENCES[0], "The harbour authority now posts its notices on Telegram.", *SENTENCES[1:]])
    assert without_channel_promos(tree, text) == text


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("https://t.me/noticias", True),
        ("https://www.facebook.com/harbournews", True),
        ("https://www.youtube.com/channel/UC123", True),
        ("https://play.google.com/store/apps/details?id=x", True),
        ("https://twitter.com/mayor/status/1", False),
        ("https://www.instagram.com/p/Cx12/", False),
        ("https://www.youtube.com/watch?v=abc", False),
        ("https://news.example/follow-us", False),
        ("https://[ccpa-preferences]/", False),  # malformed: urlsplit raises ValueError
        ("/relative/path", False),
    ],
)
def test_which_links_go_to_a_channel(href: str, expected: bool) -> None:
    assert is_channel_link(href) is expected


@pytest.mark.parametrize(
    ("href", "expected"),
    [("https://t.me/harbourpress", True), ("//instagram.com/harbourpress", True),
     ("/t.me/harbourpress", False), ("t.me/harbourpress", False), ("mailto:desk@instagram.com", False)],
)
def test_only_absolute_addresses_are_channels(href: str, expected: bool) -> None:
    # The page's links are read with the prefix test first: a relative address is no channel.
    assert is_channel_link(href) is expected
