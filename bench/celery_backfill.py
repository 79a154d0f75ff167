"""news_backfill under CeleryExecutor with 1 and then 2 workers: how one backfill spreads.

    python -m bench.celery_backfill [--files 4] [--records 2000] [--out PATH]
    make bench STAGE=celery

Builds FILES CC-NEWS-shaped archive files (bench/build_cc_news.py, 10% of each file's pairs on the
bench source, URLs of their own per file), starts Redis (Debian's redis-server), a throwaway
warehouse and Airflow metadata database, and the project's stack (tools/stack.sh: API server,
scheduler, DAG processor, triggerer) with CeleryExecutor; then runs news_backfill over the files
with one worker (concurrency 1), empties the warehouse, and runs it again with two workers, each
in a directory of its own as on other machines. Records each run's wall time from trigger to
success, the articles loaded, articles per second, and the ratio of the two.

On a machine with 2 cores, two workers compete with the scheduler, PostgreSQL and each other's
extraction pools for those cores: the ratio shows what a second worker brings there, not what
it brings on a second machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2

from bench.build_archive import BENCH_DATA, PROJECT_ROOT, SOURCES_DIR
from bench.build_cc_news import WINDOW_SINCE, WINDOW_UNTIL, build_cc_news
from bench.run import machine
from bench.stages import ALL_TABLES, SOURCE

RUN_TIMEOUT_SECONDS = 3600


def build_files(files: int, records: int) -> tuple[list[Path], int]:
    built = [build_cc_news(records, 0.10, part=part) for part in range(files)]
    return [path for path, _, _ in built], sum(pages for _, pages, _ in built)


def _loaded(dsn: str, run_id: str) -> dict[str, int]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("""select files_total, files_done, files_failed, records_scanned, articles_loaded
                       from marts.backfill_progress where dag_run_id = %s""", (run_id,))
        row = cur.fetchone()
    conn.close()
    names = ("files_total", "files_done", "files_failed", "records_scanned", "articles_loaded")
    return dict(zip(names, (int(v) for v in row))) if row else dict.fromkeys(names, 0)


def _empty(dsn: str) -> None:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(f"truncate {ALL_TABLES} cascade")
    conn.close()


def run_backfill(api: Any, dsn: str, archives: list[Path], workers: list[Any]) -> dict[str, Any]:
    """One news_backfill run over the files; its wall time, counts and which worker ran what."""
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.wait_ready()
    conf = {"sources": [SOURCE], "since": WINDOW_SINCE, "until": WINDOW_UNTIL,
            "archives": ",".join(str(p) for p in archives)}
    load_start = list(os.getloadavg())
    started = time.perf_counter()
    run_id = api.trigger("news_backfill", conf=conf)
    state = api.wait_for_run("news_backfill", run_id, timeout=RUN_TIMEOUT_SECONDS)
    seconds = time.perf_counter() - started
    tis = api.task_instances("news_backfill", run_id)
    for worker in workers:
        worker.stop()
    if state != "success":
        raise RuntimeError(f"news_backfill ended {state}: {[(t['task_id'], t['state']) for t in tis]}")
    progress = _loaded(dsn, run_id)
    hosts: dict[str, int] = {}
    for ti in tis:
        if ti["task_id"] == "backfill_file":
            hosts[ti["hostname"]] = hosts.get(ti["hostname"], 0) + 1
    return {"workers": len(workers), "seconds": round(seconds, 1), **progress,
            "articles_per_s": round(progress["articles_loaded"] / seconds, 2) if seconds else 0.0,
            "files_per_worker": hosts, "load_average": {"start": load_start, "end": list(os.getloadavg())}}


def bench(files: int, records: int, work: Path) -> dict[str, Any]:
    from cryptography.fernet import Fernet

    from common.migrate import apply_migrations
    from common.warehouse import throwaway_database, warehouse_dsn
    from tests.fixtures.celery_stack import redis_with_password
    from tests.fixtures.celery_workers import Worker
    from tests.fixtures.ops_stack import Stack, sqlalchemy_url

    sys.path.insert(0, str(PROJECT_ROOT / "tools"))
    from airflow_api import AirflowAPI

    archives, source_pages = build_files(files, records)
    secrets = {"AIRFLOW__API_AUTH__JWT_SECRET": Fernet.generate_key().decode(),
               "AIRFLOW__API__SECRET_KEY": Fernet.generate_key().decode(),
               "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode()}
    server = warehouse_dsn()
    runs: list[dict[str, Any]] = []
    with redis_with_password(work / "redis") as redis, \
            throwaway_database(server, "news_bench_airflow") as airflow_db, \
            throwaway_database(server, "news_bench_celery") as dsn:
        apply_migrations(dsn)
        celery = {"AIRFLOW__CORE__EXECUTOR": "CeleryExecutor", "AIRFLOW__CELERY__BROKER_URL": redis.url,
                  "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + sqlalchemy_url(airflow_db),
                  # Low parallelism: the machine's cores are the limit, not Airflow's slots.
                  "AIRFLOW__CORE__PARALLELISM": "4", "NEWS_TASK_RETRIES": "0",
                  "NEWS_SOURCES_EXTRA_DIRS": str(SOURCES_DIR), "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO"}
        stack = Stack(work / "scheduler-machine", dsn, airflow_db, {**secrets, **celery})
        stack.env.pop("REPLAY_WARC", None)
        workers: list[Any] = []
        try:
            up = stack.make("up", timeout=600)
            if up.returncode != 0:
                raise RuntimeError(up.stdout[-2000:] + up.stderr[-2000:] + stack.logs_tail())
            api = AirflowAPI.for_stack(f"http://localhost:{stack.port}", stack.state_dir)
            api.wait_for_dag("news_backfill")
            api.unpause("news_backfill")
            worker_env = {**{k: v for k, v in stack.env.items() if k not in ("AIRFLOW_HOME", "NEWS_STACK_DIR")},
                          "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{stack.port}/execution/",
                          "AIRFLOW__API__BASE_URL": f"http://localhost:{stack.port}",
                          "PATH": f"{PROJECT_ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
                          "PYTHONPATH": str(PROJECT_ROOT)}
            for count in (1, 2):
                _empty(dsn)
                workers = [Worker(f"w{count}-{i}", work / f"workers-{count}", worker_env)
                           for i in range(1, count + 1)]
                print(f"celery: news_backfill over {files} files with {count} worker(s)", flush=True)
                runs.append(run_backfill(api, dsn, archives, workers))
                print(f"  {runs[-1]['seconds']} s, {runs[-1]['articles_loaded']} articles, "
                      f"{runs[-1]['articles_per_s']} articles/s, files per worker {runs[-1]['files_per_worker']}",
                      flush=True)
        finally:
            for worker in workers:
                worker.stop()
            stack.stack_sh("down")
    one, two = runs
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
            "files": files, "records_per_file": records, "source_pages": source_pages,
            "archives": [str(p) for p in archives], "runs": runs,
            "speedup_2_vs_1": round(one["seconds"] / two["seconds"], 3) if two["seconds"] else None}


def _exit_on_term(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # the stack, workers and databases are cleaned up on the way out


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_term)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=4, help="archive files (mapped backfill_file tasks)")
    parser.add_argument("--records", type=int, default=2000, help="records per file (10%% on the bench source)")
    parser.add_argument("--out", type=Path, default=None, help="JSON path (default .data/bench/results/)")
    args = parser.parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    # A short folder: the workers' TMPDIR holds the extraction pool's Unix socket (108 bytes at most).
    work = Path(tempfile.mkdtemp(prefix=f"news-celery-{stamp}-"))
    try:
        report = bench(args.files, args.records, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = args.out or BENCH_DATA / "results" / f"celery-backfill-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(f"2 workers vs 1: {report['speedup_2_vs_1']}x faster")
    print(f"JSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
