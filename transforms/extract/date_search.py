"""htmldate's date search, made once per page for the same tree, URL and options.

Two readers ask htmldate for a page's date: trafilatura's metadata pass (on the pruned page,
``trafilatura_metadata.guessed_metadata``) and the published-time fallback
(``dates.find_dates``, on the whole page, where the metadata pass found none). Most pages have
nothing to prune, and their pruned page is the parsed page itself: the second search would
read the very tree the first one read, with the same options, and its extensive text search
is the costliest single step on a big page (a regular-expression pass over the whole
serialized page). The answer depends only on the tree, the URL and the options, and nothing
changes the parsed page between the two (htmldate and trafilatura read copies): inside the
extraction's ``tree_facts.remembering()`` block the answer is kept and given again.
"""

from __future__ import annotations

from typing import Any

import lxml.html
from htmldate import find_date

from transforms.extract.tree_facts import remembered


def searched_date(tree: lxml.html.HtmlElement, **options: Any) -> str | None:
    """``htmldate.find_date(tree, **options)``, made once per tree and options inside
    ``tree_facts.remembering()`` (every time outside it)."""
    fact = "htmldate search " + repr(sorted(options.items()))
    answer: str | None = remembered(tree, fact, lambda page: find_date(page, **options))
    return answer
