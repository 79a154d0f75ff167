"""news_backfill: load a window of news from web archives (CC-NEWS or any WARC), no feed needed.

Trigger it by hand with params:
- `sources`: slugs (scrapers/sources/*.toml); empty means every enabled source;
- `since`, `until`: the window (YYYY-MM-DD or ISO-8601, UTC; until exclusive);
- `archives`: a local path or glob (several separated by commas), an `s3://bucket/prefix` on the
  archive store (every *.warc.gz / *.warc under it), or a CC-NEWS-style `warc.paths(.gz)` listing
  (relative lines are fetched from `archives_base_url`, by default https://data.commoncrawl.org/;
  a mirror, an `s3://bucket/prefix` or any http(s) server holding the same paths works too).

`plan` lists the files; `backfill_file` is mapped over them (one task instance per file, spread
over every worker of a CeleryExecutor deployment): it scans the file by its WARC headers, takes
the records on each source's domains that pass its allow/deny patterns and may belong to the
window, and extracts and loads them; an article dated outside the window (by its own date, else
its capture date) is not loaded. Each (file, source, window) is one crawl run with a fixed id:
a file processed twice changes nothing. Progress: each file task logs "files done/total, records
scanned, articles loaded", and `marts.backfill_progress` shows the same per run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, get_current_context, task

from dags.tasks.alerts import notify_failure
from dags.tasks.assets import WAREHOUSE_ASSET


@dag(
    dag_id="news_backfill",
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=2,
    default_args={"owner": "news", "retries": 2, "retry_delay": timedelta(minutes=2),
                  "retry_exponential_backoff": True, "on_failure_callback": [notify_failure]},
    tags=["news", "ops", "backfill"],
    doc_md=__doc__,
    params={
        "sources": Param([], type="array", items={"type": "string"},
                         description="Source slugs; empty means every enabled source."),
        "since": Param("2026-01-01", type="string", description="Window start (YYYY-MM-DD or ISO-8601, UTC)."),
        "until": Param("2026-01-02", type="string", description="Window end, exclusive."),
        "archives": Param("", type="string",
                          description="Local glob, s3:// prefix on the archive store, or a warc.paths listing."),
        "archives_base_url": Param("", type="string",
                                   description="Where a warc.paths listing's relative lines are fetched from "
                                               "(http(s):// or s3://); empty means https://data.commoncrawl.org/."),
    },
)
def news_backfill() -> None:
    @task(execution_timeout=timedelta(minutes=10))
    def plan() -> list[dict[str, Any]]:
        """One item per archive file (small XCom: its location, index and the window)."""
        from airflow.sdk.exceptions import AirflowFailException

        from dags.tasks.backfill import plan_backfill

        context = get_current_context()
        try:
            return plan_backfill(context["params"], context["dag_run"].run_id)
        except ValueError as exc:  # bad params: the same on every try
            raise AirflowFailException(str(exc)) from exc

    @task(execution_timeout=timedelta(hours=2), max_active_tis_per_dagrun=16)
    def backfill_file(item: dict[str, Any]) -> dict[str, Any]:
        from dags.tasks.backfill import backfill_file as run_file

        return run_file(item, get_current_context()["dag_run"].run_id)

    # all_done: a file that failed for good is named here with its reason, after the others are in.
    @task(execution_timeout=timedelta(minutes=10), outlets=[WAREHOUSE_ASSET], retries=0, trigger_rule="all_done")
    def finish(results: Any) -> dict[str, Any]:
        from dags.tasks.backfill import finish_backfill
        from dags.tasks.pipeline import refresh_marts

        context = get_current_context()
        refreshed = refresh_marts()  # first: what the files done loaded shows even when one failed
        summary = finish_backfill(context["dag_run"].run_id)
        summary["marts_refreshed"] = refreshed
        context["outlet_events"][WAREHOUSE_ASSET].extra = summary
        return summary

    finish(backfill_file.expand(item=plan()))


news_backfill()
