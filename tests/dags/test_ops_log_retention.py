"""news_maintenance's log and metadata retention, run through Airflow on a metadata database of its
own: `airflow db clean` removes the old rows and keeps the recent ones, old task log files go,
rotated component logs past the count go, and each task says what it removed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from common.warehouse import throwaway_database
from tests.fixtures import PROJECT_ROOT
from tests.fixtures.demo_day import run_dag
from tests.fixtures.ops_stack import sqlalchemy_url

pytestmark = pytest.mark.airflow
DAY = 24 * 3600


@pytest.fixture()
def airflow_db(server_dsn: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated Airflow metadata database that nothing else uses (db clean must not touch the
    checkout's own history)."""
    with throwaway_database(server_dsn, "airflow_retention") as dsn:
        monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", sqlalchemy_url(dsn))
        migrated = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], capture_output=True,
                                  text=True, timeout=600, cwd=PROJECT_ROOT, check=False)
        assert migrated.returncode == 0, migrated.stdout[-2000:] + migrated.stderr[-2000:]
        yield dsn


def aged(path: Path, days: float) -> Path:
    moment = time.time() - days * DAY
    os.utime(path, (moment, moment))
    return path


def test_maintenance_cleans_airflow_metadata_task_logs_and_component_logs(
    clean_warehouse: str, archive_root: Path, airflow_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with psycopg2.connect(airflow_db) as conn, conn.cursor() as cur:
        cur.execute("""insert into log (dttm, event, dag_id) values
                         (now() - interval '200 days', 'retention-old', 'news_daily'),
                         (now() - interval '95 days', 'retention-old', 'news_daily'),
                         (now() - interval '10 days', 'retention-recent', 'news_daily')""")
        cur.execute("""insert into job (dag_id, state, job_type, start_date, end_date, latest_heartbeat, hostname)
                       values ('news_daily', 'success', 'SchedulerJob', now() - interval '200 days',
                               now() - interval '200 days', now() - interval '200 days', 'old-host'),
                              ('news_daily', 'success', 'SchedulerJob', now() - interval '1 day',
                               now() - interval '1 day', now() - interval '1 day', 'recent-host')""")
    conn.close()

    task_logs = tmp_path / "task-logs"
    old_attempt = task_logs / "dag_id=news_daily" / "run_id=scheduled__2026-08-01" / "task_id=plan" / "attempt=1.log"
    recent_attempt = task_logs / "dag_id=news_daily" / "run_id=scheduled__2026-12-01" / "task_id=plan" / "attempt=1.log"
    for path in (old_attempt, recent_attempt):
        path.parent.mkdir(parents=True)
        path.write_text("x" * 700)
    aged(old_attempt, 40)
    stack_logs = tmp_path / "stack" / "logs"
    stack_logs.mkdir(parents=True)
    (stack_logs / "scheduler.log").write_text("live\n")
    for number in range(1, 4):
        (stack_logs / f"scheduler.log.{number}").write_text("old run\n")
    monkeypatch.setenv("AIRFLOW__LOGGING__BASE_LOG_FOLDER", str(task_logs))
    monkeypatch.setenv("NEWS_STACK_DIR", str(tmp_path / "stack"))
    monkeypatch.setenv("NEWS_COMPONENT_LOG_KEEP", "2")

    result = run_dag("news_maintenance", {"task_log_days": 30, "airflow_db_days": 90}, archive_root)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]

    with psycopg2.connect(airflow_db) as conn, conn.cursor() as cur:
        cur.execute("select event, count(*) from log where event like 'retention-%' group by 1")
        assert dict(cur.fetchall()) == {"retention-recent": 1}
        cur.execute("select hostname from job where hostname like '%-host'")
        assert [row[0] for row in cur.fetchall()] == ["recent-host"]
        cur.execute("select state from dag_run where dag_id = 'news_maintenance'")
        assert [row[0] for row in cur.fetchall()] == ["success"]  # this run is recent: kept
    conn.close()
    assert not old_attempt.exists() and not old_attempt.parent.parent.exists()
    assert recent_attempt.exists()
    assert sorted(p.name for p in stack_logs.iterdir()) == ["scheduler.log", "scheduler.log.1", "scheduler.log.2"]
    # Each task's log says what it removed.
    assert "airflow db clean: removed 3 row(s) older than 90 days" in output, output[-5000:]
    assert "log 2" in output and "job 1" in output
    assert "removed 1 file(s), 700 bytes" in output
    assert "removed 1 file(s), 8 bytes" in output
