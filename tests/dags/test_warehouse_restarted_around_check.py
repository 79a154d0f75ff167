"""Unlisted fault 21b.6: the warehouse restarts between tasks, or under the completeness check or
the mart refresh (its mid-load restart is tests/transforms/load/test_warehouse_gone.py).

A restart ends every session: the server's own pg_terminate_backend does the same to the task's
session here, caught mid-statement by a lock the test holds. The task fails with the database's
own error (never taken for a failed quality gate, which is not retried), the DAG's retries retry
it, and the retry's fresh connection finishes the job. Between tasks nothing is kept: each task
connects anew.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import psycopg2
import pytest
from airflow.sdk.exceptions import AirflowFailException

from common.warehouse import connect, transaction
from dags.tasks.maintenance import refresh_materialized_marts
from dags.tasks.pipeline import QualityCheckFailed, run_extract_load, run_quality_check
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.kill_support import wait_for

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast


def session_ended(message: str) -> bool:
    """The server's own words for a session it ended (libpq's, when the notice did not arrive first)."""
    return ("terminating connection due to administrator command" in message
            or "server closed the connection unexpectedly" in message)


def end_sessions(waiting_on: str | None = None) -> int:
    """End the warehouse's other sessions, as a restart does; only those waiting on a lock while
    running a statement like ``waiting_on``, when given."""
    with transaction() as cur:
        cur.execute("""select count(pg_terminate_backend(pid)) from pg_stat_activity
                       where datname = current_database() and pid <> pg_backend_pid()
                         and (%(like)s::text is null or (wait_event_type = 'Lock' and query ilike %(like)s))""",
                    {"like": waiting_on})
        return int(cur.fetchone()[0])


def fails_when_its_session_ends(task: Callable[[], Any], lock: str, waiting_query: str) -> BaseException:
    """Run ``task`` while the test holds ``lock``; end its session once it waits on it; its error."""
    holder = connect()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            task()
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    with holder.cursor() as cur:
        cur.execute(lock)
    thread = threading.Thread(target=run)
    thread.start()
    try:
        wait_for(lambda: end_sessions(waiting_query), 30, "the task to wait on the lock, to end its session")
        thread.join(timeout=30)
    finally:
        holder.rollback()
        holder.close()
    [error] = errors
    return error


def test_the_check_after_a_restart_between_tasks_and_under_it_fails_plainly_and_its_retry_passes(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    with FaultServer(dated_pages=True) as server:
        for ident in ("a", "b", "c"):
            server.article("ok", DAY, ident)
        write_source(crawl_env.sources, server)
        result = run_extract_load(crawl_env.crawl())
    assert result["new"] == 3
    end_sessions()  # restarted between extract_load and check
    run_quality_check(result)

    error = fails_when_its_session_ends(lambda: run_quality_check(result),
                                        "lock table ops.crawl_runs in access exclusive mode", "%ops.crawl_runs%")
    assert isinstance(error, psycopg2.OperationalError)
    assert session_ended(str(error))
    assert not isinstance(error, AirflowFailException)  # Airflow retries it
    run_quality_check(result)  # the retry


def test_a_failed_quality_gate_is_not_retried() -> None:
    assert issubclass(QualityCheckFailed, AirflowFailException)


def test_the_mart_refresh_under_a_restart_fails_plainly_and_its_retry_refreshes(clean_warehouse: str) -> None:
    with transaction() as cur:  # a materialized mart, as a deployment may add one
        cur.execute("create materialized view marts.restart_probe as select count(*) as n from core.articles")
    try:
        error = fails_when_its_session_ends(refresh_materialized_marts,
                                           "lock table core.articles in access exclusive mode",
                                           "refresh materialized view%")
        assert isinstance(error, psycopg2.OperationalError)
        assert session_ended(str(error))
        assert refresh_materialized_marts() == ["marts.restart_probe"]  # the retry
    finally:
        with transaction() as cur:
            cur.execute("drop materialized view marts.restart_probe")
