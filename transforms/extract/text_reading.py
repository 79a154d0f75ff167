"""Reading an element's text for less: the rules that look at every element of a page (for the
one holding the standfirst, the body's first line, a line of the text) read each element's
whole text, and the outer containers hold nearly all of the page's: quadratic in its size.
These give the same answers as ``word_key(element.text_content())`` reading less of it."""

from __future__ import annotations

import lxml.html

from transforms.normalize import WORD_RE, word_key

# A text this long is read without its markup whitespace first (see text_key).
TEXT_KEY_SQUEEZED_FROM = 512


def text_key(raw: str) -> str:
    """``word_key(raw)``, read faster where markup whitespace fills most of ``raw``.

    An outer list item of a site's menu holds the whole menu's indentation (hundreds of
    kilobytes of spaces on some pages): the word pattern tries every one of those characters,
    where ``str.split`` passes over them many times faster. Whitespace never is a word
    character, so runs of it separate the same words as one space does."""
    if len(raw) >= TEXT_KEY_SQUEEZED_FROM and "    " in raw:
        return word_key(" ".join(raw.split()))
    return word_key(raw)


def may_open_with(element: lxml.html.HtmlElement, prefix: str, *, skip_blank: bool = False) -> bool:
    """False where ``word_key(element.text_content())`` cannot start with ``prefix`` (a
    word_key()) for its first word: the first word must be the prefix's first word, or start
    with a one-word prefix. Settled from the text's opening: True asks for the full test.

    ``skip_blank``: the text as the concatenation of its pieces that are not all whitespace
    (whitespace between two pieces then joins their words), as ``standfirst._starts_with``
    reads it."""
    opening, space, _ = prefix.partition(" ")
    found = _opening_word(element, skip_blank)
    if found is None:
        return False
    word, whole = found
    if whole:
        return (word == opening) if space else word.startswith(opening)
    # Only the word's beginning is known: the word may still be the opening, or start with it.
    return opening.startswith(word) or (not space and word.startswith(opening))


def first_word(element: lxml.html.HtmlElement, *, skip_blank: bool = False) -> str | None:
    """The first word (``WORD_RE``) of the element's text, case-folded: the first word of
    ``word_key(element.text_content())``; None where it has none (``skip_blank``: as in
    may_open_with)."""
    found = _opening_word(element, skip_blank)
    if found is None:
        return None
    if found[1]:
        return found[0]
    return _first_word_read(element, skip_blank)


def _opening_word(element: lxml.html.HtmlElement, skip_blank: bool) -> tuple[str, bool] | None:
    """The first word of the element's text, case-folded, and whether it is whole; or its
    beginning and False, where the text holding it ends with it and more text follows. None
    where the text has no word."""
    # Settled by the leading text for most elements: a word that ends before the text holding
    # it does is the first word whatever follows. Text without a word is passed over to the
    # first child's (a container's indentation, an opening bracket), as the text reads.
    node = element
    while True:
        own = node.text
        if own and not own.isspace():  # indentation: no word, and slow for the pattern to pass over
            match = WORD_RE.search(own)
            if match is not None:
                whole = match.end() < len(own) or _ends_word(node, element, skip_blank)
                return match.group().casefold(), whole
        if not len(node):
            if node is element:
                return None  # neither text nor children: no text at all
            break
        node = node[0]
        if not isinstance(node.tag, str):
            break  # a comment's text is no text
    word = _first_word_read(element, skip_blank)
    return None if word is None else (word, True)


def _first_word_read(element: lxml.html.HtmlElement, skip_blank: bool) -> str | None:
    """The first word of the element's text, read piece by piece up to its end."""
    head = ""
    for piece in element.itertext():
        if piece.isspace():
            if skip_blank:
                continue
            if not head:
                continue  # no word begun: nothing to end
        head += piece
        match = WORD_RE.search(head)
        if match is None:
            head = ""  # no word begun: what came before it cannot be part of one
        elif match.end() < len(head):
            return match.group().casefold()
        else:
            head = head[match.start():]  # a word running to the end so far: it may go on
    match = WORD_RE.search(head)
    return match.group().casefold() if match is not None else None


def _ends_word(node: lxml.html.HtmlElement, element: lxml.html.HtmlElement, skip_blank: bool) -> bool:
    """Whether a word running to the end of ``node``'s own text ends there in ``element``'s
    text: ``node`` has no children, and is ``element`` or is followed by a tail opening with
    a character outside words (one read, under ``skip_blank``, only where not all blank)."""
    if len(node):
        return False
    if node is element:
        return True
    tail = node.tail
    if not tail or WORD_RE.match(tail) is not None:
        return False
    return not skip_blank or bool(tail.strip())


def text_within(element: lxml.html.HtmlElement, limit: int) -> str | None:
    """``element.text_content()`` where it is at most ``limit`` characters long, else None,
    reading no more than ``limit`` characters of a longer one."""
    parts: list[str] = []
    size = 0
    for piece in element.itertext():
        size += len(piece)
        if size > limit:
            return None
        parts.append(piece)
    return "".join(parts)
