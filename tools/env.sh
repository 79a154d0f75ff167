# Sourced by the Makefile's recipes: the environment every project command runs in.
# A connection the user configured wins: NEWS_WAREHOUSE_DSN or AIRFLOW_CONN_NEWS_WAREHOUSE for the
# warehouse, AIRFLOW__DATABASE__SQL_ALCHEMY_CONN for Airflow's metadata. Otherwise the project's
# local cluster (tools/pg.sh) fills them in.
NEWS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export NEWS_ROOT
export PYTHONPATH="$NEWS_ROOT${PYTHONPATH:+:$PYTHONPATH}"
export PATH="$NEWS_ROOT/.venv/bin:$PATH"

# The ports this checkout's .data/ was created with (tools/ports.sh), for every port variable
# the shell does not set: NEWS_PG_PORT, NEWS_AIRFLOW_PORT, NEWS_AIRFLOW_LOG_PORT.
if [ -f "$NEWS_ROOT/.data/ports.env" ]; then
  while IFS='=' read -r _name _value; do
    case "$_name" in NEWS_*_PORT) [ -n "${!_name:-}" ] || export "$_name=$_value" ;; esac
  done <"$NEWS_ROOT/.data/ports.env"
  unset _name _value
fi

if [ -f "$NEWS_ROOT/.data/local-db.env" ]; then
  # shellcheck disable=SC1091
  . "$NEWS_ROOT/.data/local-db.env"
  if [ -z "${NEWS_WAREHOUSE_DSN:-}" ] && [ -z "${AIRFLOW_CONN_NEWS_WAREHOUSE:-}" ]; then
    export AIRFLOW_CONN_NEWS_WAREHOUSE="$NEWS_LOCAL_WAREHOUSE_DSN"
  fi
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-$NEWS_LOCAL_AIRFLOW_DB}"
fi

export AIRFLOW_HOME="${AIRFLOW_HOME:-$NEWS_ROOT/.data/airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="${AIRFLOW__CORE__DAGS_FOLDER:-$NEWS_ROOT/dags}"
# The news_health plugin (plugins/news_health.py): the health pages inside the Airflow UI.
export AIRFLOW__CORE__PLUGINS_FOLDER="${AIRFLOW__CORE__PLUGINS_FOLDER:-$NEWS_ROOT/plugins}"
export AIRFLOW__CORE__LOAD_EXAMPLES="${AIRFLOW__CORE__LOAD_EXAMPLES:-False}"
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-8}"
export AIRFLOW__CORE__EXECUTOR="${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}"
# Airflow's logging level stays Airflow's default (INFO): task logs show what a task is doing.
# Commands that would flood a terminal send their output to a file instead (tools/demo.sh).
# The archive of WARC files; any fsspec URL where tasks run on several machines.
export ARCHIVE_ROOT="${ARCHIVE_ROOT:-$NEWS_ROOT/.data/archive}"
