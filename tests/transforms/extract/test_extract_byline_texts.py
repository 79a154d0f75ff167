"""Guessed names read as the page shows them: a script's long text left out before lower-casing
gives the answers of the plain reading (one XPath per name over the shown texts)."""

from __future__ import annotations

import json

import lxml.etree
import lxml.html

from transforms.extract.bylines import (
    _MAX_NAME_TEXTS,
    _SHORT_TEXT_CHARS,
    _as_the_page_shows,
    _with_digits_shown,
    in_comment_thread,
)
from transforms.extract.page import parse_html

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_PLAIN_TEXTS_WITH_WORD = lxml.etree.XPath(
    f"//body//text()[contains(translate(., '{_LOWER.upper()}', '{_LOWER}'), $word)]"
    "[not(ancestor::script or ancestor::style)]"
)


def _plain_as_the_page_shows(names: list[str], tree: lxml.html.HtmlElement) -> list[str]:
    kept = []
    for name in names:
        words = name.split()
        texts = _PLAIN_TEXTS_WITH_WORD(tree, word=words[0].casefold())[:_MAX_NAME_TEXTS] if words else []
        holders = [h for h in (raw.getparent() for raw in texts) if h is not None]
        if holders and all(in_comment_thread(h) for h in holders):
            continue
        kept.append(_with_digits_shown(name, [str(raw) for raw in texts]))
    return kept


# Framework state as JSON in long scripts (and a long style) naming the same people with other
# digits; short scripts too; the shown byline, a commenter, and a script's tail text.
_STATE = json.dumps({"byline": "Channel 5 News", "commenters": ["Sam Reader 7"], "pad": "x" * (2 * _SHORT_TEXT_CHARS)})
_PAGE = (
    "<html><head><script>var head = 'Channel 9 News';</script></head><body>"
    f"<script type='application/json'>{_STATE}</script><script>var c = 'Channel 6 News'</script>"
    f"<style>.channel {{ content: 'Channel 8 News'; }} /* {'y' * (2 * _SHORT_TEXT_CHARS)} */</style>"
    "<article><p class='by'>Channel 4 News</p><p>The harbour works start on Monday.</p></article>"
    f"<script>{_STATE}</script>Only Script 2 in a tail"
    "<ol class='comments'><li><span class='author'>Sam Reader</span> wrote: nice</li></ol>"
    "</body></html>"
)


def test_names_are_read_from_the_shown_texts_as_the_plain_reading_does() -> None:
    tree = parse_html(_PAGE)
    assert tree is not None
    names = ["Channel", "Sam Reader", "Only Script", "Pad", "Nobody", ""]
    assert _as_the_page_shows(names, tree) == _plain_as_the_page_shows(names, tree)
    assert _as_the_page_shows(names, tree) == ["Channel 4 News", "Only Script 2 in a tail", "Pad", "Nobody", ""]
