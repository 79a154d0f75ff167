"""Unlisted fault 22b.2, backfill side: news_backfill started with an ARCHIVE_ROOT that cannot take
the records it copies there (a file where the folder should be). Its plan task fails naming the
path, before any archive file is listed as pending or read, not each file's task after reading it."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.archive_store import ArchiveError
from common.warehouse import transaction
from dags.tasks.backfill import plan_backfill
from tests.fixtures.cc_news import build_cc_news_backfill

RUN = "manual__2026-12-05T01:00:00+00:00"


def test_a_backfill_whose_archive_root_is_a_file_fails_its_plan_naming_it(
    clean_warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pattern = build_cc_news_backfill(tmp_path / "cc")
    root = tmp_path / "archive"
    root.write_text("a file where the archive folder should be")
    monkeypatch.setenv("ARCHIVE_ROOT", str(root))
    with pytest.raises(ArchiveError, match=f"ARCHIVE_ROOT {root} is not a folder"):
        plan_backfill({"since": "2026-11-19", "until": "2026-11-22", "archives": str(pattern),
                       "sources": ["aljazeera", "dw"]}, RUN)
    with transaction() as cur:
        cur.execute("select count(*) from ops.backfill_files")
        assert cur.fetchone()[0] == 0
