"""The warehouse goes away in the middle of a run's load (its server process ended between batches,
as a PostgreSQL restart or a dropped connection does; a statement_timeout behind a long lock):
extract_and_load fails with the database's own error, nothing of the run is visible (no article, no
capture marked loaded, so nothing counts as seen), the run stays to be loaded, and the retry
loads all of it. A real crawl of the fault server, then the real extract-and-load into the local
PostgreSQL; the fault is the server's own (pg_terminate_backend, a lock and statement_timeout)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg2
import pytest
from psycopg2 import sql

import transforms.load.run as run_load
from common.warehouse import connect, transaction
from scrapers.ledger import seen_pages
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, run_row
from tests.fixtures.fault_server import FaultServer, write_source
from transforms.load.run import extract_and_load

pytestmark = pytest.mark.crawl

__all__ = ["crawl_env"]  # the fixture, imported for pytest

ARTICLES = 5


@pytest.fixture()
def crawled(crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[str]]]:
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    monkeypatch.setattr(run_load, "LOAD_BATCH_SIZE", 2)  # several batches in the run's transaction
    with FaultServer() as server:
        urls = [server.article("ok", DAY, str(i)) for i in range(ARTICLES)]
        write_source(crawl_env.sources, server)
        yield crawl_env.crawl(), urls


def nothing_visible(run_id: str, urls: list[str]) -> None:
    with transaction() as cur:
        cur.execute("select count(*) from core.articles")
        assert cur.fetchone() == (0,)
        cur.execute("select count(*) from raw.captures where crawl_run_id = %s and extraction_status is not null",
                    (run_id,))
        assert cur.fetchone() == (0,)
    assert run_row(run_id)["status"] == "captured"
    assert seen_pages(urls) == {}  # the next crawl fetches them again


def after_first_batch(monkeypatch: pytest.MonkeyPatch, fault: Callable[[Any], None]) -> None:
    """Run ``fault`` on the loader's cursor once its first batch is written, inside its transaction."""
    real = run_load.load_articles
    calls = []

    def load_then_fault(cur: Any, articles: Any, crawl_run_id: str) -> Any:
        counts = real(cur, articles, crawl_run_id)
        calls.append(len(articles))
        if len(calls) == 1:
            fault(cur)
        return counts

    monkeypatch.setattr(run_load, "load_articles", load_then_fault)


def test_the_loaders_connection_dropped_between_batches(crawled: tuple[str, list[str]],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    run_id, urls = crawled

    def terminate(cur: Any) -> None:  # what a restart or a dropped connection does to the session
        with transaction() as other:
            other.execute("select pg_terminate_backend(%s)", (cur.connection.get_backend_pid(),))

    with monkeypatch.context() as patch:
        after_first_batch(patch, terminate)
        with pytest.raises(psycopg2.OperationalError, match="terminat|closed the connection"):
            extract_and_load(run_id, workers=1)
    nothing_visible(run_id, urls)
    result = extract_and_load(run_id, workers=1)
    assert result.counts.new == ARTICLES and run_row(run_id)["status"] == "loaded"
    assert set(seen_pages(urls)) == set(urls)


def test_a_statement_timeout_behind_a_long_lock(crawled: tuple[str, list[str]], warehouse: str) -> None:
    run_id, urls = crawled
    database = psycopg2.extensions.parse_dsn(warehouse)["dbname"]
    holder = connect()
    with transaction() as cur:  # the setting every new session of the warehouse gets
        cur.execute(sql.SQL("alter database {} set statement_timeout = '500ms'").format(sql.Identifier(database)))
    try:
        with holder.cursor() as other:  # a long maintenance statement holds core.articles
            other.execute("lock table core.articles in access exclusive mode")
        # The run is claimed and extracted; its first write waits past the timeout.
        with pytest.raises(psycopg2.errors.QueryCanceled, match="statement timeout"):
            extract_and_load(run_id, workers=1)
        holder.rollback()
        nothing_visible(run_id, urls)
    finally:
        holder.close()
        with transaction() as cur:
            cur.execute(sql.SQL("alter database {} reset statement_timeout").format(sql.Identifier(database)))
    assert extract_and_load(run_id, workers=1).counts.new == ARTICLES
