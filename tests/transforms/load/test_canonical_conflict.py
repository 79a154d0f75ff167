"""Different articles declaring one canonical URL (a CMS template naming one story of a section as
every story's canonical), within one run and across runs: each keeps its own row under the URL it
was fetched as, none overwritten by another's text, and the run counts them; a true variant of an
article (a trailing-slash copy) still joins the article at its canonical. A real crawl of the
fault server, then the real extract-and-load into the local PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from common.warehouse import transaction
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.harbour_story import BODY
from transforms.load.run import extract_and_load

pytestmark = pytest.mark.crawl

__all__ = ["crawl_env"]  # the fixture, imported for pytest

LEAD = "/news/2026/11/19/breakwater-rebuilt"
TOPICS = {
    "ferry-timetable": ("ferry", "timetable", "crossing", "passengers", "winter"),
    "library-reopens": ("library", "reading room", "volunteers", "shelves", "children"),
    "market-stalls": ("market", "stall holders", "rent", "council", "square"),
    "bridge-closure": ("bridge", "engineers", "cracks", "detour", "traffic"),
    "missing-story": ("orchard", "apple growers", "frost", "harvest", "cider"),
}


def story_body(slug: str) -> str:
    thing, people, detail, other, place = TOPICS[slug]
    sentences = [
        f"The {thing} was the talk of the town on Tuesday after the {people} met to discuss the {detail}.",
        f"Several {people} told reporters that the {detail} had been a worry for months before anyone acted.",
        f"A spokesperson said the {other} would be reviewed again before the end of the month.",
        f"Residents near the {place} said they had not been asked about the plans for the {thing}.",
        f"Officials promised a public meeting about the {thing} and the {detail} next week.",
        f"One of the {people} said the {other} mattered more to families than the cost of the {place}.",
        f"The council will publish a report on the {detail} and the {other} in the spring.",
        f"Until then the {thing} stays as it is, and the {people} will keep watching the {place}.",
    ]
    return "".join(f"<p>{s}</p>" for s in sentences)


def page(title: str, body: str, canonical: str | None) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8>{link}<title>{title}</title></head>"
            f"<body><article><h1>{title}</h1>{body}</article></body></html>").encode()


def serve(server: FaultServer, path: str, title: str, body: str, canonical: str | None,
          when: datetime = DAY) -> None:
    server.articles[path] = when
    server.documents[path] = ("text/html; charset=utf-8", page(title, body, canonical), {})


def rows() -> dict[str, str]:
    with transaction() as cur:
        cur.execute("select url, title from core.articles where source = 'faultsite'")
        return dict(cur.fetchall())


def test_articles_naming_one_story_as_canonical_are_each_kept(crawl_env: CrawlEnv,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    with FaultServer() as server:
        lead = server.url(LEAD)
        serve(server, LEAD, "Breakwater to be rebuilt", BODY, lead)
        serve(server, LEAD + "/", "Breakwater to be rebuilt", BODY, lead)  # a true variant of the lead
        for slug in ("ferry-timetable", "library-reopens"):
            serve(server, f"/news/2026/11/19/{slug}", slug.replace("-", " ").title(), story_body(slug), lead)
        # A canonical naming an article URL nothing was ever fetched at: no proof it is this article.
        serve(server, "/news/2026/11/19/missing-story", "Missing Story", story_body("missing-story"),
              server.url("/news/2026/11/19/never-listed"))
        write_source(crawl_env.sources, server)
        first = extract_and_load(crawl_env.crawl(), workers=1)
        after_first = rows()
        # Next day the template names the lead again, for a new story and for a republished one.
        server.articles.clear()
        server.feed_etag = '"feed-v2"'
        for slug in ("market-stalls", "bridge-closure"):
            serve(server, f"/news/2026/11/20/{slug}", slug.replace("-", " ").title(), story_body(slug), lead,
                  DAY + timedelta(days=1))
        second = extract_and_load(crawl_env.crawl(since="2026-11-20", until="2026-11-20"), workers=1)
        base = server.base
    assert after_first == {
        base + LEAD: "Breakwater to be rebuilt",
        base + "/news/2026/11/19/ferry-timetable": "Ferry Timetable",
        base + "/news/2026/11/19/library-reopens": "Library Reopens",
        base + "/news/2026/11/19/missing-story": "Missing Story",
    }
    assert (first.counts.new, first.canonical_conflicts) == (4, 2)
    assert "2 naming another article's URL as canonical" in first.summary()
    assert (second.counts.new, second.counts.updated, second.canonical_conflicts) == (2, 0, 2)
    assert rows() == {**after_first, base + "/news/2026/11/20/market-stalls": "Market Stalls",
                      base + "/news/2026/11/20/bridge-closure": "Bridge Closure"}
    with transaction() as cur:
        cur.execute("select version from core.articles where url = %s", (base + LEAD,))
        assert cur.fetchone() == (1,)  # the lead was never overwritten
        cur.execute("""select count(*) from raw.captures c join ops.crawl_runs r using (crawl_run_id)
                       where r.source = 'faultsite' and c.kind = 'page' and c.extraction_status = 'article'""")
        assert cur.fetchone() == (7,)
