"""news_backfill's last task runs however the file tasks ended (trigger rule all_done): it must
fail the run, naming each file not done and why, and fail it too when no file was planned."""

from __future__ import annotations

import pytest

from common.warehouse import transaction
from dags.tasks.backfill import finish_backfill

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
    assert finish_backfill(RUN)["files_done"] == 1
