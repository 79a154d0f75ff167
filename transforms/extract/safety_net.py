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

A second case, where the body is not short but is not prose either: the element trafilatura's
fast precision run read was a widget (an occupancy calendar inside the page's only
<article>, a grid of ingredient quantities) while the story sits beside it. Plain trafilatura
asks readability for a second opinion on such a reading (it checks for a table-dominated
body); the pipeline's fast runs do not. ``looks_unlike_prose`` (a walk over the body's text:
under a third of its words are in running text) decides when a default-mode run is worth its
cost, and ``more_prose`` takes that run's text only where it holds far more running text and
keeps the body's own.

The line rules that run afterwards (``transforms.boilerplate``) still clean the text taken:
their removals are identified furniture.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

import lxml.etree
import lxml.html

from transforms.extract.tree_facts import InsideRegion
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
    outside_story = InsideRegion(_is_outside_story)
    for element in tree.iter(*_PARAGRAPH_TAGS):
        parent = element.getparent()
        if parent is not None and parent.tag in _PARAGRAPH_TAGS:
            continue  # counted with the paragraph around it
        if parent is not None and outside_story(parent):
            continue
        shown += word_count(element.text_content())
        if shown > budget:
            return True
    return False


def _is_outside_story(element: lxml.html.HtmlElement) -> bool:
    return element.tag in _OUTSIDE_STORY


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


# --- a body that is not prose ------------------------------------------------------------------
#
# Running text counted per table cell where the line is a table row (trafilatura writes rows as
# "| a | b |"): a calendar's row is seven one-word cells, not a seven-word sentence. Digits do not
# count towards a line's running words: "12 | 13 | 14" is not a sentence, whatever its length.
# A body is a widget where two thirds of its words are not running text; a story with a data
# table, a fact box or a list of results between its paragraphs keeps more (and pays no extra run).
NOT_PROSE_MAX_SHARE = 1 / 3
# The default run is taken where its running text is this many times the body's, and this many
# words more: another reading of the page, not a few more lines.
PROSE_GAIN_RATIO = 2.0
PROSE_MIN_EXTRA_WORDS = 100
# A body with this much running text has a story of its own: it is replaced only by a reading
# that keeps it. Below it, the body is a widget with a caption or two (a calendar's heading,
# a recipe's tips under its ingredient grid), and the default run may have read the story
# beside it without them.
OWN_STORY_MIN_WORDS = 100
_NUMBERS_RE = re.compile(r"[\d_]+")


def _parts(line: str) -> list[str]:
    """A table row's cells, or the line itself."""
    stripped = line.strip()
    if len(stripped) > 1 and stripped.startswith("|") and stripped.endswith("|"):
        return stripped[1:-1].split("|")
    return [stripped]


def _prose_parts(text: str) -> list[tuple[str, int]]:
    """The lines and table cells of ``text`` that are running text, with their words."""
    found = []
    for line in text.split("\n"):
        for part in _parts(line):
            words = word_count(_NUMBERS_RE.sub(" ", part))
            if words >= RUNNING_LINE_MIN_WORDS:
                found.append((part, words))
    return found


def prose_words(text: str) -> int:
    """The words of ``text`` that are in running text (lines or table cells of several words)."""
    return sum(words for _, words in _prose_parts(text))


def looks_unlike_prose(text: str) -> bool:
    """Whether under a third of the words of ``text`` are running text (a table of numbers, a
    calendar, a list of quantities): a cheap walk over the body's lines."""
    total = word_count(text)
    return total > 0 and prose_words(text) < NOT_PROSE_MAX_SHARE * total


def more_prose(body: str, default: str) -> str | None:
    """``default`` where it holds far more running text than ``body`` and, where ``body`` has
    a story of its own, keeps it (a reading of the same page's story, not another text); else
    None."""
    ours = _prose_parts(body)
    our_words = sum(words for _, words in ours)
    their_words = prose_words(default)
    if their_words < max(PROSE_GAIN_RATIO * our_words, our_words + PROSE_MIN_EXTRA_WORDS):
        return None
    their_keys = {_key(part) for line in default.split("\n") for part in _parts(line)}
    kept = sum(words for part, words in ours if _key(part) in their_keys)
    if our_words >= OWN_STORY_MIN_WORDS and kept < PREFER_MIN_KEPT * our_words:
        return None
    return default
