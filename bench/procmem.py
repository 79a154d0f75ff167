"""Peak resident memory of every process in a process tree, read from /proc while it runs.

Why /proc and VmHWM: each process's own high-water mark of resident memory is exact (the kernel
keeps it), so polling only has to see a process once before it ends; polling RSS alone would
miss the peaks between polls. Processes are named by role (crawl, extraction worker, ...) from
their command line and their parent, because pool workers are forks with their parent's name.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
# Often enough to see every pool worker (they live for hundreds of pages), rarely enough that
# the sampler's own CPU does not show in the figures on a 2-core machine.
POLL_SECONDS = 0.25


@dataclass
class ProcessPeak:
    pid: int
    role: str
    peak_kb: int = 0


@dataclass
class TreeMemory:
    """Peaks seen so far, per process."""

    peaks: dict[int, ProcessPeak] = field(default_factory=dict)

    def by_role(self) -> dict[str, dict[str, float | int]]:
        """{role: {"peak_mb": largest process of that role, "processes": how many were seen}}."""
        roles: dict[str, dict[str, float | int]] = {}
        for peak in self.peaks.values():
            entry = roles.setdefault(peak.role, {"peak_mb": 0.0, "processes": 0})
            entry["peak_mb"] = max(float(entry["peak_mb"]), round(peak.peak_kb / 1024, 1))
            entry["processes"] = int(entry["processes"]) + 1
        return dict(sorted(roles.items()))


def _read(path: Path) -> str | None:
    try:
        return path.read_text(errors="replace")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None  # the process ended between listing and reading


def children(pid: int) -> list[int]:
    """Direct children of every thread of the process."""
    found: list[int] = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except (FileNotFoundError, ProcessLookupError):
        return found
    for task in tasks:
        text = _read(task / "children")
        if text:
            found.extend(int(c) for c in text.split())
    return found


def high_water_kb(pid: int) -> int | None:
    """VmHWM: the process's peak resident set so far, in kB."""
    text = _read(PROC / str(pid) / "status")
    if text is None:
        return None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def command_line(pid: int) -> str:
    return (_read(PROC / str(pid) / "cmdline") or "").replace("\0", " ").strip()


def role_of(cmdline: str, parent_role: str | None) -> str:
    """What a process is in the pipeline, from its command line and its parent's role."""
    if parent_role in ("extraction: forkserver", "extraction: worker"):
        return "extraction: worker"
    if "scrapy crawl" in cmdline:
        return "crawl: scrapy child"
    if "resource_tracker" in cmdline:
        return "extraction: resource tracker"
    if "forkserver" in cmdline:
        return "extraction: forkserver"
    if "run_dag.py" in cmdline:
        return "airflow: dag.test (tasks run here)"
    if "bench.stages" in cmdline:
        stage = cmdline.split("bench.stages", 1)[1].split()[0] if cmdline.split("bench.stages", 1)[1].split() else "?"
        return f"driver: {stage}"
    if parent_role and parent_role.startswith("airflow"):
        return "airflow: child"
    return f"other: {cmdline.split(' ')[0].rsplit('/', 1)[-1][:40] or '?'}"


class TreeSampler:
    """Polls the tree under ``root_pid`` in a thread until stopped."""

    def __init__(self, root_pid: int, poll_seconds: float = POLL_SECONDS) -> None:
        self.root_pid = root_pid
        self.poll_seconds = poll_seconds
        self.memory = TreeMemory()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bench-memory", daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.poll_seconds)

    def sample(self) -> None:
        stack: list[tuple[int, str | None]] = [(self.root_pid, None)]
        while stack:
            pid, parent_role = stack.pop()
            peak = self.memory.peaks.get(pid)
            if peak is None:
                cmdline = command_line(pid)
                if not cmdline:
                    continue
                peak = self.memory.peaks[pid] = ProcessPeak(pid, role_of(cmdline, parent_role))
            hwm = high_water_kb(pid)
            if hwm is not None:
                peak.peak_kb = max(peak.peak_kb, hwm)
            stack.extend((child, peak.role) for child in children(pid))
