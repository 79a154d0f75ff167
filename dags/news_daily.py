"""news_daily: crawl every enabled source for yesterday's news, extract, load, check.

One mapped task group per source: crawl (Scrapy in a child process) -> extract_load (process
pool + one-transaction upsert) -> check (quality gates). The window comes from the run's data
interval, never from the clock, so retries and backfills load the same articles.
This file only wires tasks: the work lives in scrapers/ and transforms/, imported inside tasks.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from airflow.sdk import Param, dag, get_current_context, task, task_group

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "news",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
}


@dag(
    dag_id="news_daily",
    schedule="0 4 * * *",
    start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=3,
    default_args=DEFAULT_ARGS,
    tags=["news"],
    doc_md=__doc__,
    params={
        "sources": Param([], type="array", description="Source slugs to crawl; empty means every enabled source."),
        "since": Param(None, type=["null", "string"], description="Window start (YYYY-MM-DD or ISO-8601, UTC); default: the data interval."),
        "until": Param(None, type=["null", "string"], description="Window end, exclusive (YYYY-MM-DD or ISO-8601, UTC)."),
    },
)
def news_daily() -> None:
    @task
    def plan() -> list[dict[str, str]]:
        """One entry per source to crawl, each with the run's window."""
        from transforms.tasks import plan_run

        return plan_run(get_current_context())

    @task_group(group_id="source")
    def per_source(job: dict[str, str]) -> None:
        @task(execution_timeout=timedelta(minutes=60))
        def crawl(job: dict[str, str]) -> str:
            from transforms.tasks import run_crawl

            return run_crawl(job, get_current_context())

        @task(execution_timeout=timedelta(minutes=60))
        def extract_load(crawl_run_id: str) -> dict[str, Any]:
            from transforms.tasks import run_extract_load

            return run_extract_load(crawl_run_id)

        @task(execution_timeout=timedelta(minutes=5), retries=0)
        def check(result: dict[str, Any]) -> None:
            from transforms.tasks import run_quality_check

            run_quality_check(result)

        check(extract_load(crawl(job)))

    per_source.expand(job=plan())


news_daily()
