"""Retention of what Airflow and the stack write: task logs, Airflow's metadata, component logs.

news_maintenance runs these after the archive retention. Each setting is a DAG param, else an
environment variable, else the default:

- task log files under Airflow's ``[logging] base_log_folder``: NEWS_TASK_LOG_RETENTION_DAYS, 30 days;
- Airflow metadata rows (``airflow db clean``: runs, task instances, XCom, audit log, jobs...):
  NEWS_AIRFLOW_DB_RETENTION_DAYS, 90 days;
- rotated component logs (``.data/stack/logs/*.log.N``): NEWS_COMPONENT_LOG_KEEP, 5 per component,
  and NEWS_COMPONENT_LOG_RETENTION_DAYS, 30 days.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common.log_files import Removed, prune_older_than, prune_rotated

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TASK_LOG_DAYS_ENV = "NEWS_TASK_LOG_RETENTION_DAYS"
DEFAULT_TASK_LOG_DAYS = 30
AIRFLOW_DB_DAYS_ENV = "NEWS_AIRFLOW_DB_RETENTION_DAYS"
# A quarter of run history stays in the UI: enough to compare with last month's runs.
DEFAULT_AIRFLOW_DB_DAYS = 90
COMPONENT_LOG_KEEP_ENV = "NEWS_COMPONENT_LOG_KEEP"
DEFAULT_COMPONENT_LOG_KEEP = 5
COMPONENT_LOG_DAYS_ENV = "NEWS_COMPONENT_LOG_RETENTION_DAYS"
DEFAULT_COMPONENT_LOG_DAYS = 30
# `airflow db clean` on a large history: batches keep each transaction short.
DB_CLEAN_BATCH_SIZE = 10_000
DB_CLEAN_TIMEOUT_SECONDS = 50 * 60

_CHECKING = re.compile(r"^Checking table (?P<table>\S+)")
_FOUND = re.compile(r"^Found (?P<rows>\d+) rows meeting deletion criteria")


def setting(value: int | str | None, env: str, default: int, minimum: int = 1) -> int:
    """A param if given, else the environment variable, else the default; refused below ``minimum``."""
    raw = value if value not in (None, "") else os.environ.get(env) or default
    try:
        number = int(raw)
    except ValueError:
        raise ValueError(f"{env} must be a whole number, got {raw!r}") from None
    if number < minimum:
        raise ValueError(f"{env} must be at least {minimum}, got {number}")
    return number


def task_log_folder() -> Path:
    """Airflow's ``[logging] base_log_folder``, where every task attempt's log file is."""
    from airflow.configuration import conf

    return Path(conf.get("logging", "base_log_folder")).expanduser()


def component_log_folder() -> Path:
    """Where tools/stack.sh writes the components' logs (NEWS_STACK_DIR, as the stack reads it)."""
    return Path(os.environ.get("NEWS_STACK_DIR") or PROJECT_ROOT / ".data" / "stack") / "logs"


def prune_task_logs(days: int, folder: Path | None = None, *, now: datetime | None = None) -> Removed:
    folder = folder or task_log_folder()
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    if not folder.is_dir():
        log.warning("task logs: no folder %s (nothing to prune; is [logging] base_log_folder right?)", folder)
        return Removed()
    removed = prune_older_than(folder, cutoff)
    log.info("task logs under %s older than %d days (before %s): removed %s",
             folder, days, cutoff.isoformat(timespec="seconds"), removed.describe())
    return removed


def prune_component_logs(keep: int, days: int, folder: Path | None = None, *,
                         now: datetime | None = None) -> Removed:
    folder = folder or component_log_folder()
    if not folder.is_dir():
        # docker-compose or another deployment: its components log elsewhere.
        log.info("component logs: no folder %s (no local stack here): nothing to prune", folder)
        return Removed()
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    removed = prune_rotated(folder, keep, older_than=cutoff)
    log.info("rotated component logs in %s (keeping %d each, none older than %d days): removed %s",
             folder, keep, days, removed.describe())
    return removed


@dataclass(frozen=True)
class DbCleanResult:
    cutoff: datetime
    rows_by_table: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.rows_by_table.values())


def clean_airflow_db(days: int, *, now: datetime | None = None, timeout: float = DB_CLEAN_TIMEOUT_SECONDS,
                     env: dict[str, str] | None = None) -> DbCleanResult:
    """``airflow db clean`` in a child process: rows older than ``days`` leave the metadata database.

    A child process because it is Airflow's own supported command (its Python function is not a
    public API), with its own database session, killable at the timeout. Airflow keeps the latest
    scheduled run of each DAG whatever its age. No archive tables are kept (``--skip-archive``):
    they would grow as the originals did.
    """
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    command = [sys.executable, "-m", "airflow", "db", "clean",
               "--clean-before-timestamp", cutoff.isoformat(), "--batch-size", str(DB_CLEAN_BATCH_SIZE),
               "--skip-archive", "--error-on-cleanup-failure", "--yes"]
    log.info("airflow db clean: rows before %s (%d days)", cutoff.isoformat(timespec="seconds"), days)
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          env=env if env is not None else dict(os.environ), check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
        raise RuntimeError(f"airflow db clean exited {done.returncode}:\n{tail}")
    rows = parse_db_clean_output(done.stdout)
    if not rows:
        # Its output changed, or it checked nothing: say so rather than report "0 rows".
        raise RuntimeError("airflow db clean succeeded but reported no table it checked; output:\n"
                           + done.stdout[-2000:])
    result = DbCleanResult(cutoff, rows)
    log.info("airflow db clean: removed %d row(s) older than %d days: %s", result.rows, days,
             ", ".join(f"{table} {count}" for table, count in rows.items() if count) or "nothing to remove")
    return result


def parse_db_clean_output(output: str) -> dict[str, int]:
    """Rows removed per table, from ``airflow db clean``'s "Checking table X" / "Found N rows" lines."""
    rows: dict[str, int] = {}
    table = None
    for line in output.splitlines():
        line = line.strip()
        if checking := _CHECKING.match(line):
            table = checking["table"]
        elif (found := _FOUND.match(line)) and table is not None:
            rows[table] = int(found["rows"])
            table = None
    return rows
