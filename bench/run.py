"""`make bench`: how close the pipeline runs to its limit on this machine, at N pages.

Builds (or reuses) a replay archive of N pages (bench/build_archive.py), then runs each stage in
its own process against a throwaway warehouse database, watching the memory of every process:
crawl replay, extraction pool vs. plain trafilatura × workers, load (first and unchanged),
end to end without Airflow, news_daily through Airflow, and the seen-URL decision against a
million known URLs. Prints a table and writes JSON (machine, date, versions, every figure).

Usage: python -m bench.run [--n 5000] [--out PATH] [--skip airflow,seen]
       python -m bench.run --compare small.json large.json   # is peak memory flat in N?
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.build_archive import BENCH_DATA, PROJECT_ROOT, SOURCES_DIR, build_archive
from bench.build_cc_news import build_cc_news
from bench.procmem import TreeSampler
from bench.stages import WINDOW_END, WINDOW_START, progress_enabled

# The targets (2 cores, 24 GB).
TARGETS = {
    "extract_vs_limit": 0.85,
    "e2e_vs_extract": 0.80,
    "crawl_pages_per_s": 300.0,
    "load_articles_per_s": 5000.0,
    "peak_process_mb": 600.0,
    "memory_growth": 0.20,
    "seen_url_seconds": 1.0,
    "airflow_overhead_seconds": 30.0,
    "extraction_cost_ratio": 1.5,
}
STAGE_TIMEOUT_SECONDS = 4 * 3600
STAGES = ("crawl", "extract", "limit", "load", "e2e", "airflow", "seen", "backfill", "cost")


class BenchFailed(RuntimeError):
    """A stage failed; the message names its log."""


@dataclass
class Context:
    n: int
    archive: Path
    work: Path
    logs: Path
    dsn: str
    seen_dsn: str
    env: dict[str, str]


# --- machine and versions ------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    return {"cpu": cpu, "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
            "ram_gb": round(mem_kb / 1024 / 1024, 1), "kernel": platform.release(), "hostname": platform.node()}


def versions(dsn: str) -> dict[str, str]:
    import psycopg2

    found = {"python": platform.python_version()}
    for name in ("scrapy", "trafilatura", "apache-airflow", "lxml", "warcio", "psycopg2-binary"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("show server_version")
            found["postgresql"] = cur.fetchone()[0]
    finally:
        conn.close()
    return found


# --- databases -----------------------------------------------------------------------------


def _with_database(dsn: str, database: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{database}"))


@contextmanager
def throwaway_database(server_dsn: str, label: str) -> Iterator[str]:
    """A migrated database of its own, dropped afterwards: the bench never touches real data."""
    from common.migrate import apply_migrations
    from common.warehouse import create_database, drop_database

    name = f"news_bench_{label}_{uuid.uuid4().hex[:8]}"
    create_database(server_dsn, name)
    try:
        dsn = _with_database(server_dsn, name)
        apply_migrations(dsn)
        yield dsn
    finally:
        drop_database(server_dsn, name)


# --- running stages ------------------------------------------------------------------------


def run_child(ctx: Context, name: str, command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run one stage's process, watch its process tree's memory, return wall time and peaks."""
    log_path = ctx.logs / f"{name}.log"
    with log_path.open("w") as log_file:
        # A person at a terminal sees the stage's own progress bar; otherwise it goes to the log.
        stderr = None if progress_enabled() else log_file
        started = time.perf_counter()
        cpu_before = _children_cpu()
        # A session of its own: on a timeout or Ctrl-C the whole stage (crawl child, pool) goes.
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=stderr,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            with TreeSampler(process.pid) as sampler:
                code = process.wait(timeout=STAGE_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise BenchFailed(f"stage {name} ran past {STAGE_TIMEOUT_SECONDS}s; see {log_path}") from None
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        seconds = time.perf_counter() - started
        cpu_seconds = _children_cpu() - cpu_before
    if code != 0:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-25:])
        raise BenchFailed(f"stage {name} exited with {code}; log {log_path}:\n{tail}")
    return {"wall_seconds": seconds, "cpu_seconds": cpu_seconds, "memory": sampler.memory.by_role()}


def _children_cpu() -> float:
    """CPU seconds of every finished, reaped descendant: on a busy machine, a steadier figure
    than wall time (pool workers reaped by their forkserver may be missing)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_stage(ctx: Context, stage: str, *extra: str, dsn: str | None = None,
              env_extra: dict[str, str] | None = None) -> dict[str, Any]:
    out = ctx.work / f"{stage}.json"
    env = {**ctx.env, **(env_extra or {}), "NEWS_WAREHOUSE_DSN": dsn or ctx.dsn}
    command = [sys.executable, "-m", "bench.stages", stage, "--out", str(out), "--pages", str(ctx.n), *extra]
    watched = run_child(ctx, stage, command, env)
    return {**json.loads(out.read_text()), **watched}


def run_airflow(ctx: Context) -> dict[str, Any]:
    """news_daily through Airflow's dag.test() on the same archive, from an empty warehouse."""
    import psycopg2

    from bench.stages import ALL_TABLES

    with psycopg2.connect(ctx.dsn) as conn, conn.cursor() as cur:
        cur.execute(f"truncate {ALL_TABLES} cascade")
    conn.close()
    conf = {"sources": ["bench"], "since": WINDOW_START.isoformat(), "until": WINDOW_END.isoformat()}
    # A logical date of its own, so the run never meets a test's or the demo's run of news_daily.
    logical = datetime.now(UTC).replace(microsecond=0).isoformat()
    command = [sys.executable, str(PROJECT_ROOT / "tools" / "run_dag.py"), "news_daily",
               "--logical-date", logical, "--conf", json.dumps(conf)]
    watched = run_child(ctx, "airflow", command, {**ctx.env, "NEWS_WAREHOUSE_DSN": ctx.dsn})
    with psycopg2.connect(ctx.dsn) as conn, conn.cursor() as cur:
        cur.execute("select status, pages_fetched, articles_new from ops.crawl_runs where source = 'bench'")
        runs = cur.fetchall()
    conn.close()
    if len(runs) != 1 or runs[0][0] != "loaded":
        raise BenchFailed(f"news_daily left {runs} in ops.crawl_runs, expected one loaded run; "
                          f"see {ctx.logs / 'airflow.log'}")
    return {"seconds": watched["wall_seconds"], "pages": runs[0][1], "new": runs[0][2], **watched}


def run_cost(ctx: Context, workers: int | None, pages_per_set: int) -> dict[str, Any]:
    """bench/cost.py in a process of its own: per-page CPU cost against plain trafilatura, per
    corpus set and page shape (the corpus's pages and the demo's), and the pool by CPU time."""
    out = ctx.work / "cost.json"
    command = [sys.executable, "-m", "bench.cost", "--out", str(out), "--pages-per-set", str(pages_per_set)]
    if workers:
        command += ["--pool-workers", str(workers)]
    watched = run_child(ctx, "cost", command, ctx.env)
    return {**json.loads(out.read_text()), **watched}


# --- figures and table ---------------------------------------------------------------------


def _rate(count: float, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


def figures(r: dict[str, Any]) -> dict[str, Any]:
    """The headline figures, from the stages' raw results."""
    f: dict[str, Any] = {}
    if "crawl" in r:
        c = r["crawl"]
        f["crawl_pages"] = c["pages"]
        f["crawl_pages_per_s"] = _rate(c["pages"], c["seconds"])
        f["crawl_pages_per_s_in_spider"] = _rate(c["pages"], c["spider_seconds"] or 0)
        f["crawl_process_overhead_seconds"] = round(c["seconds"] - (c["spider_seconds"] or 0), 2)
        f["crawl_pages_per_cpu_s"] = _rate(c["pages"], c["cpu_seconds"])
    if "extract" in r:
        e = r["extract"]
        f["extract_workers"] = e["workers"]
        f["extract_pages_per_s"] = _rate(e["pages"], e["seconds"])
        f["extract_articles"] = e["articles"]
        f["extract_rejected"] = e["rejected"]
    if "limit" in r and "extract" in r:
        single = _rate(r["limit"]["pages"], r["limit"]["seconds"])
        f["limit_single_process_pages_per_s"] = single
        f["limit_pages_per_s"] = round(single * r["extract"]["workers"], 1)
        f["limit_single_process_pages_per_cpu_s"] = _rate(r["limit"]["pages"], r["limit"]["cpu_seconds_timed"])
        f["extract_vs_limit"] = round(f["extract_pages_per_s"] / f["limit_pages_per_s"], 3) if single else None
    if "load" in r:
        lo = r["load"]
        f["load_articles"] = lo["articles"]
        f["load_first_articles_per_s"] = _rate(lo["articles"], lo["first_seconds"])
        f["load_reload_articles_per_s"] = _rate(lo["articles"], lo["reload_seconds"])
    if "e2e" in r:
        e2e = r["e2e"]
        f["e2e_seconds"] = round(e2e["seconds"], 2)
        f["e2e_pages_per_s"] = _rate(e2e["pages"], e2e["seconds"])
        if "extract_pages_per_s" in f:
            f["e2e_vs_extract"] = round(f["e2e_pages_per_s"] / f["extract_pages_per_s"], 3)
    if "airflow" in r:
        f["airflow_seconds"] = round(r["airflow"]["seconds"], 2)
        if "e2e" in r:
            f["airflow_overhead_seconds"] = round(r["airflow"]["seconds"] - r["e2e"]["wall_seconds"], 2)
    if "backfill" in r:
        b = r["backfill"]
        f["backfill_records"] = b["records"]
        f["backfill_source_pages"] = b["source_pages"]
        f["backfill_scan_records_per_s"] = _rate(b["records"], b["scan_seconds"])
        f["backfill_scan_mb_per_s"] = _rate(b["archive_bytes"] / 1e6, b["scan_seconds"])
        f["backfill_scan_inflating_all_records_per_s"] = _rate(b["records"], b["scan_inflating_all_seconds"])
        f["backfill_records_per_s"] = _rate(b["records"], b["seconds"])
        f["backfill_articles_loaded"] = b["articles_loaded"]
        f["backfill_articles_loaded_per_s"] = _rate(b["articles_loaded"], b["seconds"])
        f["backfill_again_seconds"] = round(b["again_seconds"], 2)
    if "seen" in r:
        s = r["seen"]
        f["seen_url_known"] = s["known"]
        f["seen_url_discovered"] = s["discovered"]
        f["seen_url_seconds"] = round(s["median_seconds"], 4)
        f["seen_url_first_seconds"] = round(s["first_seconds"], 4)
        f["seen_url_method"] = s["method"]
    if "cost" in r:
        c = r["cost"]
        f["extraction_cost_ratio"] = max(s["ratio_of_means"] for s in c["shapes"].values())
        f["extraction_cost_ratio_all"] = c["all"]["ratio_of_means"]
        f["extraction_cost_shapes_over_target"] = c["shapes_over_target"]
        if "pool" in c:
            f["pool_vs_own_limit_cpu"] = c["pool"]["pool_vs_own_limit_cpu"]
            f["pool_vs_trafilatura_limit_cpu"] = c["pool"]["pool_vs_trafilatura_limit_cpu"]
    peaks = peak_memory(r)
    if peaks:
        f["peak_process_mb"] = max(v for v in peaks.values())
    return f


def peak_memory(r: dict[str, Any]) -> dict[str, float]:
    """Largest process of each role over all stages (roles named by bench/procmem.py)."""
    peaks: dict[str, float] = {}
    for result in r.values():
        for role, entry in result.get("memory", {}).items():
            peaks[role] = max(peaks.get(role, 0.0), entry["peak_mb"])
    return dict(sorted(peaks.items()))


def verdicts(f: dict[str, Any]) -> dict[str, bool]:
    checks = {
        "extract_vs_limit": lambda v: v >= TARGETS["extract_vs_limit"],
        "e2e_vs_extract": lambda v: v >= TARGETS["e2e_vs_extract"],
        "crawl_pages_per_s": lambda v: v >= TARGETS["crawl_pages_per_s"],
        "load_first_articles_per_s": lambda v: v >= TARGETS["load_articles_per_s"],
        "load_reload_articles_per_s": lambda v: v >= TARGETS["load_articles_per_s"],
        "peak_process_mb": lambda v: v < TARGETS["peak_process_mb"],
        "seen_url_seconds": lambda v: v < TARGETS["seen_url_seconds"],
        "airflow_overhead_seconds": lambda v: v < TARGETS["airflow_overhead_seconds"],
        "extraction_cost_ratio": lambda v: v <= TARGETS["extraction_cost_ratio"],
    }
    return {k: bool(check(f[k])) for k, check in checks.items() if f.get(k) is not None}


TABLE_ROWS = [
    ("crawl replay (spider child, WARC written)", "crawl_pages_per_s", "pages/s", "≥ 300"),
    ("  same, inside the spider (no process start)", "crawl_pages_per_s_in_spider", "pages/s", ""),
    ("  same, per CPU-second of the crawl's processes", "crawl_pages_per_cpu_s", "pages/s", ""),
    ("extraction, pipeline pool", "extract_pages_per_s", "pages/s", ""),
    ("extraction limit: trafilatura × workers", "limit_pages_per_s", "pages/s", ""),
    ("  extraction / limit", "extract_vs_limit", "", "≥ 0.85"),
    ("load, first (COPY + upsert + versions)", "load_first_articles_per_s", "articles/s", "≥ 5000"),
    ("load, unchanged re-load", "load_reload_articles_per_s", "articles/s", "≥ 5000"),
    ("end to end without Airflow", "e2e_pages_per_s", "pages/s", ""),
    ("  end to end / extraction", "e2e_vs_extract", "", "≥ 0.8"),
    ("news_daily through Airflow", "airflow_seconds", "s", ""),
    ("  Airflow's overhead per run", "airflow_overhead_seconds", "s", "< 30"),
    ("seen-URL decision, 1,000 vs known", "seen_url_seconds", "s", "< 1"),
    ("backfill scan, CC-NEWS-shaped file (headers only)", "backfill_scan_records_per_s", "records/s", ""),
    ("  same, compressed bytes", "backfill_scan_mb_per_s", "MB/s", ""),
    ("  same, inflating every record instead", "backfill_scan_inflating_all_records_per_s", "records/s", ""),
    ("backfill file task (scan, copy, extract, load)", "backfill_records_per_s", "records/s", ""),
    ("  articles loaded", "backfill_articles_loaded_per_s", "articles/s", ""),
    ("  the same file again (nothing changes)", "backfill_again_seconds", "s", ""),
    ("largest process, peak RSS", "peak_process_mb", "MB", "< 600"),
    ("extraction CPU ÷ trafilatura, costliest shape", "extraction_cost_ratio", "x", "≤ 1.5"),
    ("  same, all pages", "extraction_cost_ratio_all", "x", ""),
    ("  pool CPU / one process, per page", "pool_vs_own_limit_cpu", "", ""),
    ("  pool vs workers x trafilatura, by CPU", "pool_vs_trafilatura_limit_cpu", "", ""),
]


def table(report: dict[str, Any]) -> str:
    f, ok = report["figures"], report["verdicts"]
    m = report["machine"]
    lines = [f"news-pipeline bench, N={report['n']} pages ({report['pages_from']}), {report['date']}",
             f"{m['cpu']}, {m['usable_cores']} cores, {m['ram_gb']} GB RAM; load average "
             f"{' '.join(f'{x:.2f}' for x in report['load_average']['start'])} at start, "
             f"{' '.join(f'{x:.2f}' for x in report['load_average']['end'])} at end", ""]
    header = f"{'figure':46} {'value':>12} {'unit':10} {'target':8} ok"
    lines += [header, "-" * len(header)]
    for label, key, unit, target in TABLE_ROWS:
        if key not in f or f[key] is None:
            continue
        value = f[key]
        shown = f"{value:,.3f}" if isinstance(value, float) and value < 10 else (
            f"{value:,.1f}" if isinstance(value, float) else f"{value:,}")
        mark = {True: "yes", False: "NO"}.get(ok.get(key), "")
        lines.append(f"{label:46} {shown:>12} {unit:10} {target:8} {mark}")
    lines += ["", "peak resident memory per process (MB):"]
    for role, mb in report["peak_memory_mb"].items():
        lines.append(f"  {role:44} {mb:>10,.1f}")
    if "seen_url_method" in f:
        lines += ["", f"seen-URL decision measured with: {f['seen_url_method']}"]
    if "cost" in report["stages"]:
        from bench.cost import table as cost_table

        lines += ["", cost_table(report["stages"]["cost"])]
    return "\n".join(lines)


def compare(small: Path, large: Path) -> int:
    """Peak memory per role at two sizes; fails when any grows by more than the target."""
    a, b = (json.loads(p.read_text()) for p in (small, large))
    print(f"peak memory per process, N={a['n']} -> N={b['n']}")
    worst = 0.0
    for role in sorted(set(a["peak_memory_mb"]) & set(b["peak_memory_mb"])):
        x, y = a["peak_memory_mb"][role], b["peak_memory_mb"][role]
        growth = (y - x) / x if x else 0.0
        worst = max(worst, growth)
        print(f"  {role:44} {x:>8.1f} -> {y:>8.1f} MB  {growth:+.0%}")
    flat = worst <= TARGETS["memory_growth"]
    verdict = "flat" if flat else "NOT flat"
    print(f"largest growth {worst:+.0%}: {verdict} (target within {TARGETS['memory_growth']:.0%})")
    return 0 if flat else 1


# --- main ----------------------------------------------------------------------------------


def bench(n: int, out: Path | None, skip: set[str], known: int, workers: int | None,
          cc_news_records: int = 20_000, cost_pages_per_set: int = 0) -> dict[str, Any]:
    from tqdm import tqdm

    from common.warehouse import warehouse_dsn

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work = BENCH_DATA / "runs" / f"{stamp}-n{n}"
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    load_start = list(os.getloadavg())
    archive, origin = build_archive(n, progress=progress_enabled())
    server = warehouse_dsn()
    results: dict[str, Any] = {}
    env = {**os.environ, "REPLAY_WARC": str(archive), "NEWS_SOURCES_EXTRA_DIRS": str(SOURCES_DIR),
           "ARCHIVE_ROOT": str(work / "archive"), "PYTHONPATH": os.pathsep.join(
               filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))}
    extra_workers = ["--workers", str(workers)] if workers else []
    articles = work / "articles.pickle"
    stages = [s for s in STAGES if s not in skip]
    bar = tqdm(stages, desc="bench", unit="stage", disable=not progress_enabled())
    with throwaway_database(server, "main") as dsn:
        ctx = Context(n, archive, work, logs, dsn, "", env)
        found_versions = versions(dsn)
        for stage in bar:
            bar.set_postfix_str(stage)
            if stage == "crawl":
                results["crawl"] = run_stage(ctx, "crawl")
            elif stage == "extract":
                results["extract"] = run_stage(ctx, "extract", "--run-id", results["crawl"]["crawl_run_id"],
                                               "--articles", str(articles), *extra_workers)
            elif stage == "limit":
                results["limit"] = run_stage(ctx, "limit", "--run-id", results["crawl"]["crawl_run_id"])
            elif stage == "load":
                results["load"] = run_stage(ctx, "load", "--run-id", results["crawl"]["crawl_run_id"],
                                            "--articles", str(articles))
            elif stage == "e2e":
                results["e2e"] = run_stage(ctx, "e2e", *extra_workers)
            elif stage == "airflow":
                results["airflow"] = run_airflow(ctx)
            elif stage == "backfill":
                cc_news, _, _ = build_cc_news(cc_news_records, 0.10)
                results["backfill"] = run_stage(ctx, "backfill", env_extra={"BENCH_CC_NEWS": str(cc_news)})
            elif stage == "cost":
                results["cost"] = run_cost(ctx, workers, cost_pages_per_set)
            elif stage == "seen":
                with throwaway_database(server, "seen") as seen_dsn:
                    results["seen"] = run_stage(ctx, "seen", "--known", str(known), dsn=seen_dsn)
    f = figures(results)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "n": n, "pages_from": origin, "archive": str(archive),
        "archive_bytes": archive.stat().st_size,
        "machine": machine(), "versions": found_versions,
        "load_average": {"start": load_start, "end": list(os.getloadavg())},
        "targets": TARGETS, "figures": f, "verdicts": verdicts(f),
        "peak_memory_mb": peak_memory(results), "stages": results, "logs": str(logs),
    }
    shutil.rmtree(work / "archive", ignore_errors=True)  # the crawls' WARCs: as large as the archive
    articles.unlink(missing_ok=True)
    out = out or BENCH_DATA / "results" / f"bench-n{n}-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    report["json_path"] = str(out)
    return report


def _exit_on_term(signum: int, frame: object) -> None:
    # SIGTERM as an exception, so the throwaway databases are dropped on the way out.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_term)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=int(os.environ.get("N", "5000")), help="article pages")
    parser.add_argument("--out", type=Path, default=None, help="JSON path (default .data/bench/results/)")
    parser.add_argument("--skip", default="", help=f"comma-separated stages to leave out, of {','.join(STAGES)}")
    parser.add_argument("--known", type=int, default=1_000_000, help="captured URLs for the seen-URL figure")
    parser.add_argument("--workers", type=int, default=None, help="extraction workers (default: usable cores)")
    parser.add_argument("--cc-news-records", type=int, default=20_000,
                        help="records in the backfill stage's CC-NEWS-shaped archive (10%% on the bench source)")
    parser.add_argument("--cost-pages-per-set", type=int, default=0,
                        help="pages of each corpus set the cost stage measures (default: all)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("SMALL_JSON", "LARGE_JSON"))
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    skip = {s for s in args.skip.split(",") if s}
    unknown = skip - set(STAGES)
    if unknown:
        parser.error(f"unknown stages {sorted(unknown)}; stages are {', '.join(STAGES)}")
    if {"extract", "limit", "load"} - skip and "crawl" in skip:
        parser.error("extract, limit and load use the crawl's run: skip them too, or keep crawl")
    if "load" not in skip and "extract" in skip:
        parser.error("load uses the articles extract makes: skip load too, or keep extract")
    try:
        report = bench(args.n, args.out, skip, args.known, args.workers, args.cc_news_records,
                       args.cost_pages_per_set)
    except BenchFailed as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    print(table(report))
    print(f"\nJSON: {report['json_path']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
