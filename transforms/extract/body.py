"""Body text: trafilatura on the pruned page, made whole where the article is split in chunks,
then cleaned line by line of what trafilatura leaves in (repeated headline, comment forms,
a repost's source line).
"""

from __future__ import annotations

import copy
import logging
import re
from collections import defaultdict
from datetime import datetime
from typing import Any

import lxml.etree
import lxml.html
from trafilatura import bare_extraction

from transforms.extract.channel_promos import without_channel_promos
from transforms.extract.labelled_links import without_labelled_links
from transforms.extract.named_furniture import without_named_furniture
from transforms.extract.not_article import MIN_BODY_WORDS
from transforms.extract.page import PageData, PageWalk, empty_document, has_article_markup, is_inside
from transforms.extract.safety_net import looks_short, looks_unlike_prose, more_prose, prose_words, widened
from transforms.extract.text_reading import may_open_with, text_key, text_within
from transforms.extract.trace import note
from transforms.extract.trafilatura_metadata import guessed_metadata
from transforms.extract.tree_facts import InsideRegion, remembered, remembering
from transforms.extract.tree_rules import DEFAULT_PRUNE_XPATHS, pruned_tree
from transforms.normalize import WORD_RE, clean_text, word_count, word_key

logger = logging.getLogger(__name__)


# favor_precision is the better default (it keeps less furniture) but on some pages it keeps
# only a fragment (a reprint notice instead of the story). Below this many words the recall
# run's text is preferred when it finds RECALL_PREFERRED_RATIO times more. Above it, the recall
# run only gives back sentences precision dropped inside the article (``interior_lines``).
RECALL_RETRY_BELOW_WORDS = 150
RECALL_PREFERRED_RATIO = 2
# Where both come back under the shortest article's length on a page that says it is an
# article, recall mode reads it once more: taken where it holds this much running text.
LAST_RESORT_BELOW_WORDS = MIN_BODY_WORDS
LAST_RESORT_MIN_PROSE_WORDS = MIN_BODY_WORDS
# Lines recall mode reads after a short body's last one are taken up to this share of the body's
# words: a continuation (a link, a last caption), not a second text.
TRAILING_MAX_SHARE = 0.5

def run_trafilatura(
    tree: lxml.html.HtmlElement, page: PageData, prune_xpaths: tuple[str, ...], fetched_at: datetime,
    *, search_dates: bool = True,
) -> Any:
    """trafilatura's Document for the pruned page, made whole where the body is split in
    chunks, and never far below trafilatura's own default reading of the page.
    ``search_dates``: whether its metadata pass makes htmldate's extensive date search (only
    where nothing else dates the page: ``DateEvidence.needs_search``)."""
    # The rules below ask which elements hold the body's lines several times over the same
    # pruned page, which nothing changes meanwhile: read once.
    with remembering():
        return _read_body(tree, page, prune_xpaths, fetched_at, search_dates)


def _read_body(
    tree: lxml.html.HtmlElement, page: PageData, prune_xpaths: tuple[str, ...], fetched_at: datetime,
    search_dates: bool,
) -> Any:
    pruned = pruned_tree(tree, (*DEFAULT_PRUNE_XPATHS, *prune_xpaths))
    document = _pipeline_document(pruned, page, fetched_at, search_dates)
    if document is not None and document.text:
        text = without_call_to_action_boxes(pruned, with_structure_between(pruned, document.text))
        text = without_labelled_links(pruned, without_named_furniture(pruned, text))
        document.text = without_channel_promos(pruned, text)
    # A body under RECALL_RETRY_BELOW_WORDS was already set beside the default reading of the
    # page (``_best_document``): the safety net is for the longer ones precision read wrong
    # (a widget instead of the story) or cut short.
    if document is None or word_count(document.text or "") < RECALL_RETRY_BELOW_WORDS:
        return document
    if looks_unlike_prose(document.text) and _with_prose_reading(pruned, page, fetched_at, document):
        return document  # now trafilatura's default reading: the step below has nothing to add
    if not looks_short(pruned, document.text):
        return document
    # The lines to put back sit between the body's own, so inside the article's container
    # (the page where none is found): a fraction of the page, read at a fraction of the cost.
    # With trafilatura's second opinions (readability, jusText), as plain trafilatura reads a
    # page: its fast mode returns the same short reading on the pages this is for.
    container = article_container(pruned, document.text)
    scope = _standalone(container) if container is not None else pruned
    default = _trafilatura_document(scope, page, fetched_at, favor_precision=False, with_metadata=False)
    wider = widened(document.text, default.text) if default is not None and default.text else None
    if wider is not None:
        _replace_text(document, wider, "safety_net (trafilatura's default run kept far more)", page.url)
    return document


def _replace_text(document: Any, text: str, reason: str, url: str) -> None:
    """``document``'s text replaced by ``text``, the lines it drops noted for ``--explain``."""
    kept = {word_key(line) for line in text.split("\n")}
    note(reason, [line for line in document.text.split("\n") if line.strip() and word_key(line) not in kept])
    logger.debug("%s: body of %d words replaced (%s): %d words", url, word_count(document.text), reason,
                 word_count(text))
    document.text = text


def _with_prose_reading(pruned: lxml.html.HtmlElement, page: PageData, fetched_at: datetime, document: Any) -> bool:
    """Whether ``document``'s text, not prose, was replaced by trafilatura's default reading of
    the page (as plain trafilatura reads it, readability's second opinion included), which holds
    far more running text. Only for a body ``looks_unlike_prose`` flags: one more full run."""
    default = _trafilatura_document(pruned, page, fetched_at, favor_precision=False, with_metadata=False)
    prose = more_prose(document.text, default.text) if default is not None and default.text else None
    if prose is None:
        return False
    _replace_text(document, prose, "not_prose (trafilatura's default run read the page's running text)", page.url)
    return True


def _pipeline_document(
    pruned: lxml.html.HtmlElement, page: PageData, fetched_at: datetime, search_dates: bool
) -> Any:
    """The pipeline's own reading: precision first, made whole where split in chunks."""
    # Metadata (htmldate's date search, trafilatura's title and author heuristics) is the same
    # for every run on this page: read once, with the first run, and lent to the others.
    document = _best_document(pruned, page, fetched_at, with_metadata=True, search_dates=search_dates)
    if document is None or not document.text:
        return document
    document.text = from_headline(pruned, document.text)
    merged = merged_chunks(pruned, document.text)
    if merged is None:
        return document
    whole = _best_document(merged, page, fetched_at, with_metadata=False)
    if whole is not None and _keeps_lines(document.text, whole.text or "") and (
        word_count(whole.text or "") > word_count(document.text)
    ):
        return _with_metadata_of(whole, document)
    return document


def _best_document(
    tree: lxml.html.HtmlElement, page: PageData, fetched_at: datetime, *, with_metadata: bool,
    search_dates: bool = False,
) -> Any:
    """Precision mode with the paragraphs it dropped between its own put back; recall mode
    where precision comes back thin."""
    # Both runs skip trafilatura's second opinions (readability, jusText) unless precision
    # comes back thin: where it does, the recall run makes them. They change no score and
    # cost about a third of a page's time.
    precise = _trafilatura_document(
        tree, page, fetched_at, favor_precision=True, with_metadata=with_metadata, fast=True,
        search_dates=search_dates,
    )
    precise_words = word_count(precise.text or "") if precise is not None else 0
    if precise_words >= RECALL_RETRY_BELOW_WORDS:
        # Only the article's own container is read again in recall mode: the dropped
        # paragraphs sit between the kept ones, so inside it, and it is a fraction of the page.
        container = article_container(tree, precise.text or "")
        if container is not None and not _may_hold_dropped_sentences(container, precise.text or ""):
            return precise
        recalled = _trafilatura_document(
            _standalone(container) if container is not None else tree,
            page, fetched_at, favor_precision=False, with_metadata=False, fast=True,
        )
        if recalled is not None and recalled.text:
            precise.text = interior_lines(precise.text or "", recalled.text)
        return precise
    # Where the page lists several <article>s (a blog's "you may also like" posts, a
    # stream of teasers), the recall run reads only the one holding what precision found:
    # the others are other stories, which the whole-page run would take as this one's text.
    own = own_article(tree, precise.text or "") if precise is not None else None
    recalled = _trafilatura_document(
        _standalone(own) if own is not None else tree, page, fetched_at, favor_precision=False, with_metadata=False
    )
    if recalled is not None and word_count(recalled.text or "") >= RECALL_PREFERRED_RATIO * max(precise_words, 1):
        best = _with_metadata_of(recalled, precise)
    else:
        if precise is not None and precise.text and recalled is not None and recalled.text:
            precise.text = with_trailing_lines(tree, precise.text, recalled.text)
        best = precise or recalled
    if word_count((best.text or "") if best is not None else "") < LAST_RESORT_BELOW_WORDS and has_article_markup(page):
        scope = _standalone(own) if own is not None else tree
        return _recall_reading(scope, page, fetched_at, best, with_metadata=with_metadata, search_dates=search_dates)
    return best


def _recall_reading(
    scope: lxml.html.HtmlElement, page: PageData, fetched_at: datetime, thin: Any, *, with_metadata: bool,
    search_dates: bool,
) -> Any:
    """trafilatura's recall mode's reading of a page that says it is an article where its
    precision and default modes found next to nothing (the story inside markup they discard
    whole, such as a sidebar's <aside> a broken template never closes): taken where it is
    running text, else ``thin`` (None where those runs found no text at all) as it was."""
    recalled = _trafilatura_document(
        scope, page, fetched_at, favor_precision=False, favor_recall=True,
        with_metadata=with_metadata and thin is None, search_dates=search_dates,
    )
    text = (recalled.text or "") if recalled is not None else ""
    if prose_words(text) < LAST_RESORT_MIN_PROSE_WORDS or looks_unlike_prose(text) or not _under_headline(scope, text):
        return thin
    if thin is None:
        return recalled
    _replace_text(thin, text, "recall_reading (precision and default modes found next to nothing)", page.url)
    return thin


# Elements whose text trafilatura returns as one line each; the article container is the
# nearest element holding every one of them that matched a returned line.
_LINE_TAGS = ("p", "li", "blockquote", "h2", "h3", "h4")
CONTAINER_MIN_MATCHED = 3


def article_container(tree: lxml.html.HtmlElement, text: str) -> lxml.html.HtmlElement | None:
    """The innermost element holding every paragraph of ``text`` found in the page, or None
    where too few are found, or only <body> holds them all."""
    matched = _elements_holding_lines(tree, text)
    if len(matched) < CONTAINER_MIN_MATCHED:
        return None
    holding = list(matched[0].iterancestors())  # innermost first
    for element in matched[1:]:
        # The ancestors stay referenced while compared: lxml makes a new proxy object for an
        # element nobody holds, and a dead proxy's id() can be reused by another.
        ancestors = list(element.iterancestors())
        keys = {id(a) for a in ancestors}
        holding = [a for a in holding if id(a) in keys]
    container = holding[0] if holding else None
    if container is None or container.tag in {"body", "html"}:
        return None
    return container


def _elements_holding_lines(tree: lxml.html.HtmlElement, text: str) -> list[lxml.html.HtmlElement]:
    """The line elements (paragraphs, list items, quotes, subheadings) whose text is a line of
    ``text`` long enough to locate, in page order."""
    lines = {n for n in (word_key(line) for line in text.split("\n")) if len(n) >= CHUNK_MATCH_MIN_CHARS}
    return [e for e, key in remembered(tree, "locatable_lines", locatable_line_elements) if key in lines]


def locatable_line_elements(tree: lxml.html.HtmlElement) -> list[tuple[lxml.html.HtmlElement, str]]:
    """The line elements whose text may be long enough to locate, each with its word_key(), in
    page order. A text too short to normalize to CHUNK_MATCH_MIN_CHARS (case folding at most
    triples a character) is left out unnormalized: it matches no locatable line."""
    return [
        (element, text_key(raw))
        for element in tree.iter(*_LINE_TAGS)
        if 3 * len(raw := element.text_content()) >= CHUNK_MATCH_MIN_CHARS
    ]



def _first_headline(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The page's first <h1> with any text."""
    return next((h for h in tree.iter("h1") if h.text_content().strip()), None)


def own_article(tree: lxml.html.HtmlElement, text: str) -> lxml.html.HtmlElement | None:
    """The <article> holding every paragraph of ``text`` found in the page and the page's
    headline, where the page has other <article>s beside it (not inside it, not around it);
    else None."""
    articles = list(tree.iter("article"))
    if len(articles) < 2:
        return None  # the common case: settled without normalizing any paragraph
    holders = [_enclosing_article(e) for e in _elements_holding_lines(tree, text)]
    own = holders[0] if holders else None
    if own is None or any(holder is not own for holder in holders):
        return None
    if not any(a is not own and not is_inside(a, own) and not is_inside(own, a) for a in articles):
        return None
    # It must hold the page's headline (its first <h1>): precision may have come back with a
    # fragment of another article, whose text is no reason to leave the story out.
    headline = _first_headline(tree)
    if headline is None or not is_inside(headline, own):
        return None
    # A page may cut one story in two <article>s: a header (headline, standfirst) and the text.
    # Reading the header alone would lose the story. Only where those two are the page's only
    # <article>s: beside a list of posts, the next <article> is the next post.
    others = [a for a in articles if a is not own and not is_inside(a, own) and not is_inside(own, a)]
    outermost = [a for a in others if not any(is_inside(a, b) for b in others)]
    if len(outermost) == 1 and _continues(own, outermost[0]):
        return None
    return own


# The text part of a story the page splits in two <article>s: after the header, without a
# headline of its own (a next story carries its <h1>, a teaser its linked title), and holding
# more paragraph text than the header, enough to be a story.
CONTINUATION_MIN_WORDS = RECALL_RETRY_BELOW_WORDS


def _continues(own: lxml.html.HtmlElement, other: lxml.html.HtmlElement) -> bool:
    """Whether ``other`` is the text of the story whose header is ``own``."""
    if not _follows(own, other):
        return False
    if any(True for _ in other.iter("h1")) or any(e is not other for e in other.iter("article")):
        return False  # a next story's headline, or a list of posts
    if any(heading.find(".//a") is not None or heading.getparent().tag == "a"
           for heading in other.iter("h2", "h3", "h4")):
        return False
    words = sum(len(WORD_RE.findall(p.text_content())) for p in other.iter("p") if not _in_link(p, other))
    return words >= CONTINUATION_MIN_WORDS and words > len(WORD_RE.findall(own.text_content()))


def _follows(first: lxml.html.HtmlElement, other: lxml.html.HtmlElement) -> bool:
    """Whether ``other`` comes after ``first`` in page order."""
    return any(
        e is other or is_inside(other, e) for a in (first, *first.iterancestors()) for e in a.itersiblings()
    )


def _in_link(element: lxml.html.HtmlElement, scope: lxml.html.HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        if ancestor is scope:
            return False
        if ancestor.tag == "a":
            return True
    return False


# The page's <h1> heads the article: where the extractor took the page's header with the
# text, the headline comes among the first lines, and what it returns above it (a feature
# box, a teaser of the site's guides, a kicker) is furniture laid out above it. The <h1>'s own
# line goes too: it is the headline as shown, which may differ from the headline in the
# page's metadata that later steps drop. Looked for among the first few lines only; a line
# above it is cut only where it is found in the page before the <h1> (a video's caption
# repeating the headline below the story's first paragraph cuts nothing).
HEADLINE_WITHIN_LINES = 4


def from_headline(tree: lxml.html.HtmlElement, text: str) -> str:
    """``text`` after the page's <h1>, where it comes among the first lines with only what
    the page shows above the <h1> before it."""
    # The page's first <h1> only: a later one may be a subheading inside the story, whose
    # paragraphs above it the page also shows before it.
    heading = _first_headline(tree)
    if heading is None:
        return text
    lines = text.split("\n")
    wanted = word_key(heading.text_content())
    index = next((i for i, line in enumerate(lines[:HEADLINE_WITHIN_LINES]) if word_key(line) == wanted), None)
    if index is None:
        return text
    before = {key for key in (word_key(line) for line in lines[:index]) if key}
    if before and not _shown_before(tree, heading, before):
        return text
    note("above_headline", [line for line in lines[: index + 1] if line.strip()])
    return "\n".join(lines[index + 1 :])


def _shown_before(tree: lxml.html.HtmlElement, heading: lxml.html.HtmlElement, keys: set[str]) -> bool:
    """Whether each of ``keys`` (word_key()s) is the text of a headline or line element the
    page shows before ``heading``."""
    # The line elements' keys are the ones the chunk and container rules read (each element's
    # text once: a menu's outer items hold most of the page's text); the walk stops as soon as
    # every key is found.
    known = remembered(tree, "locatable_keys", _locatable_keys)
    missing = set(keys)
    for element in tree.iter("h1", *_LINE_TAGS):
        if element is heading:
            break
        held = known.get(id(element))
        missing.discard(held[1] if held is not None and held[0] is element else word_key(element.text_content()))
        if not missing:
            return True
    return not missing


def _locatable_keys(tree: lxml.html.HtmlElement) -> dict[int, tuple[lxml.html.HtmlElement, str]]:
    """id() of each locatable line element -> (the element, its word_key())."""
    return {id(e): (e, key) for e, key in remembered(tree, "locatable_lines", locatable_line_elements)}


def _standalone(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A document whose body holds a copy of ``element`` alone."""
    document = empty_document()
    document.find("body").append(copy.deepcopy(element))
    return document


# What one trafilatura run reads from the page's text; every other Document field is metadata.
_TEXT_FIELDS = frozenset({"body", "comments", "commentsbody", "raw_text", "text"})


def _with_metadata_of(document: Any, source: Any) -> Any:
    """``document`` with the metadata fields of ``source`` (a run made with metadata)."""
    if source is not None:
        for name in type(source).__slots__:
            if name not in _TEXT_FIELDS:
                setattr(document, name, getattr(source, name, None))
    return document


# --- paragraphs precision mode drops inside the article -----------------------------------
#
# favor_precision drops paragraphs one by one for link density or shortness: a paragraph that
# names three people with links to their profile pages, a one-sentence paragraph between two
# long ones. Such a paragraph sits in the same text flow as the paragraphs kept around it, so it
# is article text; what the default mode adds before the first or after the last kept
# paragraph (teasers, newsletter boxes, author bios) is where boilerplate lives and stays out.
# Only trusted when the default run holds the precise run's lines in the same order, and only
# sentences come back: headline-shaped lines in the gaps (related-story links, "CLICK HERE"
# prompts in capitals, list items, pull quotes without a full stop) are what precision mode is
# right to drop.
INTERIOR_MIN_ALIGNED = 0.95
INTERIOR_MIN_WORDS = 6
_SENTENCE_END_RE = re.compile(r"[.!?:…][\"'”’»)\]]*$")


def interior_lines(precise: str, recalled: str) -> str:
    """``precise`` with the lines ``recalled`` has between two of its lines put back."""
    kept = [line for line in precise.split("\n") if line.strip()]
    wider = [line for line in recalled.split("\n") if line.strip()]
    pairs = _aligned_pairs([word_key(line) for line in kept], [word_key(line) for line in wider])
    if len(pairs) < 2 or len(pairs) < INTERIOR_MIN_ALIGNED * len(kept):
        return precise
    lines = kept[: pairs[0][0]]
    for (kept_index, wider_index), (next_kept, next_wider) in zip(pairs, pairs[1:]):
        lines.extend(kept[kept_index:next_kept])  # precision's own lines are never dropped
        lines.extend(line for line in wider[wider_index + 1 : next_wider] if is_sentence(line))
    lines.extend(kept[pairs[-1][0] :])
    return "\n".join(lines)


def with_trailing_lines(tree: lxml.html.HtmlElement, precise: str, recalled: str) -> str:
    """A short ``precise`` body continued with the lines ``recalled`` reads after its last one,
    where they are shown inside the body's own container.

    Precision mode ends a short post early at a block it finds too thin to be text (a link
    given as its URL, a post's last image captions in a page builder's next section); recall
    mode reads on. Its further lines are the post's only when the recall run holds every line
    precision returned, in order (it is the same reading, continued), and each is shown inside
    the innermost element holding the body's lines (a next story or a comment sits outside
    it) as a paragraph, list item, quote or heading of its own.
    """
    kept = [line for line in precise.split("\n") if line.strip()]
    wider = [line for line in recalled.split("\n") if line.strip()]
    pairs = _aligned_pairs([word_key(line) for line in kept], [word_key(line) for line in wider])
    if len(pairs) < len(kept):
        return precise
    container = _innermost_holding(_elements_holding_lines(tree, precise))
    if container is None:
        return precise
    # A line of text, as the page sets one: a widget's line in a bare <div> (a sign-up prompt
    # beside its link) is not taken.
    blocks = {word_key(e.text_content()) for e in container.iter(*_TRAILING_BLOCK_TAGS)}
    added: list[str] = []
    for line in wider[pairs[-1][1] + 1 :]:
        if not word_key(line) or word_key(line) not in blocks:
            break
        added.append(line)
    if not added or word_count("\n".join(added)) > TRAILING_MAX_SHARE * word_count(precise):
        return precise
    return "\n".join([*kept, *added])


_TRAILING_BLOCK_TAGS = ("p", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6")


def _innermost_holding(elements: list[lxml.html.HtmlElement]) -> lxml.html.HtmlElement | None:
    """The innermost element holding every one of ``elements`` (other than <body>/<html>)."""
    if not elements:
        return None
    holding = list(elements[0].iterancestors())
    for element in elements[1:]:
        ancestors = list(element.iterancestors())  # kept referenced: see article_container
        keys = {id(a) for a in ancestors}
        holding = [a for a in holding if id(a) in keys]
    container = holding[0] if holding else None
    if container is None or container.tag in {"body", "html"}:
        return None
    return container


def _may_hold_dropped_sentences(container: lxml.html.HtmlElement, precise: str) -> bool:
    """Whether the container has a sentence-shaped block of text that ``precise`` lacks."""
    kept = {word_key(line) for line in precise.split("\n")}
    walk = PageWalk(container)
    for element in walk:
        if not isinstance(element.tag, str):
            continue
        is_line = element.tag in _LINE_TAGS
        if is_line or len((element.text or "").split()) >= INTERIOR_MIN_WORDS:
            raw = " ".join(element.text_content().split())
            # Cheapest tests first: most blocks are not sentence-shaped, or are kept.
            if _SENTENCE_END_RE.search(raw) and word_key(raw) not in kept and is_sentence(raw):
                return True
        if is_line:
            # Trafilatura reads a paragraph, item or quote as one line: what it holds (an
            # emphasised sentence) comes back inside that line, tested above, never alone.
            walk.pass_by(element)
    return False


def is_sentence(line: str) -> bool:
    """True for a line shaped like running text: several words, a closing punctuation mark,
    not set in capitals, not a list item."""
    text = line.strip()
    letters = [c for c in text if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) > 0.5 * len(letters):
        return False
    if text.startswith(("- ", "• ", "* ")):
        return False
    return len(text.split()) >= INTERIOR_MIN_WORDS and bool(_SENTENCE_END_RE.search(text))


def _aligned_pairs(kept: list[str], wider: list[str]) -> list[tuple[int, int]]:
    """(index in ``kept``, index in ``wider``) of the lines found in both, matched in order."""
    pairs: list[tuple[int, int]] = []
    cursor = 0
    for kept_index, line in enumerate(kept):
        if not line:
            continue
        for index in range(cursor, len(wider)):
            if wider[index] == line:
                pairs.append((kept_index, index))
                cursor = index + 1
                break
    return pairs


# --- headings and list items between the body's paragraphs -----------------------------------
#
# Where trafilatura discards the article's container (its class holds a furniture word such as
# "teaser") it falls back on the page's bare paragraphs: the story comes back without its
# subheadings and lists, which its fallbacks (readability, jusText) would have kept. A heading or
# a list item the page shows between two lines that follow each other in the body, inside the
# article's container, with nothing else between them, is the story's own structure: put back.
# A box of links (a related list, a table of contents) is not: its text is mostly link text.
STRUCTURE_TAGS = ("h2", "h3", "h4", "h5", "h6", "li", "dt", "dd")
_HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_TEXT_TAGS = ("p", "blockquote", "pre", "table", *STRUCTURE_TAGS)
STRUCTURE_MAX_HEADING_WORDS = 25
STRUCTURE_MAX_ITEM_WORDS = 150
STRUCTURE_MAX_LINK_SHARE = 0.5
STRUCTURE_NEIGHBOUR_MIN_WORDS = 20
_WIDGET_TAGS = frozenset({"form", "button", "input", "select", "script", "iframe", "svg", "time"})
_NOT_STRUCTURE_ANCESTORS = frozenset(
    {"a", "nav", "aside", "footer", "header", "form", "figure", "figcaption", "button", "menu", "select", "table"}
)


def with_structure_between(tree: lxml.html.HtmlElement, text: str) -> str:
    """``text`` with the headings and list items the page shows between two consecutive body
    lines put back in their place."""
    lines = text.split("\n")
    keys = [word_key(line) for line in lines]
    position: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key:
            position.setdefault(key, index)
    locatable = [key for key in position if len(key) >= CHUNK_MATCH_MIN_CHARS]
    container = article_container(tree, text)
    if container is None or not any(True for _ in container.iter(*STRUCTURE_TAGS)):
        return text
    inserts: dict[int, list[str]] = {}
    previous: int | None = None
    pending: list[str] = []
    shown: str | None = None  # the container's text, read only where a gap has candidates
    covered: lxml.html.HtmlElement | None = None  # the element whose text is already judged
    for element in container.iter(*_TEXT_TAGS):
        if covered is not None and is_inside(element, covered):
            continue
        key = word_key(element.text_content())
        if not key:
            continue
        covered = element
        found = position.get(key)
        if found is not None:
            if previous is not None and pending and _next_line(keys, previous) == found and (
                _running_text(lines[previous]) and _running_text(lines[found])
            ):
                shown = _shown_key(container) if shown is None else shown
                if _fills_gap(shown, keys[previous], [word_key(line) for line in pending], key):
                    inserts[previous] = pending
            previous, pending = found, []
        elif any(k in key for k in locatable):
            covered = None  # a wrapper around body lines: its children are judged one by one
        elif any(key in k for k in keys if k):
            continue  # part of a body line (trafilatura joined it with its neighbours)
        elif previous is not None and element.tag in STRUCTURE_TAGS and _is_story_structure(element, container):
            pending.append(_as_line(element))
        else:
            pending = []  # other text lies between: whatever sits here is not known to be the story's
            previous = None
    if not inserts:
        return text
    restored: list[str] = []
    for index, line in enumerate(lines):
        restored.append(line)
        restored.extend(inserts.get(index, []))
    return "\n".join(restored)


def _shown_key(container: lxml.html.HtmlElement) -> str:
    """The container's text as word_key()s it, each text node apart (as block elements show it)."""
    return " ".join(key for key in (word_key(piece) for piece in container.itertext()) if key)


def _fills_gap(shown: str, before: str, added: list[str], after: str) -> bool:
    """Whether the page shows ``before``, then exactly ``added``, then ``after``: nothing else
    (a link box, a script, an advert's text) sits between the two body lines."""
    wanted = " ".join([before, *added, after])
    return f" {wanted} " in f" {shown} "


def _running_text(line: str) -> bool:
    """A paragraph of running text: a section's heading or a list sits between such; a grid of
    teaser cards alternates headings with blurbs shorter than this."""
    return len(WORD_RE.findall(line)) >= STRUCTURE_NEIGHBOUR_MIN_WORDS


def _next_line(keys: list[str], index: int) -> int | None:
    """The index of the first non-empty line after ``index``."""
    return next((i for i in range(index + 1, len(keys)) if keys[i]), None)


def _as_line(element: lxml.html.HtmlElement) -> str:
    text = " ".join(element.text_content().split())
    return f"- {text}" if element.tag == "li" else text


def _is_story_structure(element: lxml.html.HtmlElement, container: lxml.html.HtmlElement) -> bool:
    """A heading or list item of running text, not a box of links, navigation or a caption."""
    words = len(WORD_RE.findall(element.text_content()))
    limit = STRUCTURE_MAX_HEADING_WORDS if element.tag in _HEADING_TAGS else STRUCTURE_MAX_ITEM_WORDS
    if not 0 < words <= limit or _hidden(element):
        return False
    for ancestor in element.iterancestors():
        if ancestor is container:
            break
        if ancestor.tag in _NOT_STRUCTURE_ANCESTORS or _hidden(ancestor):
            return False
    scope = element.getparent() if element.tag in {"li", "dt", "dd"} and element.getparent() is not None else element
    if _is_control(element) or _is_control(scope):
        return False
    if any(e.tag in _WIDGET_TAGS for e in scope.iter()):
        return False  # a share bar, a form, an embed: interface, not text
    return _link_share(scope) < STRUCTURE_MAX_LINK_SHARE


# An accordion's or a tab bar's title is a control that opens a panel (an FAQ's question, a
# product's details), set apart from the text; the page's own reading order does not run
# through it.
_CONTROL_RE = re.compile(r"accordion|toggle|collaps|clickmore|(?:^|[\W_])tabs?(?:$|[\W_])", re.IGNORECASE)


def _is_control(element: lxml.html.HtmlElement) -> bool:
    if element.get("aria-expanded") is not None or element.get("role") in {"button", "tab"}:
        return True
    return any(_CONTROL_RE.search(f"{name[5:]} {value}" if name.startswith("data-") else value)
               for name, value in element.attrib.items() if name in {"class", "id"} or name.startswith("data-"))


def _hidden(element: lxml.html.HtmlElement) -> bool:
    style = (element.get("style") or "").replace(" ", "").lower()
    return (
        element.get("hidden") is not None
        or element.get("aria-hidden") == "true"
        or "display:none" in style
        or "visibility:hidden" in style
    )


# --- call-to-action boxes ---------------------------------------------------------------------
#
# Donation appeals, newsletter, podcast and app promotions, subscription offers: a short box
# that ends in (or holds) a link, a button or a form asking the reader to act, set between the
# story's sections or after it. Found by shape in any language: the box's class or id names it
# (promo, newsletter, donate, subscribe, banner, cta...), its text is short, and it has the call
# to action. Only the body lines that lie inside such a box leave the body.
CTA_CLASS_RE = re.compile(
    r"(?:^|[\W_])(?:promo\w*|newsletter\w*|donat\w*|spende\w*|don|dons|cta|banner|subscri\w*|abonn\w*|abo|"
    r"podcast\w*|membership|signup|app-?teaser|appteaser|support-?us)(?:$|[\W_])",
    re.IGNORECASE,
)
CTA_BOX_MAX_WORDS = 80
CTA_LINE_MIN_WORDS = 4
CTA_BOX_TAGS = ("div", "section", "aside", "p", "form", "figure")
_BOX_HEADING_TAGS = ("h2", "h3", "h4", "h5", "h6")


def without_call_to_action_boxes(tree: lxml.html.HtmlElement, text: str) -> str:
    """``text`` without the lines that the page shows inside call-to-action boxes."""
    found = _call_to_action_boxes(tree)
    if not found:
        return text
    boxes = [word_key(box.text_content()) for box in found]
    # A box's heading ("Weekly Newsletter") is too short to be matched inside the box's text
    # by chance rules: it is matched as the whole text of a heading in the box.
    headings = {word_key(h.text_content()) for box in found for h in box.iter(*_BOX_HEADING_TAGS)}
    lines = text.split("\n")
    dropped = [
        line for line in lines
        if (key := word_key(line)) and (key in headings or any(_inside_box(key, box) for box in boxes))
    ]
    if not dropped:
        return text
    note("call_to_action_box", dropped)
    gone = {id(line) for line in dropped}
    return "\n".join(line for line in lines if id(line) not in gone)


def _inside_box(key: str, box: str) -> bool:
    """Whether a body line is the box's text or a part of it long enough not to be a chance match
    (a two-word caption may be found in any box)."""
    return key == box or (len(key.split()) >= CTA_LINE_MIN_WORDS and f" {key} " in f" {box} ")


def _call_to_action_boxes(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Short boxes named for a promotion that hold a link, button or form to act on."""
    found: list[lxml.html.HtmlElement] = []
    found_ids: set[int] = set()  # of the boxes in ``found``, which holds them (their ids stay theirs)
    # A page repeats its class values many times: each distinct one is matched once.
    verdicts: dict[str, bool] = {}
    for element in tree.iter(*CTA_BOX_TAGS):
        classes, ids = element.get("class"), element.get("id")
        if classes is None and ids is None:
            continue
        names = f"{classes or ''} {ids or ''}"
        verdict = verdicts.get(names)
        if verdict is None:
            verdict = verdicts[names] = CTA_CLASS_RE.search(names) is not None
        if not verdict:
            continue
        # Inside a box already found: one walk up, where asking of every box was quadratic on
        # pages with many (a site whose every teaser is a "promo").
        if found_ids and any(id(ancestor) in found_ids for ancestor in element.iterancestors()):
            continue
        words = len(WORD_RE.findall(element.text_content()))
        if 0 < words <= CTA_BOX_MAX_WORDS and _has_call_to_action(element):
            found.append(element)
            found_ids.add(id(element))
    return found


def _has_call_to_action(box: lxml.html.HtmlElement) -> bool:
    return any(
        e.tag in {"button", "form", "input"} or (e.tag == "a" and (e.get("href") or "").strip() not in {"", "#"})
        for e in box.iter()
    )


# --- is the body the text of the page's own entry --------------------------------------------
#
# The element a page marks as the post's or article's content: <article>, schema.org's
# itemprop="articleBody", microformats' e-content, and the class names blog and CMS templates
# give it ("entry-content", "post-body", "article-text", "story__content").
ENTRY_CONTENT_CLASS_RE = re.compile(
    r"^(?:(?:entry|post|article|story)(?:[-_]{1,2})?(?:content|body|text)|e-content)$", re.IGNORECASE
)


def is_entry_text(tree: lxml.html.HtmlElement, text: str) -> bool:
    """Whether every line of ``text`` is inside one element the page marks as its entry's content."""
    keys = [key for key in (word_key(line) for line in text.split("\n")) if key]
    if not keys:
        return False
    for element in tree.iter(lxml.etree.Element):
        if not _marks_entry_content(element):
            continue
        shown = word_key(element.text_content())
        if all(key in shown for key in keys):
            return True
    return False


def _marks_entry_content(element: lxml.html.HtmlElement) -> bool:
    if element.tag == "article" or element.get("itemprop") == "articleBody":
        return True
    return any(ENTRY_CONTENT_CLASS_RE.match(token) for token in (element.get("class") or "").split())


# --- bodies split in chunks -------------------------------------------------------------------
#
# trafilatura reads the first element that matches its body expressions. Sites that cut the
# story into same-class chunks between ad slots (Condé Nast's "body__inner-container", many
# "article__chunk" layouts) lose every chunk after the first. The chunks are found from the
# text trafilatura did return: an ancestor of its paragraphs whose tag and classes recur
# nearby, in the same <article>, holding more prose. They are moved into the first chunk and
# trafilatura runs again.

# Paragraphs shorter than this (in normalized characters) are too common to locate by text.
CHUNK_MATCH_MIN_CHARS = 30
# How far above a matched paragraph the chunk container may be.
CHUNK_MAX_LEVELS = 4
# Chunks are neighbours: their common ancestor is at most this far above the first chunk.
CHUNK_MAX_COMMON_ANCESTOR_LEVELS = 3
# The first chunk must hold at least this many of the returned paragraphs (one is a quote).
CHUNK_MIN_MATCHED = 2
# A further chunk must add this many words of new paragraph text, with links under this share.
CHUNK_MIN_NEW_WORDS = 30
CHUNK_MAX_LINK_SHARE = 0.3
# The rerun must keep this share of the lines the first run returned, or it is not trusted.
CHUNK_KEEP_LINES = 0.95
_NOT_BODY_TAGS = frozenset({"aside", "footer", "nav", "header"})
# The same regions where a template marks them by name instead of by tag: a page footer built
# of the same grid rows as the article ("div.row" in "div#footerWrap") is not a further chunk.
_NOT_BODY_NAME_RE = re.compile(r"footer|sidebar", re.IGNORECASE)


def _signature(element: lxml.html.HtmlElement) -> tuple[str, tuple[str, ...]]:
    return element.tag, tuple(sorted((element.get("class") or "").split()))


def _enclosing_article(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    return next((a for a in element.iterancestors() if a.tag == "article"), None)


def _link_share(element: lxml.html.HtmlElement) -> float:
    text = len(word_key(element.text_content())) or 1
    return sum(len(word_key(a.text_content())) for a in element.iter("a")) / text


def merged_chunks(pruned: lxml.html.HtmlElement, text: str) -> lxml.html.HtmlElement | None:
    """A copy of the page with the article's further chunks moved into its first, or None.

    The chunks are found on ``pruned`` itself, which is left as it is; only a page that has
    chunks to merge is copied (most have none).
    """
    returned = {n for n in (word_key(line) for line in text.split("\n")) if len(n) >= CHUNK_MATCH_MIN_CHARS}
    # The paragraphs among the page's line elements (a returned line is long enough to locate).
    lines = remembered(pruned, "locatable_lines", locatable_line_elements)
    matched = [e for e, key in lines if e.tag == "p" and key in returned]
    candidates = _chunk_candidates(matched)
    alike = _by_signature(pruned, {c.tag for c in candidates})
    facts = _ChunkFacts(returned, lines)
    for first in candidates:
        further = _further_chunks(alike[_signature(first)], first, facts)
        if further:
            # The text goes into the innermost container holding the returned paragraphs: that
            # is the element trafilatura reads, and a chunk wrapper may hold its own copy of
            # it ("article--content" around "articleBody"), which would be read no further.
            inner = next((c for c in candidates if c is first or is_inside(c, first)), first)
            return _merged_copy(pruned, inner, further)
    return None


def _merged_copy(
    pruned: lxml.html.HtmlElement, inner: lxml.html.HtmlElement, further: list[lxml.html.HtmlElement]
) -> lxml.html.HtmlElement:
    """A copy of ``pruned`` with the children of ``further`` (their ``inner``-shaped parts
    where they have some) moved into ``inner``, and the emptied chunks removed."""
    paths = pruned.getroottree()
    work = copy.deepcopy(pruned)

    def in_copy(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
        return work.getroottree().xpath(paths.getpath(element))[0]

    target = in_copy(inner)
    for chunk in [in_copy(c) for c in further]:
        sources = [e for e in chunk.iter(target.tag) if _signature(e) == _signature(target)] or [chunk]
        for source in sources:
            target.extend(list(source))
        chunk.drop_tree()
    return work


def _chunk_candidates(matched: list[lxml.html.HtmlElement]) -> list[lxml.html.HtmlElement]:
    """Classed ancestors of the matched paragraphs holding several of them, nearest first."""
    seen: dict[int, lxml.html.HtmlElement] = {}
    for paragraph in matched:
        for level, ancestor in enumerate(paragraph.iterancestors()):
            if level >= CHUNK_MAX_LEVELS or ancestor.tag in {"body", "html", "article"}:
                break
            if ancestor.get("class") and id(ancestor) not in seen:
                seen[id(ancestor)] = ancestor
    holding: dict[int, int] = dict.fromkeys(seen, 0)
    for paragraph in matched:
        for ancestor in paragraph.iterancestors():
            if id(ancestor) in holding:
                holding[id(ancestor)] += 1
    return [c for key, c in seen.items() if holding[key] >= CHUNK_MIN_MATCHED]


def _by_signature(
    tree: lxml.html.HtmlElement, tags: set[str]
) -> defaultdict[tuple[str, tuple[str, ...]], list[lxml.html.HtmlElement]]:
    """The tree's elements of these tags grouped by tag and classes, in page order: one walk
    for all the candidates instead of one each."""
    groups: defaultdict[tuple[str, tuple[str, ...]], list[lxml.html.HtmlElement]] = defaultdict(list)
    if tags:
        for element in tree.iter(*tags):
            groups[_signature(element)].append(element)
    return groups


def _further_chunks(
    alike: list[lxml.html.HtmlElement], first: lxml.html.HtmlElement, facts: _ChunkFacts
) -> list[lxml.html.HtmlElement]:
    """Elements shaped like ``first`` (``alike``), near it in the same <article>, that add prose."""
    article = facts.article(first)
    first_line = facts.line(first)
    first_ids = facts.line_ids(first)
    further = []
    for other in alike:
        if other is first or facts.article(other) is not article:
            continue  # in another <article>
        other_ids = facts.line_ids(other)
        # What ``other`` is on its own (prose, in the body) is settled once for every
        # candidate: most same-shaped elements (a listing's cards) fail it.
        if id(first) in other_ids or id(other) in first_ids or not facts.adds_prose(other):
            continue  # inside each other, or no prose
        level = next((i for i, e in enumerate(first_line) if id(e) in other_ids), 1_000_000)
        if level <= CHUNK_MAX_COMMON_ANCESTOR_LEVELS:
            further.append(other)
    return further


class _ChunkFacts:
    """What ``_further_chunks`` asks of each element, read once: a page with many same-shaped
    elements (a listing's cards) compares every candidate chunk with every one of them."""

    def __init__(self, returned: set[str], lines: list[tuple[lxml.html.HtmlElement, str]]) -> None:
        self.returned = returned
        # The paragraphs' word_key()s the page's line elements were read with (``lines``, held
        # here, so the id()s stay their own); a paragraph too short to be among them is read
        # when asked.
        self._lines_held = lines
        self._paragraph_keys = {id(e): key for e, key in lines if e.tag == "p"}
        # Keyed by id(): the element is held in its own entry (its line starts with it), so
        # its id() is not reused while the facts live.
        self._lines: dict[int, list[lxml.html.HtmlElement]] = {}
        self._line_ids: dict[int, frozenset[int]] = {}
        self._new_words: dict[int, int] = {}
        self._articles: dict[int, lxml.html.HtmlElement | None] = {}
        self._adds_prose: dict[int, bool] = {}
        self._outside = InsideRegion(_is_page_furniture_region)

    def line(self, element: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
        """The element and its ancestors, innermost first."""
        key = id(element)
        if key not in self._lines:
            self._lines[key] = [element, *element.iterancestors()]
        return self._lines[key]

    def line_ids(self, element: lxml.html.HtmlElement) -> frozenset[int]:
        key = id(element)
        if key not in self._line_ids:
            self._line_ids[key] = frozenset(id(e) for e in self.line(element))
        return self._line_ids[key]

    def _paragraph_key(self, paragraph: lxml.html.HtmlElement) -> str:
        key = self._paragraph_keys.get(id(paragraph))
        return key if key is not None else word_key(paragraph.text_content())

    def article(self, element: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
        """The nearest <article> around the element (not the element itself)."""
        key = id(element)
        if key not in self._articles:
            self._articles[key] = next((a for a in self.line(element)[1:] if a.tag == "article"), None)
        return self._articles[key]

    def adds_prose(self, element: lxml.html.HtmlElement) -> bool:
        """Outside the page's furniture, with enough words the returned text lacks, and not
        mostly links."""
        key = id(element)
        if key not in self._adds_prose:
            self.line(element)  # holds the element, so its id() stays its own
            self._adds_prose[key] = (
                not self.outside_body(element)
                and self.new_words(element) >= CHUNK_MIN_NEW_WORDS
                and _link_share(element) < CHUNK_MAX_LINK_SHARE
            )
        return self._adds_prose[key]

    def outside_body(self, element: lxml.html.HtmlElement) -> bool:
        """In a footer, sidebar, navigation or page header, the element itself included (each
        element's answer kept: a page with many same-shaped elements asks it of the same
        ancestors again and again)."""
        return self._outside(element)

    def new_words(self, element: lxml.html.HtmlElement) -> int:
        key = id(element)
        if key not in self._new_words:
            self.line(element)  # holds the element, so its id() stays its own
            self._new_words[key] = sum(
                len(n.split()) for n in (self._paragraph_key(p) for p in element.iter("p"))
                if n not in self.returned
            )
        return self._new_words[key]


def _is_page_furniture_region(element: lxml.html.HtmlElement) -> bool:
    """A footer, sidebar, navigation or page header, by its tag or by its class or id."""
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return element.tag in _NOT_BODY_TAGS or _NOT_BODY_NAME_RE.search(names) is not None


def _keeps_lines(before: str, after: str) -> bool:
    """True when ``after`` still holds nearly every line of ``before``."""
    lines = [n for n in (word_key(line) for line in before.split("\n")) if n]
    kept_text = word_key(after)
    return sum(line in kept_text for line in lines) >= CHUNK_KEEP_LINES * len(lines)


def _under_headline(tree: lxml.html.HtmlElement, text: str) -> bool:
    """Whether ``text`` begins under the page's headline: its first line found in the page
    follows the first <h1> inside an element short of <body> (a story, not a consent notice
    or a footer on a page whose story never rendered)."""
    headline = _first_headline(tree)
    lines = _elements_holding_lines(tree, text)
    if headline is None or not lines or not _follows(headline, lines[0]):
        return False
    shared = next((a for a in headline.iterancestors() if is_inside(lines[0], a)), None)
    return shared is not None and shared.tag not in {"body", "html"}


def _trafilatura_document(
    tree: lxml.html.HtmlElement, page: PageData, fetched_at: datetime, *, favor_precision: bool,
    with_metadata: bool, fast: bool = False, search_dates: bool = False, favor_recall: bool = False,
) -> Any:
    """One trafilatura run (it copies the tree it is given). With metadata: trafilatura's guesses
    for the fields the pipeline reads (``guessed_metadata``), the date only with ``search_dates``
    (the only case where it is read), judged against the fetch day."""
    date_params = {
        "original_date": True,
        # As plain trafilatura: where the markup has no date, htmldate searches the text
        # (where the page's other evidence leaves the date to that search).
        "extensive_search": with_metadata and search_dates,
        "max_date": fetched_at.strftime("%Y-%m-%d"),
    }
    document = bare_extraction(
        tree,
        url=page.url,
        include_comments=False,
        with_metadata=False,
        favor_precision=favor_precision,
        favor_recall=favor_recall,
        fast=fast,
        deduplicate=False,  # its cache makes output depend on earlier pages (trafilatura#778)
        date_extraction_params=date_params,
    )
    if with_metadata and document is not None:  # as trafilatura: no metadata without a text
        _with_metadata_of(document, guessed_metadata(tree, page.url, date_params, with_date=search_dates))
    return document


# A standfirst shorter than this (in normalized characters) is too generic to look for.
LEDE_MIN_CHARS = 40
# The element showing the standfirst may hold a little more than the meta description.
LEDE_MAX_GROWTH = 1.5
# Elements whose text a page does not render: scripts' and styles' (often most of a page's text:
# framework state as JSON), which no reader sees and no standfirst is taken from.
_UNRENDERED_TAGS = ("script", "style", "template")
_HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template", "a", "nav", "footer", "aside", "button", "option"})
# Headline furniture, not text: a "dek", "subhead" or "strapline" restates the headline in a
# sentence; a "lead", "intro", "teaser", "preamble" or "standfirst" opens the text. Class
# names say which (typographic vocabulary, not any one site's); captions are neither.
DEK_CLASS_RE = re.compile(r"(?:^|[\W_])(?:dek|subhead(?:ing|line)?|strapline)(?:$|[\W_])", re.IGNORECASE)
DEK_CLASS_LEVELS = 2


def visible_lede(tree: lxml.html.HtmlElement, description: str | None, text: str) -> str | None:
    """The standfirst as the page shows it above the body, when the extracted text lacks it.

    Publishers repeat it in meta description; readers see it between headline and body,
    outside the container trafilatura reads. Only a visible element whose text is the
    description, placed before the body's first paragraph, counts.
    """
    wanted = word_key(description or "")
    if len(wanted) < LEDE_MIN_CHARS or wanted in word_key(text):
        return None
    stem = wanted.rsplit(" ", 1)[0]  # meta descriptions are often cut mid-word
    first_line = next((n for n in (word_key(line) for line in text.split("\n")) if len(n) >= LEDE_MIN_CHARS), None)
    body = tree.find("body")
    if body is None or first_line is None:
        return None
    if not _renders(body, stem):
        return None  # not shown at all: the usual case, settled without visiting each element
    found: lxml.html.HtmlElement | None = None
    container_max_raw = LEDE_CONTAINER_MAX_RAW * len(first_line)
    # The page's elements in page order. While the standfirst is looked for, what a hidden
    # element holds is passed by: nothing inside one is taken (on some pages a navigation or a
    # stray open link holds nearly the whole page).
    walk = PageWalk(body)
    for element in walk:
        if not isinstance(element.tag, str):
            continue  # a comment or processing instruction
        if element.tag in _HIDDEN_TAGS:
            if found is None:
                walk.pass_by(element)
            continue
        if found is None:
            # An element's text starts with the stem only where its first word does: settled
            # from the text's opening, without reading every container's whole text.
            if not may_open_with(element, stem):
                continue
            raw = element.text_content()
            if _norm_starts_with(raw, stem) and len(word_key(raw)) <= LEDE_MAX_GROWTH * len(wanted):
                if not any(a.tag in _HIDDEN_TAGS for a in element.iterancestors()):
                    found = element
            continue
        shown = element.text_content() if element.tag == "p" else text_within(element, container_max_raw)
        if shown is not None and (first_line in (own := word_key(shown))) and not is_inside(element, found):
            if len(own) < 2 * len(first_line) or element.tag == "p":
                return None if _is_dek_or_caption(found) else clean_text(" ".join(found.text_content().split()))
    return None


def rendered_text(element: lxml.html.HtmlElement) -> str:
    """The element's text without what scripts, styles and templates hold, in page order."""
    if next(element.iter(*_UNRENDERED_TAGS), None) is None:
        return str(element.text_content())
    # Stripped from a copy: an XPath keeping only text nodes without such an ancestor tests
    # every ancestor of every text node, three times the cost of copying the element.
    shown = copy.deepcopy(element)
    lxml.etree.strip_elements(shown, *_UNRENDERED_TAGS, with_tail=False)
    return str(shown.text_content())


RENDERS_CHECKED_WORDS = 3


def _renders(body: lxml.html.HtmlElement, stem: str) -> bool:
    """Whether word_key() of the text ``body`` renders holds ``stem`` (a word_key())."""
    text = rendered_text(body)
    # Each word of the stem lies in one word of the text, so in its case-folded text: a word
    # missing there settles it without normalizing the page's whole text. A few of its longest
    # words tell (each search reads the whole text: a long standfirst's every word cost more
    # than the normalizing it saves).
    # Markup whitespace (often most of a page's text) is squeezed first: it is in no word, no
    # character case-folds into it or out of it, so neither test's answer changes.
    squeezed = " ".join(text.split())
    folded = squeezed.casefold()
    if not all(word in folded for word in sorted(stem.split(), key=len)[-RENDERS_CHECKED_WORDS:]):
        return False
    return stem in word_key(squeezed)


# Normalizing every element's whole text made visible_lede quadratic in the page's size (the
# outer containers hold all of it). A prefix is settled from the text's first characters; a
# container far longer than the body's first line cannot be the tight element holding it
# (raw text includes markup whitespace, hence the margin over the 2x the test needs).
LEDE_CONTAINER_MAX_RAW = 4


def _norm_starts_with(raw: str, prefix: str) -> bool:
    """``word_key(raw).startswith(prefix)``, reading only as much of ``raw`` as it takes."""
    # Settled by the first word alone for nearly every element (a word_key starts with the
    # prefix only if its first word is the prefix's first word, or starts with a one-word prefix).
    first = WORD_RE.search(raw)
    if first is None:
        return False
    opening, space, _ = prefix.partition(" ")
    word = first.group().casefold()
    if (word != opening) if space else not word.startswith(opening):
        return False
    reach = 2 * len(prefix) + 64
    # Widened fourfold where the opening is markup whitespace (a container's indentation can
    # run to kilobytes): normalizing every such container whole was quadratic again.
    while len(raw) > reach:
        head = word_key(raw[:reach]).rpartition(" ")[0]  # the last word may be cut: left out
        if len(head) >= len(prefix):
            return head.startswith(prefix)
        reach *= 4
    return word_key(raw).startswith(prefix)


def _is_dek_or_caption(element: lxml.html.HtmlElement) -> bool:
    """True for headline furniture (dek, subhead) and for image captions."""
    near = [element, *list(element.iterancestors())[:DEK_CLASS_LEVELS]]
    if any(DEK_CLASS_RE.search(e.get("class") or "") for e in near):
        return True
    return any(a.tag in {"figure", "figcaption"} for a in element.iterancestors())
