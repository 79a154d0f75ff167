"""The extraction pool with real pages: a pathological page is marked
``extraction_timeout`` by the per-page limit and the run goes on; the same page extracted
twice through the pool gives byte-identical records. The pool also runs where Airflow runs tasks:
inside a daemonic process, and under a script as __main__ that its workers must not re-import."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from tests.fixtures import FIXTURES as FIXTURES_ROOT
from tests.fixtures import PROJECT_ROOT
from transforms.article import Article, Rejected
from transforms.extract.extractor import ExtractionHints
from transforms.extract.pool import ExtractionPool, PageJob, extract_one

FIXTURES = FIXTURES_ROOT / "extract"
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


def _extract_in_this_process(results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    try:
        with ExtractionPool(workers=2) as pool:
            jobs = [job(n, small_page(n), f"https://x.example/{n}") for n in range(4)]
            results.put([(j.key, type(r).__name__) for j, r in pool.map(jobs)])
        results.put(multiprocessing.current_process().daemon)  # its own identity given back
    except BaseException as exc:  # reported to the test, which would otherwise wait in vain
        results.put(f"{type(exc).__name__}: {exc}")


def test_the_pool_runs_inside_a_daemonic_process() -> None:
    """As in a task process under LocalExecutor or Celery, which multiprocessing calls daemonic."""
    # spawn: a forked copy of this process would inherit the forkserver earlier tests started,
    # which only its parent can wait for.
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    daemon = context.Process(target=_extract_in_this_process, args=(results,), daemon=True)
    daemon.start()
    try:
        assert results.get(timeout=120) == [(n, "Article") for n in range(4)]
        assert results.get(timeout=30) is True
    finally:
        daemon.join(30)
    assert daemon.exitcode == 0


SCRIPT = textwrap.dedent("""
    import os
    import sys

    if __name__ != "__main__":  # re-imported by a pool worker or the forkserver: must not happen
        with open(os.environ["REIMPORTED"], "a") as marker:
            marker.write(f"{__name__} in process {os.getpid()}; ")
    else:
        from tests.transforms.extract.test_extract_pool import job, small_page
        from transforms.extract.pool import ExtractionPool

        with ExtractionPool(workers=2) as pool:
            kinds = [type(r).__name__ for _, r in pool.map([job(n, small_page(n), f"https://x.example/{n}")
                                                             for n in range(4)])]
        assert sys.modules["__main__"].__file__ == __file__, "the script's path was not given back"
        print(" ".join(kinds))
""")


def test_the_pool_never_reimports_a_main_script(tmp_path: Path) -> None:
    """As the `airflow` command is __main__ in a task process: importing it again in a worker
    initialises Airflow there, with a database connection the task supervisor scrubbed."""
    script = tmp_path / "main_script.py"
    script.write_text(SCRIPT, encoding="utf-8")
    marker = tmp_path / "reimported.txt"
    env = {**os.environ, "REIMPORTED": str(marker),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True,
                            timeout=180, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["Article"] * 4
    assert not marker.exists(), marker.read_text()


def _worker_state() -> tuple[bool, int]:
    """Run in a pool worker: is the warm-up module there, and the language model loaded?"""
    from transforms.extract.language import _identifier

    return "transforms.extract.pool_preload" in sys.modules, _identifier.cache_info().currsize


def test_workers_start_warm_from_the_fork_server() -> None:
    # The pool's fork server imported the extractor and loaded the language model once; a worker
    # (a new one as much as a replaced one) inherits both before its first page.
    with ExtractionPool(2) as pool:
        assert pool._pool is not None
        states = [pool._pool.apply_async(_worker_state).get(timeout=60) for _ in range(4)]
    assert states == [(True, 1)] * 4
