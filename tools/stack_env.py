"""The settings a running stack was started with, so `make up` can tell when they changed.

Airflow's components read the environment once, when they start: `REPLAY_WARC=… make up` on a
stack started without it would otherwise run live crawls while the user meant a replay.

    python tools/stack_env.py record FILE   # at start: the relevant variables, secrets hashed
    python tools/stack_env.py compare FILE  # exit 1 and say what differs from FILE

Relevant: REPLAY_WARC, ARCHIVE_ROOT, AIRFLOW_HOME and every NEWS_*, AIRFLOW__*, AIRFLOW_CONN_* and
AWS_* variable (except the stack tool's own knobs). Values whose name suggests a secret are
stored and compared as SHA-256 digests only, and never printed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

RELEVANT = re.compile(r"^(NEWS_|AIRFLOW__|AIRFLOW_CONN_|AWS_)"
                      r"|^(REPLAY_WARC|REPLAY_INDEX_DIR|ARCHIVE_ROOT|AIRFLOW_HOME)$")
# The stack tool's own knobs (how long to wait, whether to restart): not the stack's settings.
IGNORED = {"NEWS_STACK_ID", "NEWS_STACK_RESTART", "NEWS_STACK_WAIT", "NEWS_STACK_STOP_WAIT"}
SECRET = re.compile(r"PASSWORD|SECRET|TOKEN|KEY|CONN|DSN|CREDENTIAL", re.IGNORECASE)


def snapshot(environ: dict[str, str]) -> dict[str, str]:
    """Name -> value (or ``sha256:<digest>`` for secrets) of the relevant variables."""
    taken = {}
    for name, value in environ.items():
        if RELEVANT.search(name) and name not in IGNORED:
            taken[name] = _digest(value) if SECRET.search(name) else value
    return dict(sorted(taken.items()))


def differences(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """One line per variable that differs, secrets without their values."""
    lines = []
    for name in sorted(set(recorded) | set(current)):
        before, now = recorded.get(name), current.get(name)
        if before == now:
            continue
        if SECRET.search(name):
            lines.append(f"  {name}: changed")
        else:
            lines.append(f"  {name}: running stack {_show(before)}, now {_show(now)}")
    return lines


def _digest(value: str) -> str:
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def _show(value: str | None) -> str:
    return "unset" if value is None else repr(value)


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("record", "compare"):
        print("usage: tools/stack_env.py record|compare FILE", file=sys.stderr)
        return 2
    path = Path(argv[2])
    current = snapshot(dict(os.environ))
    if argv[1] == "record":
        old_umask = os.umask(0o077)
        try:
            path.write_text(json.dumps(current, indent=1) + "\n", encoding="utf-8")
        finally:
            os.umask(old_umask)
        return 0
    if not path.exists():
        print("  (the running stack's settings were not recorded: it was started by an older make up)")
        return 1
    lines = differences(json.loads(path.read_text(encoding="utf-8")), current)
    if lines:
        print("\n".join(lines))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
