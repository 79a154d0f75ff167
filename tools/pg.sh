#!/usr/bin/env bash
# The project's own PostgreSQL cluster under .data/pg: install (when root), init, start, stop.
#
#   tools/pg.sh up      init if needed, start, create the warehouse and Airflow databases
#   tools/pg.sh down    stop the cluster if it is running
#   tools/pg.sh status  say whether it runs
#
# PostgreSQL refuses to run as root, so when we are root the server runs as the unprivileged
# system user $NEWS_PG_USER (created here). It listens on 127.0.0.1:$NEWS_PG_PORT only (54329 by
# default; the port a cluster was created with is remembered in .data/ports.env), with
# scram passwords kept in .data/secrets (mode 600), and no Unix socket (paths under a deep
# checkout can exceed the socket path limit).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA="$ROOT/.data"
PGDATA_LINK="$DATA/pg"
SECRETS="$DATA/secrets"
DEFAULT_PORT=54329
PORT=${NEWS_PG_PORT:-$("$ROOT/tools/ports.sh" get NEWS_PG_PORT)}
PORT=${PORT:-$DEFAULT_PORT}
PG_OS_USER=${NEWS_PG_USER:-newspg}
DB_USER=news
SUPERUSER=postgres

log() { printf '[pg] %s\n' "$*" >&2; }
die() { printf '[pg] error: %s\n' "$*" >&2; exit 1; }

find_bindir() {
  local dir
  if command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir 2>/dev/null || true)
    [ -x "$dir/initdb" ] && { echo "$dir"; return; }
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && { echo "$dir"; return; }
  done
  return 1
}

ensure_binaries() {
  BINDIR=$(find_bindir) && return
  if [ "$(id -u)" -eq 0 ]; then
    log "PostgreSQL server binaries not found; installing Debian's postgresql package"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    BINDIR=$(find_bindir) || die "apt-get installed postgresql but no initdb was found"
  else
    die "PostgreSQL server binaries (initdb, pg_ctl) not found. Install them with:
    sudo apt-get install postgresql
or set NEWS_WAREHOUSE_DSN and AIRFLOW__DATABASE__SQL_ALCHEMY_CONN to use an existing server."
  fi
}

# as_pg CMD...: run a command as the user that owns the cluster.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$PG_OS_USER" -- "$@"; else "$@"; fi
}

ensure_os_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  id "$PG_OS_USER" >/dev/null 2>&1 && return 0
  log "creating unprivileged system user $PG_OS_USER to run PostgreSQL"
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$PG_OS_USER"
}

# The cluster's real directory. As root, the server user may not be able to reach the checkout
# (e.g. under /root, mode 700); then the cluster lives under /var/lib and .data/pg links to it.
cluster_dir() {
  if [ -L "$PGDATA_LINK" ] || [ -d "$PGDATA_LINK" ]; then
    readlink -f "$PGDATA_LINK"; return
  fi
  mkdir -p "$DATA"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u "$PG_OS_USER" -- test -x "$DATA" 2>/dev/null; then
    local elsewhere="/var/lib/news-pipeline/$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)/pg"
    mkdir -p "$elsewhere"
    chown -R "$PG_OS_USER:$PG_OS_USER" "$(dirname "$elsewhere")"
    ln -s "$elsewhere" "$PGDATA_LINK"
    log "$PG_OS_USER cannot reach $DATA; cluster kept in $elsewhere (linked from .data/pg)"
  else
    mkdir -p "$PGDATA_LINK"
  fi
  readlink -f "$PGDATA_LINK"
}

secret() {  # secret NAME: print the password in .data/secrets/NAME, creating it once
  local file="$SECRETS/$1"
  mkdir -p "$SECRETS"; chmod 700 "$SECRETS"
  if [ ! -s "$file" ]; then
    (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$file")
  fi
  cat "$file"
}

# The port an existing cluster was created with wins: a shell with another NEWS_PG_PORT (or none)
# would otherwise write a connection to that port and reach another checkout's cluster.
check_port() {
  local dir=$1 created
  [ -f "$dir/postgresql.conf" ] || return 0
  created=$(sed -n "s/^port = \([0-9]*\)$/\1/p" "$dir/postgresql.conf" | tail -1)
  [ -n "$created" ] || return 0
  if [ -n "${NEWS_PG_PORT:-}" ] && [ "$NEWS_PG_PORT" != "$created" ]; then
    die "this checkout's cluster was created on port $created (kept in .data/ports.env), not NEWS_PG_PORT=$NEWS_PG_PORT.
Unset NEWS_PG_PORT or set it to $created; a new port needs a new cluster (make clean, then NEWS_PG_PORT=$NEWS_PG_PORT make setup)."
  fi
  PORT=$created
  "$ROOT/tools/ports.sh" remember NEWS_PG_PORT "$PORT"
}

init_cluster() {
  local dir=$1
  [ -f "$dir/PG_VERSION" ] && return 0
  log "initialising a new cluster in $dir"
  [ "$(id -u)" -eq 0 ] && chown "$PG_OS_USER:$PG_OS_USER" "$dir"
  chmod 700 "$dir"
  local pwfile
  pwfile=$(mktemp)
  secret superuser_password >"$pwfile"
  [ "$(id -u)" -eq 0 ] && chown "$PG_OS_USER" "$pwfile"
  as_pg "$BINDIR/initdb" -D "$dir" -U "$SUPERUSER" --pwfile="$pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  cat >>"$dir/postgresql.conf" <<CONF
# news pipeline: loopback only, no Unix socket, modest memory for a laptop or CI machine.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = ''
max_connections = 200
shared_buffers = 256MB
logging_collector = off
timezone = 'UTC'
CONF
}

is_running() { as_pg "$BINDIR/pg_ctl" -D "$1" status >/dev/null 2>&1; }

start_cluster() {
  local dir=$1 logfile
  if is_running "$dir"; then return 0; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "port $PORT on 127.0.0.1 is taken by another program; set NEWS_PG_PORT to a free port"
  fi
  logfile="$dir/server.log"
  log "starting PostgreSQL on 127.0.0.1:$PORT (log: $logfile)"
  as_pg "$BINDIR/pg_ctl" -D "$dir" -l "$logfile" -w -t 60 start >/dev/null \
    || { tail -20 "$logfile" >&2; die "PostgreSQL did not start"; }
}

psql_super() {
  PGPASSWORD=$(secret superuser_password) "$BINDIR/psql" -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" \
    -v ON_ERROR_STOP=1 -qAt "$@"
}

create_databases() {
  local pw
  pw=$(secret news_password)
  psql_super -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'" | grep -q 1 \
    || psql_super -d postgres -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$pw'"
  # CREATEDB: the tests make throwaway databases; CREATEROLE: migrations create the loader and
  # analyst roles.
  psql_super -d postgres -c "ALTER ROLE $DB_USER CREATEDB CREATEROLE"
  for db in news airflow; do
    psql_super -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
      || psql_super -d postgres -c "CREATE DATABASE $db OWNER $DB_USER"
  done
  # No large objects for anyone (analysts write nothing): the warehouse, and template1 for the
  # databases created later (the tests' throwaway warehouses). Idempotent.
  for db in template1 news; do
    psql_super -d "$db" -f "$ROOT/sql/superuser/revoke_large_objects.sql"
  done
}

write_env() {
  local pw file="$DATA/local-db.env"
  pw=$(secret news_password)
  (umask 077; cat >"$file" <<ENV
# Written by tools/pg.sh for the project's local cluster. Secrets: keep this file private.
NEWS_LOCAL_WAREHOUSE_DSN=postgresql://$DB_USER:$pw@127.0.0.1:$PORT/news
NEWS_LOCAL_AIRFLOW_DB=postgresql+psycopg2://$DB_USER:$pw@127.0.0.1:$PORT/airflow
NEWS_LOCAL_PSQL_ARGS="-h 127.0.0.1 -p $PORT -U $DB_USER"
ENV
  )
}

cmd_up() {
  ensure_binaries
  ensure_os_user
  local dir
  dir=$(cluster_dir)
  check_port "$dir"
  init_cluster "$dir"
  "$ROOT/tools/ports.sh" remember NEWS_PG_PORT "$PORT"
  start_cluster "$dir"
  create_databases
  write_env
}

cmd_down() {
  [ -e "$PGDATA_LINK" ] || return 0
  BINDIR=$(find_bindir) || return 0
  local dir
  dir=$(readlink -f "$PGDATA_LINK")
  if [ -f "$dir/PG_VERSION" ] && is_running "$dir"; then
    log "stopping PostgreSQL"
    as_pg "$BINDIR/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
  fi
}

cmd_clean() {
  cmd_down
  local dir
  if [ -L "$PGDATA_LINK" ]; then dir=$(readlink -f "$PGDATA_LINK"); rm -rf "$(dirname "$dir")"; fi
}

cmd_status() {
  BINDIR=$(find_bindir) || { echo "PostgreSQL binaries not installed"; return 0; }
  if [ -e "$PGDATA_LINK" ] && is_running "$(readlink -f "$PGDATA_LINK")"; then
    check_port "$(readlink -f "$PGDATA_LINK")"
    echo "PostgreSQL running on 127.0.0.1:$PORT"
  else
    echo "PostgreSQL not running"
  fi
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  clean) cmd_clean ;;
  status) cmd_status ;;
  *) die "usage: tools/pg.sh up|down|clean|status" ;;
esac
