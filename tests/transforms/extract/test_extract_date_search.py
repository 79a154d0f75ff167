"""htmldate's search made once per page: the answer kept is the one a new search gives."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import lxml.html
from htmldate import find_date

from transforms.extract.date_search import searched_date
from transforms.extract.extractor import extract_article
from transforms.extract.page import parse_html
from transforms.extract.tree_facts import remembering

_OPTIONS: dict[str, Any] = {"original_date": True, "extensive_search": True, "max_date": "2024-06-01"}
_PARAGRAPHS = "".join(
    f"<p>The harbour board met again on the question of the northern quay, paragraph {n}, and "
    "heard the engineers describe the state of the old wooden piles under the fish market.</p>"
    for n in range(6)
)
# No structured date anywhere: only the running text says when (htmldate's extensive search).
_TEXT_DATED_PAGE = (
    "<html><head><title>Harbour board weighs the northern quay</title></head><body><main><article>"
    "<h1>Harbour board weighs the northern quay</h1>"
    f"<p class='when'>Posted on March 12, 2021 by the harbour desk</p>{_PARAGRAPHS}"
    "</article></main></body></html>"
)
_UNDATED_PAGE = _TEXT_DATED_PAGE.replace("<p class='when'>Posted on March 12, 2021 by the harbour desk</p>", "")
_URL = "https://harbour.example/news/northern-quay"


def _tree(html: str) -> lxml.html.HtmlElement:
    tree = parse_html(html)
    assert tree is not None
    return tree


def test_a_search_kept_for_the_page_gives_what_htmldate_finds() -> None:
    for html in (_TEXT_DATED_PAGE, _UNDATED_PAGE):
        tree = _tree(html)
        fresh = find_date(tree, url=_URL, **_OPTIONS)
        with remembering():
            assert searched_date(tree, url=_URL, **_OPTIONS) == fresh
            assert searched_date(tree, url=_URL, **_OPTIONS) == fresh
    assert find_date(_tree(_TEXT_DATED_PAGE), url=_URL, **_OPTIONS) == "2021-03-12"
    assert find_date(_tree(_UNDATED_PAGE), url=_URL, **_OPTIONS) is None


def test_the_same_tree_url_and_options_are_searched_once_per_page() -> None:
    tree = _tree(_TEXT_DATED_PAGE)
    dated = tree.find(".//p[@class='when']")
    with remembering():
        assert searched_date(tree, url=_URL, **_OPTIONS) == "2021-03-12"
        # Nothing in the pipeline changes the page between its searches; here the change
        # shows that the second answer is the first one, not a second search.
        dated.drop_tree()
        assert searched_date(tree, url=_URL, **_OPTIONS) == "2021-03-12"
    assert searched_date(tree, url=_URL, **_OPTIONS) is None  # outside a page's block: searched again


def test_another_tree_or_url_or_option_is_searched_anew() -> None:
    tree = _tree(_TEXT_DATED_PAGE)
    pruned = copy.deepcopy(tree)  # as the pruned page: a copy without some elements
    pruned.find(".//p[@class='when']").drop_tree()
    with remembering():
        assert searched_date(pruned, url=_URL, **_OPTIONS) is None
        assert searched_date(tree, url=_URL, **_OPTIONS) == "2021-03-12"
        assert searched_date(tree, url="https://harbour.example/2020/05/04/quay", **_OPTIONS) == "2020-05-04"
        assert searched_date(tree, url=_URL, **{**_OPTIONS, "max_date": "2020-01-01"}) is None


def test_a_page_dated_only_by_its_text_gets_that_day_when_extracted() -> None:
    article = extract_article(_TEXT_DATED_PAGE, _URL, source="harbour", fetched_at=datetime(2024, 6, 1, tzinfo=UTC))
    assert getattr(article, "published_at", None) is not None
    assert article.published_at.date().isoformat() == "2021-03-12"  # type: ignore[union-attr]
    undated = extract_article(_UNDATED_PAGE, _URL, source="harbour", fetched_at=datetime(2024, 6, 1, tzinfo=UTC))
    assert getattr(undated, "published_at", "rejected") is None
