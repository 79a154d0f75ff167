"""Helpers for the operations tests: free ports, a stack started with make up.

Every stack lives under the test's tmp folder (its own AIRFLOW_HOME, NEWS_STACK_DIR, ports and
metadata database), so tests never touch a stack a developer is running.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from tests.conftest import DEMO_ARCHIVE, PROJECT_ROOT

DEMO_SOURCES = PROJECT_ROOT / "demo" / "sources"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_pair() -> int:
    """A port whose successor is free too (the worker and triggerer log servers)."""
    for _ in range(50):
        port = free_port()
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two consecutive free ports on 127.0.0.1")


def sqlalchemy_url(dsn: str) -> str:
    return "postgresql+psycopg2://" + dsn.split("://", 1)[1]


def marked_processes(state_dir: Path) -> list[int]:
    """Processes carrying the stack's marker (tools/stack.sh exports NEWS_STACK_ID)."""
    marker = f"NEWS_STACK_ID={state_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if marker in environ:
            found.append(int(entry.name))
    return found


class Stack:
    """`make up` / `make down` with every knob pointed at tmp_path."""

    def __init__(self, root: Path, warehouse_dsn: str, airflow_db: str, extra_env: dict[str, str] | None = None) -> None:
        self.root = root
        self.state_dir = root / "stack"
        self.port = free_port()
        self.log_port = free_port_pair()
        self.archive = root / "archive"
        self.env = {
            **os.environ,
            "AIRFLOW_HOME": str(root / "airflow-home"),
            "NEWS_STACK_DIR": str(self.state_dir),
            "NEWS_AIRFLOW_PORT": str(self.port),
            "NEWS_AIRFLOW_LOG_PORT": str(self.log_port),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqlalchemy_url(airflow_db),
            "NEWS_WAREHOUSE_DSN": warehouse_dsn,
            "ARCHIVE_ROOT": str(self.archive),
            "REPLAY_WARC": str(DEMO_ARCHIVE),
            "NEWS_SOURCES_EXTRA_DIRS": str(DEMO_SOURCES),
            "NEWS_CRAWL_LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        self.env.pop("AIRFLOW_CONN_NEWS_WAREHOUSE", None)

    def make(self, target: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["make", "--no-print-directory", target], cwd=PROJECT_ROOT, env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def stack_sh(self, command: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """tools/stack.sh alone, in the project's environment (no migrations, unlike make up)."""
        return subprocess.run(["bash", "-c", f"set -a; . tools/env.sh; set +a; tools/stack.sh {command}"],
                              cwd=PROJECT_ROOT, env=self.env, capture_output=True, text=True, timeout=timeout)

    def airflow(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        env = {**self.env, "PATH": f"{PROJECT_ROOT / '.venv' / 'bin'}:{self.env['PATH']}"}
        return subprocess.run(["airflow", *args], cwd=self.root, env=env, capture_output=True, text=True,
                              timeout=timeout)

    def logs_tail(self, lines: int = 40) -> str:
        out = []
        for log in sorted((self.state_dir / "logs").glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {log.name} ---\n" + "\n".join(text))
        return "\n".join(out)

    def task_log(self, dag_id: str, task_id: str) -> str:
        home = Path(self.env["AIRFLOW_HOME"]) / "logs" / f"dag_id={dag_id}"
        return "\n".join(p.read_text(errors="replace") for p in sorted(home.glob(f"*/task_id={task_id}/*.log")))

    def task_errors(self) -> str:
        """The exception line of every failed task attempt, for assertion messages."""
        logs = Path(self.env["AIRFLOW_HOME"]) / "logs"
        lines = []
        for log in sorted(logs.glob("dag_id=*/run_id=*/task_id=*/*.log")):
            for line in log.read_text(errors="replace").splitlines():
                if '"exc_value"' in line or "Task failed with exception" in line:
                    marker = line.find("exc_value")
                    lines.append(f"{log.parent.parent.name}/{log.parent.name}: {line[marker:marker + 300]}")
        return "\n".join(lines)


def worker_hostname() -> str:
    """[core] hostname_callable for the Celery test: each worker names itself (NEWS_WORKER_NAME),
    so task instances show which of two workers on one machine ran them."""
    return os.environ.get("NEWS_WORKER_NAME") or socket.getfqdn()
