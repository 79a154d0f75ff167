"""Ports (issue 13, point 6): a checkout remembers the ports its .data/ was created with, refuses a
different PostgreSQL port instead of reaching another checkout's cluster, and `make help` shows
the real ports. Runs the project's own tools/pg.sh in a scratch copy of the tools, so the
checkout's own .data/ is never touched."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures import PROJECT_ROOT
from tests.fixtures.ops_stack import free_port


@pytest.fixture()
def checkout(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "checkout"
    root.mkdir()
    shutil.copytree(PROJECT_ROOT / "tools", root / "tools")
    shutil.copytree(PROJECT_ROOT / "sql", root / "sql")  # pg.sh runs sql/superuser/ on set-up
    shutil.copy(PROJECT_ROOT / "Makefile", root / "Makefile")
    try:
        yield root
    finally:
        subprocess.run(["tools/pg.sh", "clean"], cwd=root, capture_output=True, timeout=120)


def run(root: Path, *command: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NEWS_") and k != "MAKEFLAGS"}
    environ.update({k: v for k, v in env.items() if v is not None})
    return subprocess.run(list(command), cwd=root, env=environ, capture_output=True, text=True, timeout=300)


def test_the_ports_a_checkout_was_created_with_are_remembered(checkout: Path) -> None:
    first = free_port()
    created = run(checkout, "tools/pg.sh", "up", NEWS_PG_PORT=str(first))
    assert created.returncode == 0, created.stderr
    assert f"NEWS_PG_PORT={first}" in (checkout / ".data" / "ports.env").read_text()

    # A shell without NEWS_PG_PORT reaches this checkout's cluster, not the default port.
    again = run(checkout, "tools/pg.sh", "up")
    assert again.returncode == 0, again.stderr
    assert f"127.0.0.1:{first}/news" in (checkout / ".data" / "local-db.env").read_text()
    seen = run(checkout, "bash", "-c", "set -a; . tools/env.sh; set +a; echo $NEWS_PG_PORT")
    assert seen.stdout.strip() == str(first)
    status = run(checkout, "tools/pg.sh", "status")
    assert f"PostgreSQL running on 127.0.0.1:{first}" in status.stdout

    # Another port is refused with what to do, and the cluster keeps running on its own.
    other = free_port()
    refused = run(checkout, "tools/pg.sh", "up", NEWS_PG_PORT=str(other))
    assert refused.returncode != 0
    assert f"created on port {first}" in refused.stderr and f"NEWS_PG_PORT={other}" in refused.stderr
    assert f"127.0.0.1:{first}/news" in (checkout / ".data" / "local-db.env").read_text()

    # make help shows the ports in force: remembered, or set in the shell.
    ui = free_port()
    assert run(checkout, "tools/ports.sh", "remember", "NEWS_AIRFLOW_PORT", str(ui)).returncode == 0
    shown = run(checkout, "make", "--no-print-directory", "help")
    assert f"UI on http://localhost:{ui}" in shown.stdout, shown.stdout + shown.stderr
    assert f"PostgreSQL 127.0.0.1:{first} (NEWS_PG_PORT)" in shown.stdout
    assert "log servers 8793+1 (NEWS_AIRFLOW_LOG_PORT" in shown.stdout
    shell = run(checkout, "make", "--no-print-directory", "help", NEWS_AIRFLOW_PORT="9123")
    assert "UI on http://localhost:9123" in shell.stdout
