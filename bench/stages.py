"""One benchmark stage in a process of its own: ``python -m bench.stages STAGE --out result.json``.

Why a process per stage: peak memory is then the stage's own (not the harness's), and no stage
inherits another's warm caches. The warehouse DSN arrives in NEWS_WAREHOUSE_DSN and the archive in
REPLAY_WARC (environment, never the command line: a DSN carries a password).
Every stage calls the pipeline's own code: the crawl is scrapers.crawl_process.run_crawl (a real
``python -m scrapy crawl`` child), extraction is transforms.extract.pool.ExtractionPool, loading is
transforms.load.articles.load_articles, end to end is run_crawl + transforms.load.run.extract_and_load.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import pickle
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.build_archive import NEWS_DAY

log = logging.getLogger(__name__)

SOURCE = "bench"
WINDOW_START = NEWS_DAY
WINDOW_END = NEWS_DAY + timedelta(days=1)
# The warehouse tables a stage empties before it runs, so each starts from the same state.
ALL_TABLES = "core.article_versions, core.articles, raw.captures, ops.crawl_runs, ops.sources, ops.backfill_files"


def progress_enabled() -> bool:
    """Bars only for a person at a terminal: quiet in CI and in logs."""
    return sys.stderr.isatty() and os.environ.get("CI", "").lower() != "true"


def _window() -> Any:
    from common.window import Window

    return Window(WINDOW_START, WINDOW_END)


def truncate(tables: str = ALL_TABLES) -> None:
    from common.warehouse import transaction

    with transaction() as cur:
        cur.execute(f"truncate {tables} cascade")


def _crawl() -> tuple[str, float]:
    from scrapers.crawl_process import CrawlRequest, run_crawl

    started = time.perf_counter()
    run_id = run_crawl(CrawlRequest(SOURCE, _window()))
    return run_id, time.perf_counter() - started


def _run_row(run_id: str) -> dict[str, Any]:
    from common.warehouse import transaction

    with transaction() as cur:
        cur.execute("""select pages_fetched, requests, (stats ->> 'elapsed_time_seconds')::float, warc_uri
                       from ops.crawl_runs where crawl_run_id = %s""", (run_id,))
        pages, requests, elapsed, warc_uri = cur.fetchone()
    return {"pages": pages, "requests": requests, "spider_seconds": elapsed, "warc_uri": warc_uri}


def stage_crawl(args: argparse.Namespace) -> dict[str, Any]:
    """Replay the archive through the real spider in its child process; WARC written and published."""
    truncate()
    run_id, seconds = _crawl()
    row = _run_row(run_id)
    warc_bytes = Path(row["warc_uri"]).stat().st_size
    return {"crawl_run_id": run_id, "seconds": seconds, "warc_bytes": warc_bytes, **row}


def _page_records(run_id: str) -> tuple[Path, dict[int, datetime]]:
    from common.warehouse import transaction

    with transaction() as cur:
        cur.execute("select warc_uri from ops.crawl_runs where crawl_run_id = %s", (run_id,))
        (warc_uri,) = cur.fetchone()
        cur.execute("""select warc_offset, fetched_at from raw.captures
                       where crawl_run_id = %s and kind = 'page' and status = 200""", (run_id,))
        return Path(warc_uri), dict(cur.fetchall())


def _jobs(run_id: str, limit: int | None = None) -> Iterator[Any]:
    """The run's article pages as the pipeline's PageJobs, streamed from its WARC (as run_load does)."""
    from common.sources import load_sources
    from common.warc_reader import read_responses
    from transforms.extract.pool import PageJob
    from transforms.load.run import hints_for

    warc, captures = _page_records(run_id)
    hints = hints_for(load_sources()[SOURCE])
    for count, record in enumerate(read_responses(warc, set(captures))):
        if limit is not None and count >= limit:
            return
        yield PageJob(key=record.offset, url=record.url, body=record.body, content_type=record.content_type,
                      source=SOURCE, fetched_at=captures[record.offset], hints=hints)


def stage_extract(args: argparse.Namespace) -> dict[str, Any]:
    """The pipeline's extraction pool over the run's pages; the articles are kept for the load stage."""
    from tqdm import tqdm

    from transforms.article import Article, Rejected
    from transforms.extract.pool import ExtractionPool

    articles: list[Article] = []
    rejected: dict[str, int] = {}
    pages = 0
    started = time.perf_counter()
    with ExtractionPool(args.workers) as pool:
        workers = pool.workers
        results = pool.map(_jobs(args.run_id))
        for _, result in tqdm(results, total=args.pages, desc="extract", unit="page", leave=False,
                              disable=not progress_enabled()):
            pages += 1
            if isinstance(result, Rejected):
                rejected[result.reason] = rejected.get(result.reason, 0) + 1
            else:
                articles.append(result)
    seconds = time.perf_counter() - started
    with Path(args.articles).open("wb") as f:
        pickle.dump(articles, f, protocol=pickle.HIGHEST_PROTOCOL)
    return {"pages": pages, "articles": len(articles), "rejected": rejected, "seconds": seconds,
            "workers": workers}


def stage_limit(args: argparse.Namespace) -> dict[str, Any]:
    """Plain trafilatura ``bare_extraction`` in this one process over the same pages.

    Only the call is timed: the page is decoded (with the pipeline's decoder) beforehand, so the
    figure is trafilatura's own cost, the floor under any extraction that uses it.
    """
    from tqdm import tqdm
    from trafilatura import bare_extraction

    from transforms.extract.decoding import decode_html

    def extract(html: str, url: str) -> object:
        return bare_extraction(html, url=url, include_comments=False, with_metadata=True)

    jobs = _jobs(args.run_id, args.limit_pages)
    timed = cpu = 0.0
    pages = 0
    warmed = False
    for job in tqdm(jobs, total=args.limit_pages or args.pages, desc="limit", unit="page", leave=False,
                    disable=not progress_enabled()):
        html = decode_html(job.body, job.content_type)
        if not warmed:  # first call pays for imports and compiled XPaths: not part of the rate
            extract(html, job.url)
            warmed = True
        started, cpu_started = time.perf_counter(), time.process_time()
        extract(html, job.url)
        timed += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        pages += 1
    return {"pages": pages, "seconds": timed, "cpu_seconds_timed": cpu}


def stage_load(args: argparse.Namespace) -> dict[str, Any]:
    """load_articles (COPY + upsert + versions) on an empty core, then again with nothing changed.

    Articles the warehouse would refuse (no title, say) are quarantined first, as the pipeline's
    load does (transforms.load.run.quarantine), and counted apart.
    """
    from common.warehouse import transaction
    from transforms.article import Article
    from transforms.load.articles import load_articles
    from transforms.load.run import quarantine

    with Path(args.articles).open("rb") as f:
        extracted = pickle.load(f)
    articles: list[Article] = []
    quarantined: dict[str, int] = {}
    for item in extracted:
        checked = quarantine(item)
        if isinstance(checked, Article):
            articles.append(checked)
        else:
            quarantined[checked.detail] = quarantined.get(checked.detail, 0) + 1
    truncate("core.article_versions, core.articles")
    timings, counts = [], []
    for _ in ("first", "reload"):
        started = time.perf_counter()
        with transaction() as cur:
            result = load_articles(cur, articles, args.run_id)
        timings.append(time.perf_counter() - started)
        counts.append({"new": result.new, "updated": result.updated, "unchanged": result.unchanged})
    return {"articles": len(articles), "quarantined": quarantined, "first_seconds": timings[0],
            "reload_seconds": timings[1], "first_counts": counts[0], "reload_counts": counts[1]}


def stage_e2e(args: argparse.Namespace) -> dict[str, Any]:
    """Crawl, extract and load, as news_daily's tasks do, without Airflow; from an empty warehouse."""
    from transforms.load.run import extract_and_load

    truncate()
    run_id, crawl_seconds = _crawl()
    started = time.perf_counter()
    result = extract_and_load(run_id, workers=args.workers)
    load_seconds = time.perf_counter() - started
    return {"crawl_run_id": run_id, "pages": result.pages, "crawl_seconds": crawl_seconds,
            "extract_load_seconds": load_seconds, "seconds": crawl_seconds + load_seconds,
            "new": result.counts.new, "rejected": result.rejected}


def stage_backfill(args: argparse.Namespace) -> dict[str, Any]:
    """news_backfill's work on one CC-NEWS-shaped file (BENCH_CC_NEWS), without Airflow: the scan
    alone, then the whole file task (scan, copy, extract, load) from an empty warehouse."""
    from bench.build_cc_news import WINDOW_SINCE, WINDOW_UNTIL
    from common.sources import load_sources
    from common.warc_index import scan_records
    from common.window import Window, parse_bound
    from dags.tasks.backfill import backfill_file, plan_backfill
    from scrapers.archive_backfill import scan_archive

    archive = Path(os.environ["BENCH_CC_NEWS"])
    truncate()
    window = Window(parse_bound(WINDOW_SINCE), parse_bound(WINDOW_UNTIL))
    started = time.perf_counter()
    scan = scan_archive(archive, [load_sources()[SOURCE]], window)
    scan_seconds = time.perf_counter() - started
    started = time.perf_counter()
    inflated = sum(1 for _ in scan_records(archive))  # every member inflated: what skipping saves
    inflate_all_seconds = time.perf_counter() - started
    params = {"sources": [SOURCE], "since": WINDOW_SINCE, "until": WINDOW_UNTIL, "archives": str(archive)}
    started = time.perf_counter()
    (item,) = plan_backfill(params, "bench-backfill")
    result = backfill_file(item, "bench-backfill")
    backfill_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = backfill_file(item, "bench-backfill-again")
    again_seconds = time.perf_counter() - started
    return {"archive_bytes": archive.stat().st_size, "records": scan.records_scanned,
            "responses": scan.responses, "source_pages": len(scan.selected.get(SOURCE, [])),
            "scan_seconds": scan_seconds, "scan_inflating_all_seconds": inflate_all_seconds,
            "scan_inflating_all_records": inflated, "seconds": backfill_seconds, "result": result,
            "articles_loaded": result["new"] + result["updated"], "again_seconds": again_seconds,
            "again_result": again}


def _synthetic_url(i: int) -> str:
    day = NEWS_DAY - timedelta(days=i % 3650)
    return f"https://bench.news.example/news/{day.year}/{day.month}/{day.day}/known-story-{i:08d}"


class _RowStream(io.RawIOBase):
    """A file-like COPY source that makes CSV rows on demand (1M rows never sit in memory)."""

    def __init__(self, rows: Iterator[str]) -> None:
        self._rows = rows
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = "".join(row for _, row in zip(range(2000), self._rows))
            if not chunk:
                break
            self._buffer += chunk.encode()
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def seed_captures(known: int) -> float:
    """``known`` synthetic page captures in raw.captures, by COPY; returns the seconds it took."""
    import uuid

    from common.warehouse import execute_autocommit, transaction, warehouse_dsn

    run_id = str(uuid.uuid4())
    fetched = "2026-11-19T12:00:00+00:00"
    started = time.perf_counter()
    with transaction() as cur:
        cur.execute("insert into ops.sources (source, name, domains, language, enabled) values "
                    "(%s, 'bench', '{bench.news.example}', 'en', true) on conflict do nothing", (SOURCE,))
        cur.execute("""insert into ops.crawl_runs (crawl_run_id, source, window_start, window_end, started_at,
                         finished_at, finish_reason, status, warc_uri)
                       values (%s, %s, %s, %s, now(), now(), 'finished', 'loaded', 'synthetic')""",
                    (run_id, SOURCE, WINDOW_START, WINDOW_END))
        # Loaded pages: only those count as seen (seen means loaded).
        rows = (f"{run_id},{u},{u},page,200,text/html,{fetched},synthetic.warc.gz,{i * 10000},9000,article\n"
                for i, u in ((i, _synthetic_url(i)) for i in range(known)))
        cur.copy_expert("""copy raw.captures (crawl_run_id, url, normalized_url, kind, status, content_type,
                             fetched_at, warc_uri, warc_offset, warc_length, extraction_status)
                           from stdin with (format csv)""",
                        _RowStream(rows))
    # A warehouse's captures are vacuumed (autovacuum, news_maintenance): the lookup's index-only
    # scan needs the visibility map that only a vacuum writes.
    execute_autocommit(warehouse_dsn(), "vacuum (analyze) raw.captures")
    return time.perf_counter() - started


def indexed_lookup(urls: list[str]) -> set[str]:
    """Which of ``urls`` are already captured: one query on the captures_normalized_url index."""
    from common.warehouse import transaction

    with transaction() as cur:
        cur.execute("select distinct normalized_url from raw.captures where normalized_url = any(%s)", (urls,))
        return {row[0] for row in cur.fetchall()}


def seen_url_decider() -> tuple[str, Callable[[list[str]], set[str]]]:
    """The crawl's own seen-URL lookup (scrapers.ledger.seen_pages), else the indexed query."""
    try:
        from scrapers.ledger import seen_pages
    except ImportError:  # a checkout from before the seen-URL skip
        return "indexed query on raw.captures(normalized_url) (no seen-URL lookup in scrapers/)", indexed_lookup
    return "scrapers.ledger.seen_pages (the spider's own lookup)", lambda urls: set(seen_pages(urls))


def stage_seen(args: argparse.Namespace) -> dict[str, Any]:
    """With ``known`` URLs captured, the time to decide which of ``discovered`` URLs are new."""
    from common.urls import normalize_url
    from common.warehouse import transaction

    seed_seconds = seed_captures(args.known)
    method, decide = seen_url_decider()
    rng = random.Random(7)
    timings = []
    for attempt in range(args.repeats):
        half = args.discovered // 2
        known = [_synthetic_url(rng.randrange(args.known)) for _ in range(half)]
        new = [f"https://bench.news.example/news/2026/11/20/new-story-{attempt}-{i}?utm_source=rss"
               for i in range(args.discovered - half)]
        discovered = known + new
        started = time.perf_counter()
        normalized = [normalize_url(u) for u in discovered]
        seen = decide(normalized)
        fresh = [u for u in normalized if u not in seen]
        timings.append(time.perf_counter() - started)
        if len(fresh) != len({normalize_url(u) for u in new}):
            raise AssertionError(f"seen-URL decision wrong: {len(fresh)} new of {len(discovered)}, expected "
                                 f"{len(new)}")
    try:
        from scrapers.ledger import SEEN_SQL as query
    except ImportError:
        query = "select distinct normalized_url from raw.captures where normalized_url = any(%(urls)s)"
    with transaction() as cur:
        cur.execute(f"explain {query}", {"urls": [_synthetic_url(i) for i in range(args.discovered)]})
        plan = " / ".join(row[0].strip() for row in cur.fetchall())
    plan = re.sub(r"'\{[^']*\}'", f"'{{{args.discovered} URLs}}'", plan)  # not the URLs themselves
    return {"known": args.known, "discovered": args.discovered, "method": method, "seed_seconds": seed_seconds,
            "first_seconds": timings[0], "median_seconds": statistics.median(timings), "max_seconds": max(timings),
            "plan": plan}


STAGES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "crawl": stage_crawl, "extract": stage_extract, "limit": stage_limit, "load": stage_load,
    "e2e": stage_e2e, "seen": stage_seen, "backfill": stage_backfill,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("--out", type=Path, required=True, help="where the stage writes its result (JSON)")
    parser.add_argument("--run-id", help="the crawl run whose pages extract/limit/load use")
    parser.add_argument("--pages", type=int, default=None, help="expected page count (progress bars only)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--articles", type=Path, help="pickle of extracted articles (extract writes, load reads)")
    parser.add_argument("--limit-pages", type=int, default=None)
    parser.add_argument("--known", type=int, default=1_000_000)
    parser.add_argument("--discovered", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    result = STAGES[args.stage](args)
    args.out.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
