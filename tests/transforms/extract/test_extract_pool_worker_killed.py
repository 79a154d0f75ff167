"""An extraction worker killed mid-batch (SIGKILL: the OOM killer, a segfault in lxml): the page
it was on is answered at once as ``extraction_crashed``, a rejection the load sends to the
failed-URL ledger; the batch's other pages are extracted, every job is answered once, in order."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime

from transforms.article import Article, Rejected
from transforms.extract.extractor import ExtractionHints
from transforms.extract.pool import ExtractionPool, PageJob
from transforms.load.run import lasting

FETCHED_AT = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
SENTENCE = "The regional council met on Monday to discuss the repair of the old stone bridge over the river."


def page(n: int, table_rows: int = 0) -> PageJob:
    body = "".join(f"<p>{SENTENCE} Paragraph {i} of story {n}.</p>" for i in range(4))
    table = "".join(f"<tr>{''.join(f'<td>cell {r} {c}</td>' for c in range(20))}</tr>" for r in range(table_rows))
    html = (f'<html lang="en"><head><meta property="og:type" content="article"><title>Story {n}</title></head>'
            f"<body><article><h1>Story {n}</h1>{body}<table>{table}</table></article></body></html>")
    return PageJob(key=n, url=f"https://x.example/{n}", body=html.encode(), content_type="text/html; charset=utf-8",
                   source="test", fetched_at=FETCHED_AT, hints=ExtractionHints())


def test_a_worker_killed_mid_page_loses_that_page_only_and_says_so() -> None:
    # One worker: it takes the pages in order, so after page 0 it is on page 1 (seconds of work).
    jobs = [page(0), page(1, table_rows=8000), *(page(n) for n in range(2, 6))]
    with ExtractionPool(workers=1, soft_limit=30) as pool:
        results = pool.map(jobs)
        first = next(results)
        time.sleep(0.5)
        (worker,) = pool.worker_pids()
        os.kill(worker, signal.SIGKILL)
        killed_at = time.monotonic()
        second = next(results)
        answered_after = time.monotonic() - killed_at
        rest = [second, *results]
    answered = [first, *rest]
    assert [job.key for job, _ in answered] == list(range(6))
    killed = answered[1][1]
    assert isinstance(killed, Rejected) and killed.reason == "extraction_crashed", killed
    # Known at once, not after the soft and hard limits (30 + 10 s) that a stuck worker waits for.
    assert answered_after < 10, answered_after
    assert not lasting(killed)  # the load sends it to the ledger: fetched again
    assert all(isinstance(result, Article) for _, result in answered if _.key != 1)
