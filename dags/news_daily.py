"""news_daily: crawl every enabled source for yesterday's news, extract, load, check, publish.

One task group per source, built from scrapers/sources/*.toml: crawl (Scrapy in a child process,
in the source's domain pool) -> extract_load (process pool + one-transaction upsert) -> check
(quality gates), and `announce` emits the `news_warehouse` Asset event for the source as soon
as its load committed (never waiting for another source's retries). Then `publish` sums up what
the run loaded, `export` writes the days it loaded as Parquet into the archive
store (dags/tasks/export.py), `report` writes the run's HTML report there (dags/tasks/
daily_report.py, whatever happened), and `outcome` fails the run if any source failed.

Per source, in its TOML file: `enabled = false` takes it out of every DAG; `schedule = "<cron>"`
moves it to its own DAG `news_source_<slug>` on that schedule (same tasks, own pause switch and
backfills). The window comes from the run's data interval (or params since/until), never from
the clock, so retries and backfills load the same articles.

This file only wires tasks: the work lives in scrapers/ and transforms/, imported inside tasks.
Reading the source registry here is a few small TOML files, cheap enough for every parse.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, get_current_context, task, task_group

from common.sources import Source, load_sources
from dags.tasks.alerts import notify_failure, notify_recovery, notify_retry
from dags.tasks.assets import WAREHOUSE_ASSET

DEFAULT_SCHEDULE = "0 4 * * *"  # 04:00 UTC: the day's late articles and sitemaps have landed
START_DATE = datetime(2026, 1, 1, tzinfo=UTC)
CRAWL_TIMEOUT = timedelta(minutes=60)
LOAD_TIMEOUT = timedelta(minutes=60)
SHORT_TIMEOUT = timedelta(minutes=10)
EXPORT_TIMEOUT = timedelta(minutes=30)

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "news",
    # Environment overrides exist for tests and drills; production keeps the defaults.
    "retries": int(os.environ.get("NEWS_TASK_RETRIES", "2")),
    "retry_delay": timedelta(seconds=int(os.environ.get("NEWS_RETRY_DELAY_SECONDS", "300"))),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(hours=1),
    "execution_timeout": SHORT_TIMEOUT,
    # Alerts: the first failed try of a source that will be retried, the final failure, and a
    # recovery after a retrying alert (dags/tasks/alerts.py).
    "on_failure_callback": notify_failure,
    "on_retry_callback": notify_retry,
    "on_success_callback": notify_recovery,
}


def crawl_pool(source: Source) -> str:
    """One pool per home domain: at most its slots crawl that site at once, across every DAG
    run (daily, backfill, per-source DAGs). tools/airflow_pools.py creates them."""
    return "crawl_" + source.domains[0].replace(".", "_").replace("-", "_")


def build_news_dag(dag_id: str, schedule: str, sources: list[Source], description: str) -> Any:
    slugs = [s.slug for s in sources]

    @dag(
        dag_id=dag_id,
        schedule=schedule,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=3,
        default_args=DEFAULT_ARGS,
        tags=["news"],
        description=description,
        doc_md=__doc__,
        params={
            "sources": Param([], type="array", items={"type": "string", "enum": slugs} if slugs else {},
                             description=f"Sources to crawl; empty means all of {slugs}."),
            "since": Param(None, type=["null", "string"],
                           description="Window start (YYYY-MM-DD or ISO-8601, UTC); default: the data interval."),
            "until": Param(None, type=["null", "string"],
                           description="Window end, exclusive (YYYY-MM-DD or ISO-8601, UTC)."),
        },
    )
    def news_dag() -> None:
        @task(execution_timeout=SHORT_TIMEOUT)
        def plan() -> dict[str, Any]:
            """The window and the sources this run crawls."""
            from airflow.sdk.exceptions import AirflowFailException

            from dags.tasks.pipeline import plan_run

            try:
                return plan_run(get_current_context(), slugs)
            except ValueError as exc:  # bad params: the same on every try
                raise AirflowFailException(str(exc)) from exc

        planned = plan()
        loads = []
        checks = []
        for source in sources:
            @task_group(group_id=source.slug)
            def per_source(slug: str = source.slug, pool: str = crawl_pool(source)) -> Any:
                @task(pool=pool, execution_timeout=CRAWL_TIMEOUT)
                def crawl(plan: dict[str, Any]) -> str:
                    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

                    from dags.tasks.pipeline import DeterministicFailure, SourceNotSelected, run_crawl

                    try:
                        return run_crawl(slug, plan, get_current_context())
                    except SourceNotSelected as exc:
                        raise AirflowSkipException(str(exc)) from None
                    except DeterministicFailure as exc:  # no retry could change it: fail now
                        raise AirflowFailException(str(exc)) from exc

                @task(execution_timeout=LOAD_TIMEOUT)
                def extract_load(crawl_run_id: str) -> dict[str, Any]:
                    from dags.tasks.pipeline import run_extract_load

                    return run_extract_load(crawl_run_id)

                # A failing check fails at once (QualityCheckFailed); a warehouse restarted under
                # the check is retried.
                @task(execution_timeout=SHORT_TIMEOUT)
                def check(result: dict[str, Any]) -> None:
                    from dags.tasks.pipeline import run_quality_check

                    run_quality_check(result, get_current_context())

                # The source's own Asset event, as soon as its load committed: a sibling source
                # waiting for its retries (up to an hour of backoff) never holds it back, and a
                # source that loads on a retry emits its event then.
                @task(outlets=[WAREHOUSE_ASSET], execution_timeout=SHORT_TIMEOUT)
                def announce(result: dict[str, Any]) -> dict[str, Any]:
                    from airflow.sdk.exceptions import AirflowSkipException

                    from dags.tasks.pipeline import refresh_marts, summarize_loads

                    summary = summarize_loads([result])
                    if summary is None:
                        raise AirflowSkipException("nothing was loaded: no Asset event")
                    summary["marts_refreshed"] = refresh_marts()
                    get_current_context()["outlet_events"][WAREHOUSE_ASSET].extra = summary
                    return summary

                loaded = extract_load(crawl(planned))
                loads.append(loaded)
                checks.append(check(loaded))
                announce(loaded)

            per_source()

        @task(trigger_rule="all_done", execution_timeout=SHORT_TIMEOUT)
        def publish() -> dict[str, Any]:
            """What the whole run loaded, once every source is done (retries included), for the
            export; the Asset events are each source's `announce`."""
            from airflow.sdk.exceptions import AirflowSkipException

            from dags.tasks.pipeline import refresh_marts, summarize_loads

            context = get_current_context()
            results = [context["ti"].xcom_pull(task_ids=f"{slug}.extract_load") for slug in slugs]
            summary = summarize_loads(results)
            if summary is None:
                raise AirflowSkipException("nothing was loaded: nothing to export")
            summary["marts_refreshed"] = refresh_marts()
            return summary

        @task(execution_timeout=EXPORT_TIMEOUT)
        def export(summary: dict[str, Any]) -> dict[str, Any]:
            """marts.articles and marts.story_articles as Parquet in the archive store, for the
            days the run's loads touched (skipped with publish when nothing was loaded)."""
            from dags.tasks.export import export_after_load

            return export_after_load(summary["crawl_run_ids"]).as_dict()

        @task(trigger_rule="all_done", execution_timeout=SHORT_TIMEOUT)
        def report(plan: dict[str, Any] | None) -> dict[str, Any]:
            """The run's HTML report (dags/tasks/daily_report.py) into the archive store, also
            after failures: they are what it shows. Its location is in this task's log."""
            from airflow.exceptions import AirflowSkipException

            from common.window import parse_bound
            from dags.tasks.daily_report import build_report

            if not plan:
                raise AirflowSkipException("the run has no plan (its plan task failed): nothing to report on")
            dag_run = get_current_context()["dag_run"]
            return build_report(dag_run.dag_id, dag_run.run_id, parse_bound(plan["since"]), parse_bound(plan["until"]))

        # No alert of its own: the failed source task has sent one already.
        @task(trigger_rule="one_failed", retries=0, execution_timeout=SHORT_TIMEOUT, on_failure_callback=None,
              on_success_callback=None)
        def outcome() -> None:
            """Runs only when a source failed, and fails, so the run is marked failed.

            Without it the run's state would follow `publish`, which succeeds on partial loads."""
            raise RuntimeError("at least one source failed: see the failed tasks of this run")

        published = publish()
        exported = export(published)
        [published, exported] >> report(planned)
        for loaded, checked in zip(loads, checks):
            loaded >> published
            checked >> published
        checks_and_loads = [*loads, *checks]
        if checks_and_loads:
            checks_and_loads >> outcome()
        else:
            planned >> outcome()

    return news_dag()


def _dags() -> None:
    enabled = [s for _, s in sorted(load_sources().items()) if s.enabled]
    daily = [s for s in enabled if not s.schedule]
    build_news_dag("news_daily", DEFAULT_SCHEDULE, daily,
                   "Daily crawl of every enabled source without a schedule of its own")
    for source in enabled:
        if source.schedule:
            build_news_dag(f"news_source_{source.slug}", source.schedule, [source],
                           f"{source.name}, on its own schedule {source.schedule}")


_dags()
