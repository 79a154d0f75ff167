"""Answers that look like success and are not the article.

A 302 to a same-host consent wall or the home page, the site's "page not found" template served
with 200, a body of only whitespace: none is loaded as the article, none makes it seen, each is
in the failed-URL ledger with its reason and fetched again by the next run. A PDF or an image
listed as an article is skipped with a reason; HTML served as text/plain, octet-stream or with no
Content-Type is still extracted.
"""

from __future__ import annotations

import pytest

from common.warehouse import transaction
from scrapers.ledger import seen_pages
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, ledger, run_row
from tests.fixtures.fault_server import FaultServer, write_source

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

NEWS = "/news/2026/11/19/"


def articles() -> list[str]:
    """Paths of the articles in core.articles."""
    with transaction() as cur:
        cur.execute("select url from core.articles")
        return sorted("/" + url.split("/", 3)[3] for (url,) in cur.fetchall())


def extracted_pages(run_id: str) -> list[str]:
    """Paths of the run's captures the load reads (kind page, status 200)."""
    with transaction() as cur:
        cur.execute("select url from raw.captures where crawl_run_id = %s and kind = 'page' and status = 200 "
                    , (run_id,))
        return sorted("/" + url.split("/", 3)[3] for (url,) in cur.fetchall())


def test_walls_error_templates_and_blank_pages_are_not_the_article_and_are_fetched_again(
    crawl_env: CrawlEnv,
) -> None:
    stand_ins = {"wall1-1": "redirected_to_non_article", "home1-2": "redirected_to_non_article",
                 "gone1-3": "soft_404", "blank1-4": "empty_body"}
    with FaultServer(soft_404=True) as server:
        for name in stand_ins:
            behaviour, ident = name.split("-")
            server.article(behaviour, DAY, ident)
        server.article("ok", DAY, "5")
        write_source(crawl_env.sources, server, max_error_rate=1.0)
        first = crawl_env.crawl(SOFT_404_PROBE=True)
        result = crawl_env.load(first)
        # Only the real article reached extraction and the warehouse: no wall, home page or 404 page.
        assert extracted_pages(first) == [NEWS + "ok-5"]
        assert articles() == [NEWS + "ok-5"] and result.rejected == {}
        entries = ledger()
        assert {path.rsplit("/", 1)[1]: entries[path]["reason"] for path in entries} == stand_ins
        assert all(e["http_status"] == 200 and e["next_retry_at"] is not None and e["gave_up_at"] is None
                   for e in entries.values())
        assert seen_pages([server.url(NEWS + name) for name in stand_ins]) == {}
        assert run_row(first)["failed_by_reason"] == {"empty_body": 1, "redirected_to_non_article": 2,
                                                      "soft_404": 1}
        assert run_row(first)["pages_captured"] == 1
        # The next day's run no longer lists them: the ledger brings each back, and now it is there.
        second = crawl_env.crawl(since="2026-11-20", until="2026-11-20", SOFT_404_PROBE=True)
        crawl_env.load(second)
    assert run_row(second)["pages_captured"] == 4
    assert articles() == sorted(NEWS + name for name in [*stand_ins, "ok-5"])
    assert all(entry["resolved_at"] is not None for entry in ledger().values())


def test_a_site_without_a_soft_404_keeps_every_article_it_serves(crawl_env: CrawlEnv) -> None:
    """The probe's 200 answer (a normal page here) makes no article look like an error page."""
    with FaultServer() as server:
        for i in range(4):
            server.article("ok", DAY, str(i))
        write_source(crawl_env.sources, server)
        run = crawl_env.crawl(SOFT_404_PROBE=True)
        assert any("no-such-page" in path for path in server.paths("/news/"))
    assert run_row(run)["pages_captured"] == 4 and ledger() == {}


def test_html_under_any_content_type_is_extracted_and_pdfs_and_images_are_skipped_with_a_reason(
    crawl_env: CrawlEnv,
) -> None:
    with FaultServer(dated_pages=True) as server:
        for i, behaviour in enumerate(["plainhtml", "octethtml", "notype", "ok", "pdf", "png"]):
            server.article(behaviour, DAY, str(i))
        write_source(crawl_env.sources, server)
        run = crawl_env.crawl()
        crawl_env.load(run)
    assert articles() == [NEWS + "notype-2", NEWS + "octethtml-1", NEWS + "ok-3", NEWS + "plainhtml-0"]
    entries = ledger()
    assert sorted(entries) == [NEWS + "pdf-4", NEWS + "png-5"]
    # Skipped for good (asking again will not make a PDF an article), with the reason, not a site failure.
    assert all(e["reason"] == "not_html" and e["gave_up_at"] is not None for e in entries.values())
    row = run_row(run)
    assert row["status"] == "loaded" and row["stats"]["news/skipped_not_html"] == 2
    assert "news/pages_failed" not in row["stats"]
    assert extracted_pages(run) == [NEWS + p for p in ["notype-2", "octethtml-1", "ok-3", "plainhtml-0"]]
