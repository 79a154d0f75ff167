"""Component logs rotate at `make up` instead of being overwritten (tools/stack.sh rotate-logs, the
step `up` runs before starting the components), and the retention of task and component logs on
real files with old modification times."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from dags.tasks.log_retention import prune_component_logs, prune_task_logs
from tests.fixtures import PROJECT_ROOT

DAY = 24 * 3600


def age(path: Path, days: float) -> None:
    moment = time.time() - days * DAY
    os.utime(path, (moment, moment))


def rotate_logs(state: Path, keep: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWS_STACK_DIR": str(state),
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    if keep is not None:
        env["NEWS_COMPONENT_LOG_KEEP"] = str(keep)
    return subprocess.run([str(PROJECT_ROOT / "tools" / "stack.sh"), "rotate-logs"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_each_start_keeps_the_previous_logs_of_stopped_components(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "scheduler.log").write_text("crash: the scheduler's last words\n")
    (logs / "api-server.log").write_text("")  # empty: nothing of a previous run to keep

    first = rotate_logs(tmp_path)
    assert first.returncode == 0, first.stderr
    assert (logs / "scheduler.log.1").read_text() == "crash: the scheduler's last words\n"
    assert not (logs / "scheduler.log").exists()
    assert (logs / "api-server.log").exists() and not (logs / "api-server.log.1").exists()

    for start in range(2, 5):  # three more starts, each after a run that logged something
        (logs / "scheduler.log").write_text(f"run {start}\n")
        assert rotate_logs(tmp_path, keep=3).returncode == 0
    kept = sorted(p.name for p in logs.glob("scheduler.log*"))
    assert kept == ["scheduler.log.1", "scheduler.log.2", "scheduler.log.3"]
    assert [(logs / name).read_text() for name in kept] == ["run 4\n", "run 3\n", "run 2\n"]


def test_a_running_component_log_is_not_rotated(tmp_path: Path) -> None:
    logs, pids = tmp_path / "logs", tmp_path / "pids"
    logs.mkdir()
    pids.mkdir()
    (logs / "triggerer.log").write_text("still being written\n")
    (logs / "scheduler.log").write_text("stopped\n")
    (pids / "triggerer.pid").write_text(f"{os.getpid()}\n")  # a live process: "running"
    assert rotate_logs(tmp_path).returncode == 0
    assert (logs / "triggerer.log").read_text() == "still being written\n"
    assert not (logs / "triggerer.log.1").exists()
    assert (logs / "scheduler.log.1").exists()


def test_keep_zero_overwrites_as_before_and_a_mistyped_keep_fails(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "scheduler.log").write_text("x\n")
    (logs / "scheduler.log.1").write_text("older\n")
    assert rotate_logs(tmp_path, keep=0).returncode == 0
    assert list(logs.iterdir()) == []
    (logs / "scheduler.log").write_text("x\n")
    env = {**os.environ, "NEWS_STACK_DIR": str(tmp_path), "NEWS_COMPONENT_LOG_KEEP": "five",
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    bad = subprocess.run([str(PROJECT_ROOT / "tools" / "stack.sh"), "rotate-logs"], env=env,
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode != 0 and "--keep" in bad.stderr
    assert (logs / "scheduler.log").exists()


def test_task_logs_older_than_the_retention_go_and_their_empty_folders_with_them(tmp_path: Path) -> None:
    base = tmp_path / "task-logs"
    old_run = base / "dag_id=news_daily" / "run_id=scheduled__2026-10-01" / "task_id=aljazeera.crawl"
    new_run = base / "dag_id=news_daily" / "run_id=scheduled__2026-12-03" / "task_id=aljazeera.crawl"
    for folder in (old_run, new_run):
        folder.mkdir(parents=True)
    (old_run / "attempt=1.log").write_text("a" * 1000)
    (old_run / "attempt=2.log").write_text("b" * 500)
    (new_run / "attempt=1.log").write_text("c" * 10)
    outside = tmp_path / "elsewhere.log"
    outside.write_text("not under the log folder")
    (base / "link.log").symlink_to(outside)
    for path in (*old_run.iterdir(), outside):
        age(path, 40)
    os.utime(base / "link.log", (time.time() - 40 * DAY,) * 2, follow_symlinks=False)

    removed = prune_task_logs(30, base)

    assert (removed.files, removed.bytes) == (2, 1500)
    assert removed.folders == 2  # task_id=…, then run_id=… of the old run
    assert not old_run.parent.exists()
    assert (new_run / "attempt=1.log").exists()
    assert outside.exists() and (base / "link.log").is_symlink()


def test_a_missing_task_log_folder_is_reported_not_an_error(tmp_path: Path) -> None:
    assert prune_task_logs(30, tmp_path / "absent").files == 0


def test_rotated_component_logs_past_the_count_or_the_age_are_pruned_and_live_logs_never(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "scheduler.log").write_text("live")
    age(logs / "scheduler.log", 100)  # a quiet component's live log: still never touched
    for number in range(1, 8):
        (logs / f"scheduler.log.{number}").write_text("x" * number)
    (logs / "triggerer.log.1").write_text("y" * 100)
    age(logs / "triggerer.log.1", 45)
    (logs / "notes.txt").write_text("not a log")

    removed = prune_component_logs(5, 30, logs, now=datetime.now(UTC))

    assert (removed.files, removed.bytes) == (3, 6 + 7 + 100)
    assert sorted(p.name for p in logs.iterdir()) == [
        "notes.txt", "scheduler.log", *(f"scheduler.log.{n}" for n in range(1, 6))]
