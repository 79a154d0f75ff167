"""Shared pieces of the crawl tests: running a crawl against a FaultServer and reading its outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from scrapers.crawl_process import CrawlRequest, run_crawl
from scrapers.window import window_from_args
from tests.fault_server import TEST_CRAWL_SETTINGS
from transforms.warehouse import transaction

DAY = datetime(2026, 11, 19, 12, 0, tzinfo=timezone.utc)


@dataclass
class CrawlEnv:
    sources: Path
    archive: Path

    def crawl(self, slug: str = "faultsite", since: str = "2026-11-19", until: str = "2026-11-19",
              time_limit: int = 40, **settings: Any) -> str:
        merged = {**TEST_CRAWL_SETTINGS, **{k: str(v) for k, v in settings.items()}}
        request = CrawlRequest(slug, window_from_args(since, until), settings=merged)
        return run_crawl(request, extra_env={"NEWS_SOURCES_EXTRA_DIRS": str(self.sources),
                                             "NEWS_CRAWL_LOG_LEVEL": "WARNING",
                                             # the way the Airflow task passes its limit
                                             "NEWS_CRAWL_TIME_LIMIT": str(time_limit)})

    def load(self, run_id: str) -> Any:
        """Extract and load a crawl run, as the extract_load task does (a RunResult)."""
        from transforms.run_load import extract_and_load

        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(self.sources))
            return extract_and_load(run_id, workers=1)


@pytest.fixture()
def crawl_env(clean_warehouse: str, archive_root: Path, tmp_path: Path) -> CrawlEnv:
    return CrawlEnv(tmp_path / "sources", archive_root)


def run_row(run_id: str) -> dict[str, Any]:
    with transaction() as cur:
        cur.execute("select * from ops.crawl_runs where crawl_run_id = %s", (run_id,))
        names = [d[0] for d in cur.description]
        row = cur.fetchone()
    assert row is not None, f"no ops.crawl_runs row for {run_id}"
    return dict(zip(names, row))


def latest_run(source: str = "faultsite") -> dict[str, Any]:
    with transaction() as cur:
        cur.execute("select crawl_run_id from ops.crawl_runs where source = %s order by finished_at desc limit 1",
                    (source,))
        row = cur.fetchone()
    assert row is not None, f"no run of {source}"
    return run_row(str(row[0]))


def ledger(source: str = "faultsite") -> dict[str, dict[str, Any]]:
    """URL path -> ledger row."""
    with transaction() as cur:
        cur.execute("select * from ops.failed_urls where source = %s", (source,))
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
    return {_path(r["normalized_url"]): r for r in rows}


def page_captures(run_id: str | None = None) -> list[tuple[str, int]]:
    """(URL path, status) of page captures, of one run or all."""
    with transaction() as cur:
        cur.execute("select normalized_url, status from raw.captures where kind = 'page' "
                    "and (%s::uuid is null or crawl_run_id = %s::uuid) order by capture_id", (run_id, run_id))
        return [(_path(url), status) for url, status in cur.fetchall()]


def warc_response_urls(warc: str | Path) -> list[tuple[str, int, int]]:
    """(URL path, status, body length) of every response record in a WARC file."""
    found = []
    with Path(warc).open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                body = record.content_stream().read()
                status = int(record.http_headers.get_statuscode())
                found.append((_path(record.rec_headers.get_header("WARC-Target-URI")), status, len(body)))
    return found


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
