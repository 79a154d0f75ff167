"""Never far below plain trafilatura: where the pipeline's body lost most of the text a page
shows, trafilatura's own default run is read, and its text is taken when the pipeline kept
only a small share of what both agree is running text.

The pipeline reads the page with trafilatura in precision mode and then narrows further; on
an unfamiliar template precision mode can keep one section of a long page (a guide's
introduction without its list of tips, a review without its price table). Nothing in the
removed part was identified as furniture, so nothing justifies losing it. The check is in
two steps, so that the common page pays only a walk over its paragraphs:

1. ``looks_short``: the page's paragraph-like elements outside navigation hold far more
   words than the body (a cheap walk over the tree);
2. only then a default-mode trafilatura run, and ``widened``: where the default text keeps
   nearly all of the pipeline's lines and has, between them, a large share of running text
   (lines of several words) that the pipeline lost, those lines are put back.

The line rules that run afterwards (``transforms.boilerplate``) still clean the text taken:
their removals are identified furniture.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

import lxml.etree
import lxml.html

from transforms.normalize import WORD_RE, word_count

logger = logging.getLogger(__name__)

# Elements whose text is a paragraph of a page, and the page regions that are never the story.
_PARAGRAPH_TAGS = ("p", "li", "h2", "h3", "h4", "blockquote", "dd", "td")
_OUTSIDE_STORY = frozenset({"nav", "header", "footer", "aside", "form", "button", "select", "a", "script", "style",
                            "noscript", "template"})
# Step 1: the page's paragraphs hold this many times the body's words (the body keeps under a
# third of what the page shows), and this many more.
SHORT_RATIO = 3.0
SHORT_MIN_MISSING_WORDS = 150
# Step 2: the default run keeps this share of the body's running text (it is a wider reading of
# the same story, not another text), and has, between the body's own lines, running text the
# body lacks of at least this share of the body's and this many words.
PREFER_MIN_KEPT = 0.85
PREFER_ADDED_SHARE = 0.6
PREFER_MIN_EXTRA_WORDS = 120
# A line of running text: this many words or more (a heading or a label is shorter).
RUNNING_LINE_MIN_WORDS = 6
_BULLET_RE = re.compile(r"^\s*(?:[-•*]|\d+[.)])\s+")


def looks_short(tree: lxml.html.HtmlElement, text: str) -> bool:
    """Whether the page shows far more paragraph text than ``text`` holds."""
    body_words = word_count(text)
    budget = max(SHORT_RATIO * body_words, body_words + SHORT_MIN_MISSING_WORDS)
    shown = 0
    regions = _OutsideStory()
    for element in tree.iter(*_PARAGRAPH_TAGS):
        parent = element.getparent()
        if parent is not None and parent.tag in _PARAGRAPH_TAGS:
            continue  # counted with the paragraph around it
        if parent is not None and regions.holds(parent):
            continue
        shown += word_count(element.text_content())
        if shown > budget:
            return True
    return False


class _OutsideStory:
    """Whether an element is, or is inside, a region that is never the story; each element's
    answer is kept, so that paragraphs sharing ancestors walk up past each ancestor once (walking
    every paragraph's ancestors was most of the check's cost)."""

    def __init__(self) -> None:
        # id(element) -> (element, answer): the element is held, so its id() stays its own.
        self._answers: dict[int, tuple[lxml.html.HtmlElement, bool]] = {}

    def holds(self, element: lxml.html.HtmlElement) -> bool:
        walked: list[lxml.html.HtmlElement] = []
        node: lxml.html.HtmlElement | None = element
        answer = False
        while node is not None:
            known = self._answers.get(id(node))
            if known is not None:
                answer = known[1]
                break
            walked.append(node)
            if node.tag in _OUTSIDE_STORY:
                answer = True
                break
            node = node.getparent()
        for node in walked:  # each lies inside the one the answer was found at
            self._answers[id(node)] = (node, answer)
        return answer


def _key(line: str) -> str:
    return " ".join(WORD_RE.findall(_BULLET_RE.sub("", line).casefold()))


def _running_words(key: str) -> int:
    words = len(key.split())
    return words if words >= RUNNING_LINE_MIN_WORDS else 0


def widened(body: str, default: str) -> str | None:
    """``body`` with the lines trafilatura's default run has between the body's first and
    last line put back, where those are a large share of running text the body lost; else
    None.

    Only lines *between* the body's own count: what precision dropped inside the story.
    Lines before or after it are as often the next story or a teaser list. A line the
    default text repeats (a consent notice under every embed) is furniture, never counted.
    """
    ours = [line for line in body.split("\n") if line.strip()]
    theirs = [line for line in default.split("\n") if line.strip()]
    their_keys = [_key(line) for line in theirs]
    our_keys = [_key(line) for line in ours]
    position = {key: index for index, key in reversed(list(enumerate(their_keys))) if key}
    matched = [(i, position[key]) for i, key in enumerate(our_keys) if key in position]
    our_words = sum(_running_words(key) for key in our_keys)
    kept = sum(_running_words(our_keys[i]) for i, _ in matched)
    if not matched or kept < PREFER_MIN_KEPT * our_words:
        return None
    first, last = min(j for _, j in matched), max(j for _, j in matched)
    counts = Counter(their_keys)
    known = set(our_keys)
    added = sum(_running_words(key) for key in their_keys[first : last + 1] if key not in known and counts[key] == 1)
    if added < max(PREFER_ADDED_SHARE * our_words, PREFER_MIN_EXTRA_WORDS):
        return None
    our_first, our_last = min(i for i, _ in matched), max(i for i, _ in matched)
    return "\n".join([*ours[:our_first], *theirs[first : last + 1], *ours[our_last + 1 :]])
