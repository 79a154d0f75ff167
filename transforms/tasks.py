"""What news_daily's tasks do, kept out of the DAG file so it parses fast and tests can call it."""

from __future__ import annotations

import logging
from typing import Any

from scrapers.crawl_process import CrawlFailed, CrawlRequest, run_crawl as run_crawl_child
from scrapers.sources import enabled_sources, load_sources
from scrapers.window import Window, parse_bound, window_for_run
from transforms.run_load import extract_and_load

log = logging.getLogger(__name__)

# Quality gate: below this share of captured pages loading as articles, something is wrong
# (a site redesign, a block page served to us). Liveblogs and videos are normal rejects.
MIN_ARTICLE_YIELD = 0.5


class QualityCheckFailed(RuntimeError):
    """A run loaded, but what it loaded looks wrong."""


def run_window(context: Any) -> Window:
    """The run's window: explicit params first, then the data interval."""
    params = context.get("params") or {}
    if params.get("since") or params.get("until"):
        if not (params.get("since") and params.get("until")):
            raise ValueError("give both params 'since' and 'until', or neither")
        return Window(parse_bound(params["since"]), parse_bound(params["until"]))
    return window_for_run(context.get("data_interval_start"), context.get("data_interval_end"),
                          context.get("logical_date"))


def plan_run(context: Any) -> list[dict[str, str]]:
    """The sources this run crawls, each with the window as ISO strings (small XCom values)."""
    window = run_window(context)
    wanted = list((context.get("params") or {}).get("sources") or [])
    if wanted:
        known = load_sources()
        unknown = sorted(set(wanted) - set(known))
        if unknown:
            raise ValueError(f"unknown sources {unknown}; configured: {sorted(known)}")
        slugs = wanted
    else:
        slugs = [s.slug for s in enabled_sources()]
    if not slugs:
        raise ValueError("no source enabled: set enabled = true in a scrapers/sources/*.toml file")
    log.info("run window %s, sources %s", window, slugs)
    return [{"source": slug, "since": window.start.isoformat(), "until": window.end.isoformat()}
            for slug in slugs]


def run_crawl(job: dict[str, str], context: Any) -> str:
    dag_run = context.get("dag_run")
    request = CrawlRequest(job["source"], Window(parse_bound(job["since"]), parse_bound(job["until"])),
                           dag_run_id=getattr(dag_run, "run_id", None))
    try:
        return run_crawl_child(request)
    except CrawlFailed:
        log.error("crawl failed; the failed-URL ledger and stats are in ops.crawl_runs")
        raise


def run_extract_load(crawl_run_id: str) -> dict[str, Any]:
    result = extract_and_load(crawl_run_id)
    return {"crawl_run_id": result.crawl_run_id, "source": result.source, "pages": result.pages,
            "new": result.counts.new, "updated": result.counts.updated,
            "unchanged": result.counts.unchanged, "rejected": result.rejected}


def run_quality_check(result: dict[str, Any]) -> None:
    pages = result["pages"]
    articles = result["new"] + result["updated"] + result["unchanged"]
    errors = {k: v for k, v in result["rejected"].items() if k.startswith("extraction_")}
    problems = []
    if pages and articles / pages < MIN_ARTICLE_YIELD:
        problems.append(f"only {articles} of {pages} pages became articles (yield under {MIN_ARTICLE_YIELD:.0%})")
    if errors:
        problems.append(f"extraction errors: {errors}")
    if problems:
        raise QualityCheckFailed(f"{result['source']} run {result['crawl_run_id']}: " + "; ".join(problems))
    log.info("%s: %d pages, %d articles, checks passed", result["source"], pages, articles)
