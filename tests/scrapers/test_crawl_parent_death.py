"""Issue 12 item 2: the crawl child dies with its parent, and the next crawl removes what it left.

A real parent process runs scrapers.crawl_process.run_crawl against the fault server; it is
killed with SIGKILL mid-crawl (an Airflow worker dying hard). The scrapy child must go at once,
publish nothing, and the work folder it leaves is removed by the next crawl.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import pytest

from common.warehouse import transaction
from scrapers.crawl_process import OWNER_LOCK, WORK_ROOT_ENV, sweep_abandoned_work
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, page_captures
from tests.fixtures.fault_server import TEST_CRAWL_SETTINGS, FaultServer, write_source
from tests.fixtures.kill_support import alive, children, kill9, start_task, wait_for

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast


def crawl_in_a_parent_process(sources: Path, work_root: Path, log: Path):  # type: ignore[no-untyped-def]
    settings = {**TEST_CRAWL_SETTINGS, "DOWNLOAD_TIMEOUT": "10"}
    return start_task(f"""
        import logging
        logging.basicConfig(level=logging.INFO)
        from scrapers.crawl_process import CrawlRequest, run_crawl
        from common.window import window_from_args
        run_crawl(CrawlRequest("faultsite", window_from_args("2026-11-19", "2026-11-19"), settings={settings!r}),
                  extra_env={{"NEWS_SOURCES_EXTRA_DIRS": {str(sources)!r}, "NEWS_CRAWL_TIME_LIMIT": "60"}})
        """, {WORK_ROOT_ENV: str(work_root)}, log)


def test_killing_the_parent_kills_the_crawl_child_and_the_next_crawl_cleans_up(
    crawl_env: CrawlEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work_root = tmp_path / "work"
    monkeypatch.setenv(WORK_ROOT_ENV, str(work_root))
    with FaultServer() as server:
        for i in range(12):  # 3 s each, 4 at a time: about 9 s of crawling
            server.article("slow", DAY, str(i))
        write_source(crawl_env.sources, server)
        parent = crawl_in_a_parent_process(crawl_env.sources, work_root, tmp_path / "parent.log")
        try:
            wait_for(lambda: server.paths("/news/"), 60, "the crawl to fetch its first article")
            (child,) = children(parent.pid)
            assert alive(child)
            kill9(parent.pid)
            parent.wait(timeout=10)
            # Dies with its parent: well before the crawl could have finished.
            wait_for(lambda: not alive(child), 3, f"crawl child {child} to die with its parent")
        finally:
            for pid in [parent.pid, *children(parent.pid)]:
                kill9(pid)
        time.sleep(4)  # what a surviving child would have needed to finish and publish
        with transaction() as cur:
            cur.execute("select count(*) from ops.crawl_runs")
            assert cur.fetchone() == (0,)  # published nothing
        assert not list(crawl_env.archive.rglob("*.warc.gz"))
        left = list(work_root.glob("news-crawl-faultsite-*"))
        assert len(left) == 1 and list(left[0].glob("*.part")), "the killed crawl's work folder and WARC part"

        server.articles.clear()
        server.article("ok", DAY, "after")
        run_id = crawl_env.crawl()
    assert not left[0].exists()  # removed by the next crawl
    assert list(work_root.iterdir()) == []
    assert page_captures(run_id) == [("/news/2026/11/19/ok-after", 200)]


def test_the_sweep_removes_only_work_nobody_holds(tmp_path: Path) -> None:
    held = tmp_path / "news-crawl-a-held"
    abandoned = tmp_path / "news-crawl-b-abandoned"
    unlocked_being_created = tmp_path / "news-crawl-c-new"
    for folder in (held, abandoned, unlocked_being_created):
        folder.mkdir()
    (held / OWNER_LOCK).touch()
    (abandoned / OWNER_LOCK).touch()
    (abandoned / "news-crawl-x.warc.gz.part").write_bytes(b"half a WARC")
    old_part = tmp_path / "news-crawl-old.warc.gz.part"
    old_part.write_bytes(b"left by a crawl run by hand")
    os.utime(old_part, (time.time() - 7200, time.time() - 7200))
    fresh_part = tmp_path / "news-crawl-fresh.warc.gz.part"
    fresh_part.write_bytes(b"being written")
    holder = os.open(held / OWNER_LOCK, os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        removed = sweep_abandoned_work(tmp_path)
    finally:
        os.close(holder)
    assert sorted(removed) == ["news-crawl-b-abandoned", "news-crawl-old.warc.gz.part"]
    assert held.exists() and unlocked_being_created.exists() and fresh_part.exists()
