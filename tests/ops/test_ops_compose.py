"""docker-compose.yaml (the control host) and deploy/worker-host.compose.yaml (a worker host) for
many machines: parsed and checked here (Docker cannot run in CI); `docker compose config`
validates them too where the compose plugin is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from tests.fixtures import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yaml"
WORKER_HOST_COMPOSE = PROJECT_ROOT / "deploy" / "worker-host.compose.yaml"
BIND = "${NEWS_BIND_ADDRESS:-127.0.0.1}:"
# The addresses a worker host overrides; the same names in both compose files and the env file template.
ADDRESS_VARIABLES = ("NEWS_DB_HOST", "NEWS_DB_PORT", "NEWS_REDIS_HOST", "NEWS_REDIS_PORT", "REDIS_PASSWORD",
                     "NEWS_API_URL", "NEWS_WAREHOUSE_HOST", "NEWS_WAREHOUSE_PORT", "NEWS_WORKER_LOG_PORT")
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
        assert env["AIRFLOW__CELERY__BROKER_URL"] == \
            "redis://:${REDIS_PASSWORD:?set REDIS_PASSWORD in .env}@${NEWS_REDIS_HOST:-redis}:${NEWS_REDIS_PORT:-6379}/0"
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "${NEWS_API_URL:-http://airflow-apiserver:8080}/execution/"
        for secret in SHARED_SECRETS:  # from .env, the same for every component, never a literal
            assert env[secret].startswith("${") and ":?" in env[secret], (name, secret)
        assert env["AIRFLOW_CONN_NEWS_WAREHOUSE"].endswith("@${NEWS_WAREHOUSE_HOST:-warehouse}:${NEWS_WAREHOUSE_PORT:-5432}/news")
        assert "ARCHIVE_ROOT" in env and "http://minio:9000" in env["AWS_ENDPOINT_URL"]
    worker = services["airflow-worker"]
    assert worker["command"] == "celery worker"
    assert "AIRFLOW_WORKERS:-2" in str(worker["deploy"]["replicas"])  # several workers by default
    assert {"airflow-apiserver", "airflow-init", "redis", "postgres"} <= set(worker["depends_on"])
    assert services["airflow-apiserver"]["ports"] == [BIND + "${NEWS_PUBLISH_API_PORT:-8080}:8080"]
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
        assert env["AWS_ENDPOINT_URL"] == "${AWS_ENDPOINT_URL:-http://minio:9000}", name
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
        "NEWS_WAREHOUSE_PASSWORD", "MINIO_ROOT_PASSWORD", "REDIS_PASSWORD", "NEWS_IMAGE")) + "\n")
    for compose_file in (COMPOSE, WORKER_HOST_COMPOSE):
        result = subprocess.run([docker, "compose", "--env-file", str(env_file), "-f", str(compose_file), "config",
                                 "--quiet"], capture_output=True, text=True, cwd=PROJECT_ROOT,
                                env={**os.environ, "NEWS_WORKER_ENV_FILE": str(env_file)})
        assert result.returncode == 0, (compose_file.name, result.stderr)


@pytest.fixture(scope="module")
def worker_host() -> dict[str, Any]:
    return yaml.safe_load(WORKER_HOST_COMPOSE.read_text(encoding="utf-8"))


def _host_of(url: str) -> str:
    """What follows the scheme and any credentials: the address part of a URL."""
    rest = url.split("://", 1)[1]
    return rest.rsplit("@", 1)[1] if "@" in rest else rest


def test_every_address_is_a_variable_defaulting_to_the_service(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            value = str(value)
            if "://" in value and not value.startswith("${"):
                assert _host_of(value).startswith("${"), (name, key, value)  # never a fixed service name
    text = COMPOSE.read_text()
    for variable in ADDRESS_VARIABLES:
        assert "${" + variable in text, variable


def test_what_other_hosts_need_is_published_on_the_bind_variable(compose: dict[str, Any]) -> None:
    services = compose["services"]
    published = {name: [str(p) for p in service.get("ports", [])] for name, service in services.items()}
    for name, container_port in (("postgres", 5432), ("warehouse", 5432), ("redis", 6379), ("minio", 9000),
                                 ("airflow-apiserver", 8080)):
        assert any(p.startswith(BIND) and p.endswith(f":{container_port}") for p in published[name]), (name, published[name])
    for name, ports in published.items():  # everything else stays on this host
        for port in ports:
            assert port.startswith((BIND, "127.0.0.1:")), (name, port)


def test_redis_requires_the_password_the_broker_urls_carry(compose: dict[str, Any]) -> None:
    redis = compose["services"]["redis"]
    assert "--requirepass" in " ".join(redis["command"]) and redis["environment"]["REDIS_PASSWORD"].startswith("${REDIS_PASSWORD:?")
    assert redis["environment"]["REDISCLI_AUTH"] == "${REDIS_PASSWORD}"  # the health check authenticates
    assert "REDIS_PASSWORD=\n" in (PROJECT_ROOT / ".env.example").read_text()


def test_images_are_pinned(compose: dict[str, Any], worker_host: dict[str, Any]) -> None:
    for name, service in [*compose["services"].items(), *worker_host["services"].items()]:
        image = str(service.get("image", ""))
        assert image, name
        tag = image.rsplit(":", 1)[1].rstrip("}") if ":" in image.split("/")[-1] else ""
        assert tag and tag != "latest" and ":latest" not in image, (name, image)
    assert compose["services"]["minio"]["image"].startswith("minio/minio:RELEASE.")
    assert compose["services"]["minio-init"]["image"].startswith("minio/mc:RELEASE.")


def test_code_and_sources_come_from_the_image_only(compose: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES:
        for volume in compose["services"][name].get("volumes", []):
            source = str(volume).split(":", 1)[0]
            assert not source.startswith((".", "/", "$")), (name, volume)  # named volumes only, no bind mount
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert "COPY --chown=airflow:0 . /opt/news" in dockerfile


def test_the_image_installs_no_test_or_lint_tools() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert installs == ["RUN pip install --no-cache-dir -r /opt/news/requirements.lock"]
    assert "requirements-dev" not in dockerfile
    locked = {line.split("==")[0] for line in (PROJECT_ROOT / "requirements.lock").read_text().splitlines()
              if "==" in line and not line.startswith(" ")}
    for tool in ("pytest", "pytest-timeout", "pytest-xdist", "ruff", "mypy", "import-linter", "moto", "selenium",
                 "duckdb", "pandas", "flask"):
        assert tool not in locked, tool
    assert {"apache-airflow", "scrapy", "trafilatura", "celery", "s3fs"} <= locked
    ignored = (PROJECT_ROOT / ".dockerignore").read_text().split()
    assert {"tests", ".venv", ".data", ".git", ".env"} <= set(ignored)


def test_a_worker_host_starts_only_a_worker(worker_host: dict[str, Any]) -> None:
    services = worker_host["services"]
    assert list(services) == ["airflow-worker"]
    worker = services["airflow-worker"]
    assert "depends_on" not in worker
    assert worker["image"].startswith("${NEWS_IMAGE:?")
    assert worker["entrypoint"][-3:] == ["ops.worker_host", "--env-file", "/run/news/worker.env"]
    assert worker["volumes"][0].startswith("${NEWS_WORKER_ENV_FILE:?") and worker["volumes"][0].endswith(":ro")
    assert worker["ports"] == ["${NEWS_WORKER_LOG_BIND:-0.0.0.0}:${NEWS_WORKER_LOG_PORT:-8793}:${NEWS_WORKER_LOG_PORT:-8793}"]
    # The worker's AIRFLOW_HOME is a named volume over a folder the image creates as the airflow user.
    assert "worker-home:/opt/news/.data/worker" in worker["volumes"]
    assert "RUN mkdir -p /opt/news/.data/worker" in (PROJECT_ROOT / "Dockerfile").read_text()
    template = (PROJECT_ROOT / "deploy" / "worker.env.example").read_text()
    for variable in (*ADDRESS_VARIABLES, "NEWS_WORKER_HOSTNAME", "NEWS_IMAGE", "AIRFLOW_FERNET_KEY",
                     "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY", "ARCHIVE_ROOT"):
        assert re.search(rf"^{variable}=", template, re.MULTILINE), variable


def test_the_analyst_hint_names_a_login_role() -> None:
    text = COMPOSE.read_text()
    assert "-U news_analyst" not in text  # news_analyst is a NOLOGIN group role
    assert "create role alice login password" in text and "in role news_analyst" in text
