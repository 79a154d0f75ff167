"""Unlisted fault 22b.2: the archive folder is not a folder, cannot be created, or cannot be
written when the crawl task starts. The task fails at once, naming the path, before a single
request: not after a whole crawl whose WARC has nowhere to go."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from common.archive_store import ArchiveError
from common.warehouse import transaction
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, page_captures
from tests.fixtures.fault_server import FaultServer, write_source

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # a Scrapy crawl in a child process: left out of make test-fast


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in (root writes through file modes: for root,
    a /proc folder, which no one can)."""
    if os.geteuid() == 0:
        return Path("/proc/self/fdinfo")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def test_an_archive_root_that_cannot_take_a_warc_fails_the_crawl_before_any_request(
    crawl_env: CrawlEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_file = tmp_path / "archive-is-a-file"
    a_file.write_text("not a folder")
    cases = {
        str(a_file): "is not a folder",
        str(a_file / "archive"): "is not a writable folder (NotADirectoryError",
        str(unwritable_folder(tmp_path)): "is not a writable folder",
    }
    with FaultServer(dated_pages=True) as server:
        server.article("ok", DAY, "1")
        write_source(crawl_env.sources, server)
        for root, problem in cases.items():
            monkeypatch.setenv("ARCHIVE_ROOT", root)
            with pytest.raises(ArchiveError) as failed:
                crawl_env.crawl()
            assert str(failed.value).startswith(f"ARCHIVE_ROOT {root} {problem}"), failed.value
            assert server.paths() == []  # failed before robots.txt, the feed or any page was asked for
        with transaction() as cur:
            cur.execute("select count(*) from ops.crawl_runs")
            assert cur.fetchone()[0] == 0

        missing = tmp_path / "new" / "archive"  # a folder not there yet is created, as publishing does
        monkeypatch.setenv("ARCHIVE_ROOT", str(missing))
        run_id = crawl_env.crawl()
    assert [path for path, _ in page_captures(run_id)] == [f"/news/{DAY:%Y/%-m/%-d}/ok-1"]
    assert len(list(missing.rglob("*.warc.gz"))) == 1 and not list(missing.glob(".write-check-*"))
