"""`python -m scrapy crawl` exits non-zero when the crawl failed (issue 12, item 7): Scrapy's own
command exits 0 even when every request failed (scrapy#1231). Real crawls of the fault server."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

from common.window import window_from_args
from scrapers.crawl_process import PROJECT_ROOT, CrawlRequest, crawl_command
from scrapers.crawl_process import crawl_env as child_env
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, run_row
from tests.fixtures.fault_server import TEST_CRAWL_SETTINGS, FaultServer, write_source

__all__ = ["crawl_env"]  # the fixture, imported for pytest


def scrapy_crawl(env_setup: CrawlEnv, tmp_path: Path) -> tuple[int, str, str]:
    """Run the crawl command as a person would; (exit code, output, crawl run id)."""
    run_id = str(uuid.uuid4())
    request = CrawlRequest("faultsite", window_from_args("2026-11-19", "2026-11-19"), settings=TEST_CRAWL_SETTINGS)
    env = child_env(tmp_path / "work", {"NEWS_SOURCES_EXTRA_DIRS": str(env_setup.sources),
                                        "NEWS_CRAWL_LOG_LEVEL": "WARNING", "NEWS_CRAWL_TIME_LIMIT": "40"})
    (tmp_path / "work").mkdir()
    done = subprocess.run(crawl_command(request, run_id), cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=180)
    return done.returncode, done.stdout + done.stderr, run_id


@pytest.mark.crawl
def test_a_failed_crawl_exits_non_zero(crawl_env: CrawlEnv, tmp_path: Path) -> None:
    with FaultServer() as server:
        write_source(crawl_env.sources, server, feeds=[server.url("/no-such-feed.xml")])
        code, output, run_id = scrapy_crawl(crawl_env, tmp_path)
    assert run_row(run_id)["status"] == "failed"
    assert code != 0, output[-2000:]
    assert "did not succeed (run status: failed)" in output


@pytest.mark.crawl
def test_a_successful_crawl_exits_zero(crawl_env: CrawlEnv, tmp_path: Path) -> None:
    with FaultServer() as server:
        server.article("ok", DAY)
        write_source(crawl_env.sources, server)
        code, output, run_id = scrapy_crawl(crawl_env, tmp_path)
    assert run_row(run_id)["status"] == "captured"
    assert code == 0, output[-2000:]
