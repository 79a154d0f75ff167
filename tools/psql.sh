#!/usr/bin/env bash
# psql on the warehouse; with SQL="..." run one statement and exit.
set -euo pipefail
dsn=$(python -c 'from common.warehouse import warehouse_dsn; print(warehouse_dsn())')
if [ -n "${SQL:-}" ]; then
  exec psql "$dsn" -v ON_ERROR_STOP=1 -X -c "$SQL"
fi
exec psql "$dsn"
