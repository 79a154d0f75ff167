"""Unlisted fault 22b.4: a manual trigger with mistyped params, on each DAG: a date like
"2026-13-01" or "yesterday", an end before the start, an unknown source.

Each fails at its first task (or is refused by Airflow at the trigger, for params its schema
types), with a message naming the param, and nothing is crawled, planned or deleted. The task
functions are checked for every case; one real Airflow run per DAG shows where the error lands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from common.warehouse import transaction
from dags.tasks.backfill import backfill_sources, backfill_window
from dags.tasks.pipeline import plan_run, reprocess_window, runs_to_reprocess
from tests.fixtures import PROJECT_ROOT
from tests.fixtures.demo_day import run_dag

BAD_WINDOWS = [
    ({"since": "2026-13-01", "until": "2026-11-20"}, "param 'since': not a date or ISO-8601 datetime: '2026-13-01'"),
    ({"since": "yesterday", "until": "2026-11-20"}, "param 'since': not a date or ISO-8601 datetime: 'yesterday'"),
    ({"since": "2026-11-19", "until": "2026-11-31"}, "param 'until': not a date or ISO-8601 datetime: '2026-11-31'"),
    ({"since": "2026-11-20", "until": "2026-11-19"},
     "param 'until' (2026-11-19) is not after param 'since' (2026-11-20): the window would be empty"),
    ({"since": "2026-11-19", "until": "2026-11-19"}, "param 'until' (2026-11-19) is not after param 'since'"),
]


@pytest.fixture()
def demo_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(PROJECT_ROOT / "demo" / "sources"))


@pytest.mark.parametrize(("params", "message"), BAD_WINDOWS)
def test_each_dags_window_names_the_mistyped_param(params: dict[str, Any], message: str, demo_sources: None) -> None:
    with pytest.raises(ValueError) as daily:
        plan_run({"params": params}, ["aljazeera"])
    with pytest.raises(ValueError) as backfill:
        backfill_window(params)
    with pytest.raises(ValueError) as reprocess:
        reprocess_window(params)
    for failed in (daily, backfill, reprocess):
        assert str(failed.value).startswith(message), failed.value


def test_a_whole_archive_window_is_one_run(demo_sources: None) -> None:
    # "since 2000-01-01" backfills whatever archive files are given: not taken for a mistyped year.
    window = backfill_window({"since": "2000-01-01", "until": "2026-11-20"})
    assert len(window.days()) == 9820


def test_an_unknown_source_is_named(demo_sources: None) -> None:
    with pytest.raises(ValueError, match=r"sources \['aljazera'\] are not crawled by this DAG"):
        plan_run({"params": {"sources": ["aljazera"], "since": "2026-11-19", "until": "2026-11-20"}},
                 ["aljazeera", "news_repost"])
    with pytest.raises(ValueError, match=r"unknown sources \['aljazera'\]"):
        backfill_sources(["aljazera"])
    with pytest.raises(ValueError, match="unknown source 'aljazera'"):
        runs_to_reprocess("aljazera", reprocess_window({"since": "2026-11-19", "until": "2026-11-20"}))


def _counts() -> tuple[int, int, int]:
    with transaction() as cur:
        cur.execute("select (select count(*) from ops.crawl_runs), (select count(*) from ops.backfill_files), "
                    "(select count(*) from core.articles)")
        row = cur.fetchone()
    return int(row[0]), int(row[1]), int(row[2])


@pytest.mark.airflow
def test_mistyped_params_stop_each_dag_at_its_first_task(clean_warehouse: str, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    runs = [  # (DAG, conf, what its output must say, the task that fails first or None: refused at the trigger)
        ("news_daily", {"since": "2026-13-01", "until": "2026-11-20"},
         "AirflowFailException: param 'since': not a date or ISO-8601 datetime: '2026-13-01'", "plan"),
        ("news_daily", {"sources": ["aljazera"]}, "Invalid input for param sources: 'aljazera' is not one of", None),
        ("news_backfill", {"since": "2026-11-20", "until": "2026-11-19", "archives": str(tmp_path / "*.warc.gz")},
         "AirflowFailException: param 'until' (2026-11-19) is not after param 'since' (2026-11-20)", "plan"),
        ("news_reprocess", {"source": "aljazeera", "since": "yesterday", "until": "2026-11-20"},
         "AirflowFailException: param 'since': not a date or ISO-8601 datetime: 'yesterday'", "select_runs"),
        ("news_maintenance", {"retention_days": "yesterday"},
         "Invalid input for param retention_days: 'yesterday' is not of type", None),
    ]
    for dag_id, conf, message, first_task in runs:
        result = run_dag(dag_id, conf, archive)
        output = result.stdout + result.stderr
        assert result.returncode == 1 and message in output, (dag_id, output[-3000:])
        if first_task is None:
            assert "[DAG TEST] running task" not in output  # refused before any task ran
        else:
            assert f"  task {first_task}: failed" in result.stderr, result.stderr[-2000:]
            ran = [line.split("task_id=")[1].split()[0] for line in output.splitlines()
                   if "[DAG TEST] end task" in line and "task_id=" in line]
            assert ran[0] == first_task, ran  # the first task to run is the one that failed
    assert _counts() == (0, 0, 0)  # nothing crawled, planned or loaded
    assert not archive.exists() or not any(archive.rglob("*.warc.gz"))
