"""More than one machine, without Docker: news_daily under CeleryExecutor with Redis (Debian's
redis-server) and two Celery workers, each in its own working directory and AIRFLOW_HOME, sharing
only PostgreSQL, Redis and ARCHIVE_ROOT (and the JWT/API/Fernet secrets every component must
agree on). Tasks must run on both workers, and the warehouse must match a LocalExecutor run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from cryptography.fernet import Fernet

from common.migrate import apply_migrations
from common.warehouse import throwaway_database
from tests.fixtures import PROJECT_ROOT
from tests.fixtures.ops_stack import Stack, free_port, marked_processes, sqlalchemy_url

sys.path.insert(0, str(PROJECT_ROOT / "tools"))
from airflow_api import AirflowAPI

pytestmark = pytest.mark.airflow
CONF = {"since": "2026-11-19", "until": "2026-11-20"}
WAREHOUSE_QUERY = """select url, source, content_hash, title, published_at, authors, word_count
                     from core.articles order by url"""


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    installed = subprocess.run([str(PROJECT_ROOT / "tools" / "ops_deps.sh"), "redis"],
                               capture_output=True, text=True, timeout=600)
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip(f"Celery test skipped: redis-server is not installed and cannot be as non-root "
                    f"({installed.stderr.strip()})")
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder)],
                               stdout=(folder / "redis.log").open("w"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() != "PONG":
            assert time.monotonic() < deadline and process.poll() is None, (folder / "redis.log").read_text()
            time.sleep(0.2)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


class Worker:
    """`airflow celery worker` in its own directory, as on another machine."""

    def __init__(self, name: str, root: Path, env: dict[str, str]) -> None:
        self.name = name
        self.dir = root / name
        (self.dir / "tmp").mkdir(parents=True)
        self.log = self.dir / "worker.log"
        self.env = {**env, "AIRFLOW_HOME": str(self.dir / "airflow-home"), "TMPDIR": str(self.dir / "tmp"),
                    "NEWS_WORKER_NAME": name, "NEWS_STACK_ID": str(self.dir),
                    "AIRFLOW__CORE__HOSTNAME_CALLABLE": "tests.fixtures.ops_stack.worker_hostname",
                    "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",  # Celery says "ready." at INFO
                    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # Concurrency 1 with Airflow's prefetch of 1: two tasks ready at once go to two workers.
        self.process = subprocess.Popen(
            [str(PROJECT_ROOT / ".venv" / "bin" / "airflow"), "celery", "worker", "--concurrency", "1",
             "--celery-hostname", f"{self.name}@%h", "--without-gossip", "--without-mingle"],
            cwd=self.dir, env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while "ready." not in self.log.read_text(errors="replace"):
            assert self.process is not None and self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, f"{self.name} not ready: {self.log.read_text()[-3000:]}"
            time.sleep(1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # Celery's warm shutdown
        try:
            self.process.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


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
