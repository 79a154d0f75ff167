"""Facts read from a page's tree once while one extraction runs, where several rules ask for them.

The body rules ask the same question of the same tree more than once a page (which elements
hold the body's lines: for the article's container after precision's run, again for the
headings between its lines, again for the safety net), each time with a different text but
always over the same elements. Inside ``remembering()`` such a fact is computed the first time
and handed out after; outside, it is computed at every call, so a caller (or a test) that
changes a tree between two calls never gets a stale answer.

The block spans one page's extraction (``extractor.extract_article``). Only trees that nothing
changes while it runs may be asked about inside it: the parsed page, the extraction's pruned
copy of it and the copies made from that (trafilatura and htmldate copy every tree they are
given before they change anything).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import lxml.html

T = TypeVar("T")

# (id of the tree, name of the fact) -> (the tree, the fact). The tree is held with its fact,
# so its id() cannot be reused by another tree while the block runs.
_Memo = dict[tuple[int, str], tuple[lxml.html.HtmlElement, Any]]
_memo: ContextVar[_Memo | None] = ContextVar("tree_facts", default=None)


@contextmanager
def remembering() -> Iterator[None]:
    """Keep the facts computed inside the block for the rest of it (nested blocks share them)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(tree: lxml.html.HtmlElement, name: str, compute: Callable[[lxml.html.HtmlElement], T]) -> T:
    """``compute(tree)``, computed once per tree and ``name`` inside ``remembering()``."""
    memo = _memo.get()
    if memo is None:
        return compute(tree)
    key = (id(tree), name)
    held = memo.get(key)
    if held is not None and held[0] is tree:
        fact: T = held[1]
        return fact
    fact = compute(tree)
    memo[key] = (tree, fact)
    return fact


class InsideRegion:
    """Whether an element is, or is inside, an element ``is_region`` accepts (a footer, a
    navigation...). Each element's answer is kept, so that elements sharing ancestors walk up
    past each ancestor once: walking every element's ancestors is quadratic on deep pages."""

    def __init__(self, is_region: Callable[[lxml.html.HtmlElement], bool]) -> None:
        self._is_region = is_region
        # id(element) -> (element, answer): the element is held, so its id() stays its own.
        self._answers: dict[int, tuple[lxml.html.HtmlElement, bool]] = {}

    def __call__(self, element: lxml.html.HtmlElement) -> bool:
        walked: list[lxml.html.HtmlElement] = []
        node: lxml.html.HtmlElement | None = element
        answer = False
        while node is not None:
            known = self._answers.get(id(node))
            if known is not None:
                answer = known[1]
                break
            walked.append(node)
            if self._is_region(node):
                answer = True
                break
            node = node.getparent()
        for node in walked:  # each lies inside the one the answer was found at
            self._answers[id(node)] = (node, answer)
        return answer
