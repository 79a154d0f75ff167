"""news_backfill's last task runs however the file tasks ended (trigger rule all_done): it must
fail the run, naming each file not done and why, and fail it too when no file was planned."""

from __future__ import annotations

import pytest

from common.warehouse import ARCHIVE_BACKFILL, transaction
from common.window import Window, parse_bound
from dags.tasks.backfill import finish_backfill
from scrapers.archive_backfill import run_id_for

RUN = "manual__2026-12-04T00:00:00+00:00"


def _file(archive: str, index: int, status: str, failure: str | None = None) -> None:
    with transaction() as cur:
        cur.execute("""insert into ops.backfill_files (dag_run_id, archive, file_index, window_start, window_end,
                                                       sources, status, articles_new, articles_updated, failure)
                       values (%s, %s, %s, '2026-11-19', '2026-11-22', '{aljazeera}', %s, %s, 0, %s)""",
                    (RUN, archive, index, status, 3 if status == "done" else None, failure))


def test_finish_names_each_file_not_done_with_its_failure(clean_warehouse: str) -> None:
    _file("s3://cc/a.warc.gz", 0, "done")
    _file("s3://cc/b.warc.gz", 1, "failed", "ArchiveError: s3://cc/b.warc.gz does not exist")
    _file("s3://cc/c.warc.gz", 2, "pending")
    with pytest.raises(RuntimeError) as failed:
        finish_backfill(RUN)
    message = str(failed.value)
    assert "only 1 of 3 archive files done (3 articles loaded from those)" in message
    assert "s3://cc/b.warc.gz (failed: ArchiveError: s3://cc/b.warc.gz does not exist)" in message
    assert "s3://cc/c.warc.gz (pending: no failure recorded; its task did not finish)" in message


def test_finish_fails_when_no_file_was_planned(clean_warehouse: str) -> None:
    with pytest.raises(RuntimeError, match="no archive file was planned"):
        finish_backfill(RUN)


def test_finish_passes_when_every_file_is_done(clean_warehouse: str) -> None:
    _file("s3://cc/a.warc.gz", 0, "done")
    _loaded_run("s3://cc/a.warc.gz", ["2026-11-19 08:00Z", "2026-11-20 08:00Z", "2026-11-21 08:00Z"])
    assert finish_backfill(RUN)["files_done"] == 1


def _loaded_run(archive: str, captured: list[str]) -> None:
    """The file's loaded run for aljazeera, with an article page captured at each time (its day)."""
    run_id = run_id_for("aljazeera", archive, Window(parse_bound("2026-11-19"), parse_bound("2026-11-22")))
    with transaction() as cur:
        cur.execute("insert into ops.sources values ('aljazeera', 'Al Jazeera', '{www.aljazeera.com}', 'en', true)")
        cur.execute("""insert into ops.crawl_runs (crawl_run_id, source, window_start, window_end, started_at,
                         finished_at, finish_reason, status)
                       values (%s, 'aljazeera', '2026-11-19', '2026-11-22', now(), now(), %s,
                               'loaded')""", (run_id, ARCHIVE_BACKFILL))
        for index, at in enumerate(captured):
            cur.execute("""insert into raw.captures (crawl_run_id, url, normalized_url, kind, status, fetched_at,
                             warc_uri, warc_offset, warc_length, extraction_status)
                           values (%s, %s, %s, 'page', 200, %s, 'x.warc.gz', %s, 1, 'article')""",
                        (run_id, f"https://www.aljazeera.com/{index}", f"https://www.aljazeera.com/{index}", at,
                         index))
