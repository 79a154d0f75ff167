"""CI's quality gate: the project's extraction on ../shared/corpus stays at or above the floors
in bench/eval_floors.toml (the same check as ``make eval``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.evaluate import DEFAULT_FLOORS, evaluate, format_table, load_floors
from tests.fixtures import SHARED

CORPUS = SHARED / "corpus"
pytestmark = pytest.mark.corpus


def test_extraction_scores_stay_at_or_above_the_floors(tmp_path: Path) -> None:
    if not CORPUS.is_dir():
        message = f"../shared/corpus is absent ({CORPUS}): the extraction floors are not checked"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must have it beside the clone")
        pytest.skip(message)
    floors = load_floors(DEFAULT_FLOORS)
    result = evaluate(CORPUS, output=tmp_path / "predictions.jsonl", floors=floors)
    assert {s.name for s in result.scores} >= set(floors), "a floored set is missing from the corpus"
    assert not result.failures, "below the floors:\n" + "\n".join(result.failures) + "\n" + format_table(result.scores)
