"""A page captured with 200 whose content did not reach the warehouse for a reason fetching it
again may change (a body cut short, an extraction timeout, a worker killed) goes to the failed-URL
ledger in the load's transaction: the next crawls fetch it again whether the site still lists it
or not, with bounded attempts like a fetch failure. A page that is not an article stays final.
"""

from __future__ import annotations

import pytest

from common.failed_urls import FailedUrl, write_ledger
from common.warehouse import transaction
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, ledger, run_row
from tests.fixtures.fault_server import FaultServer, write_source
from transforms.article import Rejected
from transforms.load.run import lasting

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

SHORT = "/news/2026/11/19/short1-1"
ALWAYS_SHORT = "/news/2026/11/19/short-2"


def article_paths() -> list[str]:
    with transaction() as cur:
        cur.execute("select url from core.articles order by url")
        return ["/" + url.split("/", 3)[3] for (url,) in cur.fetchall()]


def test_a_page_loaded_short_is_fetched_again_by_the_next_run_though_no_longer_listed(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWS_FAILED_URL_RETRY_BASE_SECONDS", "0")  # due at once, as the crawl's test setting
    with FaultServer() as server:
        server.article("short1", DAY, "1")
        server.article("short", DAY, "2")
        server.article("ok", DAY, "3")
        write_source(crawl_env.sources, server)
        first = crawl_env.crawl()
        result = crawl_env.load(first)
        assert result.rejected == {"empty_body": 2} and result.fetch_again == 2
        assert "2 to be fetched again (failed-URL ledger)" in result.summary()
        entry = ledger()[SHORT]
        assert (entry["reason"], entry["http_status"], entry["attempts"]) == ("empty_body", 200, 1)
        assert entry["resolved_at"] is None and entry["next_retry_at"] is not None
        assert entry["last_crawl_run_id"] is not None and str(entry["last_crawl_run_id"]) == first
        # A retried load task counts the run's failures once.
        assert crawl_env.load(first).fetch_again == 2
        assert ledger()[SHORT]["attempts"] == 1

        # The next day's run: the feed no longer lists yesterday's pages, the ledger does.
        server.articles.clear()
        second = crawl_env.crawl(since="2026-11-20", until="2026-11-20")
        assert run_row(second)["pages_captured"] == 2
        assert server.paths(SHORT) == [SHORT, SHORT] and server.paths(ALWAYS_SHORT) == [ALWAYS_SHORT] * 2
        retried = crawl_env.load(second)
    assert retried.counts.new == 1 and retried.fetch_again == 1
    assert article_paths() == ["/news/2026/11/19/ok-3", SHORT]
    assert ledger()[SHORT]["resolved_at"] is not None  # loaded: the entry stays closed
    # Still short: the same story of failures goes on (bounded by give_up_days), not a new one.
    again = ledger()[ALWAYS_SHORT]
    assert (again["attempts"], again["resolved_at"], str(again["last_crawl_run_id"])) == (2, None, second)


def test_a_page_that_is_not_an_article_stays_final() -> None:
    assert lasting(Rejected("https://x.example/live", "not_article:liveblog"))
    for reason in ("extraction_timeout", "extraction_error", "empty_body", "unparseable", "load_rejected"):
        assert not lasting(Rejected("https://x.example/a", reason)), reason


@pytest.mark.parametrize(("failing_run", "attempts"), [(0, 4), (1, 1)])
def test_only_the_run_that_resolved_an_entry_continues_it(clean_warehouse: str, failing_run: int,
                                                          attempts: int) -> None:
    """Three failed runs, then run 0 captures the page. Its own load failing the page continues
    the entry (the capture was no success); a later run's failure starts a new story."""
    runs = ["00000000-0000-4000-8000-0000000000b1", "00000000-0000-4000-8000-0000000000b2"]
    url = "https://h.example/news/a"
    with transaction() as cur:
        cur.execute("insert into ops.sources values ('histsite', 'History', '{h.example}', 'en', true)")
        for run in runs:
            cur.execute("""insert into ops.crawl_runs (crawl_run_id, source, window_start, window_end, started_at,
                             finished_at, finish_reason, status)
                           values (%s, 'histsite', '2026-11-19', '2026-11-20', now(), now(), 'finished', 'loaded')""",
                        (run,))
        write_ledger(cur, source="histsite", run_id=runs[1], failed=[FailedUrl(url, url, "page", "timeout")],
                     captured=[], base_seconds=0, give_up_days=7)
        cur.execute("update ops.failed_urls set attempts = 3, first_failed_at = first_failed_at - interval '2 days'")
        write_ledger(cur, source="histsite", run_id=runs[0], failed=[], captured=[url], base_seconds=0, give_up_days=7)
        write_ledger(cur, source="histsite", run_id=runs[failing_run],
                     failed=[FailedUrl(url, url, "page", "empty_body", 200)], captured=[], base_seconds=0,
                     give_up_days=7)
        cur.execute("select attempts, resolved_at, first_failed_at < now() - interval '1 day' from ops.failed_urls")
        row = cur.fetchone()
    assert row == (attempts, None, failing_run == 0)
