#!/usr/bin/env bash
# Create .venv and install the locked packages (requirements-dev.lock: runtime, tests, code checks)
# and the project itself. Safe to repeat: does nothing when the lock has not changed since the last install.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
STAMP="$VENV/.installed-lock"
UV_VERSION=0.13.9

python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then python=$candidate; break; fi
  done
fi
[ -n "$python" ] || { echo "[setup] error: Python 3.11+ not found. Install it: sudo apt-get install python3 python3-venv" >&2; exit 1; }
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "[setup] error: $python is older than 3.11; set PYTHON=/path/to/python3.11" >&2; exit 1; }

if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating virtualenv .venv with $python" >&2
  "$python" -m venv "$VENV" || { echo "[setup] error: venv failed. On Debian/Ubuntu: sudo apt-get install python3-venv" >&2; exit 1; }
fi
if cmp -s "$ROOT/requirements-dev.lock" "$STAMP" 2>/dev/null; then exit 0; fi
echo "[setup] installing locked packages into .venv (first time: a minute or two)" >&2
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
"$VENV/bin/uv" pip sync -q -p "$VENV/bin/python" "$ROOT/requirements-dev.lock"
"$VENV/bin/uv" pip install -q -p "$VENV/bin/python" --no-deps -e "$ROOT"
cp "$ROOT/requirements-dev.lock" "$STAMP"
