"""The standfirst a page marks as such between its headline and the story's text.

Many publishers set the story's opening paragraph (a standfirst, lede, intro, teaser or
"chapô") in the article header, in its own element between the <h1> and the text's first
paragraph. trafilatura reads the text container and leaves the header out in every mode, so
the body starts at its second paragraph. ``body.visible_lede`` finds it where the page repeats
it in its meta description; this finds it where the page's own markup names it: a class of the
typographic vocabulary (not any one site's), placed after the <h1> and before the element the
body's first line comes from, and shaped like running text. A teaser of another story carries
the same class names, but sits after the story's text or in a list of links, never between
the headline and the first paragraph: the walk stops at the first paragraph.
"""

from __future__ import annotations

import functools
import re

import lxml.etree
import lxml.html

from transforms.extract.page import PageWalk, is_inside
from transforms.extract.text_reading import may_open_with
from transforms.normalize import WORD_RE, clean_text, word_key

# Class names that mark an opening paragraph: lede/lead, intro(duction), teaser, excerpt, standfirst,
# preamble, ingress (Nordic), chapo/chapeau (French). Matched as whole words of a class (BEM
# "x__intro--y" included). Deks and subheads restate the headline, and an abstract or summary
# is written beside the text rather than as its opening: none of them is here.
STANDFIRST_CLASS_RE = re.compile(
    r"(?:^|[\W_])(?:lede|lead|intro|introtext|introduction|teaser|excerpt|standfirst|preamble|ingress|chapo|chapeau)"
    r"(?:$|[\W_])",
    re.IGNORECASE,
)
# Running text: enough words to be a sentence or two, ending as a sentence does, few of its
# words inside links (a teaser box is a link; a standfirst is text).
STANDFIRST_MIN_WORDS = 12
STANDFIRST_MAX_WORDS = 150
STANDFIRST_MAX_LINK_SHARE = 0.2
# The body's first line is looked for by its opening this many normalized characters long.
FIRST_LINE_MIN_CHARS = 40
FIRST_LINE_PREFIX_CHARS = 60
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’»)\]]*$")
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "nav", "aside", "footer", "button", "figure"})


def marked_standfirst(tree: lxml.html.HtmlElement, text: str) -> str | None:
    """The text of the element marked as a standfirst between the page's <h1> and the body's
    first line, where ``text`` (the body) lacks it; else None."""
    keys = (word_key(line) for line in text.split("\n"))
    first_line = next((k for k in keys if len(k) >= FIRST_LINE_MIN_CHARS), None)
    body = tree.find("body")
    if first_line is None or body is None:
        return None
    prefix = first_line[:FIRST_LINE_PREFIX_CHARS].rsplit(" ", 1)[0]
    opening = prefix.partition(" ")[0]
    found: lxml.html.HtmlElement | None = None
    after_headline = False
    walk = PageWalk(body)
    for element in walk:
        if not isinstance(element.tag, str):
            continue  # a comment or processing instruction
        if not after_headline:
            after_headline = element.tag == "h1" and bool(element.text_content().strip())
            continue
        if element.tag in _UNMARKED_TAGS and not _may_hold_opening(element, opening):
            walk.pass_by(element)  # nothing inside is the standfirst, nor the first line
            continue
        # Only an element whose first word opens the prefix may start with it: settled from
        # the text's opening for nearly every element (_starts_with joins more of it).
        if may_open_with(element, prefix, skip_blank=True) and _starts_with(element, prefix):
            # The body's first line: a standfirst found above it leads the story; an element
            # holding both is the story's container, not its standfirst.
            if found is not None and is_inside(element, found):
                return None
            break
        if found is None and _is_standfirst(element):
            found = element
    else:
        return None  # the body's first line is not shown after the headline: no place to judge
    if found is None:
        return None
    standfirst = clean_text(" ".join(found.text_content().split()))
    return None if word_key(standfirst) in word_key(text) else standfirst


# Elements that neither are nor hold a standfirst (_is_standfirst): a navigation, an aside, a
# link... A site's menu often comes between the <h1> and the text, thousands of elements.
_UNMARKED_TAGS = _SKIPPED_TAGS | {"a"}


def _may_hold_opening(element: lxml.html.HtmlElement, opening: str) -> bool:
    """False where no element in ``element`` (itself included) can start with a prefix whose
    first word is ``opening``, as _starts_with reads it."""
    # The first word a _starts_with reads is case-folded from the element's pieces of text
    # joined; its whitespace aside, that is a stretch of this element's text. No character
    # case-folds into or out of whitespace, and ``opening`` holds none.
    return opening in "".join(element.text_content().split()).casefold()


def _starts_with(element: lxml.html.HtmlElement, prefix: str) -> bool:
    """Whether the element's text opens with ``prefix`` (normalized), reading a bounded head."""
    # A container's whole text is most of the page: reading it for every element on the way
    # would be quadratic in the page's size.
    reach = 2 * len(prefix) + 64
    parts: list[str] = []
    size = 0
    for piece in element.itertext():
        size += len(piece)
        if not piece.strip():
            if size > 64 * reach:
                return False
            continue  # markup whitespace: nothing to normalize
        parts.append(piece)
        head = word_key("".join(parts))
        if len(head) > len(prefix) or size > 64 * reach:
            return head.startswith(prefix)
        if head and not prefix.startswith(head.rsplit(" ", 1)[0]):
            return False
    return word_key("".join(parts)).startswith(prefix)


@functools.lru_cache(maxsize=4096)
def _marks_standfirst(classes: str) -> bool:
    """Whether a class attribute's value names a standfirst (a page repeats a few values on
    thousands of elements: each is matched once)."""
    return STANDFIRST_CLASS_RE.search(classes) is not None


def _is_standfirst(element: lxml.html.HtmlElement) -> bool:
    # The marking class is the element's own or its parent's (<div class="intro"><p>...</p>).
    if element.tag in _SKIPPED_TAGS or element.tag == "a":
        return False
    parent = element.getparent()
    near = (element,) if parent is None else (element, parent)
    if not any(_marks_standfirst(e.get("class") or "") for e in near):
        return False
    if any(a.tag in _SKIPPED_TAGS or a.tag in {"a", "h1"} for a in element.iterancestors()):
        return False
    raw = " ".join(element.text_content().split())
    words = len(WORD_RE.findall(raw))
    if not STANDFIRST_MIN_WORDS <= words <= STANDFIRST_MAX_WORDS or not _SENTENCE_END_RE.search(raw):
        return False
    if element.find(".//h1") is not None:
        return False
    linked = sum(len(WORD_RE.findall(a.text_content())) for a in element.iter("a"))
    return linked <= STANDFIRST_MAX_LINK_SHARE * words
