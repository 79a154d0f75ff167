"""The chunk rule's facts, read once per element, give the answers of the plain per-pair reading."""

from __future__ import annotations

import lxml.html
import pytest

from transforms.extract.body import (
    CHUNK_MATCH_MIN_CHARS,
    CHUNK_MAX_COMMON_ANCESTOR_LEVELS,
    CHUNK_MAX_LINK_SHARE,
    CHUNK_MIN_NEW_WORDS,
    _by_signature,
    _ChunkFacts,
    _further_chunks,
    _is_page_furniture_region,
    _link_share,
    locatable_line_elements,
)
from transforms.extract.page import parse_html
from transforms.normalize import word_key

_WORDS = " ".join(f"harbour{n} quay{n} timber{n}" for n in range(14))


def _chunk(label: str, *, short: bool = False, linked: bool = False) -> str:
    paragraph = f"<a href='/x'>{label} {_WORDS}</a>" if linked else f"{label} {_WORDS}"
    shorts = "<p>Ok.</p><p>Yes, fine.</p>" if short else ""
    return f"<div class='chunk'><p>{paragraph}</p>{shorts}<p>{label} more {_WORDS}</p></div>"


# Same-shaped elements everywhere the rule must tell apart: nested in each other, in another
# <article>, in a footer, mostly links, too far up the tree, and paragraphs too short to locate.
_PAGE = (
    "<html><body><main><article><div class='body'>"
    f"{_chunk('First')}{_chunk('Second', short=True)}"
    f"<div class='chunk'><p>Outer {_WORDS}</p>{_chunk('Nested')}</div>"
    f"<section><div><div><div>{_chunk('Deep')}</div></div></div></section>"
    # Its new words are all in paragraphs too short to locate (read when asked).
    f"<div class='chunk'><p>Shorts {_WORDS}</p>{'<p>Go on ok.</p>' * 12}</div>"
    f"{_chunk('Linked', linked=True)}<div class='chunk'><p>Ok.</p></div>"
    f"<footer>{_chunk('Footer')}</footer></div></article>"
    f"<article>{_chunk('Other story')}</article>"
    f"<div class='sidebar'>{_chunk('Sidebar')}</div></main></body></html>"
)


def _plain_further(
    alike: list[lxml.html.HtmlElement], first: lxml.html.HtmlElement, returned: set[str]
) -> list[lxml.html.HtmlElement]:
    first_line = [first, *first.iterancestors()]
    first_ids = {id(e) for e in first_line}
    article = next((a for a in first.iterancestors() if a.tag == "article"), None)
    further = []
    for other in alike:
        if other is first:
            continue
        other_line = [other, *other.iterancestors()]
        other_ids = {id(e) for e in other_line}
        if id(first) in other_ids or id(other) in first_ids:
            continue
        if next((a for a in other.iterancestors() if a.tag == "article"), None) is not article:
            continue
        if any(_is_page_furniture_region(e) for e in other_line):
            continue
        level = next((i for i, e in enumerate(first_line) if id(e) in other_ids), 1_000_000)
        if level > CHUNK_MAX_COMMON_ANCESTOR_LEVELS:
            continue
        new_words = sum(len(n.split()) for n in (word_key(p.text_content()) for p in other.iter("p")) if n not in returned)
        if new_words >= CHUNK_MIN_NEW_WORDS and _link_share(other) < CHUNK_MAX_LINK_SHARE:
            further.append(other)
    return further


@pytest.mark.parametrize("returned_labels", [("First",), ("First", "Second"), ("Nested", "Deep"), ("First", "Shorts"), ()])
def test_the_further_chunks_are_those_the_plain_reading_finds(returned_labels: tuple[str, ...]) -> None:
    tree = parse_html(_PAGE)
    assert tree is not None
    text = "\n".join(f"{label} {_WORDS}" for label in returned_labels)
    returned = {n for n in (word_key(line) for line in text.split("\n")) if len(n) >= CHUNK_MATCH_MIN_CHARS}
    lines = locatable_line_elements(tree)
    assert any(e.tag == "p" and e.text_content() == "Ok." for e in tree.iter("p"))
    assert not any(e.text_content() == "Ok." for e, _ in lines)  # read when asked, not in ``lines``
    facts = _ChunkFacts(returned, lines)
    alike = _by_signature(tree, {"div"})
    for group in alike.values():
        for first in group:
            found = _further_chunks(group, first, facts)
            assert found == _plain_further(group, first, returned)
    first = tree.find(".//div[@class='chunk']")
    labels = [e.find("p").text_content().split()[0] for e in _further_chunks(alike[("div", ("chunk",))], first, facts)]
    assert labels == ["Second", "Outer", "Nested", "Deep", "Shorts"]  # not the footer's, sidebar's, other story's, links
