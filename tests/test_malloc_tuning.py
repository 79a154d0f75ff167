"""glibc malloc settings that keep long runs' memory flat (transforms.malloc_tuning): given to the
crawl child and to the extraction pool's fork server and workers; an operator's own values win."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scrapers.crawl_process import crawl_env
from transforms.extract_pool import ExtractionPool
from transforms.malloc_tuning import MALLOC_ENV, tune_this_process


def _worker_malloc_env() -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in MALLOC_ENV}


def test_the_crawl_child_gets_the_settings_and_an_operators_own_value_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    env = crawl_env(tmp_path)
    assert env["MALLOC_MMAP_THRESHOLD_"] == "131072" and env["MALLOC_ARENA_MAX"] == "4"
    assert env["WARC_WORK_DIR"] == str(tmp_path)


def test_this_process_is_tuned_where_the_c_library_is_glibc() -> None:
    assert tune_this_process() is True  # Debian: glibc's mallopt accepted both settings
    assert all(os.environ[name] for name in MALLOC_ENV)


def test_the_pool_tunes_its_process_and_its_workers_run_with_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in MALLOC_ENV:
        monkeypatch.delenv(name, raising=False)
    with ExtractionPool(2) as pool:
        assert {name: os.environ.get(name) for name in MALLOC_ENV} == MALLOC_ENV  # set before its fork server starts
        assert pool._pool is not None
        seen = [pool._pool.apply_async(_worker_malloc_env).get(timeout=60) for _ in range(2)]
    assert seen == [MALLOC_ENV] * 2
