"""bench/cost.py: per-page CPU cost against plain trafilatura, per set and page shape, and the pool.

No timing is asserted (the machine may be busy); the figures must exist and add up.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime

from bench.cost import (
    CostPage,
    PageCost,
    first_of_each_set,
    forget_remembered_texts,
    page_shape,
    process_cpu_seconds,
    report,
    run,
    size_bucket,
    summary,
    table,
)
from bench.evaluate import DEFAULT_CORPUS
from transforms.extract.extractor import ExtractionHints


def _page(set_name: str, size: int) -> CostPage:
    return CostPage(set_name, "example.org", f"https://example.org/{set_name}/{size}", b"x" * size,
                    datetime(2026, 1, 1, tzinfo=UTC), "eval", ExtractionHints())


def test_a_page_shape_is_its_set_publisher_and_size_bucket() -> None:
    assert [size_bucket(n) for n in (10, 49_999, 50_000, 399_999, 400_000)] == [
        "<50KB", "<50KB", "50-150KB", "150-400KB", ">400KB"]
    assert page_shape(_page("demo", 20_000), single_publisher=True) == "demo/example.org/<50KB"
    assert page_shape(_page("traf", 200_000), single_publisher=False) == "traf/mixed/150-400KB"


def test_the_first_pages_of_each_set_are_kept_in_order() -> None:
    pages = [_page("a", 1), _page("a", 2), _page("b", 3), _page("a", 4), _page("b", 5)]
    assert [p.body for p in first_of_each_set(pages, 1)] == [b"x", b"xxx"]
    assert first_of_each_set(pages, 0) == pages


def test_the_summary_is_a_ratio_of_means_with_the_p90_of_page_ratios() -> None:
    costs = [PageCost("s", "s/x/<50KB", f"u{i}", 1, 0.010, 0.010 * (1 + i / 10), 0.012) for i in range(10)]
    found = summary(costs)
    assert found["ratio_of_means"] == round(sum(1 + i / 10 for i in range(10)) / 10, 3)
    assert found["ratio_p90"] == 1.9 and found["worker_ratio_of_means"] == 1.2 and found["pages"] == 10


def test_the_table_shows_every_set_and_shape_and_marks_those_over_the_target() -> None:
    costs = [PageCost("traf", "traf/mixed/<50KB", "a", 1, 0.010, 0.012, 0.013),
             PageCost("traf", "traf/mixed/>400KB", "b", 1, 0.010, 0.020, 0.021),
             PageCost("demo", "demo/example.org/<50KB", "c", 1, 0.010, 0.014, 0.015)]
    result = report(costs, repeats=1)
    assert result["shapes_over_target"] == ["traf/mixed/>400KB"]
    rows = {line.split()[0]: line for line in table(result).splitlines() if line.split()}
    assert rows["traf/mixed/>400KB"].endswith(" !") and rows["traf"].endswith(" !")  # 1.6 over 1.5
    assert not rows["traf/mixed/<50KB"].endswith("!") and not rows["demo"].endswith("!")
    assert " 1.20 " in rows["traf/mixed/<50KB"] and " 1.40 " in rows["demo/example.org/<50KB"]
    assert table(result).splitlines()[-1] == "shapes over 1.5x: traf/mixed/>400KB"


def test_cpu_seconds_of_a_process_come_from_proc() -> None:
    assert (process_cpu_seconds(os.getpid()) or 0) > 0
    child = subprocess.Popen(["true"])
    child.wait()
    assert process_cpu_seconds(child.pid) is None  # reaped: gone from /proc


def test_the_demo_pages_are_measured_in_one_process_and_in_the_pool() -> None:
    result = run(DEFAULT_CORPUS.parent / "no-corpus-here", {"demo"}, repeats=1, pool_workers=1, per_set=3)
    assert set(result["sets"]) == {"demo"} and result["all"]["pages"] == 3
    assert result["all"]["plain_ms_mean"] > 0 and result["all"]["extract_ms_mean"] > 0
    assert all(shape.startswith("demo/www.aljazeera.com/") for shape in result["shapes"])
    pool = result["pool"]
    assert pool["pages"] == 3 and pool["workers"] == 1 and pool["workers_cpu_seconds"] > 0
    assert pool["pool_vs_own_limit_cpu"] > 0 and pool["pool_vs_trafilatura_limit_cpu"] > 0
    assert pool["stream_ms_per_page"] > 0 and pool["pool_vs_best_of_repeats_cpu"] > 0
    assert abs(pool["pool_vs_own_limit_cpu"] - pool["stream_ms_per_page"] / pool["cpu_ms_per_page"]) < 0.01
    shown = table(result)
    assert "demo/www.aljazeera.com/<50KB" in shown and "pool, 1 workers, 3 pages" in shown


def test_each_measured_run_starts_without_the_pages_remembered_texts() -> None:
    """A repeat of the same page must not find its lines' keys, names and class verdicts kept
    from the run before: the least of the repeats would then be a cost no real page has."""
    from transforms.extract.extractor import extract_article
    from transforms.extract.page import _names_byline, compact
    from transforms.extract.standfirst import _marks_standfirst
    from transforms.normalize import _remembered_word_count, _remembered_word_key

    html = (
        '<html lang="en"><head><title>Harbour opens</title><meta name="author" content="Ana Ruiz"></head>'
        '<body><article><h1>Harbour opens</h1><p class="byline story-standfirst">By Ana Ruiz</p>'
        + "<p>The harbour reopened on Monday after a week of repairs to its outer wall.</p>" * 8
        + "</article></body></html>"
    )
    extract_article(html, "https://news.example/2026/06/11/harbour", source="test",
                    fetched_at=datetime(2026, 6, 12, tzinfo=UTC))
    caches = (_remembered_word_key, _remembered_word_count, compact, _names_byline, _marks_standfirst)
    assert all(cache.cache_info().currsize > 0 for cache in caches)
    forget_remembered_texts()
    assert [cache.cache_info().currsize for cache in caches] == [0, 0, 0, 0, 0]
