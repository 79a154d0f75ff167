"""A Celery worker host of the many-machine deployment, from one env file.

    tools/worker-host.sh --env-file worker.env           # runs `airflow celery worker` in the foreground
    tools/worker-host.sh --env-file worker.env --check   # prints what it would use, starts nothing

The env file (template: deploy/worker.env.example) names the addresses of the control host's
services with the same variables docker-compose.yaml reads (NEWS_DB_HOST, NEWS_REDIS_HOST,
NEWS_API_URL, NEWS_WAREHOUSE_HOST...), the secrets every component shares, and this host's own
name and log-server port. The worker gets exactly that: its environment is built from the file
alone (plus PATH and HOME), so nothing the shell happens to export (a developer's
AIRFLOW__DATABASE__SQL_ALCHEMY_CONN, a local NEWS_WAREHOUSE_DSN) can point it elsewhere.
Before starting it checks that every address answers and every login is accepted, so a typo
fails here with the setting named, not later as a task stuck in "queued" or failing.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import psycopg2
import redis
from dotenv import dotenv_values

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HOSTNAME_VARIABLE = "NEWS_WORKER_HOSTNAME"
REQUIRED = ("NEWS_DB_HOST", "AIRFLOW_DB_PASSWORD", "NEWS_REDIS_HOST", "REDIS_PASSWORD", "NEWS_API_URL",
            "NEWS_WAREHOUSE_HOST", "NEWS_WAREHOUSE_PASSWORD", "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET",
            "AIRFLOW_API_SECRET_KEY", "ARCHIVE_ROOT")
DEFAULTS = {"NEWS_DB_PORT": "5432", "AIRFLOW_DB_USER": "airflow", "AIRFLOW_DB_NAME": "airflow",
            "NEWS_REDIS_PORT": "6379", "NEWS_WAREHOUSE_PORT": "5432", "NEWS_WAREHOUSE_USER": "news",
            "NEWS_WAREHOUSE_DB": "news", "NEWS_WORKER_LOG_PORT": "8793", "AIRFLOW_WORKER_CONCURRENCY": "4",
            "NEWS_WORKER_QUEUES": "default"}
# Settings the file's addresses decide: set there, they would silently disagree with the addresses.
DERIVED = ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__BROKER_URL", "AIRFLOW__CELERY__RESULT_BACKEND",
           "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "AIRFLOW_CONN_NEWS_WAREHOUSE", "NEWS_WAREHOUSE_DSN",
           "AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY",
           "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT", "AIRFLOW__CORE__HOSTNAME_CALLABLE", "AIRFLOW__CORE__EXECUTOR")
INHERITED = ("PATH", "HOME")
SECRET_MARKERS = ("PASSWORD", "SECRET", "FERNET", "KEY")


class WorkerEnvError(ValueError):
    """The env file is incomplete or contradicts itself; the message says what to set."""


@dataclass(frozen=True)
class Endpoint:
    name: str
    host: str
    port: int


@dataclass(frozen=True)
class WorkerConfig:
    environment: dict[str, str]
    endpoints: tuple[Endpoint, ...]
    hostname: str
    log_port: int
    concurrency: int
    queues: str


def worker_hostname() -> str:
    """[core] hostname_callable: the name task instances record and the API server fetches the
    worker's logs from. A container's own name means nothing to the control host, so the env
    file's NEWS_WORKER_HOSTNAME wins."""
    return os.environ.get(HOSTNAME_VARIABLE) or socket.getfqdn()


def read_env_file(path: Path) -> dict[str, str]:
    """The file in docker compose's env-file syntax (KEY=VALUE, # comments, optional quotes)."""
    if not path.is_file():
        raise WorkerEnvError(f"env file {path} does not exist (template: deploy/worker.env.example)")
    values = dotenv_values(path, interpolate=False)
    return {key: value for key, value in values.items() if value is not None}


def _port(settings: Mapping[str, str], name: str) -> int:
    text = settings[name]
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise WorkerEnvError(f"{name}={text!r} is not a port number")
    return int(text)


def _postgres_url(scheme: str, user: str, password: str, host: str, port: int, database: str) -> str:
    return f"{scheme}://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/{quote(database, safe='')}"


def build_config(file_values: Mapping[str, str], inherited: Mapping[str, str],
                 project_root: Path = PROJECT_ROOT) -> WorkerConfig:
    """The worker's whole environment from the env file's values."""
    missing = [name for name in REQUIRED if not file_values.get(name, "").strip()]
    if missing:
        raise WorkerEnvError(f"the env file does not set {', '.join(missing)} (see deploy/worker.env.example)")
    clashing = [name for name in DERIVED if name in file_values]
    if clashing:
        raise WorkerEnvError(f"the env file sets {', '.join(clashing)}, which the worker derives from the "
                             f"addresses and secrets (NEWS_DB_HOST, REDIS_PASSWORD...): remove them")
    # An empty line in the template means "not set": the default applies, or the check above fails.
    settings = {**DEFAULTS, **{k: v.strip() for k, v in file_values.items() if v.strip()}}
    api_url = settings["NEWS_API_URL"].rstrip("/")
    api = urlsplit(api_url)
    if api.scheme not in ("http", "https") or not api.hostname:
        raise WorkerEnvError(f"NEWS_API_URL={settings['NEWS_API_URL']!r} is not an http(s) URL of the API server")
    db = Endpoint("Airflow database (NEWS_DB_HOST:NEWS_DB_PORT)", settings["NEWS_DB_HOST"],
                  _port(settings, "NEWS_DB_PORT"))
    redis = Endpoint("Redis (NEWS_REDIS_HOST:NEWS_REDIS_PORT)", settings["NEWS_REDIS_HOST"],
                     _port(settings, "NEWS_REDIS_PORT"))
    warehouse = Endpoint("warehouse (NEWS_WAREHOUSE_HOST:NEWS_WAREHOUSE_PORT)", settings["NEWS_WAREHOUSE_HOST"],
                         _port(settings, "NEWS_WAREHOUSE_PORT"))
    api_endpoint = Endpoint("API server (NEWS_API_URL)", api.hostname,
                            api.port or (443 if api.scheme == "https" else 80))
    endpoints = [db, redis, warehouse, api_endpoint]
    if settings["ARCHIVE_ROOT"].startswith("s3://") and settings.get("AWS_ENDPOINT_URL"):
        archive = urlsplit(settings["AWS_ENDPOINT_URL"])
        if archive.hostname:
            endpoints.append(Endpoint("archive store (AWS_ENDPOINT_URL)", archive.hostname,
                                      archive.port or (443 if archive.scheme == "https" else 80)))
    log_port = _port(settings, "NEWS_WORKER_LOG_PORT")
    concurrency = settings["AIRFLOW_WORKER_CONCURRENCY"]
    if not concurrency.isdigit() or int(concurrency) < 1:
        raise WorkerEnvError(f"AIRFLOW_WORKER_CONCURRENCY={concurrency!r} is not a positive number")
    if not settings.get(HOSTNAME_VARIABLE) and Path("/.dockerenv").exists():
        raise WorkerEnvError(f"in a container {HOSTNAME_VARIABLE} must name this host as the API server reaches it "
                             f"(the container's own name {socket.getfqdn()!r} means nothing there)")
    hostname = settings.get(HOSTNAME_VARIABLE) or socket.getfqdn()
    db_user, db_password = settings["AIRFLOW_DB_USER"], settings["AIRFLOW_DB_PASSWORD"]
    db_name = settings["AIRFLOW_DB_NAME"]
    redis_password = quote(settings["REDIS_PASSWORD"], safe="")
    airflow_db = _postgres_url("postgresql+psycopg2", db_user, db_password, db.host, db.port, db_name)
    environment = {
        **{name: inherited[name] for name in INHERITED if name in inherited},
        "AIRFLOW_HOME": str(project_root / ".data" / "worker"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(project_root / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        **settings,
        "PYTHONPATH": str(project_root),
        HOSTNAME_VARIABLE: hostname,
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "ops.worker_host.worker_hostname",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": airflow_db,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + _postgres_url("postgresql", db_user, db_password, db.host,
                                                                 db.port, db_name),
        "AIRFLOW__CELERY__BROKER_URL": f"redis://:{redis_password}@{redis.host}:{redis.port}/0",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url}/execution/",
        "AIRFLOW_CONN_NEWS_WAREHOUSE": _postgres_url("postgresql", settings["NEWS_WAREHOUSE_USER"],
                                                     settings["NEWS_WAREHOUSE_PASSWORD"], warehouse.host,
                                                     warehouse.port, settings["NEWS_WAREHOUSE_DB"]),
        "AIRFLOW__CORE__FERNET_KEY": settings["AIRFLOW_FERNET_KEY"],
        "AIRFLOW__API_AUTH__JWT_SECRET": settings["AIRFLOW_JWT_SECRET"],
        "AIRFLOW__API__SECRET_KEY": settings["AIRFLOW_API_SECRET_KEY"],
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(log_port),
    }
    environment.setdefault("AIRFLOW__API__BASE_URL", api_url)
    return WorkerConfig(environment=environment, endpoints=tuple(endpoints), hostname=hostname,
                        log_port=log_port, concurrency=int(concurrency), queues=settings["NEWS_WORKER_QUEUES"])


def unreachable(endpoints: tuple[Endpoint, ...], timeout: float = 5.0) -> list[str]:
    """The endpoints that refuse or time out a TCP connection, each with the reason."""
    problems = []
    for endpoint in endpoints:
        try:
            with socket.create_connection((endpoint.host, endpoint.port), timeout=timeout):
                pass
        except OSError as exc:
            problems.append(f"{endpoint.name} at {endpoint.host}:{endpoint.port}: {exc}")
    return problems


def refused_credentials(config: WorkerConfig, timeout: int = 5) -> list[str]:
    """Logins the Airflow database, the warehouse or Redis refuse: a mistyped password would
    otherwise surface only as failing tasks (the result backend, the load) or a worker that
    retries its broker connection forever."""
    env = config.environment
    secrets = [env[name] for name in ("AIRFLOW_DB_PASSWORD", "NEWS_WAREHOUSE_PASSWORD", "REDIS_PASSWORD")]
    problems = []
    databases = (("Airflow database login (AIRFLOW_DB_USER, AIRFLOW_DB_PASSWORD, AIRFLOW_DB_NAME)",
                  env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].replace("postgresql+psycopg2://", "postgresql://", 1)),
                 ("warehouse login (NEWS_WAREHOUSE_USER, NEWS_WAREHOUSE_PASSWORD, NEWS_WAREHOUSE_DB)",
                  env["AIRFLOW_CONN_NEWS_WAREHOUSE"]))
    for name, url in databases:
        try:
            psycopg2.connect(url, connect_timeout=timeout).close()
        except psycopg2.Error as exc:
            problems.append(f"{name}: {_without(str(exc).strip().splitlines()[0], secrets)}")
    try:
        client = redis.Redis.from_url(env["AIRFLOW__CELERY__BROKER_URL"], socket_connect_timeout=timeout,
                                      socket_timeout=timeout)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        problems.append(f"Redis login (REDIS_PASSWORD): {_without(str(exc), secrets)}")
    return problems


def _without(message: str, secrets: list[str]) -> str:
    for secret in secrets:
        message = message.replace(secret, "***")
    return message


def log_port_taken(port: int) -> bool:
    """Airflow's log server binds every interface; a port in use would kill it after the worker started."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return True
    return False


def worker_command(config: WorkerConfig) -> list[str]:
    return [sys.executable, "-m", "airflow", "celery", "worker", "--concurrency", str(config.concurrency),
            "--queues", config.queues, "--celery-hostname", f"news@{config.hostname}"]


def describe(config: WorkerConfig) -> str:
    shown = {key: ("***" if any(marker in key for marker in SECRET_MARKERS) else value)
             for key, value in sorted(config.environment.items()) if key not in INHERITED}
    for key in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__RESULT_BACKEND",
                "AIRFLOW__CELERY__BROKER_URL", "AIRFLOW_CONN_NEWS_WAREHOUSE"):
        scheme, rest = config.environment[key].split("://", 1)
        shown[key] = f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return "\n".join(f"{key}={value}" for key, value in shown.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--env-file", type=Path, required=True,
                        help="the worker host's settings (deploy/worker.env.example)")
    parser.add_argument("--check", action="store_true",
                        help="check the file and the addresses, print the settings, start nothing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[worker-host] %(levelname)s: %(message)s")
    try:
        config = build_config(read_env_file(args.env_file), os.environ)
    except WorkerEnvError as exc:
        log.error("%s", exc)
        return 2
    # Logins are tried only where every address answers: one cause, one message.
    problems = unreachable(config.endpoints) or refused_credentials(config)
    if log_port_taken(config.log_port):
        problems.append(f"log server port NEWS_WORKER_LOG_PORT={config.log_port} is taken on this host")
    if args.check:
        print(describe(config))
    if problems:
        for problem in problems:
            log.error("cannot use %s", problem)
        return 1
    if args.check:
        log.info("all addresses answer; the worker would start as %s", " ".join(worker_command(config)[1:]))
        return 0
    Path(config.environment["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    log.info("worker %s: Airflow database %s, Redis %s, API %s, warehouse %s, log server port %d, concurrency %d",
             config.hostname, *(f"{e.host}:{e.port}" for e in config.endpoints[:2]),
             config.environment["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"],
             f"{config.endpoints[2].host}:{config.endpoints[2].port}", config.log_port, config.concurrency)
    command = worker_command(config)
    os.execve(command[0], command, config.environment)


if __name__ == "__main__":
    sys.exit(main())
