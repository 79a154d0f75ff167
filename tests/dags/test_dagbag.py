from __future__ import annotations

from airflow.dag_processing.dagbag import DagBag

from tests.fixtures import PROJECT_ROOT


def test_dags_import_cleanly_with_the_expected_tasks() -> None:
    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    assert bag.import_errors == {}
    dag = bag.get_dag("news_daily")
    assert dag is not None
    # One task group per enabled source (scrapers/sources/*.toml); see tests/dags/test_dag_news.py.
    assert {"plan", "aljazeera.crawl", "aljazeera.extract_load", "aljazeera.check", "publish"} <= {
        t.task_id for t in dag.tasks}
    assert dag.catchup is False
    for task in dag.tasks:
        assert task.execution_timeout is not None, task.task_id
    crawl = dag.get_task("aljazeera.crawl")
    assert {t.task_id for t in crawl.downstream_list} == {"aljazeera.extract_load"}
