"""Unlisted fault 22b.3: the warehouse connection is wrong (a bad password, a database that does
not exist, a port where nothing listens) when the crawl, load or check task starts.

Each task fails with a message naming the connection it used (the Airflow Connection id, as
deployments configure it) with host, port, database and user, never the password (FAULTS 29);
the crawl fails before any request; a run crawled before the warehouse went wrong keeps its
WARC, and once the connection is right again its load takes every page. The tasks' own
functions (dags/tasks/pipeline.py, what news_daily's tasks call) against the real PostgreSQL.
"""

from __future__ import annotations

import logging
import socket
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from psycopg2 import sql

from common.warehouse import DSN_ENV, WarehouseUnreachable, execute_autocommit, with_database
from dags.tasks.pipeline import run_crawl, run_extract_load, run_quality_check
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, crawl_in_thread, page_captures
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.kill_support import wait_for

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # a Scrapy crawl in a child process: left out of make test-fast

WRONG_PASSWORD = "not-the-password-7f3a"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wrong_connections(dsn: str) -> dict[str, str]:
    parts = urlsplit(dsn)
    return {
        "password authentication failed": dsn.replace(f":{parts.password}@", f":{WRONG_PASSWORD}@"),
        'database "news_no_such_db" does not exist': with_database(dsn, "news_no_such_db"),
        "Connection refused": dsn.replace(f":{parts.port}/", f":{closed_port()}/"),
    }


def test_a_wrong_warehouse_connection_fails_each_task_naming_it_and_loses_no_run(
    crawl_env: CrawlEnv, warehouse: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    password = urlsplit(warehouse).password
    assert password
    with FaultServer(dated_pages=True) as server:
        for i in range(3):
            server.article("ok", DAY + timedelta(minutes=i), str(i))
        write_source(crawl_env.sources, server)
        run_id = crawl_env.crawl()  # crawled and recorded while the warehouse was right
        asked = len(server.paths())
        plan = {"since": "2026-11-19", "until": "2026-11-20", "sources": ["faultsite"]}
        result = {"crawl_run_id": run_id, "source": "faultsite", "pages": 3, "new": 3, "updated": 0,
                  "unchanged": 0, "rejected": {}}

        caplog.set_level(logging.INFO)
        monkeypatch.delenv(DSN_ENV)  # as deployed: the Airflow Connection news_warehouse
        for server_says, wrong in wrong_connections(warehouse).items():
            monkeypatch.setenv("AIRFLOW_CONN_NEWS_WAREHOUSE", wrong)
            for task in (lambda: run_crawl("faultsite", plan, {}), lambda: run_extract_load(run_id),
                         lambda: run_quality_check(result)):
                with pytest.raises(WarehouseUnreachable) as failed:
                    task()
                message = str(failed.value)
                assert message.startswith("cannot connect to the warehouse configured by the Airflow Connection "
                                          "'news_warehouse' (host 127.0.0.1, port "), message
                assert server_says in message and "user news" in message
                assert password not in message and WRONG_PASSWORD not in message
            assert len(server.paths()) == asked  # the crawl task asked the site for nothing
        assert password not in caplog.text and WRONG_PASSWORD not in caplog.text

    monkeypatch.setenv("AIRFLOW_CONN_NEWS_WAREHOUSE", warehouse)  # the connection is put right
    assert len(list(Path(crawl_env.archive).rglob("*.warc.gz"))) == 1  # the run's WARC waited
    assert run_extract_load(run_id)["new"] == 3


def test_a_warehouse_that_refuses_the_crawl_as_it_records_leaves_no_orphan_warc(
    crawl_env: CrawlEnv, warehouse: str, server_dsn: str
) -> None:
    """The warehouse was right when the crawl started and refuses new sessions by the time the
    crawl child records its run (the database's connection limit dropped to 0, as a DBA or a
    failover does): the child cannot record, the task cannot ask; the WARC the child put in the
    archive is removed, not left where nothing loads or removes it; the retry crawls every page."""
    database = urlsplit(warehouse).path.lstrip("/")
    with FaultServer(dated_pages=True) as server:
        expected = sorted(server.article("slow", DAY + timedelta(minutes=i), str(i)).rsplit("/", 1)[1]
                          for i in range(4))  # each answers after 3 s
        write_source(crawl_env.sources, server)
        task, outcome = crawl_in_thread(crawl_env, DOWNLOAD_TIMEOUT=10)
        try:
            wait_for(lambda: bool(server.paths("/news/")), 60, "the crawl to fetch its pages")
            execute_autocommit(with_database(server_dsn, "postgres"),
                               sql.SQL("alter database {} connection limit 0").format(sql.Identifier(database)))
            task.join(timeout=120)
        finally:
            execute_autocommit(with_database(server_dsn, "postgres"),
                               sql.SQL("alter database {} connection limit -1").format(sql.Identifier(database)))
        [failed] = outcome
        assert isinstance(failed, WarehouseUnreachable), failed
        assert "too many connections" in str(failed) and "$NEWS_WAREHOUSE_DSN" in str(failed)
        assert not [p for p in crawl_env.archive.rglob("*") if p.is_file()]  # no orphan WARC or stats file

        retry = crawl_env.crawl(DOWNLOAD_TIMEOUT=10)
    assert sorted(path.rsplit("/", 1)[1] for path, _ in page_captures(retry)) == expected
