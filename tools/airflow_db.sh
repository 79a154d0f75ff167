#!/usr/bin/env bash
# Airflow's metadata database: migrate it (safe to repeat) in the configured database.
set -euo pipefail
mkdir -p "$AIRFLOW_HOME"
stamp="$AIRFLOW_HOME/.migrated-$(airflow version 2>/dev/null)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(printf '%s' "$AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" | sha1sum)" ]; then
  exit 0
fi
echo "[airflow] migrating Airflow's metadata database" >&2
airflow db migrate >"$AIRFLOW_HOME/db-migrate.log" 2>&1 || { tail -30 "$AIRFLOW_HOME/db-migrate.log" >&2; exit 1; }
printf '%s' "$AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" | sha1sum >"$stamp"
