"""Unlisted fault 22b.5: a second crawl of a source starts while the first is still crawling (a
manual trigger beside the scheduled run; a crawl by hand; a second deployment or worker on the
same warehouse, which the Airflow pool of one deployment does not see).

The second waits NEWS_CRAWL_LOCK_WAIT_SECONDS for the first, then fails naming it, having fetched
nothing: no page fetched twice, no second WARC of the same pages, no race on the ledger or the
feed validators. The first finishes whole; once it has ended, the retry of the second crawls.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.warehouse import transaction
from scrapers.crawl_process import CrawlFailed
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, crawl_in_thread, ledger, page_captures
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.kill_support import wait_for

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast


def crawl_lock_holders() -> list[str]:
    with transaction() as cur:
        cur.execute("select application_name from pg_stat_activity where application_name like 'news-crawl faultsite %'")
        return [row[0] for row in cur.fetchall()]


def test_a_second_crawl_of_a_source_fails_naming_the_first_and_fetches_nothing(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWS_CRAWL_LOCK_WAIT_SECONDS", "1")
    with FaultServer(dated_pages=True) as server:
        expected = sorted(server.article("slow", DAY + timedelta(minutes=i), str(i)).rsplit("/", 1)[1]
                          for i in range(8))  # each answers after 3 s, 4 at a time: the first crawl lasts 6 s
        write_source(crawl_env.sources, server)
        task, first = crawl_in_thread(crawl_env, DOWNLOAD_TIMEOUT=10)
        try:
            wait_for(lambda: bool(server.paths("/news/")), 60, "the first crawl to fetch its pages")
            [holder] = crawl_lock_holders()
            with pytest.raises(CrawlFailed) as second:
                crawl_env.crawl()  # the manual trigger, while the first is mid-crawl
            message = str(second.value)
            assert message.startswith("another crawl of faultsite is running (crawl run "), message
            assert holder.removeprefix("news-crawl faultsite ") in message and "waited 1 s" in message
        finally:
            task.join(timeout=120)
        [run_id] = first
        assert isinstance(run_id, str), run_id
        # Only the first crawl asked the site for anything: its feed once, each page once.
        assert len(server.paths("/feed.xml")) == 1
        assert sorted(p.rsplit("/", 1)[1] for p in server.paths("/news/")) == expected
        assert sorted(path.rsplit("/", 1)[1] for path, _ in page_captures(run_id)) == expected
        assert ledger() == {}
        assert crawl_lock_holders() == []  # the lock went with the first crawl

        retry = crawl_env.crawl(DOWNLOAD_TIMEOUT=10)  # the second crawl's retry, once the first has ended
    assert retry != run_id and len(list(crawl_env.archive.rglob("*.warc.gz"))) == 2
