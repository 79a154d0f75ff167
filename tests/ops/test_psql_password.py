"""`make psql` keeps the warehouse password out of the process list (issue 12, item 14): while
its psql runs against the real local PostgreSQL, no process's arguments carry the password."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path

from psycopg2.extensions import parse_dsn

from common.warehouse import warehouse_dsn
from tests.fixtures import PROJECT_ROOT


def _command_lines() -> list[str]:
    lines = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                lines.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:
                continue  # ended meanwhile
    return lines


def test_make_psql_passes_the_password_outside_the_process_arguments() -> None:
    dsn = warehouse_dsn()
    password = parse_dsn(dsn).get("password")
    assert password, "the local warehouse is expected to have a password"
    token = f"psql_probe_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "SQL": f"select pg_sleep(4) as {token}"}
    make = subprocess.Popen(["make", "-s", "psql"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    seen_psql = False
    leaked = []
    deadline = time.monotonic() + 60
    while make.poll() is None and time.monotonic() < deadline:
        for line in _command_lines():
            if token in line and line.split()[0].endswith("psql"):
                seen_psql = True
            if password in line:
                leaked.append(line.replace(password, "<password>"))
        time.sleep(0.05)
    output = make.communicate(timeout=30)[0]
    assert make.returncode == 0, output
    assert token in output  # psql connected and ran the statement
    assert seen_psql, "psql was never seen running"
    assert leaked == []
