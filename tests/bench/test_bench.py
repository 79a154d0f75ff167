"""The benchmark harness (bench/): a small run produces every figure; no timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from bench.build_archive import FEED_ITEMS, PagePool, page_url, sitemap_urls, write_archive
from bench.run import TABLE_ROWS, compare
from scrapers.discovery import parse_feed, parse_sitemap
from tests.fixtures import PROJECT_ROOT

FIGURES = {key for _, key, _, _ in TABLE_ROWS} | {
    "crawl_pages", "extract_workers", "extract_articles", "limit_single_process_pages_per_s", "load_articles",
    "e2e_seconds", "seen_url_known", "seen_url_discovered", "seen_url_method",
}


def test_archive_lists_every_page_once_in_its_sitemaps(tmp_path: Path) -> None:
    n = 2500  # three sitemaps, the last one partial
    path = tmp_path / "bench.warc.gz"
    with path.open("wb") as stream:
        write_archive(stream, n, PagePool("demo", (b"<html><body>a</body></html>", b"<html>b</html>")))
    bodies: dict[str, bytes] = {}
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                bodies[record.rec_headers.get_header("WARC-Target-URI")] = record.content_stream().read()
    pages = [page_url(i) for i in range(n)]
    assert set(pages) <= set(bodies) and len({bodies[u] for u in pages}) == n  # unique URLs and payloads
    listed = [d.url for u in sitemap_urls(n) for d in parse_sitemap(bodies[u]).urls]
    assert listed == pages and len(sitemap_urls(n)) == 3
    assert [d.url for d in parse_feed(bodies["https://bench.news.example/feed.xml"])] == pages[::-1][:FEED_ITEMS]


def _report(n: int, peaks: dict[str, float]) -> dict[str, object]:
    return {"n": n, "peak_memory_mb": peaks}


def test_compare_fails_when_a_process_grows_more_than_a_fifth(tmp_path: Path) -> None:
    small, flat, grown = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    small.write_text(json.dumps(_report(2000, {"extraction: worker": 100.0, "crawl: scrapy child": 120.0})))
    flat.write_text(json.dumps(_report(20000, {"extraction: worker": 110.0, "crawl: scrapy child": 125.0})))
    grown.write_text(json.dumps(_report(20000, {"extraction: worker": 100.0, "crawl: scrapy child": 300.0})))
    assert compare(small, flat) == 0
    assert compare(small, grown) == 1


@pytest.mark.airflow
def test_a_small_bench_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {**os.environ, "CI": "true"}
    done = subprocess.run([sys.executable, "-m", "bench.run", "--n", "50", "--known", "20000", "--out", str(out),
                           "--cc-news-records", "400", "--cost-pages-per-set", "2"],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"JSON: {out}" in done.stdout and "extraction / limit" in done.stdout

    report = json.loads(out.read_text())
    figures = report["figures"]
    assert FIGURES <= set(figures), sorted(FIGURES - set(figures))
    assert figures["crawl_pages"] == 50 and report["stages"]["e2e"]["pages"] == 50
    assert report["stages"]["airflow"]["pages"] == 50
    assert figures["load_articles"] == figures["extract_articles"] > 25
    assert report["stages"]["load"]["reload_counts"] == {"new": 0, "updated": 0,
                                                         "unchanged": figures["load_articles"]}
    for key in ("crawl_pages_per_s", "extract_pages_per_s", "limit_pages_per_s", "load_first_articles_per_s",
                "e2e_pages_per_s", "airflow_seconds", "seen_url_seconds", "peak_process_mb"):
        assert figures[key] > 0, key
    assert figures["seen_url_known"] == 20000 and figures["seen_url_discovered"] == 1000
    # The backfill stage: a CC-NEWS-shaped file of 401 records, 20 pages on the bench source.
    backfill = report["stages"]["backfill"]
    assert (figures["backfill_records"], figures["backfill_source_pages"]) == (401, 20)
    assert 0 < backfill["result"]["new"] and backfill["result"]["new"] + backfill["result"]["rejected"] <= 20
    assert backfill["again_result"]["new"] == 0 and backfill["again_result"]["unchanged"] == backfill["result"]["new"]
    assert figures["backfill_scan_records_per_s"] > 0 and figures["backfill_articles_loaded_per_s"] > 0
    assert "scrapers.ledger.seen_pages" in figures["seen_url_method"]  # the spider's own lookup
    assert {"crawl: scrapy child", "extraction: worker", "airflow: dag.test (tasks run here)"} <= set(
        report["peak_memory_mb"])
    assert set(report["verdicts"]) >= {"extract_vs_limit", "crawl_pages_per_s", "seen_url_seconds",
                                       "extraction_cost_ratio"}
    cost = report["stages"]["cost"]
    assert "demo" in cost["sets"] and cost["all"]["plain_ms_mean"] > 0 and cost["pool"]["workers_cpu_seconds"] > 0
    machine, versions = report["machine"], report["versions"]
    assert machine["cores"] >= 1 and machine["ram_gb"] > 0 and machine["cpu"]
    assert {"python", "scrapy", "trafilatura", "apache-airflow", "postgresql"} <= set(versions)
