"""docker-compose.yaml for many machines: parsed and checked here (Docker cannot run in CI);
`docker compose config` validates it too where the compose plugin is installed."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest
import yaml

from tests.fixtures import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yaml"
AIRFLOW_SERVICES = {"airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
                    "airflow-worker", "airflow-init"}
SHARED_SECRETS = ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_has_the_celery_deployment(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert AIRFLOW_SERVICES | {"postgres", "warehouse", "redis", "minio", "minio-init"} <= set(services)
    for name in AIRFLOW_SERVICES:
        env = services[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert "@redis:6379/" in env["AIRFLOW__CELERY__BROKER_URL"], name
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        for secret in SHARED_SECRETS:  # from .env, the same for every component, never a literal
            assert env[secret].startswith("${") and ":?" in env[secret], (name, secret)
        assert env["AIRFLOW_CONN_NEWS_WAREHOUSE"].endswith("@warehouse:5432/news")
        assert "ARCHIVE_ROOT" in env and "http://minio:9000" in env["AWS_ENDPOINT_URL"]
    worker = services["airflow-worker"]
    assert worker["command"] == "celery worker"
    assert "AIRFLOW_WORKERS:-2" in str(worker["deploy"]["replicas"])  # several workers by default
    assert {"airflow-apiserver", "airflow-init", "redis", "postgres"} <= set(worker["depends_on"])
    assert services["airflow-apiserver"]["ports"] == ["8080:8080"]
    init = "\n".join(services["airflow-init"]["command"])
    for step in ("airflow db migrate", "python -m common.migrate", "tools/airflow_pools.py"):
        assert step in init
    for name in ("postgres", "warehouse", "redis", "minio", *AIRFLOW_SERVICES - {"airflow-init"}):
        assert "healthcheck" in services[name], name


def test_workers_archive_into_the_minio_bucket_not_a_shared_volume(compose: dict[str, Any]) -> None:
    services = compose["services"]
    init = services["minio-init"]
    script = "\n".join(init["command"])
    assert "mc mb --ignore-existing" in script and "ARCHIVE_ROOT#s3://" in script  # the bucket it names
    for name in AIRFLOW_SERVICES:
        service = services[name]
        env = service["environment"]
        default = env["ARCHIVE_ROOT"].removeprefix("${ARCHIVE_ROOT:-").removesuffix("}")
        assert default.startswith("s3://") and default == init["environment"]["ARCHIVE_ROOT"].split(":-", 1)[1][:-1]
        assert env["AWS_ENDPOINT_URL"].endswith("http://minio:9000}"), name
        assert env["AWS_ACCESS_KEY_ID"].startswith("${") and env["AWS_SECRET_ACCESS_KEY"].startswith("${")
        assert service["depends_on"]["minio-init"]["condition"] == "service_completed_successfully", name
        mounts = [str(volume).split(":")[1] for volume in service.get("volumes", [])]
        assert not any("archive" in mount for mount in mounts), (name, mounts)  # nothing shared on disk
    assert "archive" not in compose["volumes"]
    assert "ARCHIVE_ROOT=s3://" in (PROJECT_ROOT / ".env.example").read_text()


def test_no_secret_is_written_in_the_compose_file(compose: dict[str, Any]) -> None:
    import re

    secretish = re.compile(r"PASSWORD|SECRET|FERNET|JWT")
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            value = str(value)
            if secretish.search(key) and not key.endswith("_FILE"):
                assert value.startswith("${"), (name, key)  # from .env, never a literal
            if "://" in value and "@" in value.split("://", 1)[1]:
                credentials = value.split("://", 1)[1].split("@", 1)[0]
                assert credentials in ("", ":") or "${" in credentials, (name, key)


def test_the_image_installs_the_locked_requirements() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert "FROM apache/airflow:3.3.2-python3.11" in dockerfile
    assert "requirements.lock" in dockerfile
    example = (PROJECT_ROOT / ".env.example").read_text()
    for name in ("AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY", "NEWS_WAREHOUSE_PASSWORD"):
        assert f"{name}=\n" in example  # listed, and left empty


def test_docker_compose_config_accepts_it(tmp_path: Any) -> None:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("docker compose is not installed here; the YAML checks above still ran")
    env_file = tmp_path / ".env"
    env_file.write_text("\n".join(f"{k}=x" for k in (
        "AIRFLOW_DB_PASSWORD", "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY",
        "NEWS_WAREHOUSE_PASSWORD", "MINIO_ROOT_PASSWORD")) + "\n")
    result = subprocess.run([docker, "compose", "--env-file", str(env_file), "-f", str(COMPOSE), "config", "--quiet"],
                            capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
