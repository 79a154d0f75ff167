"""A finished crawl's row in ops.crawl_runs, written from the declared columns by name."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest

from common.sources import load_source
from common.window import Window
from scrapers.crawl_run import CRAWL_RUN_COLUMNS, CrawlOutcome, crawl_run_row, record_run

ALJAZEERA = Path(__file__).resolve().parents[2] / "scrapers" / "sources" / "aljazeera.toml"
STARTED = datetime(2026, 11, 20, 4, tzinfo=UTC)
WINDOW = Window(datetime(2026, 11, 19, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC))
STATS = {
    "downloader/response_status_count/200": 12, "downloader/response_status_count/404": 1,
    "downloader/response_bytes": 123_456, "news/pages_ok": 11, "news/skipped_seen": 3,
    "news/robots_denied": 2, "retry/count": 4,
}


def record(run_id: str) -> None:
    record_run(run_id=run_id, source=load_source(ALJAZEERA), window=WINDOW, dag_run_id="manual__x",
               started_at=STARTED, finished_at=STARTED + timedelta(seconds=61.5), finish_reason="finished",
               outcome=CrawlOutcome("captured", None, 11, 17), warc_uri="/archive/x.warc.gz", stats=STATS,
               captures=[])


def test_the_declared_columns_are_ops_crawl_runs_columns_of_that_type(warehouse: str) -> None:
    with psycopg2.connect(warehouse) as conn, conn.cursor() as cur:
        cur.execute("""select attname, format_type(atttypid, null) from pg_attribute
                       where attrelid = 'ops.crawl_runs'::regclass and attnum > 0 and not attisdropped""")
        table = dict(cur.fetchall())
    conn.close()
    short = {"timestamp with time zone": "timestamptz"}
    assert {name: short.get(table.get(name, ""), table.get(name)) for name in CRAWL_RUN_COLUMNS} == CRAWL_RUN_COLUMNS


def test_a_recorded_run_has_each_value_in_its_named_column(clean_warehouse: str) -> None:
    run_id = str(uuid.uuid4())
    record(run_id)
    with psycopg2.connect(clean_warehouse) as conn, conn.cursor() as cur:
        cur.execute("""select source, dag_run_id, window_start, status, failure, warc_uri, pages_fetched, requests,
                              duration_seconds, responses_by_status, bytes_received, pages_captured, skipped_seen,
                              robots_denied, retries, urls_failed, failed_by_reason, stats ->> 'retry/count'
                       from ops.crawl_runs where crawl_run_id = %s""", (run_id,))
        row = cur.fetchone()
    conn.close()
    assert row == ("aljazeera", "manual__x", WINDOW.start, "captured", None, "/archive/x.warc.gz", 11, 17,
                   Decimal("61.500"), {"200": 12, "404": 1}, 123_456, 11, 3, 2, 4, 0, {}, "4")


def test_a_row_missing_a_declared_column_is_refused_before_the_insert() -> None:
    with pytest.raises(ValueError, match="missing \\['bytes_received'\\]"):
        crawl_run_row(run_id="x", source=load_source(ALJAZEERA), window=WINDOW, dag_run_id=None,
                      started_at=STARTED, finished_at=STARTED, finish_reason="finished",
                      outcome=CrawlOutcome("captured", None, 0, 0), warc_uri="", stats={},
                      columns={"duration_seconds": 0, "responses_by_status": {}, "pages_captured": 0,
                               "skipped_seen": 0, "robots_denied": 0, "retries": 0, "urls_failed": 0,
                               "failed_by_reason": {}})
