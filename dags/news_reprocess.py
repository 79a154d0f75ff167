"""news_reprocess: re-extract and reload a source's archived crawls, without re-crawling.

For after an extractor upgrade or a fix to a source's extraction hints. Trigger it by hand with
params `source`, `since` and `until` (YYYY-MM-DD, until exclusive): every crawl run of that
source whose window overlaps is read back from its WARC in ARCHIVE_ROOT (a folder, or an s3://
bucket read by ranged requests: only the article pages' records), extracted again and
upserted, oldest run first. Safe to repeat: a second run finds every article unchanged.
A day of the range with nothing archived (retention, failed or no crawls) or a missing WARC fails the
selection, naming the days and files, before any run is re-extracted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, get_current_context, task

from dags.tasks.alerts import notify_failure, notify_recovery, notify_retry
from dags.tasks.assets import WAREHOUSE_ASSET


@dag(
    dag_id="news_reprocess",
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,  # two reprocess runs of one source would only redo each other's work
    default_args={"owner": "news", "retries": 1, "retry_delay": timedelta(minutes=2),
                  "retry_exponential_backoff": True, "on_failure_callback": notify_failure,
                  "on_retry_callback": notify_retry, "on_success_callback": notify_recovery},
    tags=["news", "ops"],
    doc_md=__doc__,
    params={
        "source": Param("aljazeera", type="string", description="Source slug (scrapers/sources/*.toml)."),
        "since": Param("2026-01-01", type="string", description="First day (YYYY-MM-DD, UTC)."),
        "until": Param("2026-01-02", type="string", description="Day after the last (exclusive)."),
    },
)
def news_reprocess() -> None:
    @task(execution_timeout=timedelta(minutes=5))
    def select_runs() -> list[str]:
        """The crawl runs to re-extract: small XCom (ids only)."""
        from airflow.sdk.exceptions import AirflowFailException

        from dags.tasks.pipeline import reprocess_window, runs_to_reprocess

        params = get_current_context()["params"]
        try:
            return runs_to_reprocess(params["source"], reprocess_window(params))
        except ValueError as exc:  # bad params (a missing WARC is a RunNotLoadable, retried)
            raise AirflowFailException(str(exc)) from exc

    # One task, runs in order: an older capture must be applied before a newer one.
    @task(execution_timeout=timedelta(hours=6), outlets=[WAREHOUSE_ASSET])
    def reextract(crawl_run_ids: list[str]) -> dict[str, Any]:
        from dags.tasks.pipeline import reprocess_runs

        return reprocess_runs(crawl_run_ids)

    reextract(select_runs())


news_reprocess()
