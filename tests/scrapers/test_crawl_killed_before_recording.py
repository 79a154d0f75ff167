"""Unlisted fault 21b.5: the crawl child is killed (SIGKILL) after its WARC is closed and moved
into the archive, before the transaction recording its run, captures and ledger commits.

The child is held at that very point by a real lock: the test holds ops.crawl_runs in SHARE mode,
so the child's insert of its run row waits (its WARC and stats file already in the archive); it
is killed there; the crawl task (run_crawl, in this process) must fail, and its retry must load
every page once. Nothing refers to the published WARC: it is removed, not left for ever.
"""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from common.warehouse import connect, transaction
from dags.tasks.pipeline import run_extract_load
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.kill_support import children, kill9, wait_for

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast


def scrapy_child() -> int | None:
    for pid in children(os.getpid()):
        try:
            if b"scrapy" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except FileNotFoundError:
            continue
    return None


def waiting_on_a_lock() -> bool:
    with transaction() as cur:
        cur.execute("select count(*) from pg_stat_activity where datname = current_database() "
                    "and wait_event_type = 'Lock' and query ilike 'insert into ops.crawl_runs%%'")
        return bool(cur.fetchone()[0])


def counts() -> tuple[int, int, int]:
    with transaction() as cur:
        cur.execute("select (select count(*) from ops.crawl_runs), (select count(*) from raw.captures), "
                    "(select count(*) from ops.failed_urls)")
        row = cur.fetchone()
    return int(row[0]), int(row[1]), int(row[2])


def test_a_crawl_killed_between_publishing_its_warc_and_recording_it_is_retried_without_loss_or_double(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    with FaultServer(dated_pages=True) as server:
        expected = sorted(server.article("ok", DAY + timedelta(minutes=i), str(i)) for i in range(4))
        server.article("s503", DAY, "x")  # a page that fails: its ledger row goes with the run's
        write_source(crawl_env.sources, server)

        holder = connect()
        outcome: list[BaseException | str] = []

        def crawl_task() -> None:
            try:
                outcome.append(crawl_env.crawl())
            except BaseException as exc:  # handed to the test thread
                outcome.append(exc)

        with holder.cursor() as cur:
            cur.execute("lock table ops.crawl_runs in share mode")
        task = threading.Thread(target=crawl_task)
        task.start()
        try:
            wait_for(waiting_on_a_lock, 60, "the crawl child to wait to record its run")
            published = list(crawl_env.archive.rglob("*.warc.gz"))
            assert len(published) == 1 and published[0].with_name(
                published[0].name.replace(".warc.gz", ".stats.json")).is_file()
            child = scrapy_child()
            assert child is not None
            kill9(child)
            task.join(timeout=60)
        finally:
            holder.rollback()
            holder.close()
        [failed] = outcome
        assert isinstance(failed, Exception) and "recorded no run (exit code -9)" in str(failed)
        assert f"the WARC it published before dying, unrecorded, was removed: ['{published[0]}'" in str(failed)
        assert counts() == (0, 0, 0)  # no run, no captures, no ledger rows: all in the rolled-back transaction
        assert list(crawl_env.archive.rglob("*.warc.gz")) == []

        retry = crawl_env.crawl()  # the crawl task's retry
        result = run_extract_load(retry)
    assert result["new"] == 4
    with transaction() as cur:
        cur.execute("select url, version from core.articles order by url")
        assert cur.fetchall() == [(url, 1) for url in expected]
        cur.execute("select normalized_url, reason from ops.failed_urls")
        assert [(url.rsplit("/", 1)[1], reason) for url, reason in cur.fetchall()] == [("s503-x", "http_503")]
    assert len(list(crawl_env.archive.rglob("*.warc.gz"))) == 1  # the retry's own
