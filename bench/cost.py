"""What the pipeline's extraction costs per page against plain trafilatura, per set and page shape.

``python -m bench.cost [--corpus DIR] [--sets aeb,demo] [--repeats 2] [--out PATH]``

In one process, warm, page by page: CPU seconds (``time.process_time``, steady on a machine
shared with other work, where wall time is not) of plain trafilatura on the decoded page against
the pipeline's ``extract_article`` on the same text, and against the pool worker's whole task
(``extract_one``: decoding, extraction, fingerprint). Each is the fastest of ``--repeats`` runs.

Plain trafilatura is called as the pipeline calls it where it differs from trafilatura's defaults
(decoded text, the URL, ``include_comments=False``, metadata, no dedup cache, htmldate judging
against the fetch day): the cost the pipeline must stay within a small factor of.

A page's *shape* is its set, its publisher where one publisher makes the whole set (Al Jazeera,
the demo), and the size of its HTML (``SIZE_BUCKETS``): the cost of both extractors grows with
the page, and the rules' share of it depends on the markup's shape. Reported per set and per
shape: the ratio of mean costs and the 90th percentile of per-page ratios.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.build_archive import DEMO_ARTICLE_RE, DEMO_MANIFEST
from bench.evaluate import DEFAULT_CORPUS, hints_by_domain, load_cases, read_page
from transforms.extract.extractor import ExtractionHints

log = logging.getLogger(__name__)

# The target: no page shape above this many times plain trafilatura's CPU per page.
MAX_COST_RATIO = 1.5
# Upper bounds (HTML bytes) of the size buckets; larger pages fall in the last, open one.
SIZE_BUCKETS = ((50_000, "<50KB"), (150_000, "50-150KB"), (400_000, "150-400KB"))
LARGEST_BUCKET = ">400KB"
DEMO_SET = "demo"


@dataclass(frozen=True)
class CostPage:
    set_name: str
    publisher: str
    url: str
    body: bytes
    fetched_at: datetime
    source: str
    hints: ExtractionHints


@dataclass(frozen=True)
class PageCost:
    set_name: str
    shape: str
    url: str
    html_bytes: int
    plain_cpu: float
    extract_cpu: float
    worker_cpu: float

    @property
    def ratio(self) -> float:
        return self.extract_cpu / self.plain_cpu if self.plain_cpu > 0 else float("inf")


def size_bucket(html_bytes: int) -> str:
    return next((label for bound, label in SIZE_BUCKETS if html_bytes < bound), LARGEST_BUCKET)


def page_shape(page: CostPage, single_publisher: bool) -> str:
    who = page.publisher if single_publisher else "mixed"
    return f"{page.set_name}/{who}/{size_bucket(len(page.body))}"


# --- pages -------------------------------------------------------------------------------------


def corpus_pages(corpus: Path, wanted: set[str] | None) -> list[CostPage]:
    by_domain = hints_by_domain()
    pages: list[CostPage] = []
    for set_dir in sorted(p for p in corpus.iterdir() if (p / "cases.jsonl").is_file()):
        if wanted is not None and set_dir.name not in wanted:
            continue
        for case in load_cases(set_dir):
            host = (urlsplit(case.url).hostname or "").lower()
            slug, hints = by_domain.get(host, (f"eval:{case.set_name}", ExtractionHints()))
            pages.append(CostPage(case.set_name, case.publisher, case.url, read_page(case), case.fetched_at,
                                  slug, hints))
    return pages


def demo_pages(manifest: Path = DEMO_MANIFEST) -> list[CostPage]:
    """The demo's Al Jazeera-shaped article pages, with the aljazeera source's hints."""
    from common.sources import load_sources
    from transforms.load.run import hints_for

    hints = hints_for(load_sources()["aljazeera"])
    with manifest.open("rb") as f:
        entries = tomllib.load(f).get("response", [])
    return [
        CostPage(DEMO_SET, "www.aljazeera.com", e["url"], (manifest.parent / e["file"]).read_bytes(),
                 datetime.fromisoformat(e["fetched_at"].replace("Z", "+00:00")).astimezone(UTC),
                 "aljazeera", hints)
        for e in entries if DEMO_ARTICLE_RE.match(e["url"])
    ]


# --- measuring ---------------------------------------------------------------------------------


def plain_trafilatura(html: str, page: CostPage) -> Any:
    """trafilatura with its defaults, given what the pipeline gives its own runs."""
    from trafilatura import bare_extraction

    return bare_extraction(
        html, url=page.url, include_comments=False, with_metadata=True, deduplicate=False,
        date_extraction_params={"original_date": True, "extensive_search": True,
                                "max_date": page.fetched_at.strftime("%Y-%m-%d")},
    )


def forget_remembered_texts() -> None:
    """Empty the extraction's caches keyed by a page's texts and class values.

    They carry answers from one page to the next (a site's repeated lines and class names), but
    a repeat of the *same* page would find every answer remembered: each measured run starts
    without them, as a page's first extraction does."""
    from transforms.extract.page import _names_byline, compact
    from transforms.extract.standfirst import _marks_standfirst
    from transforms.normalize import _remembered_word_count, _remembered_word_key

    for cache in (_remembered_word_key, _remembered_word_count, compact, _names_byline, _marks_standfirst):
        cache.cache_clear()


def _cpu(call: Callable[[], object], repeats: int) -> float:
    """The least CPU time of ``repeats`` calls: other processes' work only ever adds to it.
    Each call starts with the text caches empty (``forget_remembered_texts``)."""
    best = float("inf")
    for _ in range(repeats):
        forget_remembered_texts()
        started = time.process_time()
        call()
        best = min(best, time.process_time() - started)
    return best


def measure(pages: Sequence[CostPage], repeats: int, progress: bool = False) -> list[PageCost]:
    from tqdm import tqdm

    from transforms.extract.decoding import decode_html
    from transforms.extract.extractor import extract_article
    from transforms.extract.pool import PageJob, extract_one

    publishers: dict[str, set[str]] = defaultdict(set)
    for page in pages:
        publishers[page.set_name].add(page.publisher)
    costs: list[PageCost] = []
    warmed = False
    for page in tqdm(pages, desc="cost", unit="page", leave=False, disable=not progress):
        html = decode_html(page.body, None)
        job = PageJob(0, page.url, page.body, None, page.source, page.fetched_at, page.hints)

        def plain(html: str = html, page: CostPage = page) -> object:
            return plain_trafilatura(html, page)

        def pipeline(html: str = html, page: CostPage = page) -> object:
            return extract_article(html, page.url, source=page.source, fetched_at=page.fetched_at, hints=page.hints)

        def worker(job: PageJob = job) -> object:
            # No soft limit: on a machine this busy a page can pass 20 s of wall time, and
            # outside a pool worker nothing catches the alarm.
            return extract_one(job, soft_limit=0)

        if not warmed:  # imports, compiled expressions, the language model: not a page's cost
            plain(), pipeline(), worker()
            warmed = True
        costs.append(PageCost(page.set_name, page_shape(page, len(publishers[page.set_name]) == 1), page.url,
                              len(page.body), _cpu(plain, repeats), _cpu(pipeline, repeats), _cpu(worker, repeats)))
    return costs


def measure_stream(pages: Sequence[CostPage]) -> float:
    """CPU seconds a page costs this process meeting each page once, in order, as a pool's worker
    meets them: the pool's own limit. The least of repeated runs of one page (``measure``) finds
    that page's texts in trafilatura's and htmldate's caches from the run before, which no
    worker does."""
    from transforms.extract.pool import PageJob, extract_one

    jobs = [PageJob(i, p.url, p.body, None, p.source, p.fetched_at, p.hints) for i, p in enumerate(pages)]
    forget_remembered_texts()
    started = time.process_time()
    for job in jobs:
        extract_one(job, soft_limit=0)
    return (time.process_time() - started) / len(jobs)


# --- the pool ----------------------------------------------------------------------------------

# Workers' CPU time is read from /proc this often (in pages), so a worker the pool replaces
# (TASKS_PER_WORKER) is counted up to its last reading.
CPU_READ_EVERY_PAGES = 8


def process_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a live process, from /proc (None once it is gone)."""
    import os

    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_pool(pages: Sequence[CostPage], workers: int | None, progress: bool = False) -> dict[str, Any]:
    """The pipeline's pool over the pages: wall time, and CPU time of this process (which hands
    out pages and takes results, as a run's loading process does) and of every worker."""
    from tqdm import tqdm

    from transforms.extract.pool import ExtractionPool, PageJob

    jobs = [PageJob(i, p.url, p.body, None, p.source, p.fetched_at, p.hints) for i, p in enumerate(pages)]
    worker_cpu: dict[int, float] = {}

    def read_workers(pool: ExtractionPool) -> None:
        for pid in pool.worker_pids():
            seconds = process_cpu_seconds(pid)
            if seconds is not None:
                worker_cpu[pid] = seconds

    with ExtractionPool(workers) as pool:
        read_workers(pool)
        start_cpu = dict(worker_cpu)  # a worker forked warm has spent a little before its first page
        wall, parent = time.perf_counter(), time.process_time()
        for count, _ in enumerate(tqdm(pool.map(iter(jobs)), total=len(jobs), desc="pool", unit="page",
                                       leave=False, disable=not progress)):
            if count % CPU_READ_EVERY_PAGES == 0:
                read_workers(pool)
        read_workers(pool)
        wall, parent = time.perf_counter() - wall, time.process_time() - parent
        workers_used = pool.workers
    workers_seconds = sum(worker_cpu.values()) - sum(start_cpu.values())
    return {"pages": len(jobs), "workers": workers_used, "wall_seconds": round(wall, 3),
            "parent_cpu_seconds": round(parent, 3), "workers_cpu_seconds": round(workers_seconds, 3),
            "worker_processes_seen": len(worker_cpu)}


def pool_figures(pool: dict[str, Any], costs: Sequence[PageCost], stream_cpu: float) -> dict[str, Any]:
    """The pool against its limits, by CPU time (steady on a busy machine) and by wall time.
    ``stream_cpu``: what a page costs one process meeting each page once (``measure_stream``)."""
    pages = pool["pages"]
    plain = sum(c.plain_cpu for c in costs) / len(costs)
    single = sum(c.worker_cpu for c in costs) / len(costs)
    pool_cpu = (pool["parent_cpu_seconds"] + pool["workers_cpu_seconds"]) / pages
    workers_cpu = pool["workers_cpu_seconds"] / pages
    return {
        **pool,
        "cpu_ms_per_page": round(1000 * pool_cpu, 2),
        "workers_cpu_ms_per_page": round(1000 * workers_cpu, 2),
        "parent_cpu_ms_per_page": round(1000 * pool["parent_cpu_seconds"] / pages, 2),
        # 1.0: a page costs the pool's processes together what it costs one process alone,
        # meeting each page once as the workers do.
        "stream_ms_per_page": round(1000 * stream_cpu, 2),
        "pool_vs_own_limit_cpu": round(stream_cpu / pool_cpu, 3),
        # ... and against the least of repeated runs of each page (the table's worker column).
        "pool_vs_best_of_repeats_cpu": round(single / pool_cpu, 3),
        # The figure, by CPU time: pool throughput with every core busy against
        # workers x plain trafilatura in one process.
        "pool_vs_trafilatura_limit_cpu": round(plain / pool_cpu, 3),
        "pool_vs_trafilatura_limit_wall": round((pages / pool["wall_seconds"]) / (pool["workers"] / plain), 3),
    }


# --- summarising -------------------------------------------------------------------------------


def _p90(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def summary(costs: Sequence[PageCost]) -> dict[str, Any]:
    plain = sum(c.plain_cpu for c in costs)
    return {
        "pages": len(costs),
        "plain_ms_mean": round(1000 * plain / len(costs), 2),
        "extract_ms_mean": round(1000 * sum(c.extract_cpu for c in costs) / len(costs), 2),
        "ratio_of_means": round(sum(c.extract_cpu for c in costs) / plain, 3),
        "worker_ratio_of_means": round(sum(c.worker_cpu for c in costs) / plain, 3),
        "ratio_p90": round(_p90([c.ratio for c in costs]), 3),
        "ratio_median": round(statistics.median(c.ratio for c in costs), 3),
    }


def grouped(costs: Iterable[PageCost], key: Callable[[PageCost], str]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[PageCost]] = defaultdict(list)
    for cost in costs:
        groups[key(cost)].append(cost)
    return {name: summary(members) for name, members in sorted(groups.items())}


def report(costs: Sequence[PageCost], repeats: int) -> dict[str, Any]:
    by_shape = grouped(costs, lambda c: c.shape)
    worst = sorted(costs, key=lambda c: c.ratio, reverse=True)[:10]
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "clock": "CPU seconds of this one process (time.process_time), least of the repeats",
        "repeats": repeats,
        "target_max_ratio": MAX_COST_RATIO,
        "all": summary(costs),
        "sets": grouped(costs, lambda c: c.set_name),
        "shapes": by_shape,
        "shapes_over_target": [s for s, v in by_shape.items() if v["ratio_of_means"] > MAX_COST_RATIO],
        "costliest_pages": [{"url": c.url, "shape": c.shape, "ratio": round(c.ratio, 3),
                             "plain_ms": round(1000 * c.plain_cpu, 1), "extract_ms": round(1000 * c.extract_cpu, 1)}
                            for c in worst],
    }


def table(result: dict[str, Any]) -> str:
    header = (f"{'set / page shape':34} {'pages':>5} {'plain ms':>9} {'ours ms':>8} {'ratio':>6} {'p90':>6} "
              f"{'worker':>7}")
    lines = [f"extraction cost per page, CPU time, vs plain trafilatura (target ratio ≤ {MAX_COST_RATIO}; "
             "'!' marks a set or shape over it)", header, "-" * len(header)]

    def row(name: str, s: dict[str, Any]) -> str:
        over = " !" if s["ratio_of_means"] > MAX_COST_RATIO else ""
        return (f"{name:34} {s['pages']:>5} {s['plain_ms_mean']:>9.1f} {s['extract_ms_mean']:>8.1f} "
                f"{s['ratio_of_means']:>6.2f} {s['ratio_p90']:>6.2f} {s['worker_ratio_of_means']:>7.2f}{over}")

    for name, s in result["sets"].items():
        lines.append(row(name, s))
    lines.append(row("all", result["all"]))
    lines.append("")
    for name, s in result["shapes"].items():
        lines.append(row(name, s))
    over_target = result.get("shapes_over_target", [])
    lines.append(f"shapes over {MAX_COST_RATIO}x: {', '.join(over_target) if over_target else 'none'}")
    if "pool" in result:
        p = result["pool"]
        lines += ["", f"pool, {p['workers']} workers, {p['pages']} pages: {p['cpu_ms_per_page']:.1f} ms CPU a page "
                  f"(workers {p['workers_cpu_ms_per_page']:.1f}, parent {p['parent_cpu_ms_per_page']:.1f}); "
                  f"vs one process {p['pool_vs_own_limit_cpu']:.2f} (each page once, "
                  f"{p['stream_ms_per_page']:.1f} ms; {p['pool_vs_best_of_repeats_cpu']:.2f} against the "
                  f"least of repeated runs), vs workers x trafilatura "
                  f"{p['pool_vs_trafilatura_limit_cpu']:.2f} by CPU "
                  f"({p['pool_vs_trafilatura_limit_wall']:.2f} by wall, a busy machine's)"]
    return "\n".join(lines)


def first_of_each_set(pages: Sequence[CostPage], per_set: int) -> list[CostPage]:
    """The first ``per_set`` pages of every set, in order (0: all of them)."""
    if per_set <= 0:
        return list(pages)
    taken: dict[str, int] = defaultdict(int)
    kept = []
    for page in pages:
        if taken[page.set_name] < per_set:
            taken[page.set_name] += 1
            kept.append(page)
    return kept


def run(corpus: Path, sets: set[str] | None, repeats: int, progress: bool = False,
        pool_workers: int | None = 0, per_set: int = 0) -> dict[str, Any]:
    """Per-page costs, and the pool's figures unless ``pool_workers`` is 0 (None: one per core)."""
    pages: list[CostPage] = []
    if corpus.is_dir():
        pages += corpus_pages(corpus, sets)
    else:
        log.warning("no corpus at %s: cost measured on the demo's pages only", corpus)
    if sets is None or DEMO_SET in sets:
        pages += demo_pages()
    pages = first_of_each_set(pages, per_set)
    if not pages:
        raise SystemExit("no pages to measure")
    import os

    from bench.run import machine

    load_start = list(os.getloadavg())
    costs = measure(pages, repeats, progress)
    result = report(costs, repeats)
    result["machine"] = machine()
    result["load_average"] = {"start": load_start, "end": list(os.getloadavg())}
    if pool_workers != 0:
        stream = measure_stream(pages)
        result["pool"] = pool_figures(measure_pool(pages, pool_workers, progress), costs, stream)
    return result


def main(argv: list[str] | None = None) -> int:
    from bench.stages import progress_enabled

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sets", default="", help=f"comma-separated set names (and {DEMO_SET}); default all")
    parser.add_argument("--repeats", type=int, default=2, help="runs per page and extractor; the least counts")
    parser.add_argument("--out", type=Path, default=None, help="JSON path")
    parser.add_argument("--pages-per-set", type=int, default=0, help="the first N pages of each set (default: all)")
    parser.add_argument("--pool-workers", type=int, default=None,
                        help="workers of the pool measured over the same pages (default: one per core; 0: no pool)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("trafilatura").setLevel(logging.ERROR)  # "discarding data" on short pages drowns the table
    sets = {s for s in args.sets.split(",") if s} or None
    result = run(args.corpus, sets, args.repeats, progress_enabled(), args.pool_workers, args.pages_per_set)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
