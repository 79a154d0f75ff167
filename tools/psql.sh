#!/usr/bin/env bash
# psql on the warehouse; with SQL="..." run one statement and exit.
# The connection goes to psql through libpq's PG* environment variables, never its arguments:
# a process's arguments are readable by every user of the machine (ps, /proc/<pid>/cmdline),
# its environment only by its owner.
set -euo pipefail
eval "$(python - <<'PY'
import shlex

from psycopg2.extensions import parse_dsn

from common.warehouse import warehouse_dsn

LIBPQ_ENV = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD",
             "dbname": "PGDATABASE", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
             "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "options": "PGOPTIONS",
             "connect_timeout": "PGCONNECT_TIMEOUT", "application_name": "PGAPPNAME"}
for key, value in parse_dsn(warehouse_dsn()).items():
    if key not in LIBPQ_ENV:
        raise SystemExit(f"make psql: connection parameter {key!r} has no libpq environment variable here")
    print(f"export {LIBPQ_ENV[key]}={shlex.quote(value)}")
PY
)"
if [ -n "${SQL:-}" ]; then
  exec psql -v ON_ERROR_STOP=1 -X -c "$SQL"
fi
exec psql
