"""news_maintenance: weekly upkeep of the archive and the warehouse.

1. retention: crawls finished more than `retention_days` ago (param, or the environment variable
   NEWS_ARCHIVE_RETENTION_DAYS, default 365) lose their WARC and stats file (files in a local
   ARCHIVE_ROOT, objects in an s3:// one) and raw.captures rows. Articles and their versions are
   never touched; the crawl's row stays (warc_uri set to NULL). A crawl never loaded keeps its WARC
   whatever its age, and the task fails naming it, once the others are purged.
2. log and metadata retention (dags/tasks/log_retention.py, settings there): task log files older
   than `task_log_days` (NEWS_TASK_LOG_RETENTION_DAYS, 30), Airflow metadata rows older than
   `airflow_db_days` (NEWS_AIRFLOW_DB_RETENTION_DAYS, 90) through `airflow db clean`, and rotated
   component logs of the local stack past NEWS_COMPONENT_LOG_KEEP (5) or
   NEWS_COMPONENT_LOG_RETENTION_DAYS (30). Each task logs what it removed.
3. VACUUM (ANALYZE) of the pipeline's tables.
4. refresh of the materialized marts, if any.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, get_current_context, task

from dags.tasks.alerts import notify_failure, notify_recovery, notify_retry


@dag(
    dag_id="news_maintenance",
    schedule="30 5 * * 0",  # Sundays 05:30 UTC, after the daily crawl has loaded
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "news", "retries": 1, "retry_delay": timedelta(minutes=10),
                  "on_failure_callback": notify_failure, "on_retry_callback": notify_retry,
                  "on_success_callback": notify_recovery},
    tags=["news", "ops"],
    doc_md=__doc__,
    params={
        "retention_days": Param(None, type=["null", "integer"], minimum=1,
                                description="Keep raw captures this many days; "
                                            "default NEWS_ARCHIVE_RETENTION_DAYS or 365."),
        "task_log_days": Param(None, type=["null", "integer"], minimum=1,
                               description="Keep task log files this many days; "
                                           "default NEWS_TASK_LOG_RETENTION_DAYS or 30."),
        "airflow_db_days": Param(None, type=["null", "integer"], minimum=1,
                                 description="Keep Airflow metadata (runs, task instances, XCom, audit log) "
                                             "this many days; default NEWS_AIRFLOW_DB_RETENTION_DAYS or 90."),
    },
)
def news_maintenance() -> None:
    @task(execution_timeout=timedelta(hours=1))
    def retention() -> dict[str, Any]:
        from dags.tasks.maintenance import apply_retention, retention_days

        days = retention_days(get_current_context()["params"].get("retention_days"))
        result = apply_retention(days)
        if message := result.unloaded_message():
            from airflow.sdk.exceptions import AirflowFailException

            # The purge of the other runs is done; failing says that these runs wait on a load.
            raise AirflowFailException(message)
        return {"days": days, "cutoff": result.cutoff.isoformat(), "runs": result.runs,
                "captures_deleted": result.captures_deleted, "files_deleted": result.files_deleted}

    @task(execution_timeout=timedelta(minutes=30))
    def task_logs() -> dict[str, Any]:
        from dags.tasks.log_retention import (
            DEFAULT_TASK_LOG_DAYS,
            TASK_LOG_DAYS_ENV,
            prune_task_logs,
            setting,
        )

        days = setting(get_current_context()["params"].get("task_log_days"), TASK_LOG_DAYS_ENV,
                       DEFAULT_TASK_LOG_DAYS)
        removed = prune_task_logs(days)
        return {"days": days, "files": removed.files, "bytes": removed.bytes, "folders": removed.folders}

    @task(execution_timeout=timedelta(hours=1))
    def airflow_metadata() -> dict[str, Any]:
        from dags.tasks.log_retention import (
            AIRFLOW_DB_DAYS_ENV,
            DEFAULT_AIRFLOW_DB_DAYS,
            clean_airflow_db,
            setting,
        )

        days = setting(get_current_context()["params"].get("airflow_db_days"), AIRFLOW_DB_DAYS_ENV,
                       DEFAULT_AIRFLOW_DB_DAYS)
        result = clean_airflow_db(days)
        return {"days": days, "cutoff": result.cutoff.isoformat(), "rows": result.rows,
                "rows_by_table": result.rows_by_table}

    @task(execution_timeout=timedelta(minutes=10))
    def component_logs() -> dict[str, Any]:
        from dags.tasks.log_retention import (
            COMPONENT_LOG_DAYS_ENV,
            COMPONENT_LOG_KEEP_ENV,
            DEFAULT_COMPONENT_LOG_DAYS,
            DEFAULT_COMPONENT_LOG_KEEP,
            prune_component_logs,
            setting,
        )

        keep = setting(None, COMPONENT_LOG_KEEP_ENV, DEFAULT_COMPONENT_LOG_KEEP, minimum=0)
        days = setting(None, COMPONENT_LOG_DAYS_ENV, DEFAULT_COMPONENT_LOG_DAYS)
        removed = prune_component_logs(keep, days)
        return {"keep": keep, "days": days, "files": removed.files, "bytes": removed.bytes}

    @task(execution_timeout=timedelta(hours=2))
    def vacuum_analyze() -> int:
        from dags.tasks.maintenance import vacuum_analyze as run_vacuum

        return len(run_vacuum())

    @task(execution_timeout=timedelta(hours=1))
    def refresh_marts() -> list[str]:
        from dags.tasks.maintenance import refresh_materialized_marts

        return refresh_materialized_marts()

    # The log and metadata retention do not depend on the archive's: they run beside it.
    [retention(), task_logs(), airflow_metadata(), component_logs()] >> vacuum_analyze() >> refresh_marts()


news_maintenance()
