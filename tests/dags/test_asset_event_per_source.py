"""The warehouse Asset event of a source that loaded does not wait for a sibling source's retries,
and the sibling emits its own event when a retry loads it (a real news_daily run, dag.test)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from tests.fixtures import DEMO_ARCHIVE, PROJECT_ROOT

pytestmark = pytest.mark.airflow
# Airflow's exponential backoff makes the first retry wait 90-180 s: ample time for the other
# source to crawl, load and announce while this one waits.
RETRY_DELAY_SECONDS = 90


def metadata_dsn() -> str:
    return "postgresql://" + os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].split("://", 1)[1]


def announced_since(task_id: str, since: datetime) -> list[tuple[Any, ...]]:
    with psycopg2.connect(metadata_dsn()) as conn, conn.cursor() as cur:
        cur.execute("""select source_run_id, timestamp, extra from asset_event
                       where source_dag_id = 'news_daily' and source_task_id = %s and timestamp >= %s""",
                    (task_id, since))
        rows = cur.fetchall()
    conn.close()
    return rows


class FixWhenAnnounced(threading.Thread):
    """The engineer of this drill: removes the retrying source's obstacle as soon as the other
    source's Asset event exists (never, if that event waited for the retries)."""

    def __init__(self, blocker: Path, since: datetime) -> None:
        super().__init__(daemon=True)
        self.blocker, self.since = blocker, since
        self.stop = threading.Event()
        self.fixed_at: datetime | None = None

    def run(self) -> None:
        while not self.stop.wait(1.0):
            if announced_since("aljazeera.announce", self.since):
                self.blocker.unlink()
                self.fixed_at = datetime.now(UTC)
                return


def test_a_loaded_source_announces_while_a_failing_one_waits_for_its_retry(
    clean_warehouse: str, archive_root: Path
) -> None:
    archive_root.mkdir(parents=True, exist_ok=True)
    # news_repost cannot publish its WARC (its archive folder is a file): a fault a retry outlives.
    blocker = archive_root / "news_repost"
    blocker.write_text("not a folder", encoding="utf-8")
    started = datetime.now(UTC)
    fixer = FixWhenAnnounced(blocker, started)
    fixer.start()
    env = {**os.environ, "REPLAY_WARC": str(DEMO_ARCHIVE), "ARCHIVE_ROOT": str(archive_root),
           "NEWS_SOURCES_EXTRA_DIRS": str(PROJECT_ROOT / "demo" / "sources"),
           "NEWS_TASK_RETRIES": "1", "NEWS_RETRY_DELAY_SECONDS": str(RETRY_DELAY_SECONDS)}
    env.pop("AIRFLOW_CONN_NEWS_ALERTS", None)
    try:
        run = subprocess.run(
            [sys.executable, str(PROJECT_ROOT / "tools" / "run_dag.py"), "news_daily", "--logical-date",
             "2026-11-20"], env=env, capture_output=True, text=True, timeout=900, cwd=PROJECT_ROOT)
    finally:
        fixer.stop.set()
        fixer.join()
    output = run.stdout + run.stderr
    assert fixer.fixed_at is not None, "aljazeera's Asset event never came before the run ended:\n" + output[-3000:]
    assert run.returncode == 0, output[-3000:]
    run_id = re.findall(r"^dag run (\S+): success$", run.stderr, re.MULTILINE)[-1]  # tools/run_dag.py's last line

    with psycopg2.connect(metadata_dsn()) as conn, conn.cursor() as cur:
        cur.execute("""select source_task_id, timestamp, extra from asset_event
                       where source_dag_id = 'news_daily' and source_run_id = %s order by timestamp""", (run_id,))
        events = cur.fetchall()
        cur.execute("""select start_date, end_date from task_instance_history
                       where run_id = %s and task_id = 'news_repost.crawl' and try_number = 1""", (run_id,))
        first_try = cur.fetchone()
        cur.execute("""select start_date, try_number, state from task_instance
                       where run_id = %s and task_id = 'news_repost.crawl'""", (run_id,))
        retry = cur.fetchone()
    conn.close()
    assert first_try is not None and retry is not None and retry[1:] == (2, "success"), (first_try, retry)
    assert [task for task, _, _ in events] == ["aljazeera.announce", "news_repost.announce"], events
    (_, aljazeera_at, aljazeera_extra), (_, repost_at, repost_extra) = events
    # Announced after the failing source's first try and before its retry started: no waiting.
    assert first_try[1] < retry[0]
    assert aljazeera_at < retry[0] < repost_at, (aljazeera_at, first_try, retry, repost_at)
    extras = [e if isinstance(e, dict) else json.loads(e) for e in (aljazeera_extra, repost_extra)]
    assert extras[0]["sources"] == ["aljazeera"] and extras[0]["new"] == 11
    assert extras[1]["sources"] == ["news_repost"] and extras[1]["new"] == 1
