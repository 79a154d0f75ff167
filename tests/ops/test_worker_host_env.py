"""A worker host's env file (ops/worker_host.py): what it must say, what the worker is given, and
how a mistake is reported before any worker starts."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from common.warehouse import throwaway_database
from ops.worker_host import WorkerEnvError, build_config, read_env_file, refused_credentials, unreachable
from tests.fixtures import PROJECT_ROOT
from tests.fixtures.celery_stack import database_settings, redis_with_password, write_env_file
from tests.fixtures.ops_stack import free_port

EXAMPLE = PROJECT_ROOT / "deploy" / "worker.env.example"
FILLED = {
    "NEWS_WORKER_HOSTNAME": "worker7.internal", "NEWS_DB_HOST": "control.internal", "AIRFLOW_DB_PASSWORD": "p@ss/w:rd",
    "NEWS_REDIS_HOST": "control.internal", "REDIS_PASSWORD": "r#d!s", "NEWS_API_URL": "http://control.internal:8080/",
    "NEWS_WAREHOUSE_HOST": "control.internal", "NEWS_WAREHOUSE_PORT": "5433", "NEWS_WAREHOUSE_PASSWORD": "wh",
    "AIRFLOW_FERNET_KEY": "fernet", "AIRFLOW_JWT_SECRET": "jwt", "AIRFLOW_API_SECRET_KEY": "api",
    "ARCHIVE_ROOT": "s3://news-archive/warcs", "AWS_ENDPOINT_URL": "http://control.internal:9000",
}


def test_the_workers_environment_is_the_env_files_and_nothing_else() -> None:
    shell = {"PATH": "/usr/bin", "HOME": "/home/ops", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql://elsewhere",
             "NEWS_WAREHOUSE_DSN": "postgresql://elsewhere", "AIRFLOW__CORE__EXECUTOR": "LocalExecutor"}
    config = build_config(FILLED, shell, Path("/opt/news"))
    env = config.environment
    assert env["PATH"] == "/usr/bin" and env["HOME"] == "/home/ops"
    assert "NEWS_WAREHOUSE_DSN" not in env  # the shell's warehouse never reaches the worker
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "postgresql+psycopg2://airflow:p%40ss%2Fw%3Ard@control.internal:5432/airflow"
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+postgresql://airflow:p%40ss%2Fw%3Ard@control.internal:5432/airflow"
    assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://:r%23d%21s@control.internal:6379/0"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://control.internal:8080/execution/"
    assert env["AIRFLOW_CONN_NEWS_WAREHOUSE"] == "postgresql://news:wh@control.internal:5433/news"
    assert (env["AIRFLOW__CORE__FERNET_KEY"], env["AIRFLOW__API_AUTH__JWT_SECRET"], env["AIRFLOW__API__SECRET_KEY"]) \
        == ("fernet", "jwt", "api")
    assert env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] == "8793"
    assert env["AIRFLOW__CORE__HOSTNAME_CALLABLE"] == "ops.worker_host.worker_hostname"
    assert env["NEWS_WORKER_HOSTNAME"] == config.hostname == "worker7.internal"
    assert env["PYTHONPATH"] == "/opt/news" and env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/news/dags"
    assert [e.port for e in config.endpoints] == [5432, 6379, 5433, 8080, 9000]
    assert set(env) - set(FILLED) - {"PATH", "HOME"} <= {
        "AIRFLOW_HOME", "AIRFLOW__CORE__DAGS_FOLDER", "AIRFLOW__CORE__LOAD_EXAMPLES", "PYTHONPATH",
        "AIRFLOW__CORE__EXECUTOR", "AIRFLOW__CORE__HOSTNAME_CALLABLE", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__CELERY__RESULT_BACKEND", "AIRFLOW__CELERY__BROKER_URL", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
        "AIRFLOW_CONN_NEWS_WAREHOUSE", "AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__API__SECRET_KEY", "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT", "AIRFLOW__API__BASE_URL",
        "NEWS_DB_PORT", "AIRFLOW_DB_USER", "AIRFLOW_DB_NAME", "NEWS_REDIS_PORT", "NEWS_WAREHOUSE_USER",
        "NEWS_WAREHOUSE_DB", "NEWS_WORKER_LOG_PORT", "AIRFLOW_WORKER_CONCURRENCY", "NEWS_WORKER_QUEUES"}


def test_the_template_lists_every_required_setting_and_is_refused_until_filled() -> None:
    values = read_env_file(EXAMPLE)
    for name in FILLED:
        assert name in values, name
    with pytest.raises(WorkerEnvError, match="does not set NEWS_DB_HOST, AIRFLOW_DB_PASSWORD"):
        build_config(values, {})
    filled = {**values, **FILLED}
    assert build_config(filled, {}).environment["AIRFLOW_CONN_NEWS_WAREHOUSE"].endswith("@control.internal:5433/news")


@pytest.mark.parametrize(("change", "message"), [
    ({"NEWS_DB_PORT": "54x2"}, "NEWS_DB_PORT='54x2' is not a port number"),
    ({"NEWS_API_URL": "control.internal:8080"}, "NEWS_API_URL='control.internal:8080' is not an http"),
    ({"AIRFLOW__CELERY__BROKER_URL": "redis://redis:6379/0"}, "sets AIRFLOW__CELERY__BROKER_URL, which the worker derives"),
    ({"AIRFLOW_WORKER_CONCURRENCY": "0"}, "AIRFLOW_WORKER_CONCURRENCY='0' is not a positive number"),
    ({"REDIS_PASSWORD": "  "}, "does not set REDIS_PASSWORD"),
])
def test_a_mistyped_file_is_refused_with_the_setting_named(change: dict[str, str], message: str) -> None:
    with pytest.raises(WorkerEnvError, match=message.replace("(", r"\(").replace("?", r"\?")):
        build_config({**FILLED, **change}, {})


def test_unreachable_addresses_are_named_before_any_worker_starts(tmp_path: Path) -> None:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        open_port, closed_port = listening.getsockname()[1], free_port()
        settings = {**FILLED, "NEWS_DB_HOST": "127.0.0.1", "NEWS_DB_PORT": str(open_port),
                    "NEWS_REDIS_HOST": "127.0.0.1", "NEWS_REDIS_PORT": str(closed_port),
                    "NEWS_WAREHOUSE_HOST": "127.0.0.1", "NEWS_WAREHOUSE_PORT": str(open_port),
                    "NEWS_API_URL": f"http://127.0.0.1:{open_port}", "ARCHIVE_ROOT": str(tmp_path / "archive")}
        problems = unreachable(build_config(settings, {}).endpoints, timeout=2)
        assert len(problems) == 1 and problems[0].startswith(f"Redis (NEWS_REDIS_HOST:NEWS_REDIS_PORT) at 127.0.0.1:{closed_port}")
        # The one command, with only PATH from the shell: exit 1, the address named, no worker started.
        env_file = write_env_file(tmp_path / "worker.env", settings)
        result = subprocess.run([str(PROJECT_ROOT / "tools" / "worker-host.sh"), "--env-file", str(env_file)],
                                env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"cannot use Redis (NEWS_REDIS_HOST:NEWS_REDIS_PORT) at 127.0.0.1:{closed_port}" in result.stderr
    assert "r#d!s" not in result.stdout + result.stderr


def test_a_missing_env_file_is_refused(tmp_path: Path) -> None:
    result = subprocess.run([str(PROJECT_ROOT / "tools" / "worker-host.sh"), "--env-file", str(tmp_path / "nope.env")],
                            env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_logins_are_tried_and_a_refused_one_is_named(server_dsn: str, tmp_path: Path) -> None:
    with redis_with_password(tmp_path / "redis") as redis, throwaway_database(server_dsn, "worker_env") as airflow_db:
        with socket.socket() as api:  # the API server's address only has to answer
            api.bind(("127.0.0.1", 0))
            api.listen()
            settings = {**FILLED, "ARCHIVE_ROOT": str(tmp_path / "archive"),
                        "NEWS_API_URL": f"http://127.0.0.1:{api.getsockname()[1]}",
                        "NEWS_REDIS_HOST": redis.host, "NEWS_REDIS_PORT": str(redis.port),
                        "REDIS_PASSWORD": redis.password,
                        **database_settings("NEWS_DB", airflow_db, "AIRFLOW_DB_USER", "AIRFLOW_DB_NAME",
                                            "AIRFLOW_DB_PASSWORD"),
                        **database_settings("NEWS_WAREHOUSE", server_dsn, "NEWS_WAREHOUSE_USER", "NEWS_WAREHOUSE_DB",
                                            "NEWS_WAREHOUSE_PASSWORD")}
            assert refused_credentials(build_config(settings, {})) == []
            wrong = {**settings, "NEWS_WAREHOUSE_PASSWORD": "not-the-password", "REDIS_PASSWORD": "not-this-either"}
            problems = refused_credentials(build_config(wrong, {}))
            assert [p.split(":")[0] for p in problems] == [
                "warehouse login (NEWS_WAREHOUSE_USER, NEWS_WAREHOUSE_PASSWORD, NEWS_WAREHOUSE_DB)",
                "Redis login (REDIS_PASSWORD)"], problems
            assert "password authentication failed" in problems[0]
            assert not any(secret in " ".join(problems) for secret in ("not-the-password", "not-this-either"))
            # The one command says the same and starts nothing.
            env_file = write_env_file(tmp_path / "worker.env", {**wrong, "NEWS_WORKER_LOG_PORT": str(free_port())})
            result = subprocess.run([str(PROJECT_ROOT / "tools" / "worker-host.sh"), "--env-file", str(env_file)],
                                    env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cannot use warehouse login" in result.stderr and "cannot use Redis login" in result.stderr
