"""Unlisted fault 21b.3, backfill side: news_backfill of days whose archive files are not among
the files given (deleted, moved, never fetched: the files read hold other days). Every file is
read and done, and nothing of the window is in them: the run fails naming the days and sources,
never "0 articles loaded", success.

Real CC-NEWS-shaped WARC files, the real file tasks' bodies and the real warehouse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dags.tasks.backfill import backfill_file, finish_backfill, plan_backfill
from tests.fixtures.cc_news import build_cc_news_backfill

RUN = "manual__2026-12-05T00:00:00+00:00"


def test_files_that_hold_none_of_the_days_asked_fail_the_backfill_naming_the_days(
    clean_warehouse: str, archive_root: Path, tmp_path: Path
) -> None:
    pattern = build_cc_news_backfill(tmp_path / "cc")  # files of 2026-11-19..21
    items = plan_backfill({"since": "2026-11-01", "until": "2026-11-03", "archives": str(pattern),
                           "sources": ["aljazeera", "dw"]}, RUN)
    done = [backfill_file(item, RUN) for item in items]
    assert len(done) == 2 and all(file["records_scanned"] > 0 for file in done)
    with pytest.raises(RuntimeError) as failed:
        finish_backfill(RUN)
    message = str(failed.value)
    assert "the days 2026-11-01..2026-11-02 of aljazeera, dw: no article loaded from the 2 archive file(s)" in message
    assert "the archive files of these days are missing from 'archives'" in message


def test_files_that_hold_the_days_pass(clean_warehouse: str, archive_root: Path, tmp_path: Path) -> None:
    pattern = build_cc_news_backfill(tmp_path / "cc")
    items = plan_backfill({"since": "2026-11-19", "until": "2026-11-22", "archives": str(pattern),
                           "sources": ["aljazeera", "dw"]}, RUN)
    for item in items:
        backfill_file(item, RUN)
    assert finish_backfill(RUN)["articles_loaded"] == 7  # six articles, one of them updated by its later capture


def test_a_day_whose_file_is_missing_among_days_that_have_theirs_fails_the_backfill_naming_it(
    clean_warehouse: str, archive_root: Path, tmp_path: Path
) -> None:
    build_cc_news_backfill(tmp_path / "cc")
    first = sorted((tmp_path / "cc").glob("*.warc.gz"))[0]  # 19th-21st asked; this file holds the 19th and 20th
    items = plan_backfill({"since": "2026-11-19", "until": "2026-11-22", "archives": str(first),
                           "sources": ["aljazeera", "dw"]}, RUN)
    for item in items:
        backfill_file(item, RUN)
    with pytest.raises(RuntimeError) as failed:
        finish_backfill(RUN)
    assert "no article loaded for 1 of its days: 2026-11-21: the archive files of those days" in str(failed.value)
