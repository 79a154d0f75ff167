"""The extraction pool with real pages (FAULTS 14, 17): a pathological page is marked
``extraction_timeout`` by the per-page limit and the run goes on; the same page extracted
twice through the pool gives byte-identical records."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from transforms.article import Article, Rejected
from transforms.extract import ExtractionHints
from transforms.extract_pool import ExtractionPool, PageJob, extract_one

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
FETCHED_AT = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
SENTENCE = "The regional council met on Monday to discuss the repair of the old stone bridge over the river."


def huge_table_page(rows: int = 6000) -> bytes:
    """A page whose article holds a 6000 x 20 table: several seconds of work for trafilatura."""
    cells = "".join(f"<tr>{''.join(f'<td>cell {r} {c} text</td>' for c in range(20))}</tr>" for r in range(rows))
    html = f"<html><head><title>Table</title></head><body><article><p>{SENTENCE}</p><table>{cells}</table></article></body></html>"
    return html.encode("utf-8")


def small_page(n: int) -> bytes:
    body = "".join(f"<p>{SENTENCE} Paragraph {i} of story {n}.</p>" for i in range(4))
    return f'<html lang="en"><head><meta property="og:type" content="article"><title>Story {n}</title></head><body><article><h1>Story {n}</h1>{body}</article></body></html>'.encode()


def job(key: int, body: bytes, url: str) -> PageJob:
    return PageJob(key=key, url=url, body=body, content_type="text/html; charset=utf-8",
                   source="test", fetched_at=FETCHED_AT, hints=ExtractionHints())


def test_pathological_page_times_out_and_the_run_goes_on() -> None:
    jobs = [job(0, small_page(0), "https://x.example/0"), job(1, huge_table_page(), "https://x.example/slow"),
            job(2, small_page(2), "https://x.example/2")]
    with ExtractionPool(workers=2, soft_limit=1) as pool:
        results = list(pool.map(jobs))
    assert [j.key for j, _ in results] == [0, 1, 2]  # every job answered, in order
    slow = results[1][1]
    assert isinstance(slow, Rejected) and slow.reason == "extraction_timeout", slow
    assert all(isinstance(r, Article) for _, r in (results[0], results[2]))


def test_the_same_page_gives_a_full_article_under_a_generous_limit() -> None:
    """The timeout above is the limit's doing, not a failure of the page."""
    result = extract_one(job(1, huge_table_page(rows=300), "https://x.example/table"), soft_limit=60)
    assert isinstance(result, Article) and "cell 299 19 text" in result.body


def test_same_html_twice_through_the_pool_is_byte_identical() -> None:
    body = (FIXTURES / "aljazeera_article.html").read_bytes()
    url = "https://www.aljazeera.com/news/2026/3/4/harbour-town-votes-to-keep-its-wooden-lighthouse"
    jobs = [job(0, body, url), job(1, small_page(1), "https://x.example/1"), job(2, body, url)]
    with ExtractionPool(workers=2) as pool:
        results = [r for _, r in pool.map(jobs)]
    first, second = (json.dumps(asdict(r), default=str, ensure_ascii=False) for r in (results[0], results[2]))
    assert isinstance(results[0], Article)
    assert first.encode() == second.encode()
