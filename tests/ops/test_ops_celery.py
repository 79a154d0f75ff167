"""More than one machine, without Docker: the control host's stack (API server, scheduler, DAG
processor, triggerer) under CeleryExecutor with Redis behind a password, and two worker hosts,
each started by the one documented command (tools/worker-host.sh --env-file worker.env) from its
own copy of the code, in its own process group, AIRFLOW_HOME and TMPDIR, with nothing of the
test's environment but PATH. They share only PostgreSQL (Airflow's database, the warehouse),
Redis and the archive store, and reach them at the env file's addresses.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from cryptography.fernet import Fernet

from common.migrate import apply_migrations
from common.warehouse import throwaway_database
from tests.fixtures import PROJECT_ROOT
from tests.fixtures.celery_stack import Redis, WorkerHost, database_settings, redis_with_password
from tests.fixtures.demo_day import EXPECTED
from tests.fixtures.ops_stack import Stack, free_port, free_port_pair, marked_processes, sqlalchemy_url

sys.path.insert(0, str(PROJECT_ROOT / "tools"))
from airflow_api import AirflowAPI

pytestmark = pytest.mark.airflow
CONF = {"since": "2026-11-19", "until": "2026-11-20"}


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    with redis_with_password(tmp_path_factory.mktemp("redis")) as server:
        yield server


def articles(dsn: str) -> dict[str, tuple[object, ...]]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select url, title, published_at, authors, version from core.articles")
        rows = {row[0]: row[1:] for row in cur.fetchall()}
    conn.close()
    return rows


def worker_settings(airflow_db: str, warehouse: str, redis: Redis, stack: Stack,
                    secrets: dict[str, str]) -> dict[str, str]:
    """What a worker host's env file says (deploy/worker.env.example's names)."""
    return {
        **database_settings("NEWS_DB", airflow_db, "AIRFLOW_DB_USER", "AIRFLOW_DB_NAME", "AIRFLOW_DB_PASSWORD"),
        **database_settings("NEWS_WAREHOUSE", warehouse, "NEWS_WAREHOUSE_USER", "NEWS_WAREHOUSE_DB",
                            "NEWS_WAREHOUSE_PASSWORD"),
        "NEWS_REDIS_HOST": redis.host, "NEWS_REDIS_PORT": str(redis.port), "REDIS_PASSWORD": redis.password,
        "NEWS_API_URL": f"http://127.0.0.1:{stack.port}",
        "AIRFLOW_FERNET_KEY": secrets["AIRFLOW__CORE__FERNET_KEY"],
        "AIRFLOW_JWT_SECRET": secrets["AIRFLOW__API_AUTH__JWT_SECRET"],
        "AIRFLOW_API_SECRET_KEY": secrets["AIRFLOW__API__SECRET_KEY"],
        "ARCHIVE_ROOT": str(stack.archive),
        # One task at a time per worker (and Airflow's prefetch of 1): two ready tasks go to two workers.
        "AIRFLOW_WORKER_CONCURRENCY": "1",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",  # Celery says "ready." at INFO
        "NEWS_TASK_RETRIES": "0",
    }


def test_two_worker_hosts_from_env_files_run_news_daily(server_dsn: str, tmp_path: Path, redis: Redis) -> None:
    secrets = {"AIRFLOW__API_AUTH__JWT_SECRET": Fernet.generate_key().decode(),
               "AIRFLOW__API__SECRET_KEY": Fernet.generate_key().decode(),
               "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode()}
    with throwaway_database(server_dsn, "airflow_celery") as airflow_db, \
            throwaway_database(server_dsn, "news_celery") as warehouse:
        apply_migrations(warehouse)
        stack = Stack(tmp_path / "control-host", warehouse, airflow_db, {
            **secrets, "NEWS_TASK_RETRIES": "0",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CELERY__BROKER_URL": redis.url,
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + sqlalchemy_url(airflow_db)})
        # The API server fetches a task's log from http://<worker hostname>:<its worker log port>.
        # Real hosts all use one port; two workers on one machine cannot, so the second worker's
        # port is the control host's and the test reads its logs through the API.
        stack.log_port = free_port_pair()
        stack.env["NEWS_AIRFLOW_LOG_PORT"] = str(stack.log_port)
        settings = worker_settings(airflow_db, warehouse, redis, stack, secrets)
        hosts = [WorkerHost(tmp_path, "worker-a", {**settings, "NEWS_WORKER_HOSTNAME": "localhost",
                                                   "NEWS_WORKER_LOG_PORT": str(free_port())}),
                 WorkerHost(tmp_path, "worker-b", {**settings, "NEWS_WORKER_HOSTNAME": "127.0.0.1",
                                                   "NEWS_WORKER_LOG_PORT": str(stack.log_port)})]
        try:
            up = stack.make("up", timeout=400)
            assert up.returncode == 0, up.stdout + up.stderr + stack.logs_tail()
            for host in hosts:
                checked = host.check()
                assert checked.returncode == 0, checked.stdout + checked.stderr
                assert redis.password not in checked.stdout + checked.stderr  # secrets are masked
                host.start()
            for host in hosts:
                host.wait_ready()

            api = AirflowAPI.for_stack(f"http://localhost:{stack.port}", stack.state_dir)
            api.wait_for_dag("news_daily")
            api.unpause("news_daily")
            run_id = api.trigger("news_daily", conf=CONF)
            state = api.wait_for_run("news_daily", run_id, timeout=420)
            tis = api.task_instances("news_daily", run_id)
            assert state == "success", [(t["task_id"], t["state"], t["hostname"]) for t in tis]

            ran = {t["task_id"]: t["hostname"] for t in tis if t["state"] == "success"}
            assert set(ran.values()) == {"localhost", "127.0.0.1"}, ran  # both hosts ran tasks
            # Each worker wrote the logs of its own tasks into its own AIRFLOW_HOME, and the control
            # host has none of them: the API server reads them from the worker's log server.
            for host, name in zip(hosts, ("localhost", "127.0.0.1"), strict=True):
                own = {task for task, ran_on in ran.items() if ran_on == name}
                logged = {p.parent.name.removeprefix("task_id=") for p in (host.home / "logs").rglob("attempt=*.log")}
                assert own <= logged, (host.name, own, logged)
            assert not list((Path(stack.env["AIRFLOW_HOME"]) / "logs").rglob("attempt=*.log"))
            served = sorted(task for task, ran_on in ran.items() if ran_on == "127.0.0.1")[0]
            task_log = api.get(f"/dags/news_daily/dagRuns/{quote(run_id, safe='')}/taskInstances/{served}/logs/1",
                               full_content="true")
            text = str(task_log)
            # The log server's URL is among the sources only when it answered 200 with a log (a
            # worker with other secrets gets a 403, a wrong port an error: both are named instead).
            assert f"http://127.0.0.1:{stack.log_port}/log/dag_id=news_daily/" in text, text[:2000]
            for failure in ("Could not read served logs", "Log file not found", "same 'secret_key'"):
                assert failure not in text, text[:2000]

            # The demo day's articles, as demo/site/README.md says they load, each once.
            loaded = articles(warehouse)
            assert set(loaded) == set(EXPECTED), sorted(loaded)
            for url, (title, published, authors) in EXPECTED.items():
                assert loaded[url] == (title, published, authors, 1), url
        finally:
            for host in hosts:
                host.stop()
            stack.stack_sh("down")
            left = [*marked_processes(stack.state_dir), *(p for h in hosts for p in marked_processes(h.dir))]
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            assert not left, f"processes left: {left}"
