"""Articles are identified by the canonical URL they declare on the source's article URLs (issue
12, item 9): a site listing one article as /x and /x/, both pages naming the same canonical, gets
one article in core.articles, not two; a canonical pointing off the source's article URLs (its
home page) is ignored. A real crawl of the fault server, then the real extract-and-load."""

from __future__ import annotations

import pytest

from common.warehouse import transaction
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.harbour_story import BODY
from transforms.load.run import extract_and_load

__all__ = ["crawl_env"]  # the fixture, imported for pytest

STORY = "/news/2026/11/19/breakwater-rebuilt"


def page(title: str, head: str) -> bytes:
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8>{head}<title>{title}</title></head>"
            f"<body><article><h1>{title}</h1>{BODY}</article></body></html>").encode()


@pytest.mark.crawl
def test_one_article_listed_under_two_urls_is_stored_once(crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    with FaultServer() as server:
        # The trailing-slash variant declares its canonical relative to a <base href> (item 8 too).
        same = page("Breakwater to be rebuilt", f'<link rel="canonical" href="{server.url(STORY)}">')
        slash = page("Breakwater to be rebuilt", '<base href="/news/"><link rel="canonical" href="2026/11/19/breakwater-rebuilt">')
        # Some sites name their home page as every page's canonical: that is no identity.
        homepage = page("Ferry timetable changes", '<link rel="canonical" href="/">')
        for path, body in ((STORY, same), (STORY + "/", slash), ("/news/2026/11/19/ferry-timetable", homepage)):
            server.articles[path] = DAY
            server.documents[path] = ("text/html; charset=utf-8", body, {})
        write_source(crawl_env.sources, server)
        run_id = crawl_env.crawl()
        result = extract_and_load(run_id, workers=1)
        base = server.base
    with transaction() as cur:
        cur.execute("select url, canonical_url from core.articles where source = 'faultsite' order by url")
        rows = cur.fetchall()
    assert result.pages == 3
    assert rows == [(base + STORY, base + STORY), (base + "/news/2026/11/19/ferry-timetable", base + "/")]
    assert result.counts.new == 2  # the two listings of the story are one article of the batch
    # Loading the run again changes nothing.
    again = extract_and_load(run_id, workers=1)
    assert (again.counts.new, again.counts.updated) == (0, 0)
