"""Unlisted fault 22b.1: the disk fills while a crawl writes its WARC, or while it moves the WARC
into the archive.

A real write failure: the file size limit (RLIMIT_FSIZE) with SIGXFSZ ignored, so that write()
past the limit fails with EFBIG ("File too large") as a full disk fails with ENOSPC. The crawl
child inherits both from this process. The crawl task must fail at once saying why, publish and
record nothing (no WARC, no half copy, no run, capture or ledger row), and the next run must
fetch every page again. (A real small filesystem, tmpfs of 16 KiB mounted as root, gave the same
with ENOSPC; tests cannot mount.)
"""

from __future__ import annotations

import os
import resource
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from common import archive_store
from common.warehouse import transaction
from scrapers.crawl_process import CrawlFailed, work_root
from scrapers.warc_capture import WarcCaptureMiddleware, WarcWriteFailed
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, crawl_in_thread, page_captures
from tests.fixtures.fault_server import FaultServer, write_source
from tests.fixtures.kill_support import children, kill9

__all__ = ["crawl_env"]


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """Files written past ``limit`` bytes fail with EFBIG, here and in the children started meanwhile."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def recorded() -> tuple[int, int, int]:
    with transaction() as cur:
        cur.execute("select (select count(*) from ops.crawl_runs), (select count(*) from raw.captures), "
                    "(select count(*) from ops.failed_urls)")
        row = cur.fetchone()
    return int(row[0]), int(row[1]), int(row[2])


def crawl_within(crawl_env: CrawlEnv, seconds: float) -> BaseException | str:
    """The crawl's outcome; its child is killed and the test fails if it has not ended in time."""
    task, outcome = crawl_in_thread(crawl_env, time_limit=120)
    task.join(timeout=seconds)
    if task.is_alive():
        for pid in children(os.getpid()):
            kill9(pid)
        task.join(timeout=30)
        pytest.fail(f"the crawl was still running after {seconds:g} s with its disk full")
    return outcome[0]


# 8 KiB: the robots.txt and feed records fit, the article pages do not. 3 KiB: the on-disk
# frontier (JOBDIR) fails too, after which Scrapy's engine never finishes closing.
@pytest.mark.crawl  # a Scrapy crawl in a child process: left out of make test-fast
@pytest.mark.parametrize("limit", [8 * 1024, 3 * 1024])
def test_a_crawl_whose_warc_cannot_be_written_fails_at_once_saying_why_and_the_next_run_fetches_everything(
    crawl_env: CrawlEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    monkeypatch.setenv("NEWS_CRAWL_WORK_ROOT", str(tmp_path / "work"))  # its own: other crawls run beside
    with FaultServer(dated_pages=True) as server:
        expected = sorted(server.article("ok", DAY + timedelta(minutes=i), str(i)).rsplit("/", 1)[1]
                          for i in range(30))
        write_source(crawl_env.sources, server)
        with file_size_limit(limit):
            failed = crawl_within(crawl_env, 45)  # its time limit is 120 s: it must not wait for it
        assert isinstance(failed, CrawlFailed), failed
        message = str(failed)
        assert "recorded no run (exit code 1; it could not publish: WarcWriteFailed: the WARC file" in message
        assert "File too large" in message
        assert not [p for p in crawl_env.archive.rglob("*") if p.is_file()]  # no WARC, stats or half copy
        assert recorded() == (0, 0, 0)  # nothing marked captured, seen or failed
        assert list(work_root().iterdir()) == []  # its work folder and partial WARC went too

        run_id = crawl_env.crawl()  # the disk has room again: the retry fetches every page
    assert sorted(path.rsplit("/", 1)[1] for path, _ in page_captures(run_id)) == expected


class _Spider:
    name = "disk-full"
    crawl_run_id = "00000000-0000-4000-8000-0000000000f5"


def test_a_warc_whose_last_bytes_never_reach_the_disk_is_refused_by_every_close(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"WARC_WORK_DIR": str(tmp_path)})
    crawler.stats.open_spider()
    capture = WarcCaptureMiddleware(crawler)
    capture.spider_opened(_Spider())
    url = "https://example.org/news/2026/11/19/story"
    capture.process_response(Request(url, meta={"capture_kind": "page"}),
                             HtmlResponse(url, body=b"<html><p>story</p></html>", headers={"Content-Type": "text/html"}))
    assert capture.path is not None
    # The records are written into the file's buffer; the disk fills before it is flushed.
    with file_size_limit(max(capture.path.stat().st_size, 1)):
        with pytest.raises(WarcWriteFailed, match="File too large"):
            capture.close()
        # The recorder and the spider_closed signal both close: neither may take the file as whole.
        with pytest.raises(WarcWriteFailed, match="File too large"):
            capture.close()


def test_an_archive_disk_that_fills_during_publish_keeps_no_half_copy(tmp_path: Path) -> None:
    work_dir = Path("/dev/shm")
    if not work_dir.is_dir() or os.stat(work_dir).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs a work folder on another filesystem than the archive (/dev/shm)")
    work_file = work_dir / f"news-crawl-test-{os.getpid()}.warc.gz.part"
    work_file.write_bytes(os.urandom(256 * 1024))
    destination = tmp_path / "archive" / "faultsite" / "2026" / "11" / "19" / "run.warc.gz"
    try:
        with file_size_limit(64 * 1024), pytest.raises(OSError, match="File too large"):
            archive_store.publish(work_file, str(destination))
        assert [p.name for p in destination.parent.iterdir()] == []  # no .incoming left behind
        assert work_file.stat().st_size == 256 * 1024  # the work file is still whole
    finally:
        work_file.unlink(missing_ok=True)
