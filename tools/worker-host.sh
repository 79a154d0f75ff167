#!/usr/bin/env bash
# A worker host of the many-machine deployment, from one env file (template: deploy/worker.env.example):
#
#   tools/worker-host.sh --env-file worker.env            # runs `airflow celery worker` here (a checkout with .venv, make venv)
#   tools/worker-host.sh --env-file worker.env --docker   # the same worker in the project's image (deploy/worker-host.compose.yaml)
#   tools/worker-host.sh --env-file worker.env --check    # checks the file and every address, starts nothing
#                                                         # (with --docker too: from inside the image)
#
# The worker's environment is the env file's, never the shell's (ops/worker_host.py).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

env_file="" docker=0 args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) env_file=${2:?--env-file needs a file}; args+=("$1" "$2"); shift 2 ;;
    --docker) docker=1; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
[ -n "$env_file" ] || { echo "usage: tools/worker-host.sh --env-file FILE [--docker | --check]" >&2; exit 2; }
[ -f "$env_file" ] || { echo "[worker-host] error: env file $env_file does not exist (template: deploy/worker.env.example)" >&2; exit 2; }

if [ "$docker" = 1 ]; then
  NEWS_WORKER_ENV_FILE=$(cd "$(dirname "$env_file")" && pwd)/$(basename "$env_file")
  export NEWS_WORKER_ENV_FILE
  compose=(docker compose --env-file "$env_file" -f "$ROOT/deploy/worker-host.compose.yaml")
  # --check in the image: the same checks from inside the container, then it is removed.
  case " ${args[*]} " in *" --check "*) exec "${compose[@]}" run --rm airflow-worker --check ;; esac
  exec "${compose[@]}" up -d
fi

python="$ROOT/.venv/bin/python"
[ -x "$python" ] || python=$(command -v python3) || { echo "[worker-host] error: no Python; run make venv" >&2; exit 1; }

PYTHONPATH="$ROOT" exec "$python" -m ops.worker_host "${args[@]}"
