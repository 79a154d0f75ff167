from __future__ import annotations

from airflow.dag_processing.dagbag import DagBag

from tests.conftest import PROJECT_ROOT


def test_dags_import_cleanly_with_the_expected_tasks() -> None:
    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    assert bag.import_errors == {}
    dag = bag.get_dag("news_daily")
    assert dag is not None
    assert {t.task_id for t in dag.tasks} == {"plan", "source.crawl", "source.extract_load", "source.check"}
    assert dag.catchup is False
    for task in dag.tasks:
        if task.task_id != "plan":
            assert task.execution_timeout is not None, task.task_id
    crawl = dag.get_task("source.crawl")
    assert {t.task_id for t in crawl.downstream_list} == {"source.extract_load"}
