"""Captures loaded out of order leave the warehouse that loading them in order leaves: first seen at
the earliest capture, versions in capture order, an older capture with other content an earlier
version (issue 14). Real PostgreSQL, the loader's own SQL."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from common.warehouse import transaction
from tests.fixtures.articles import FETCHED, make_article
from tests.transforms.load.test_load import new_run
from transforms.article import Article
from transforms.load.articles import load_articles

URL = "https://test.example/news/2026/11/19/a-story-that-changed"


def capture(hours: int, body: str, title: str = "A title") -> Article:
    # A published date before the earliest capture, as a real article has.
    return make_article(URL, body=body, title=title, fetched_at=FETCHED + timedelta(hours=hours),
                        published_at=FETCHED - timedelta(days=1))


def history() -> tuple[object, ...]:
    with transaction() as cur:
        cur.execute("""select article_id, first_seen_at, last_seen_at, last_fetched_at, version, content_hash, body
                       from core.articles where url = %s""", (URL,))
        article_id, *article = cur.fetchone()
        cur.execute("""select version, observed_at, content_hash, changed_fields, title, body
                       from core.article_versions where article_id = %s order by version""", (article_id,))
        return tuple(article), tuple(cur.fetchall())


def load_each(captures: list[Article]) -> None:
    for article in captures:
        with transaction() as cur:
            load_articles(cur, [article], new_run(cur))


def reset() -> None:
    with transaction() as cur:
        cur.execute("truncate core.article_versions, core.articles cascade")


ONE = capture(0, "First report of the story.")
TWO = capture(5, "First report of the story, with an update.", title="A new title")
SAME_AS_TWO = capture(7, "First report of the story, with an update.", title="A new title")
THREE = capture(9, "The story as it ended.")


@pytest.mark.parametrize("captures", [
    [ONE, TWO, THREE],
    [ONE, TWO, SAME_AS_TWO, THREE],
])
def test_every_load_order_gives_the_history_of_the_in_order_load(clean_warehouse: str,
                                                                  captures: list[Article]) -> None:
    load_each(captures)
    expected = history()
    versions = expected[1]
    assert [v[1] for v in versions] == [c.fetched_at for c in (ONE, TWO, THREE)]
    assert [v[3] for v in versions] == [[], ["title", "body"], ["title", "body"]]
    assert expected[0][:3] == (ONE.fetched_at, THREE.fetched_at, THREE.fetched_at)
    for order in itertools.permutations(captures):
        reset()
        load_each(list(order))
        assert history() == expected, [c.fetched_at for c in order]
        # One batch holding every capture, in any order within it, gives the same too.
        reset()
        with transaction() as cur:
            load_articles(cur, list(order), new_run(cur))
        assert history() == expected, [c.fetched_at for c in order]


def test_an_older_capture_loaded_again_changes_nothing(clean_warehouse: str) -> None:
    load_each([THREE, ONE])
    settled = history()
    load_each([ONE, THREE, TWO, TWO])
    load_each([TWO])
    assert history()[1][:1] == settled[1][:1]
    assert [v[0] for v in history()[1]] == [1, 2, 3]
    before = history()
    load_each([ONE, TWO, THREE])
    assert history() == before
