"""htmldate's date search, made once per page for the same tree, URL and options.

Two readers ask htmldate for a page's date: trafilatura's metadata pass (on the pruned page,
``trafilatura_metadata.guessed_metadata``) and the published-time fallback
(``dates.find_dates``, on the whole page, where the metadata pass found none). Most pages have
nothing to prune, and their pruned page is the parsed page itself: the second search would
read the very tree the first one read, with the same options, and its extensive text search
is the costliest single step on a big page (a regular-expression pass over the whole
serialized page). The answer depends only on the tree, the URL and the options, and nothing
changes the parsed page between the two (htmldate and trafilatura read copies): within
``date_searches_per_page()`` the answer is kept and given again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import lxml.html
from htmldate import find_date

# (id(tree), options) -> (tree, answer): the tree is held so that its id() stays its own.
_Searches = dict[tuple[int, tuple[tuple[str, object], ...]], tuple[lxml.html.HtmlElement, str | None]]
_searches: ContextVar[_Searches | None] = ContextVar("date_searches", default=None)


@contextmanager
def date_searches_per_page() -> Iterator[None]:
    """Keep the searches made inside the block for the rest of it: one page's extraction."""
    token = _searches.set({})
    try:
        yield
    finally:
        _searches.reset(token)


def searched_date(tree: lxml.html.HtmlElement, **options: Any) -> str | None:
    """``htmldate.find_date(tree, **options)``, made once per tree and options inside
    ``date_searches_per_page()`` (every time outside it)."""
    searches = _searches.get()
    if searches is None:
        return find_date(tree, **options)
    key = (id(tree), tuple(sorted(options.items())))
    held = searches.get(key)
    if held is not None and held[0] is tree:
        return held[1]
    answer = find_date(tree, **options)
    searches[key] = (tree, answer)
    return answer
