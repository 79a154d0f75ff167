"""A crawl's time window: which publication dates a run is responsible for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo


@dataclass(frozen=True)
class Window:
    """The half-open UTC interval [start, end)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window bounds must be timezone-aware")
        if self.end <= self.start:
            raise ValueError(f"empty window: {self.start.isoformat()} .. {self.end.isoformat()}")

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment.astimezone(UTC) < self.end

    def overlaps_day(self, day: date) -> bool:
        day_start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return day_start < self.end and day_start + timedelta(days=1) > self.start

    def days(self) -> list[date]:
        """Every UTC calendar day the window touches, oldest first."""
        first = self.start.astimezone(UTC).date()
        last = (self.end.astimezone(UTC) - timedelta(microseconds=1)).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def __str__(self) -> str:
        return f"{self.start.isoformat()} .. {self.end.isoformat()}"


def parse_iso_utc(text: str, naive_zone: tzinfo = UTC) -> datetime:
    """YYYY-MM-DD (midnight) or an ISO-8601 datetime, in UTC; naive values are taken as in
    ``naive_zone`` (UTC unless given).

    Raises ValueError for anything else.
    """
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=naive_zone)
    return moment.astimezone(UTC)


def parse_bound(text: str) -> datetime:
    """A window bound from YYYY-MM-DD (midnight UTC) or an ISO-8601 datetime (UTC if naive)."""
    try:
        return parse_iso_utc(text)
    except ValueError as exc:
        raise ValueError(f"not a date or ISO-8601 datetime: {text.strip()!r}") from exc


def window_from_params(since: object, until: object) -> Window:
    """The window of a run's params ``since`` and ``until`` (until exclusive): a ValueError naming
    the param at fault when one is missing or not a date, or until is not after since. A long
    window is allowed: "since 2000-01-01" backfills whatever archive files are given, and a
    mistyped year is caught where it matters (a reprocess fails naming the days not archived)."""
    bounds: dict[str, datetime] = {}
    for name, value in (("since", since), ("until", until)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"param {name!r} is missing: give 'since' and 'until' (YYYY-MM-DD or ISO-8601, UTC; "
                             f"until exclusive)")
        try:
            bounds[name] = parse_bound(value)
        except ValueError as exc:
            raise ValueError(f"param {name!r}: {exc} (give YYYY-MM-DD or an ISO-8601 datetime, UTC)") from None
    start, end = bounds["since"], bounds["until"]
    if end <= start:
        raise ValueError(f"param 'until' ({until}) is not after param 'since' ({since}): the window would be "
                         f"empty (until is exclusive)")
    return Window(start, end)


def window_from_args(since: str | None, until: str | None, today: date | None = None) -> Window:
    """The window a command line asks for; by default yesterday (UTC), a whole day.

    ``until`` given as a bare date is inclusive (the whole day), as people read
    ``-a since=2026-11-13 -a until=2026-11-19``.
    """
    if until:
        end = parse_bound(until)
        if len(until.strip()) == 10:
            end += timedelta(days=1)
    else:
        current = today or datetime.now(UTC).date()
        end = datetime(current.year, current.month, current.day, tzinfo=UTC)
    start = parse_bound(since) if since else end - timedelta(days=1)
    return Window(start, end)


def window_for_run(
    data_interval_start: datetime | None,
    data_interval_end: datetime | None,
    logical_date: datetime | None,
    previous_run: datetime | None = None,
) -> Window:
    """The window of an Airflow run, never zero-width.

    Airflow 3 cron schedules (CronTriggerTimetable) give data intervals of zero width, and a
    manual run has start == end == its logical date: then the run covers the day before its end,
    or back to ``previous_run`` (the schedule's fire time before it) where that is earlier: a
    schedule sparser than daily (weekdays only, weekly) would otherwise leave days no run covers.
    """
    end = data_interval_end or logical_date
    if end is None:
        raise ValueError("an Airflow run without data interval or logical date")
    if data_interval_start and data_interval_start < end:
        return Window(data_interval_start, end)
    start = end - timedelta(days=1)
    if previous_run is not None and previous_run < start:
        start = previous_run
    return Window(start, end)
