"""Consecutive scheduled runs of the news DAGs cover time without a gap, across the daylight-saving
changes of 2026 (Europe 03-29 and 10-25, America 03-08 and 11-01): the DAGs' cron schedules run
in UTC, so no window shrinks or stretches by an hour; a daily schedule's windows abut exactly;
and a schedule sparser than daily (weekdays only, weekly) reaches back to its previous run instead
of leaving the days between uncovered. The runs are Airflow's own (its CronTriggerTimetable over
the DAGs the DagBag builds); each window is the one the plan task computes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.timetables.base import DataInterval, TimeRestriction
from airflow.timetables.trigger import CronTriggerTimetable

from common.window import Window, parse_bound
from dags.tasks.pipeline import plan_run
from tests.fixtures import PROJECT_ROOT

pytestmark = pytest.mark.airflow

SCHEDULES = {"weekdays": "0 5 * * 1-5", "weekly": "@weekly", "sixhourly": "15 */6 * * *"}
SPANS = [(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 4, 6, tzinfo=UTC)),
         (datetime(2026, 10, 19, tzinfo=UTC), datetime(2026, 11, 9, tzinfo=UTC))]


def write_source(folder: Path, slug: str, schedule: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.toml").write_text(f'''slug = "{slug}"
name = "{slug} (test)"
domains = ["{slug}.example"]
language = "en"
timezone = "America/New_York"
enabled = true
schedule = "{schedule}"
[discovery]
feeds = ["https://{slug}.example/feed/"]
[urls]
allow = ['^https://{slug}.example/\\d{{4}}/']
''', encoding="utf-8")


def scheduled_windows(dag: Any, slugs: list[str], since: datetime, until: datetime) -> list[Window]:
    """The windows of the DAG's scheduled runs between ``since`` and ``until``, as Airflow schedules them."""
    timetable = CronTriggerTimetable(dag.timetable.expression, timezone=dag.timetable.timezone)
    restriction = TimeRestriction(earliest=since, latest=until, catchup=True)
    last: DataInterval | None = None
    windows = []
    while (info := timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)):
        last = info.data_interval
        context = {"dag": dag, "data_interval_start": last.start, "data_interval_end": last.end,
                   "logical_date": info.logical_date}
        plan = plan_run(context, slugs)
        windows.append(Window(parse_bound(plan["since"]), parse_bound(plan["until"])))
    return windows


def test_consecutive_scheduled_windows_leave_no_gap_across_dst(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for slug, schedule in SCHEDULES.items():
        write_source(tmp_path, slug, schedule)
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(tmp_path))
    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    assert bag.import_errors == {}
    dags = {"news_daily": None, **{f"news_source_{slug}": [slug] for slug in SCHEDULES}}
    for dag_id, slugs in dags.items():
        dag = bag.get_dag(dag_id)
        assert dag is not None and str(dag.timetable.timezone) in ("UTC", "Timezone('UTC')"), dag_id
        sources = slugs or [t.task_id.split(".")[0] for t in dag.tasks if t.task_id.endswith(".crawl")]
        for since, until in SPANS:
            windows = scheduled_windows(dag, sources, since, until)
            assert len(windows) >= 3, dag_id
            for earlier, later in zip(windows, windows[1:], strict=False):
                assert later.start <= earlier.end, f"{dag_id}: nothing covers {earlier.end} .. {later.start}"
                if dag_id != "news_source_sixhourly":  # at most daily: no overlap either
                    assert later.start == earlier.end, f"{dag_id}: {earlier} and {later} overlap"
                assert later.end - later.start >= timedelta(days=1)
    daily = scheduled_windows(bag.get_dag("news_daily"), ["aljazeera"], *SPANS[0])
    assert {w.end - w.start for w in daily} == {timedelta(days=1)}  # no 23 or 25 hour day
