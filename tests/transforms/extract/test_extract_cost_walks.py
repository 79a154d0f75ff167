"""The page walks read once for several rules give the answers of the plain computations they replace."""

from __future__ import annotations

from itertools import islice

import lxml.etree
import lxml.html
import pytest

from transforms.extract.body import (
    CTA_BOX_MAX_WORDS,
    CTA_BOX_TAGS,
    CTA_CLASS_RE,
    WORD_RE,
    _call_to_action_boxes,
    _has_call_to_action,
)
from transforms.extract.bylines import _BODY_TEXTS, _MAX_NAME_TEXTS, _as_the_page_shows, texts_with_word
from transforms.extract.dates import (
    DATE_LINE_SKIPPED_TAGS,
    DATE_LINE_TEXTS_AFTER,
    DATE_LINE_TEXTS_BEFORE,
    LABELLED_DATE_TEXTS_AFTER,
    texts_after,
    texts_before,
)
from transforms.extract.page import parse_html

_LOWER = "abcdefghijklmnopqrstuvwxyz"
# The plain computation: one XPath over the whole page per name.
_PLAIN_TEXTS_WITH_WORD = lxml.etree.XPath(
    f"//body//text()[contains(translate(., '{_LOWER.upper()}', '{_LOWER}'), $word)]"
    "[not(ancestor::script or ancestor::style)]"
)

_BYLINE_PAGE = (
    "<html><head><title>Jane Doe in the head</title><style>.jane{}</style></head><body>"
    "<header><span class='by'>By JANE Doe</span> and Jane's desk</header>"
    "<script>var jane = 'Jane Doe';</script>after the script, Jane"
    "<style>p.jane { color: red }</style>"
    "<article><p>Harbour works start.<b>Jane</b> Doe reports<!-- jane -->; jane again</p>"
    "<p>MÜLLER und Müller, Straße</p><div><style>x{}</style>tail jane</div></article>"
    "<ol class='comments'><li><span>jane doe 2</span> wrote: fine</li></ol>"
    "</body></html>"
)


@pytest.mark.parametrize("word", ["jane", "doe", "müller", "straße", "harbour", "absent", "e", "'s"])
def test_the_texts_holding_a_word_are_those_the_xpath_finds(word: str) -> None:
    tree = parse_html(_BYLINE_PAGE)
    assert tree is not None
    page_texts = [(raw, str(raw).translate(str.maketrans(_LOWER.upper(), _LOWER))) for raw in _BODY_TEXTS(tree)]
    found = texts_with_word(page_texts, word)
    plain = _PLAIN_TEXTS_WITH_WORD(tree, word=word)[:_MAX_NAME_TEXTS]
    assert [(str(t), t.getparent(), t.is_tail) for t in found] == [(str(t), t.getparent(), t.is_tail) for t in plain]


def test_at_most_the_first_texts_holding_a_word_are_read() -> None:
    items = "".join(f"<li>Jane item {n}</li><script>jane</script>" for n in range(_MAX_NAME_TEXTS + 50))
    tree = parse_html(f"<html><body><ul>{items}</ul></body></html>")
    assert tree is not None
    page_texts = [(raw, str(raw).lower()) for raw in _BODY_TEXTS(tree)]
    found = texts_with_word(page_texts, "jane")
    assert len(found) == _MAX_NAME_TEXTS
    assert [str(t) for t in found] == [str(t) for t in _PLAIN_TEXTS_WITH_WORD(tree, word="jane")[:_MAX_NAME_TEXTS]]


def test_guessed_names_are_read_as_the_page_shows_them_and_commenters_dropped() -> None:
    page = ("<html><body><article><p class='by'>Channel 4 News</p><p>Story text.</p></article>"
            "<ol class='comments'><li><span class='author'>Sam Reader</span> wrote: nice</li></ol></body></html>")
    tree = parse_html(page)
    assert tree is not None
    assert _as_the_page_shows(["Channel", "Sam Reader", "Nobody Here", ""], tree) == [
        "Channel 4 News", "Nobody Here", ""]


# The plain computation of the date line's texts: XPaths over the whole rest of the page.
_SKIPPED = " or ".join(f"ancestor::{tag}" for tag in sorted(DATE_LINE_SKIPPED_TAGS))
_PLAIN_AFTER = lxml.etree.XPath(
    f"following::text()[normalize-space()][not({_SKIPPED})][position() <= {DATE_LINE_TEXTS_AFTER}]"
)
_PLAIN_BEFORE = lxml.etree.XPath(
    f"preceding::text()[normalize-space()][not({_SKIPPED})][position() <= {DATE_LINE_TEXTS_BEFORE}]"
)
_PLAIN_FAR_AFTER = lxml.etree.XPath(
    f"following::text()[normalize-space()][not({_SKIPPED})]"
    f"[position() > {DATE_LINE_TEXTS_AFTER} and position() <= {LABELLED_DATE_TEXTS_AFTER}]"
)

_DATED_PAGES = [
    # Byline and date under the headline, a comment and a script between, the body after.
    "<html><body><nav><a>Home</a> <a>World</a></nav><main>Section<article><header>"
    "<p class='kicker'>Harbour</p>\xa0<h1>Breakwater <em>to be</em> rebuilt</h1> after the headline"
    "<!-- 12.03.2024 --> <div class='meta'>Von Anna Berg, <time>12.03.2024</time><script>var d='13.03.2024'</script>"
    " 10:15 Uhr</div><noscript>no script</noscript></header>"
    + "".join(f"<p>Paragraph {n} of the story, <b>bold</b> and\n<i>tail</i>.</p>" for n in range(40))
    + "<footer>Erschienen am 12.03.2024</footer></article><p>Veröffentlicht: 12.03.2024</p></main>"
    "<button>Share</button><select><option>en</option></select>\xa0\xa0 \n</body></html>",
    # The headline inside a skipped element, texts before it only as tails and a parent's text.
    "<html><body>Top text<div>Lead-in <span>one</span> two<nav>menu <h1>Headline in the menu</h1> more menu"
    "</nav> after nav</div><template><p>hidden</p></template>\xa0<p>3 May 2021</p></body></html>",
    # A deep headline, nothing after it.
    "<html><body><div><div><div><p>Before</p><section>s<h1>Last <!--c-->headline</h1></section></div></div></div>"
    "</body></html>",
]


@pytest.mark.parametrize("page", _DATED_PAGES)
def test_the_texts_around_a_headline_are_those_the_xpaths_find(page: str) -> None:
    tree = parse_html(page)
    assert tree is not None
    for heading in [*tree.iter("h1", "p", "em", "time", "body")]:
        following = texts_after(heading)
        assert list(islice(following, DATE_LINE_TEXTS_AFTER)) == [str(t) for t in _PLAIN_AFTER(heading)]
        assert list(islice(following, LABELLED_DATE_TEXTS_AFTER - DATE_LINE_TEXTS_AFTER)) == [
            str(t) for t in _PLAIN_FAR_AFTER(heading)]
        assert list(islice(texts_before(heading), DATE_LINE_TEXTS_BEFORE)) == [
            str(t) for t in _PLAIN_BEFORE(heading)][::-1]


def _plain_call_to_action_boxes(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Every candidate's names matched afresh, and asked of every box found before it."""
    found: list[lxml.html.HtmlElement] = []
    for element in tree.iter(*CTA_BOX_TAGS):
        if not CTA_CLASS_RE.search(f"{element.get('class') or ''} {element.get('id') or ''}"):
            continue
        if any(box in element.iterancestors() for box in found):
            continue
        words = len(WORD_RE.findall(element.text_content()))
        if 0 < words <= CTA_BOX_MAX_WORDS and _has_call_to_action(element):
            found.append(element)
    return found


def test_call_to_action_boxes_are_those_the_plain_walk_finds() -> None:
    teasers = "".join(
        f"<div class='teaser promo'><a href='/story-{n}'>Story {n}</a><div class='promo'><a href='/x'>x</a></div></div>"
        "<p class='lede'>Plain paragraph.</p><section id='newsletter'><h3>Weekly letter</h3>"
        f"<form><input name='email'></form></section><aside class='Promo'>No action here {n}</aside>"
        for n in range(5)
    )
    page = (f"<html><body><div class='promo' id='top'><article><p>Story text.</p>{teasers}</article></div>"
            "<div id='donate-box'><a href='#'>Give</a></div><p class='banner'><button>Go</button> now</p>"
            "<figure class='app-teaser'><a href='/app'>Get the app</a></figure></body></html>")
    tree = parse_html(page)
    assert tree is not None
    for root in [tree, *tree.iter("article", "section")]:
        assert _call_to_action_boxes(root) == _plain_call_to_action_boxes(root)
    assert len(_call_to_action_boxes(tree.find(".//article"))) == 10  # the teasers and the sign-up sections
