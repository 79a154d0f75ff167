"""Issue 12 item 3: a feed URL that answers 200 with something that is not a feed is a discovery
failure (``not_a_feed``), as a sitemap's is; a truncated feed is used up to its last complete
item, and flagged. Real crawls against the fault server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.warehouse import transaction
from scrapers.crawl_process import CrawlFailed
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, ledger, page_captures, run_row
from tests.fixtures.fault_server import FaultServer, write_source

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

CHALLENGE = (b"<!DOCTYPE html><html lang=en><head><title>Just a moment...</title>"
             b"<meta http-equiv=refresh content=\"30\"></head><body><div id=challenge-stage>"
             b"<h1>Checking if the site connection is secure</h1><noscript>Enable JavaScript and cookies"
             b"</noscript></div></body></html>")
NOT_RSS = (b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
           b"<Message>Access Denied</Message></Error>")

ANSWERS = {
    "challenge page": ("text/html; charset=UTF-8", CHALLENGE),
    "empty body": ("application/rss+xml", b""),
    "xml that is not a feed": ("application/xml", NOT_RSS),
    "challenge served as rss": ("application/rss+xml", CHALLENGE),
}


def feed_state() -> list[tuple[object, ...]]:
    with transaction() as cur:
        cur.execute("select url, last_status, last_failure, consecutive_failures, last_flag, etag "
                    "from ops.feed_state order by url")
        return cur.fetchall()


@pytest.mark.parametrize("answer", sorted(ANSWERS))
def test_a_feed_answering_something_else_is_a_discovery_failure_not_a_success(crawl_env: CrawlEnv,
                                                                               answer: str) -> None:
    content_type, body = ANSWERS[answer]
    with FaultServer() as server:
        server.article("ok", DAY, "1")
        server.documents["/feed.xml"] = (content_type, body, {})
        write_source(crawl_env.sources, server)
        with pytest.raises(CrawlFailed, match=r"no feed or sitemap was reachable \(1 tried: 1 not_a_feed\)"):
            crawl_env.crawl()
    entry = ledger()["/feed.xml"]
    assert (entry["kind"], entry["reason"], entry["http_status"]) == ("feed", "not_a_feed", 200)
    assert entry["next_retry_at"] is not None  # a challenge page may go away: retried
    [(_, status, failure, failures, flag, etag)] = feed_state()
    assert (status, failure, failures, flag, etag) == (200, "not_a_feed", 1, None, None)


def test_a_feed_that_is_not_one_beside_a_working_sitemap_is_recorded_and_the_run_goes_on(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        server.article("ok", DAY, "1")
        server.documents["/feed.xml"] = ("text/html", CHALLENGE, {})
        write_source(crawl_env.sources, server, dated=[server.url("/sitemap.xml?yyyy={yyyy}&mm={mm}&dd={dd}")])
        run_id = crawl_env.crawl()
    run = run_row(run_id)
    assert run["status"] == "captured" and run["pages_captured"] == 1
    assert run["stats"]["news/discovery_failed/not_a_feed"] == 1
    assert run["failed_by_reason"] == {"not_a_feed": 1}


def test_a_truncated_feed_uses_its_complete_items_and_is_flagged(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        for i in range(4):
            server.article("ok", DAY + timedelta(minutes=i), str(i))
        whole = server.rss()
        # Cut inside the last item, after its link: that item must not be followed (it has no date
        # yet, so it would look like part of any window).
        cut = whole.index(b"<pubDate>", whole.rindex(b"<item>"))
        server.documents["/feed.xml"] = ("application/rss+xml", whole[:cut], {"ETag": '"half"'})
        write_source(crawl_env.sources, server)
        run_id = crawl_env.crawl()
        server.documents.pop("/feed.xml")
        later = crawl_env.crawl()  # the whole feed, fetched in full (no validators from the cut one)
        feed_hits = server.hits("/feed.xml")
    run = run_row(run_id)
    assert run["status"] == "captured" and run["stats"]["news/feed_truncated"] == 1
    assert run["stats"]["news/feed_items"] == 3
    assert sorted(p for p, _ in page_captures(run_id)) == [f"/news/2026/11/19/ok-{i}" for i in range(3)]
    assert [h.headers.get("if-none-match") for h in feed_hits] == [None, None]
    assert "/news/2026/11/19/ok-3" in [p for p, _ in page_captures(later)]
    [(_, status, failure, _, flag, _)] = feed_state()
    assert (status, failure, flag) == (200, None, None)  # the later, whole answer


def test_a_truncated_feed_records_its_flag(crawl_env: CrawlEnv) -> None:
    with FaultServer() as server:
        for i in range(2):
            server.article("ok", DAY, str(i))
        whole = server.rss()
        server.documents["/feed.xml"] = ("application/rss+xml", whole[:whole.rindex(b"</item>") + 3], {"ETag": '"x"'})
        write_source(crawl_env.sources, server)
        crawl_env.crawl()
    [(_, status, failure, failures, flag, etag)] = feed_state()
    assert (status, failure, failures, flag, etag) == (200, None, 0, "truncated", None)
