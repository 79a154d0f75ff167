"""The warehouse-at-scale bench (bench/scale.py), run small: every figure is written, the load
batch is all new at each size, and every mart query reads through an index, never core.articles
whole. No timing is asserted (the machine is shared)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.scale import SOURCE_WEIGHTS, vocabulary
from tests.fixtures import PROJECT_ROOT

QUERIES = {"search_word_month_source", "search_word_month", "search_two_words_any_time",
           "daily_counts_one_day", "daily_counts_one_month"}


def test_a_small_scale_bench_writes_every_figure_and_its_queries_use_indexes(tmp_path: Path) -> None:
    out = tmp_path / "scale.json"
    done = subprocess.run([sys.executable, "-m", "bench.scale", "--sizes", "3000,500", "--batch", "100",
                           "--runs", "2", "--out", str(out)],
                          cwd=PROJECT_ROOT, env={**os.environ, "CI": "true"}, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"JSON: {out}" in done.stdout

    report = json.loads(out.read_text())
    assert list(report["sizes"]) == ["500", "3000"]  # smallest first, whatever the order given
    for size, result in report["sizes"].items():
        assert result["articles"] == int(size)
        assert result["load"]["articles"] == 100 and result["load"]["articles_per_s"] > 0
        assert set(result["fill_seconds"]) >= {"articles_seconds", "indexes_and_analyze_seconds"}
        assert set(result["queries"]) == QUERIES
        for name, query in result["queries"].items():
            assert query["median_ms"] > 0 and len(query["ms"]) == 2, name
            assert query["uses_expected_indexes"] and not query["articles_read_whole"], (name, query)
        assert result["queries"]["daily_counts_one_month"]["rows"] > 0
    verdicts = report["verdicts"]
    assert verdicts["load_rate_ratio"] > 0 and set(verdicts["queries_under_target"]) == QUERIES
    assert report["machine"]["cores"] >= 1 and report["versions"]["postgresql"]


def test_the_synthetic_vocabulary_is_deterministic_and_fits_its_slots() -> None:
    words = vocabulary()
    assert words == vocabulary() and len(set(words)) == len(words) == 20_000
    assert max(len(w) for w in words) <= 12 and len(SOURCE_WEIGHTS) == 10
