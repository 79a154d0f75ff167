"""Tree rules: what is taken out of the page's markup before trafilatura reads it.

Every site: WordPress comment forms (``DEFAULT_PRUNE_XPATHS``), and furniture recognised by its
shape (``shape_furniture``): teaser cards' text inside links, hover cards inside paragraphs, and
the "social" wrappers around embedded posts (unwrapped, the post kept). Per site: the source's
``prune_xpaths``. Line rules, applied to trafilatura's text afterwards, are in ``line_rules``;
whether a page is an article at all is decided in ``not_article``.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable
from typing import Any

import lxml.etree
import lxml.html

from transforms.extract.page import is_inside
from transforms.normalize import word_key

# Pruned on every site: WordPress comment forms and comment lists leak into the body of
# reposts otherwise (see ../shared/seed/); per-site XPaths come from the source config.
# One expression, the cheap substring test before the exact class-token tests. It asks the
# id and class attributes, then their elements: a test of every element for its attributes
# cost libxml2 two and a half times as much (4 ms on a page of 6,700 elements). The elements
# come back once each, in page order.
DEFAULT_PRUNE_XPATHS = (
    '(/descendant::*/@id[. = "respond" or . = "comments"]'
    ' | /descendant::*/@class[contains(., "comment-")]'
    '[contains(concat(" ", normalize-space(.), " "), " comment-respond ")'
    ' or (parent::form and contains(concat(" ", normalize-space(.), " "), " comment-form "))])/..',
)

@functools.lru_cache(maxsize=512)
def compiled_xpath(expression: str) -> lxml.etree.XPath:
    """A compiled XPath; sources reuse the same few expressions on every page."""
    return lxml.etree.XPath(expression)


def pruned_tree(tree: lxml.html.HtmlElement, xpaths: Iterable[str]) -> lxml.html.HtmlElement:
    """The tree without the elements the XPaths select and without the furniture
    ``shape_furniture`` finds (their tail text kept): a copy when there is something to prune,
    else the tree itself (most pages have no comment form, and copying a page costs as much
    as reading it)."""
    expressions = [compiled_xpath(expression) for expression in xpaths]
    dropped, unwrapped = shape_furniture(tree)
    selected = [e for expression in expressions for e in expression(tree) if _prunable(e)]
    if not (dropped or unwrapped or selected):
        return tree
    pruned = copy.deepcopy(tree)
    # The elements found on the page are looked up in the copy rather than searched for again
    # (a search costs more than a walk over the copy): the same position, same structure.
    in_copy = _counterparts(tree, pruned, [*dropped, *unwrapped, *selected])
    for wrapper in unwrapped:
        in_copy[id(wrapper)].drop_tag()  # the wrapper goes, what it holds stays in its place
    for element in [*selected, *dropped]:
        counterpart = in_copy[id(element)]
        if _prunable(counterpart):
            counterpart.drop_tree()
    return pruned


def _counterparts(
    tree: lxml.html.HtmlElement, twin: lxml.html.HtmlElement, elements: list[lxml.html.HtmlElement]
) -> dict[int, lxml.html.HtmlElement]:
    """id() of each of ``elements`` (in ``tree``) -> the element at its place in ``twin``, a copy."""
    # ``elements`` keeps the originals alive while their id()s are compared (see article_container).
    # Each is reached in the copy by its position among its parent's children at each level
    # (comments count, as in the copy): walking both whole pages in step made a proxy of
    # every element of both for a few looked up.
    found: dict[int, lxml.html.HtmlElement] = {}
    for element in elements:
        if id(element) in found:
            continue
        path: list[int] = []
        node = element
        while node is not tree:
            parent = node.getparent()
            if parent is None:
                break  # not inside ``tree``: not in the copy
            path.append(parent.index(node))
            node = parent
        else:
            copied = twin
            for position in reversed(path):
                copied = copied[position]
            found[id(element)] = copied
    return found


def shape_furniture(tree: lxml.html.HtmlElement) -> tuple[list[lxml.html.HtmlElement], list[lxml.html.HtmlElement]]:
    """Elements to drop (teaser cards' text inside links, hover cards) and wrappers to unwrap
    (around embedded posts), found in one walk over the page's links, images and quotes."""
    dropped: list[lxml.html.HtmlElement] = []
    unwrapped: list[lxml.html.HtmlElement] = []
    for element in tree.iter("a", "img", "blockquote"):
        if element.tag == "a":
            if len(element) and element.get("href") is not None:
                dropped.extend(element.iter(*_TEASER_TEXT_TAGS))
        elif element.tag == "img":
            card = _hover_card_of(element)
            if card is not None and not any(card is c or is_inside(card, c) for c in dropped):
                dropped.append(card)
        else:
            unwrapped.extend(w for w in _social_embed_wrappers(element) if not any(w is u for u in unwrapped))
    return dropped, unwrapped


# A paragraph or heading inside a link is a teaser card's excerpt or title
# ("<a href><h3>..</h3><p>..</p></a>"), never the story's text: the story's paragraphs hold
# links, links do not hold them (an <a> without href is a jump target and holds anything).
_TEASER_TEXT_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6")


# An embedded post (a tweet, an Instagram post) is a quotation the story shows. Its wrapper
# is often named for the network ("social-media-embed"), and trafilatura discards anything
# classed "social" as a share bar, the quoted post with it. The wrapper is unwrapped, so the
# post stands where the story put it, as on pages that embed it bare.
SOCIAL_EMBED_CLASSES = ("twitter-tweet", "instagram-media", "tiktok-embed", "bluesky-embed")
SOCIAL_EMBED_WRAPPER_LEVELS = 2


def _social_embed_wrappers(quote: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The elements classed "social" around ``quote`` where it is an embedded post."""
    classes = quote.get("class") or ""
    if not any(name in classes for name in SOCIAL_EMBED_CLASSES):
        return []
    return [
        ancestor
        for ancestor in list(quote.iterancestors())[:SOCIAL_EMBED_WRAPPER_LEVELS]
        if "social" in (ancestor.get("class") or "").lower() and ancestor.getparent() is not None
    ]


# A hover card: the box a site shows when the pointer rests on a linked name in the text (a
# photo, the full name, links to the person's latest stories, "MORE"), written into the
# paragraph as an inline element and hidden by the stylesheet. trafilatura reads it as words
# of the sentence ("... Rep. Jane DoeJane DoeSenate passes bill | Hearing set MORE (D-Minn.)").
# Inside a paragraph, an inline element holding an image and several links that make up
# nearly all its text is one; the story's own inline text is never laid out like that.
_INLINE_TAGS = frozenset(
    {"span", "a", "em", "strong", "b", "i", "u", "small", "sup", "sub", "abbr", "cite", "q", "mark", "font", "bdi"}
)
HOVER_CARD_MIN_LINKS = 2
HOVER_CARD_MIN_LINK_SHARE = 0.8


def _hover_card_of(image: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The nearest inline ancestor of ``image`` inside a <p> that holds several links, if it
    is made of links; None where the image is not inline in a paragraph."""
    card = None
    for ancestor in image.iterancestors():
        if ancestor.tag == "p":
            break
        if ancestor.tag not in _INLINE_TAGS:
            return None
        if card is None and sum(1 for a in ancestor.iter("a") if a.text_content().strip()) >= HOVER_CARD_MIN_LINKS:
            card = ancestor
    else:
        return None  # no paragraph around it
    if card is None:
        return None
    text = len(word_key(card.text_content())) or 1
    linked = sum(len(word_key(a.text_content())) for a in card.iter("a"))
    return card if linked >= HOVER_CARD_MIN_LINK_SHARE * text else None


def _prunable(element: Any) -> bool:
    return isinstance(element, lxml.html.HtmlElement) and element.getparent() is not None
