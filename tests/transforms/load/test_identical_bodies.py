"""Different URLs of one source whose extracted texts are identical (one wire story filed under two
sections, with one content hash; two stories whose pages only gave the same short text under
different headlines), in one run: nothing is deduplicated by content hash, each URL keeps its
row in core.articles, and marts.articles folds the copies into one story as the README promises,
saying so in ``copies``/``copy_urls`` and in the daily counts. A real crawl of the fault server,
then the real extract-and-load into the local PostgreSQL."""

from __future__ import annotations

import pytest

from common.warehouse import transaction
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.harbour_story import BODY
from transforms.load.run import extract_and_load

pytestmark = pytest.mark.crawl

__all__ = ["crawl_env"]  # the fixture, imported for pytest

WIRE = ("/news/2026/11/19/world-breakwater", "/news/2026/11/19/business-breakwater")
TEASERS = ("/news/2026/11/19/budget-talks", "/news/2026/11/19/council-vote")
# The same short text on two stories' pages (what a metered site shows before its wall).
TEASER = "".join(f"<p>{s}</p>" for s in (
    "Readers in the valley rely on our reporting every day, from council meetings to school sports.",
    "Independent local journalism costs money, and advertising no longer pays for all of it.",
    "Subscribers get every story, the morning newsletter and the archive going back forty years.",
    "Join the thousands of neighbours who already support the newsroom for less than a coffee a week.",
))


def page(title: str, body: str) -> bytes:
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title></head>"
            f"<body><article><h1>{title}</h1>{body}</article></body></html>").encode()


def test_identical_texts_under_two_urls_keep_two_rows_and_fold_into_one_story(
        crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    with FaultServer() as server:
        for path in WIRE:
            server.articles[path] = DAY
            server.documents[path] = ("text/html; charset=utf-8", page("Breakwater to be rebuilt", BODY), {})
        for path, title in zip(TEASERS, ("Budget talks resume", "Council vote delayed"), strict=True):
            server.articles[path] = DAY
            server.documents[path] = ("text/html; charset=utf-8", page(title, TEASER), {})
        write_source(crawl_env.sources, server)
        result = extract_and_load(crawl_env.crawl(), workers=1)
        base = server.base
    assert (result.pages, result.counts.new, result.rejected) == (4, 4, {})
    with transaction() as cur:
        cur.execute("select url, content_hash from core.articles where source = 'faultsite'")
        hashes = dict(cur.fetchall())
        cur.execute("select url, copies, copy_urls from marts.articles where source = 'faultsite'")
        stories = {url: (copies, urls) for url, copies, urls in cur.fetchall()}
        cur.execute("select articles, stories, copies from marts.daily_source_counts where source = 'faultsite'")
        counts = cur.fetchall()
    assert sorted(hashes) == sorted(base + p for p in WIRE + TEASERS)
    assert hashes[base + WIRE[0]] == hashes[base + WIRE[1]]  # one content hash, still two rows
    assert hashes[base + TEASERS[0]] != hashes[base + TEASERS[1]]
    # One story per text, the other URL named as its copy: folded, not dropped.
    # Which URL of a pair is the original depends on the order they were fetched in.
    pairs = sorted(sorted([url, *urls]) for url, (copies, urls) in stories.items() if copies == 1)
    assert len(stories) == 2 and pairs == sorted(sorted(base + p for p in pair) for pair in (WIRE, TEASERS))
    assert counts == [(4, 2, 2)]
