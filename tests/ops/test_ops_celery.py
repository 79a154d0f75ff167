"""More than one machine, without Docker: news_daily under CeleryExecutor with Redis (Debian's
redis-server) and two Celery workers, each in its own working directory and AIRFLOW_HOME, sharing
only PostgreSQL, Redis and ARCHIVE_ROOT (and the JWT/API/Fernet secrets every component must
agree on). Tasks must run on both workers, and the warehouse must match a LocalExecutor run.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from cryptography.fernet import Fernet

from common.migrate import apply_migrations
from common.warehouse import throwaway_database
from tests.fixtures import PROJECT_ROOT
from tests.fixtures.celery_workers import RedisUnavailable, Worker, redis_server
from tests.fixtures.ops_stack import Stack, marked_processes, sqlalchemy_url

sys.path.insert(0, str(PROJECT_ROOT / "tools"))
from airflow_api import AirflowAPI

pytestmark = pytest.mark.airflow
CONF = {"since": "2026-11-19", "until": "2026-11-20"}
WAREHOUSE_QUERY = """select url, source, content_hash, title, published_at, authors, word_count
                     from core.articles order by url"""


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    try:
        with redis_server(tmp_path_factory.mktemp("redis")) as url:
            yield url
    except RedisUnavailable as exc:
        pytest.skip(f"Celery test skipped: {exc}")


def articles(dsn: str) -> list[tuple[object, ...]]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(WAREHOUSE_QUERY)
        rows = cur.fetchall()
    conn.close()
    return rows


def run_news_daily(api: AirflowAPI) -> tuple[str, list[dict[str, object]]]:
    api.wait_for_dag("news_daily")
    api.unpause("news_daily")
    run_id = api.trigger("news_daily", conf=CONF)
    state = api.wait_for_run("news_daily", run_id, timeout=420)
    tis = api.task_instances("news_daily", run_id)
    assert state == "success", [(t["task_id"], t["state"]) for t in tis]
    return run_id, tis


def test_news_daily_on_two_celery_workers_matches_a_local_executor_run(
    server_dsn: str, tmp_path: Path, redis_url: str
) -> None:
    secrets = {"AIRFLOW__API_AUTH__JWT_SECRET": Fernet.generate_key().decode(),
               "AIRFLOW__API__SECRET_KEY": Fernet.generate_key().decode(),
               "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode()}
    with throwaway_database(server_dsn, "airflow_celery") as airflow_db, \
            throwaway_database(server_dsn, "news_local") as local_wh, \
            throwaway_database(server_dsn, "news_celery") as celery_wh:
        stack = Stack(tmp_path / "scheduler-machine", local_wh, airflow_db,
                      {**secrets, "NEWS_TASK_RETRIES": "0"})
        workers: list[Worker] = []
        try:
            # 1. The reference: LocalExecutor, the same DAG, the same archive.
            up = stack.make("up", timeout=400)
            assert up.returncode == 0, up.stdout + up.stderr + stack.logs_tail()
            api = AirflowAPI.for_stack(f"http://localhost:{stack.port}", stack.state_dir)
            run_news_daily(api)
            assert stack.stack_sh("down").returncode == 0

            # 2. CeleryExecutor: the scheduler queues to Redis, two workers elsewhere run the tasks.
            apply_migrations(celery_wh)
            celery = {"AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                      "AIRFLOW__CELERY__BROKER_URL": redis_url,
                      "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + sqlalchemy_url(airflow_db),
                      "NEWS_WAREHOUSE_DSN": celery_wh}
            stack.env.update(celery)
            up = stack.stack_sh("up")
            assert up.returncode == 0, up.stdout + up.stderr + stack.logs_tail()
            worker_env = {**{k: v for k, v in stack.env.items() if k not in ("AIRFLOW_HOME", "NEWS_STACK_DIR")},
                          "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{stack.port}/execution/",
                          "AIRFLOW__API__BASE_URL": f"http://localhost:{stack.port}",
                          "PATH": f"{PROJECT_ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
                          "PYTHONPATH": str(PROJECT_ROOT)}
            workers = [Worker(f"worker{i}", tmp_path, worker_env) for i in (1, 2)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.wait_ready()
            run_id, tis = run_news_daily(api)

            ran = {t["task_id"]: t["hostname"] for t in tis if t["state"] == "success"}
            assert set(ran.values()) == {"worker1", "worker2"}, ran
            assert all(t["queue"] == "default" for t in tis if t["state"] == "success")
            # Each worker wrote the logs of its own tasks into its own AIRFLOW_HOME.
            for worker in workers:
                own = {task for task, host in ran.items() if host == worker.name}
                logged = {p.parent.name.removeprefix("task_id=")
                          for p in (worker.dir / "airflow-home" / "logs").rglob("attempt=*.log")}
                assert own <= logged, (worker.name, own, logged)

            reference = articles(local_wh)
            assert len(reference) == 12
            assert articles(celery_wh) == reference
        finally:
            for worker in workers:
                worker.stop()
            stack.stack_sh("down")
            left = [*marked_processes(stack.state_dir), *(p for w in workers for p in marked_processes(w.dir))]
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            assert not left, f"processes left: {left}"
