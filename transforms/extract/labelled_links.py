"""Labelled links: a paragraph that is a short label, a colon and one link to another page
("Lesen Sie hier: <a>Headline of another story</a>", "Dowiedz się więcej: <a>...</a>",
"Source:<a> State government</a>"): a pointer away from the story, never a sentence of it.

Found by the paragraph's markup in any language, where the line rules' label vocabulary
(``line_rules.RELATED_LINK_RE``) knows only some languages' words: the paragraph holds one link,
at its end, and before it at most a few words ending in a colon.
"""

from __future__ import annotations

import lxml.html

from transforms.extract.trace import removed_by
from transforms.normalize import word_key

LABEL_MAX_WORDS = 4
# A label of LABEL_MAX_WORDS words ends within this many characters of the line's start.
LABEL_MAX_CHARS = 60
LINK_MIN_WORDS = 4
_BLOCK_TAGS = frozenset({"p", "div"})
_INLINE_TAGS = frozenset({"em", "i", "strong", "b", "span", "u", "small", "font"})
_LABEL_ENDS = (":", "›", "»")
_AFTER_LINK_MAX_CHARS = 2  # a closing full stop or bracket


def without_labelled_links(tree: lxml.html.HtmlElement, text: str) -> str:
    """``text`` without the lines that are labelled links to other pages."""
    if not any(_may_be_labelled(line) for line in text.split("\n")):
        return text  # no line has a label's colon near its start: the page's links are not read
    labelled = labelled_link_paragraphs(tree)
    if not labelled:
        return text
    lines = text.split("\n")
    kept = [line for line in lines if word_key(line) not in labelled]
    if len(kept) == len(lines) or not any(word_key(line) for line in kept):
        return text
    return "\n".join(removed_by("labelled_link", lines, kept))


def _may_be_labelled(line: str) -> bool:
    head = line[:LABEL_MAX_CHARS]
    return any(mark in head for mark in _LABEL_ENDS)


def labelled_link_paragraphs(tree: lxml.html.HtmlElement) -> set[str]:
    """The word keys of the paragraphs made of a short label and one link (one walk over the links)."""
    found: set[str] = set()
    seen: set[int] = set()  # each block is read once, however many links it holds
    held: list[lxml.html.HtmlElement] = []  # keeps the blocks alive while their id()s are compared
    for link in tree.iter("a"):
        if not link.get("href"):
            continue
        block = _block_of(link)
        if block is None or block.tag not in _BLOCK_TAGS or id(block) in seen:
            continue
        seen.add(id(block))
        held.append(block)
        key = _labelled_link_key(block, link)
        if key:
            found.add(key)
    return found


def _block_of(link: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The nearest ancestor of ``link`` that is not inline markup."""
    for ancestor in link.iterancestors():
        if ancestor.tag not in _INLINE_TAGS:
            return ancestor
    return None


def _labelled_link_key(block: lxml.html.HtmlElement, link: lxml.html.HtmlElement) -> str | None:
    if sum(1 for a in block.iter("a") if a.get("href")) != 1:
        return None
    whole = "".join(block.itertext())
    shown = "".join(link.itertext())
    at = whole.rfind(shown) if shown.strip() else -1
    if at < 0:
        return None
    before, after = whole[:at].strip(), whole[at + len(shown) :].strip()
    label_words = len(word_key(before).split())
    if not before.endswith(_LABEL_ENDS) or not 0 < label_words <= LABEL_MAX_WORDS:
        return None
    if len(after) > _AFTER_LINK_MAX_CHARS or len(word_key(shown).split()) < LINK_MIN_WORDS:
        return None
    return word_key(whole) or None
