"""The loading process's compact index of a run's captures (transforms.load.run.CaptureIndex)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from transforms.load.run import CaptureIndex

BERLIN = timezone(timedelta(hours=1))


def test_the_capture_index_gives_back_ids_times_and_lengths_exactly_by_offset() -> None:
    rows = [
        (9_000_000_123, 7, datetime(2026, 11, 19, 23, 59, 59, 999_999, tzinfo=BERLIN), 51_234),
        (512, 3, datetime(2026, 11, 20, 1, 2, 3, 456_789, tzinfo=UTC), 40_000),
        (80_000, 5, datetime(1999, 12, 31, 23, 0, tzinfo=UTC), 1),
    ]
    index = CaptureIndex(rows)
    assert list(index) == [512, 80_000, 9_000_000_123]  # file order, as the archive is read
    assert len(index) == 3 and dict(index) == {512: 40_000, 80_000: 1, 9_000_000_123: 51_234}
    for offset, capture_id, fetched_at, _length in rows:
        assert index.capture_id(offset) == capture_id
        assert index.fetched_at(offset) == fetched_at  # the same instant, to the microsecond
        assert index.fetched_at(offset).utcoffset() == timedelta(0)


def test_an_offset_that_is_no_capture_of_the_run_is_a_key_error() -> None:
    index = CaptureIndex([(100, 1, datetime(2026, 11, 20, tzinfo=UTC), 10)])
    for offset in (0, 99, 101, 10**12):
        with pytest.raises(KeyError):
            index.capture_id(offset)
    assert 100 in index and 101 not in index
