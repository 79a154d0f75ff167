"""One broken source file disables only its own source, loudly (issue 12, item 6): a real DagBag
over dags/ still holds news_daily and the other sources' DAGs, and its one import error is the
source-files check naming the broken file and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

from tests.fixtures import PROJECT_ROOT
from tests.fixtures.source_files import VALID, write


def test_a_broken_source_file_leaves_every_other_dag_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "sources"
    write(extra, VALID.replace('slug = "example"', 'slug = "own_schedule"'), "own_schedule.toml")
    broken = write(extra, VALID.replace('slug = "example"', 'slug = "typo"').replace("max_error_rate", "max_eror_rate"),
                   "typo.toml")
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(extra))

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))

    assert [Path(p).name for p in bag.import_errors] == ["news_source_files.py"]
    error = next(iter(bag.import_errors.values()))
    assert str(broken) in error and "max_eror_rate" in error and "did you mean 'max_error_rate'" in error
    daily = bag.get_dag("news_daily")
    assert daily is not None and "aljazeera.crawl" in daily.task_ids
    assert not any(t.startswith("typo.") for t in daily.task_ids)
    assert bag.get_dag("news_source_own_schedule") is not None
    assert bag.get_dag("news_source_typo") is None
    assert {"news_reprocess", "news_maintenance"} <= set(bag.dag_ids)


def test_with_every_file_valid_there_is_no_import_error() -> None:
    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    assert bag.import_errors == {}
