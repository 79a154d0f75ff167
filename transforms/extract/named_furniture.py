"""Furniture a template names: the body lines that lie inside an element whose class or id is a
generic word for image captions and credits, reader comments, or an advertising disclosure.

trafilatura drops English "comment..." sections and <figure> where it recognises them, but keeps
a caption box built of <div>s ("article__img__caption"), a German or French comment module
("kommentarModul", "commentaires"), and the disclosure a site writes above or below a post
("editorial-disclosure", "affiliate-disclaimer"). The names are the templates' vocabulary, not one
site's: a word part of a class or id token ("v-caption__small" -> "caption").

Guards: a box that holds most of the body is the body's own container (an opinion column
classed "kommentar"), never furniture; lines go only where they are a box's whole text or a part
of it long enough not to be a chance match.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from transforms.extract.trace import note
from transforms.normalize import word_key

# A word part of a class or id token, split at "-", "_" and case changes are not split (templates
# write "caption", "Caption", "imageCaption": matched case-insensitively as a word part).
CAPTION_PART_RE = re.compile(
    r"^(?:(?:fig|img|image|photo|picture|media|video)?caption|(?:photo|image|img|picture|media)?credits?"
    r"|legende|légende|bildunterschrift|bildtext)$",
    re.IGNORECASE,
)
COMMENTS_PART_RE = re.compile(
    r"^(?:kommentar(?:e|en|modul|bereich)?|kommentarer|commentaires?|comentarios?|comentários?|commenti|reacties"
    r"|komentarze)$",
    re.IGNORECASE,
)
DISCLOSURE_PART_RE = re.compile(r"^(?:disclosure|disclaimer|affiliate(?:disclaimer|notice)?)$", re.IGNORECASE)
# What every name the word-part patterns match contains, lower-cased: the cheap test run on every
# class and id value (a case-insensitive alternation costs ten times as much on a large page).
_NAME_HINT_RE = re.compile(
    r"capt|credit|legend|légende|bildunter|bildtext|kommentar|komentar|comment|coment|reacties|disclos|disclaim|affiliate"
)
_PART_SPLIT_RE = re.compile(r"[-_\s]+")
# A box may take at most this share of the body's words: more, and it is the body's container.
BOX_MAX_BODY_SHARE = 0.5
# Where the story's own text stands: a line shown in one of these outside every box is the story's.
_TEXT_BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"})
# A body line shorter than this is taken from a box only as the box's whole text.
PART_MIN_WORDS = 4


def without_named_furniture(tree: lxml.html.HtmlElement, text: str) -> str:
    """``text`` without the lines that the page shows inside captions, comments or disclosures."""
    boxes, elements = named_furniture_boxes(tree)
    if not boxes:
        return text
    lines = text.split("\n")
    line_keys = [word_key(line) for line in lines]
    body_words = sum(len(key.split()) for key in line_keys) or 1
    keys = [key for key in boxes if len(key.split()) <= BOX_MAX_BODY_SHARE * body_words]
    dropped_ids = {
        index for index, key in enumerate(line_keys) if key and any(_inside_box(key, box) for box in keys)
    }
    if not dropped_ids:
        return text
    # A line the page also shows as a paragraph of its own is the story's (a caption that
    # repeats the standfirst, a heading that names the photo's subject). Read only for the
    # pages where a line matched a box.
    outside = _story_blocks_outside(tree, elements)
    dropped_ids = {index for index in dropped_ids if line_keys[index] not in outside}
    if not dropped_ids:
        return text
    # Where the named boxes hold most of the body, they are what the page shows (a gallery
    # told in its captions, a page of reader letters), not furniture beside a story.
    if sum(len(line_keys[i].split()) for i in dropped_ids) > BOX_MAX_BODY_SHARE * body_words:
        return text
    note("named_furniture", [lines[i] for i in sorted(dropped_ids)])
    return "\n".join(line for i, line in enumerate(lines) if i not in dropped_ids)


def named_furniture_boxes(tree: lxml.html.HtmlElement) -> tuple[list[str], list[lxml.html.HtmlElement]]:
    """The word keys of the outermost elements named for furniture, and those elements."""
    boxes = _named_elements(tree)
    if len(boxes) > 1:
        chosen = {id(box) for box in boxes}
        boxes = [box for box in boxes if not any(id(a) in chosen for a in box.iterancestors())]
    found: list[str] = []
    for box in boxes:
        # Read both run together and apart: text_content() joins a heading to the paragraph
        # after it ("0 Comments" + "No comments yet" -> "CommentsNo"), itertext() splits a
        # word set partly in bold.
        found.extend({key for key in (word_key(box.text_content()), word_key(" ".join(box.itertext()))) if key})
    return found, boxes


def _story_blocks_outside(tree: lxml.html.HtmlElement, boxes: list[lxml.html.HtmlElement]) -> set[str]:
    """The word keys of the paragraphs, headings and list items outside every box."""
    inside = {id(box) for box in boxes}
    return {
        word_key(block.text_content())
        for block in tree.iter(*_TEXT_BLOCK_TAGS)
        if id(block) not in inside and not any(id(a) in inside for a in block.iterancestors())
    }


def _named_elements(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The figcaptions and the elements whose class or id value names furniture, in document
    order, in one walk. A page repeats its class values many times: each distinct value is
    tested once and its verdict remembered for the page."""
    verdicts: dict[str, bool] = {}
    known, hinted = verdicts.get, _NAME_HINT_RE.search
    found = []
    for element in tree.iter(lxml.etree.Element):
        for names in (element.get("class"), element.get("id")):
            if not names:
                continue
            verdict = known(names)
            if verdict is None:
                # The lower-cased substring test first: most values name no furniture.
                verdict = verdicts[names] = bool(hinted(names.lower())) and _names_furniture(names)
            if verdict:
                found.append(element)
                break
        else:
            if element.tag == "figcaption":
                found.append(element)
    return found


def _names_furniture(names: str) -> bool:
    """Whether a class or id value has a word part naming furniture."""
    return any(
        CAPTION_PART_RE.match(part) or COMMENTS_PART_RE.match(part) or DISCLOSURE_PART_RE.match(part)
        for part in _PART_SPLIT_RE.split(names)
        if part
    )


def _inside_box(key: str, box: str) -> bool:
    return key == box or (len(key.split()) >= PART_MIN_WORDS and f" {key} " in f" {box} ")
