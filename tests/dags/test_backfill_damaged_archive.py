"""Unlisted fault 21b.2, backfill side: an input WARC of news_backfill damaged partway (a bit
flipped inside one record, the file cut inside one). Before, the cut file was scanned up to the
cut and reported "done" with what came before it (the rest lost in silence), and the flipped one
failed with warcio quoting binary bytes, which then failed to record the file's failure at all
(PostgreSQL text takes no NUL).

Decided: the records before the damage are whole and load; the file then fails, its failure
naming the file and the offset of the damaged member (ops.backfill_files, the finish task's
message), and its task's retry scans it again (a remote file is downloaded again).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from common.warc_index import DamagedArchive
from common.warehouse import transaction
from dags.tasks.backfill import backfill_file, finish_backfill, plan_backfill
from tests.fixtures.cc_news import AJ, BACKFILL_SINCE, BACKFILL_UNTIL, DW, build_cc_news_backfill

RUN = "manual__2026-12-05T00:00:00+00:00"


def flip(data: bytes, start: int, end: int) -> bytes:
    damaged = bytearray(data)
    damaged[(start + end) // 2] ^= 0x10
    return bytes(damaged)


def cut(data: bytes, start: int, end: int) -> bytes:
    return data[:(start + end) // 2]


def member_of(path: Path, url_part: str) -> tuple[int, int]:
    """Where the response record whose URL holds ``url_part`` is: (its offset, the next one's)."""
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        offsets = [(records.get_record_offset(), r.rec_type, r.rec_headers.get_header("WARC-Target-URI") or "")
                   for r in records]
    ends = [offset for offset, _, _ in offsets[1:]] + [path.stat().st_size]
    [(start, end)] = [(offset, after) for (offset, kind, url), after in zip(offsets, ends)
                      if kind == "response" and url_part in url]
    return start, end


@pytest.mark.parametrize("damage", [flip, cut])
def test_a_damaged_input_file_loads_the_records_before_the_damage_and_fails_naming_the_offset(
    clean_warehouse: str, archive_root: Path, tmp_path: Path, damage: Callable[[bytes, int, int], bytes]
) -> None:
    build_cc_news_backfill(tmp_path / "cc")
    first = sorted((tmp_path / "cc").glob("*.warc.gz"))[0]
    start, end = member_of(first, "flood-warnings-along-the-rhine")  # after the Al Jazeera stories
    first.write_bytes(damage(first.read_bytes(), start, end))
    [item] = plan_backfill({"since": BACKFILL_SINCE, "until": BACKFILL_UNTIL, "archives": str(first),
                            "sources": ["aljazeera", "dw"]}, RUN)

    with pytest.raises(DamagedArchive) as failed:
        backfill_file(item, RUN)
    assert f"{first}: the gzip member at offset {start} " in str(failed.value)
    with transaction() as cur:
        cur.execute("select url from core.articles order by url")
        loaded = [url for (url,) in cur.fetchall()]
        cur.execute("select status, failure from ops.backfill_files where dag_run_id = %s", (RUN,))
        [(status, failure)] = cur.fetchall()
    assert f"{AJ}/news/2026/11/20/grain-ships-leave-odesa" in loaded  # before the damage: loaded
    assert not [url for url in loaded if url.startswith(DW)]  # the damaged record: not guessed at
    assert status == "failed" and f"DamagedArchive: {first}: the gzip member at offset {start}" in failure
    with pytest.raises(RuntimeError, match=f"only 0 of 1 archive files done .*offset {start}"):
        finish_backfill(RUN)
