"""news_maintenance: weekly upkeep of the archive and the warehouse.

1. retention: crawls finished more than `retention_days` ago (param, or the environment variable
   NEWS_ARCHIVE_RETENTION_DAYS, default 365) lose their WARC and stats file (files in a local
   ARCHIVE_ROOT, objects in an s3:// one) and raw.captures rows. Articles and their versions are
   never touched; the crawl's row stays (warc_uri set to NULL).
2. VACUUM (ANALYZE) of the pipeline's tables.
3. refresh of the materialized marts, if any.
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
    },
)
def news_maintenance() -> None:
    @task(execution_timeout=timedelta(hours=1))
    def retention() -> dict[str, Any]:
        from dags.tasks.maintenance import apply_retention, retention_days

        days = retention_days(get_current_context()["params"].get("retention_days"))
        result = apply_retention(days)
        return {"days": days, "cutoff": result.cutoff.isoformat(), "runs": result.runs,
                "captures_deleted": result.captures_deleted, "files_deleted": result.files_deleted}

    @task(execution_timeout=timedelta(hours=2))
    def vacuum_analyze() -> int:
        from dags.tasks.maintenance import vacuum_analyze as run_vacuum

        return len(run_vacuum())

    @task(execution_timeout=timedelta(hours=1))
    def refresh_marts() -> list[str]:
        from dags.tasks.maintenance import refresh_materialized_marts

        return refresh_materialized_marts()

    retention() >> vacuum_analyze() >> refresh_marts()


news_maintenance()
