#!/usr/bin/env bash
# The local Airflow 3 stack on the project's DAGs: API server (UI), scheduler, DAG processor and
# triggerer, each its own process group, LocalExecutor. Run through `make up` / `make down`, which
# set up the environment (tools/env.sh) and PostgreSQL first.
#
#   tools/stack.sh up       start (safe to repeat); prints the UI address and, the first time, the login
#   tools/stack.sh down     stop every process it started (TERM to each process group, wait, KILL
#                           what is left) and check that none is left
#   tools/stack.sh status   which components run
#
# Knobs (environment): NEWS_AIRFLOW_PORT (8080), NEWS_AIRFLOW_HOST (127.0.0.1: the UI is local
# only; 0.0.0.0 to serve a network), NEWS_AIRFLOW_PARALLELISM (4 task processes at most, about
# 200 MB each), NEWS_AIRFLOW_LOG_PORT (8793; the triggerer's is the next port; used only when
# NEWS_AIRFLOW_HOST is not loopback), NEWS_STACK_DIR (.data/stack: pid files, component logs,
# the UI login, the settings it was started with), NEWS_STACK_WAIT (180 s to come up),
# NEWS_STACK_RESTART=1 (`make up RESTART=1`: restart a running stack whose settings differ),
# NEWS_COMPONENT_LOG_KEEP (5: rotated logs kept per component; each start moves
# scheduler.log to scheduler.log.1, .1 to .2 and so on, so a crashed component's log survives).
#
#   tools/stack.sh rotate-logs   rotate the logs of the components that are not running (what
#                                `up` does before starting them)
#
# Besides Airflow's four components the stack runs a pool keeper (tools/airflow_pools.py
# --watch): it creates the crawl pool of a source file added while the stack runs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${NEWS_STACK_DIR:-$ROOT/.data/stack}
PIDS="$STATE/pids"
LOGS="$STATE/logs"
PORT=${NEWS_AIRFLOW_PORT:-8080}
HOST=${NEWS_AIRFLOW_HOST:-127.0.0.1}
LOG_PORT=${NEWS_AIRFLOW_LOG_PORT:-8793}
WAIT=${NEWS_STACK_WAIT:-180}
STOP_WAIT=${NEWS_STACK_STOP_WAIT:-30}
USER_NAME=admin
PASSWORDS="$STATE/simple_auth_manager_passwords.json"
# Stop order: the scheduler first, so no new task starts while the rest goes down.
COMPONENTS=(scheduler triggerer dag-processor api-server pool-keeper)
SETTINGS="$STATE/settings.json"
LOG_KEEP=${NEWS_COMPONENT_LOG_KEEP:-5}

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

# Every component and everything it starts (task processes, crawl children in their own
# sessions) inherits this marker, so `down` can prove that nothing is left.
export NEWS_STACK_ID="$STATE"

configure() {
  export AIRFLOW__CORE__EXECUTOR=${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}
  export AIRFLOW__CORE__PARALLELISM=${NEWS_AIRFLOW_PARALLELISM:-4}
  export AIRFLOW__CORE__LOAD_EXAMPLES=False
  export AIRFLOW__API__HOST="$HOST" AIRFLOW__API__PORT="$PORT" AIRFLOW__API__WORKERS=1
  export AIRFLOW__API__BASE_URL="http://localhost:$PORT"
  export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://localhost:$PORT/execution/"
  export AIRFLOW__CORE__AUTH_MANAGER=airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="$USER_NAME:admin"
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$PASSWORDS"
  export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT="$LOG_PORT"
  export AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=$((LOG_PORT + 1))
  # Airflow's log servers listen on every interface (no setting binds them). On one machine the
  # UI reads task logs straight from the files, so a local stack runs none.
  SERVE_LOGS_FLAG=""
  case "$HOST" in 127.*|localhost|::1) SERVE_LOGS_FLAG="--skip-serve-logs" ;; esac
  # New DAG files show up within half a minute.
  export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=${AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL:-30}
  export AIRFLOW__LOGGING__LOGGING_LEVEL=${AIRFLOW__LOGGING__LOGGING_LEVEL:-INFO}
}

pid_of() { [ -f "$PIDS/$1.pid" ] && cat "$PIDS/$1.pid" || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The login: generated once, kept in a mode-600 file; printed only when it is created.
ensure_login() {
  mkdir -p "$STATE"; chmod 700 "$STATE"
  if [ -s "$PASSWORDS" ]; then return 1; fi
  local password
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | cut -c1-20)
  (umask 077; printf '{"%s": "%s"}\n' "$USER_NAME" "$password" >"$PASSWORDS")
  printf '%s' "$password"
}

# Each stopped component's log moves to <name>.log.1 (older ones shift up, past LOG_KEEP deleted)
# before the component starts again: the log of a crashed scheduler is still there afterwards.
rotate_logs() {
  local name stopped=()
  for name in "${COMPONENTS[@]}"; do alive "$name" || stopped+=("$name.log"); done
  [ ${#stopped[@]} -gt 0 ] || return 0
  mkdir -p "$LOGS"
  PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" python -m common.log_files rotate "$LOGS" "${stopped[@]}" --keep "$LOG_KEEP"
}

start_component() {
  local name=$1; shift
  if alive "$name"; then log "$name already running (pid $(pid_of "$name"))"; return; fi
  # setsid: its own process group, so down can signal it and all its children at once.
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
}

wait_healthy() {
  local deadline=$((SECONDS + WAIT)) body=""
  while [ $SECONDS -lt $deadline ]; do
    for name in "${COMPONENTS[@]}"; do
      alive "$name" || { tail -25 "$LOGS/$name.log" >&2; die "$name exited during start-up (log: $LOGS/$name.log)"; }
    done
    body=$(python - "$PORT" <<'PY' 2>/dev/null || true
import json, sys, urllib.request
health = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/v2/monitor/health", timeout=5))
parts = ("metadatabase", "scheduler", "triggerer", "dag_processor")
print("ok" if all((health.get(p) or {}).get("status") == "healthy" for p in parts) else json.dumps(health))
PY
)
    [ "$body" = ok ] && return 0
    sleep 2
  done
  die "Airflow was not healthy after ${WAIT}s (last health: ${body:-no answer}); logs in $LOGS"
}

cmd_up() {
  command -v airflow >/dev/null || die "airflow not on PATH: run through make up (it sources tools/env.sh)"
  [ -n "${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-}" ] || die "no Airflow metadata database: run make up (it starts PostgreSQL)"
  configure
  mkdir -p "$PIDS" "$LOGS"
  local running=0 changed
  for name in "${COMPONENTS[@]}"; do alive "$name" && running=$((running + 1)); done
  if [ "$running" -gt 0 ] && ! changed=$(python "$ROOT/tools/stack_env.py" compare "$SETTINGS"); then
    if [ "${NEWS_STACK_RESTART:-0}" != 1 ]; then
      die "the running stack was started with other settings:
$changed
Its components would keep the old ones. Restart it with them: make up RESTART=1 (or make down, then make up)."
    fi
    log "restarting: the running stack was started with other settings:"
    printf '%s\n' "$changed" >&2
    cmd_down
    running=0
  fi
  if [ "$running" -eq "${#COMPONENTS[@]}" ]; then
    reconcile_pools
    log "already running: UI on http://localhost:$PORT (tools/stack.sh status)"; return 0
  fi
  if [ "$running" -eq 0 ]; then
    local ports=("$PORT")
    [ -n "$SERVE_LOGS_FLAG" ] || ports+=("$LOG_PORT" $((LOG_PORT + 1)))
    for p in "${ports[@]}"; do
      port_taken "$p" && die "port $p is taken by another program; set NEWS_AIRFLOW_PORT / NEWS_AIRFLOW_LOG_PORT"
    done
  fi
  "$ROOT/tools/airflow_db.sh"
  reconcile_pools
  python "$ROOT/tools/stack_env.py" record "$SETTINGS"
  if [ "$STATE" = "$ROOT/.data/stack" ]; then  # the checkout's own stack, not a test's
    "$ROOT/tools/ports.sh" remember NEWS_AIRFLOW_PORT "$PORT"
    "$ROOT/tools/ports.sh" remember NEWS_AIRFLOW_LOG_PORT "$LOG_PORT"
  fi
  local password
  password=$(ensure_login) || password=""
  rotate_logs
  log "starting Airflow: api-server, scheduler, dag-processor, triggerer, and the pool keeper (logs: $LOGS)"
  start_component api-server airflow api-server --host "$HOST" --port "$PORT" --workers 1
  start_component scheduler airflow scheduler $SERVE_LOGS_FLAG
  start_component dag-processor airflow dag-processor
  start_component triggerer airflow triggerer $SERVE_LOGS_FLAG
  start_component pool-keeper python "$ROOT/tools/airflow_pools.py" --watch
  wait_healthy
  log "Airflow is up: UI on http://localhost:$PORT"
  if [ -n "$password" ]; then
    # Printed this once; afterwards it is only in the file.
    echo "Airflow UI login: user $USER_NAME, password $password (kept in $PASSWORDS, mode 600)"
  else
    echo "Airflow UI login: user $USER_NAME, password in $PASSWORDS"
  fi
  log "new DAGs start paused: switch them on in the UI (or: python tools/airflow_api.py unpause news_daily)"
}

# Create the crawl pool of every configured source, and say so; Airflow's warnings stay out.
reconcile_pools() {
  python "$ROOT/tools/airflow_pools.py" 2> >(grep -v -i warning >&2)
}

# The pids of every process carrying this stack's marker (escaped process groups included).
marked_pids() {
  local environ pid
  for environ in /proc/[0-9]*/environ; do
    pid=${environ#/proc/}; pid=${pid%/environ}
    [ "$pid" = "$$" ] && continue
    if grep -qzxF "NEWS_STACK_ID=$STATE" "$environ" 2>/dev/null; then echo "$pid"; fi
  done
}

group_alive() { pgrep -g "$1" >/dev/null 2>&1; }

cmd_down() {
  local name pid deadline stopped=()
  for name in "${COMPONENTS[@]}"; do
    pid=$(pid_of "$name")
    [ -n "$pid" ] || continue
    if group_alive "$pid"; then
      kill -TERM -- "-$pid" 2>/dev/null || true
      stopped+=("$name")
    fi
  done
  deadline=$((SECONDS + STOP_WAIT))
  for name in "${COMPONENTS[@]}"; do
    pid=$(pid_of "$name")
    [ -n "$pid" ] || continue
    while group_alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
    if group_alive "$pid"; then
      log "$name did not stop within ${STOP_WAIT}s: killing its process group"
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$PIDS/$name.pid"
  done
  # Children that left the process groups (a crawl runs in its own session).
  local left
  left=$(marked_pids)
  if [ -n "$left" ]; then
    log "stopping processes that left their group: $(echo $left)"
    kill -TERM $left 2>/dev/null || true
    sleep 3
    left=$(marked_pids)
    [ -z "$left" ] || kill -KILL $left 2>/dev/null || true
    sleep 0.5
  fi
  left=$(marked_pids)
  [ -z "$left" ] || die "processes still running after stop: $(echo $left)"
  if [ ${#stopped[@]} -gt 0 ]; then log "stopped ${stopped[*]}; no process left"; fi
}

cmd_status() {
  local name
  for name in "${COMPONENTS[@]}"; do
    if alive "$name"; then echo "$name: running (pid $(pid_of "$name"))"; else echo "$name: stopped"; fi
  done
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  rotate-logs) rotate_logs ;;
  *) die "usage: tools/stack.sh up|down|status|rotate-logs" ;;
esac
