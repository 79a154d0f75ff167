"""Run a DAG once in this process with Airflow's dag.test(), and fail loudly if any task failed.

Used by `make demo`: ``python tools/run_dag.py news_daily --logical-date 2026-11-20``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

DAGS_FOLDER = Path(__file__).resolve().parents[1] / "dags"


def parse_date(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_real_start(dag_run_id: int, started: datetime) -> None:
    """dag.test() stores the logical date as the run's start date, so the UI showed the demo's
    run of a past day as lasting two weeks; the run really started when dag.test() was called."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import update

    with create_session() as session:
        session.execute(update(DagRun).where(DagRun.id == dag_run_id).values(start_date=started))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dag_id")
    parser.add_argument("--logical-date", type=parse_date, required=True)
    parser.add_argument("--conf", type=json.loads, default=None, help="run conf / params as JSON")
    args = parser.parse_args()

    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_FOLDER))
    if bag.import_errors:
        for path, error in bag.import_errors.items():
            print(f"DAG import error in {path}:\n{error}", file=sys.stderr)
        return 2
    dag = bag.get_dag(args.dag_id)
    if dag is None:
        print(f"no DAG {args.dag_id!r} in {DAGS_FOLDER}", file=sys.stderr)
        return 2
    started = datetime.now(UTC)
    dag_run = dag.test(logical_date=args.logical_date, run_conf=args.conf)
    record_real_start(dag_run.id, started)
    failed = [ti for ti in dag_run.get_task_instances() if ti.state not in ("success", "skipped")]
    print(f"dag run {dag_run.run_id}: {dag_run.state}", file=sys.stderr)
    for ti in failed:
        index = f"[{ti.map_index}]" if ti.map_index >= 0 else ""
        print(f"  task {ti.task_id}{index}: {ti.state}", file=sys.stderr)
    return 0 if dag_run.state == "success" and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
