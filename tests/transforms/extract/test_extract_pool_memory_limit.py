"""The per-page memory limit: a page whose tree would take more than the worker's memory limit
is recorded as ``extraction_memory`` (a rejection the load sends to the failed-URL ledger), and
the same worker goes on with the next page; no OOM killer picks a process."""

from __future__ import annotations

from datetime import UTC, datetime

from transforms.article import Article, Rejected
from transforms.extract.extractor import ExtractionHints
from transforms.extract.pool import ExtractionPool, PageJob
from transforms.load.run import lasting

SENTENCE = "The regional council met on Monday to discuss the repair of the old stone bridge over the river."


def job(key: int, paragraphs: int) -> PageJob:
    body = "".join(f"<p>{SENTENCE} Paragraph {i}.</p>" for i in range(paragraphs))
    html = (f'<html lang="en"><head><meta property="og:type" content="article"><title>Story {key}</title></head>'
            f"<body><article><h1>Story {key}</h1>{body}</article></body></html>")
    return PageJob(key=key, url=f"https://x.example/{key}", body=html.encode(), content_type="text/html; charset=utf-8",
                   source="test", fetched_at=datetime(2026, 3, 6, 12, 0, tzinfo=UTC), hints=ExtractionHints())


def test_a_page_past_the_memory_limit_is_recorded_and_the_worker_goes_on() -> None:
    # 22 MB of paragraphs: its trees take several hundred MB beyond the ~300 MB a worker starts with.
    jobs = [job(0, 5), job(1, 200_000), job(2, 5)]
    with ExtractionPool(workers=1, soft_limit=120, memory_limit_mb=600) as pool:
        before = pool.worker_pids()
        results = [result for _, result in pool.map(jobs)]
        assert pool.worker_pids() == before  # no worker died: the page failed inside it
    huge = results[1]
    assert isinstance(huge, Rejected) and huge.reason == "extraction_memory", huge
    assert not lasting(huge)
    assert isinstance(results[0], Article) and isinstance(results[2], Article)
