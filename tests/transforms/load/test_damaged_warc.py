"""Unlisted fault 21b.2: a WARC in the archive damaged when the load (or reprocess, or the load of
a backfill) reads it: the last gzip member cut short, a bit flipped inside one record.

Decided: the intact records load; each damaged one is a capture marked failed with an error
naming the file and the record's offset, its URL goes in the failed-URL ledger, retried with its backoff (the
next crawl fetches it again, whatever its window), and the check task fails saying so. Never a
silent partial load, never the first half of a record extracted as the article.

Real crawls from the fault server, the real WARC damaged on disk, the real load and warehouse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from common.failed_urls import RETRY_BASE_SECONDS_ENV
from common.warehouse import transaction
from dags.tasks.pipeline import QualityCheckFailed, run_extract_load, run_quality_check
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env
from tests.fixtures.fault_server import FaultServer, write_source

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast


def pages_of(run_id: str) -> list[tuple[int, int, str]]:
    """(offset, length, URL) of the run's page captures, in file order."""
    with transaction() as cur:
        cur.execute("select warc_offset, warc_length, normalized_url from raw.captures where crawl_run_id = %s "
                    "and kind = 'page' order by warc_offset", (run_id,))
        return list(cur.fetchall())


def warc_of(run_id: str) -> Path:
    with transaction() as cur:
        cur.execute("select warc_uri from ops.crawl_runs where crawl_run_id = %s", (run_id,))
        (uri,) = cur.fetchone()
    return Path(uri)


def outcomes(run_id: str) -> dict[str, tuple[str, str | None]]:
    with transaction() as cur:
        cur.execute("select normalized_url, extraction_status, extraction_reason from raw.captures "
                    "where crawl_run_id = %s and kind = 'page'", (run_id,))
        return {url: (status, reason) for url, status, reason in cur.fetchall()}


def due_in_ledger() -> dict[str, str]:
    with transaction() as cur:
        cur.execute("select normalized_url, reason from ops.failed_urls where resolved_at is null "
                    "and gave_up_at is null and next_retry_at <= now()")
        return dict(cur.fetchall())


def articles() -> set[str]:
    with transaction() as cur:
        cur.execute("select url from core.articles")
        return {url for (url,) in cur.fetchall()}


def damage_load_and_refetch(crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch, damage: Any,
                            victim: int) -> tuple[str, str, dict[str, Any]]:
    """Crawl three articles, damage the WARC, load it; then the next crawl and its load.
    Returns the damaged record's URL, its error, and the check task's failure message."""
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(crawl_env.sources))
    monkeypatch.setenv(RETRY_BASE_SECONDS_ENV, "0")  # the ledger's entry due at once: the next crawl here
    with FaultServer(dated_pages=True) as server:
        urls = {server.article("ok", DAY, ident) for ident in ("a", "b", "c")}
        write_source(crawl_env.sources, server)
        run_id = crawl_env.crawl()
        pages, warc = pages_of(run_id), warc_of(run_id)
        offset, length, url = pages[victim]
        warc.write_bytes(damage(warc.read_bytes(), offset, length))

        result = run_extract_load(run_id)
        assert (result["new"], result["rejected"]) == (2, {"warc_damaged": 1})
        assert articles() == urls - {url}  # the intact records loaded
        status, reason = outcomes(run_id)[url]
        assert status == "failed" and reason is not None
        assert f"{warc}: the record at offset {offset}" in reason
        assert due_in_ledger() == {url: "warc_damaged"}
        with pytest.raises(QualityCheckFailed) as failed:
            run_quality_check(result)

        # The next day's run: its window lists none of them, the ledger brings the damaged one back.
        server.articles.clear()
        later = crawl_env.crawl(since="2026-11-20", until="2026-11-20")
        run_extract_load(later)
    assert articles() == urls
    assert due_in_ledger() == {}
    return url, reason, {"message": str(failed.value)}


def test_a_truncated_last_gzip_member_loads_the_records_before_it_and_the_page_is_fetched_again(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cut(data: bytes, offset: int, length: int) -> bytes:
        return data[:offset + length * 3 // 4]  # the file ends inside the last page's record

    _url, reason, check = damage_load_and_refetch(crawl_env, monkeypatch, cut, victim=-1)
    assert "is cut short" in reason and "(the file ends early)" in reason
    assert "1 page record(s) of the run's WARC are damaged (warc_damaged)" in check["message"]


def test_a_bit_flipped_inside_one_record_loads_the_others_and_names_the_damaged_one(
    crawl_env: CrawlEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    def flip(data: bytes, offset: int, length: int) -> bytes:
        damaged = bytearray(data)
        damaged[offset + length // 2] ^= 0x10
        return bytes(damaged)

    _url, reason, check = damage_load_and_refetch(crawl_env, monkeypatch, flip, victim=1)
    assert "does not decompress" in reason or "not a whole gzip member" in reason
    assert "warc_damaged" in check["message"]
