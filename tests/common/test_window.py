from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from common.window import Window, window_for_run, window_from_args

UTC = UTC


def test_bare_until_date_is_inclusive() -> None:
    window = window_from_args("2026-11-13", "2026-11-19")
    assert window.start == datetime(2026, 11, 13, tzinfo=UTC)
    assert window.end == datetime(2026, 11, 20, tzinfo=UTC)
    assert len(window.days()) == 7


def test_default_window_is_yesterday() -> None:
    window = window_from_args(None, None, today=date(2026, 11, 20))
    assert (window.start, window.end) == (datetime(2026, 11, 19, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC))


def test_iso_bounds_keep_their_offset() -> None:
    window = window_from_args("2026-11-19T03:00:00+03:00", "2026-11-20T00:00:00Z")
    assert window.start == datetime(2026, 11, 19, 0, tzinfo=UTC)


def test_zero_width_data_interval_becomes_the_previous_day() -> None:
    moment = datetime(2026, 11, 20, 4, tzinfo=UTC)
    window = window_for_run(moment, moment, moment)
    assert (window.start, window.end) == (datetime(2026, 11, 19, 4, tzinfo=UTC), moment)


def test_real_data_interval_is_used_as_is() -> None:
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 8, tzinfo=UTC)
    assert window_for_run(start, end, end) == Window(start, end)


def test_empty_and_naive_windows_are_refused() -> None:
    moment = datetime(2026, 11, 20, tzinfo=UTC)
    with pytest.raises(ValueError, match="empty window"):
        Window(moment, moment)
    with pytest.raises(ValueError, match="timezone-aware"):
        Window(datetime(2026, 11, 19), moment)


def test_contains_is_half_open_and_zone_independent() -> None:
    window = window_from_args("2026-11-19", "2026-11-19")
    assert window.contains(datetime(2026, 11, 19, 23, 59, tzinfo=UTC))
    assert not window.contains(datetime(2026, 11, 20, 0, 0, tzinfo=UTC))
    assert window.overlaps_day(date(2026, 11, 19)) and not window.overlaps_day(date(2026, 11, 20))
