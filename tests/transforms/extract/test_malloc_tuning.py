"""glibc malloc settings that keep the extraction pool's feeding process flat in memory
(transforms.extract.malloc_tuning)."""

from __future__ import annotations

from transforms.extract import malloc_tuning
from transforms.extract.pool import ExtractionPool


def test_this_process_is_tuned_where_the_c_library_is_glibc() -> None:
    assert malloc_tuning.tune_this_process() is True  # Debian: glibc's mallopt accepted both settings


def test_the_pool_tunes_the_process_that_feeds_it(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[bool] = []
    real = malloc_tuning.tune_this_process
    monkeypatch.setattr("transforms.extract.pool.tune_this_process", lambda: calls.append(real()) or True)
    with ExtractionPool(1):
        pass
    assert calls == [True]
