"""Replay from multi-site archives (CC-NEWS-like WARCs), run as a person would run it:
``python -m scrapy crawl aljazeera -a since=... -a until=... -s REPLAY_WARC=<glob>``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from common.warehouse import transaction
from scrapers.crawl_process import PROJECT_ROOT
from scrapers.replay import index_archive, replay_paths
from tests.fixtures.cc_news import AJ, IN_WINDOW, OUT_OF_WINDOW, build_cc_news_like
from tests.fixtures.crawl_support import warc_response_urls

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast


def test_the_replay_index_keeps_only_the_sources_exact_hosts(tmp_path: Path) -> None:
    pattern = build_cc_news_like(tmp_path / "ccnews")
    index = index_archive(replay_paths(str(pattern)), {"www.aljazeera.com", "aljazeera.com"})
    assert set(index) == {f"{AJ}/robots.txt", f"{AJ}/xml/rss/all.xml", *IN_WINDOW, OUT_OF_WINDOW}


def test_scrapy_crawl_replays_a_multi_site_archive_and_says_where_its_warc_and_stats_went(
    clean_warehouse: str, archive_root: Path, tmp_path: Path
) -> None:
    pattern = build_cc_news_like(tmp_path / "ccnews")
    env = {**os.environ, "WARC_WORK_DIR": str(tmp_path / "work"), "NEWS_CRAWL_LOG_LEVEL": "WARNING"}
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "aljazeera", "-a", "since=2026-11-19", "-a", "until=2026-11-19",
         "-s", f"REPLAY_WARC={pattern}"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert ": captured; 2 pages" in summary, summary
    warc = Path(summary.split("WARC ", 1)[1].split(";", 1)[0])
    stats = Path(summary.split("stats ", 1)[1].split(";", 1)[0])
    assert warc.is_file() and warc.is_relative_to(archive_root) and stats.is_file()
    archived = warc_response_urls(warc)
    hosts = {urlsplit(AJ + path).hostname for path, _, _ in archived}
    assert hosts == {"www.aljazeera.com"}
    with transaction() as cur:
        cur.execute("select url from raw.captures where kind = 'page' and status = 200 order by url")
        pages = [row[0] for row in cur.fetchall()]
        cur.execute("select count(*) from raw.captures where url not like %s", (AJ + "/%",))
        foreign = cur.fetchone()[0]
    assert pages == sorted(IN_WINDOW) and foreign == 0
    # Decoded from gzip and chunked transfer in the source archive, stored whole.
    assert all(length > 500 for path, status, length in archived if "/2026/11/19/" in path)
    # The frontier was queued on disk in the work directory (memory stays flat however many
    # pages the sitemaps list), and every request could be.
    crawl_stats = json.loads(stats.read_text())
    assert crawl_stats.get("scheduler/enqueued/disk", 0) >= 3, crawl_stats
    assert "scheduler/unserializable" not in crawl_stats and "scheduler/enqueued/memory" not in crawl_stats
