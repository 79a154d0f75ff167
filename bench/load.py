"""Load throughput: articles per second through transforms.load.articles.load_articles, into a scratch database.

    python -m bench.load --n 20000 [--batch 2000] [--keep]

Makes N synthetic articles (≈400-word bodies, bylines, tags, ~300 a day over at least a week; 5 % verbatim
copies on a second source and 2 % rewritten reposts naming their original, so the dedupe work is
real), fingerprinted as the extraction workers hand them over (transforms.fingerprint.with_fingerprint,
timed apart: it is extraction-side work), then times, each batch in its
own transaction as a crawl run's load is: the first load into an empty warehouse, and a re-load of
the same articles unchanged (what a re-run does). Deterministic: the same N gives the same
articles. Prints one line per pass and a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2
import psycopg2.extensions

from demo.warehouse import scratch_database
from transforms.article import Article
from transforms.fingerprint import with_fingerprint
from transforms.load.articles import LoadCounts, load_articles
from transforms.normalize import content_hash

log = logging.getLogger(__name__)

UTC = UTC
FETCHED = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
SOURCES = {"bench_daily": ["www.bench-daily.example"], "bench_wire": ["wire.example"], "bench_blog": ["blog.example"]}
COPY_SHARE = 0.05
REPOST_SHARE = 0.02
STORIES_PER_DAY = 300


@dataclass(frozen=True)
class Pass:
    name: str
    seconds: float
    counts: LoadCounts
    python_cpu_seconds: float  # this process
    server_cpu_seconds: float | None  # the PostgreSQL backend that ran the load, when it is local

    @property
    def total(self) -> int:
        return self.counts.new + self.counts.updated + self.counts.unchanged

    @property
    def articles_per_second(self) -> float:
        return self.total / self.seconds if self.seconds else 0.0

    @property
    def articles_per_cpu_second(self) -> float | None:
        """On a shared machine a steadier figure than wall time: what the load costs, not what it waited."""
        if self.server_cpu_seconds is None:
            return None
        cpu = self.python_cpu_seconds + self.server_cpu_seconds
        return self.total / cpu if cpu else None


def synthetic_articles(n: int, seed: int = 20261120) -> list[Article]:
    """N articles: originals on bench_daily, some verbatim copies (bench_wire) and reposts (bench_blog)."""
    rng = random.Random(seed)
    vocabulary = [_word(rng) for _ in range(6000)]
    people = [f"{_word(rng).title()} {_word(rng).title()}" for _ in range(400)]
    topics = [_word(rng).title() for _ in range(120)]
    span_days = max(7, n // STORIES_PER_DAY)
    articles: list[Article] = []
    originals: list[Article] = []
    for i in range(n):
        roll = rng.random()
        if originals and roll < COPY_SHARE:
            articles.append(_copy(rng, rng.choice(originals), i))
        elif originals and roll < COPY_SHARE + REPOST_SHARE:
            articles.append(_repost(rng, rng.choice(originals), i, vocabulary))
        else:
            original = _original(rng, i, vocabulary, people, topics, span_days)
            originals.append(original)
            articles.append(original)
    return articles


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 10)))


def _article(url: str, source: str, title: str, body: str, authors: tuple[str, ...], tags: tuple[str, ...],
             published: datetime, original_source: str | None = None) -> Article:
    return Article(
        url=url, source=source, title=title, body=body, content_hash=content_hash(title, None, body, authors),
        word_count=len(body.split()), extractor="bench", fetched_at=FETCHED, authors=authors,
        published_at=published, modified_at=published, language="en", section="News", tags=tags,
        original_source=original_source,
    )


def _original(rng: random.Random, i: int, vocabulary: list[str], people: list[str], topics: list[str],
              span_days: int) -> Article:
    paragraphs = ["\n".join(" ".join(rng.choices(vocabulary, k=rng.randint(15, 30))) + "." for _ in range(3))
                  for _ in range(rng.randint(3, 6))]
    # A busy source: about 300 stories a day, over at least a week; copies and reposts follow
    # within 12 hours, so nothing is after the fetch.
    published = FETCHED - timedelta(minutes=rng.randint(60 * 13, 60 * 24 * span_days))
    title = " ".join(rng.choices(vocabulary, k=8)).capitalize()
    return _article(f"https://www.bench-daily.example/news/{published:%Y/%m/%d}/story-{i:08d}", "bench_daily",
                    title, "\n".join(paragraphs), tuple(rng.sample(people, rng.randint(1, 3))),
                    tuple(rng.sample(topics, rng.randint(2, 5))), published)


def _copy(rng: random.Random, original: Article, i: int) -> Article:
    assert original.published_at is not None
    return _article(f"https://wire.example/world/{i:08d}", "bench_wire", original.title,
                    original.body + "\nDistributed by Wire.", ("Wire staff",), original.tags,
                    original.published_at + timedelta(minutes=rng.randint(5, 120)))


def _repost(rng: random.Random, original: Article, i: int, vocabulary: list[str]) -> Article:
    assert original.published_at is not None
    words = original.body.split()
    kept = [w for w in words if rng.random() < 0.6] + rng.choices(vocabulary, k=len(words) // 3)
    rng.shuffle(kept)
    body = " ".join(kept) + "."
    return _article(f"https://blog.example/{i:08d}/", "bench_blog", original.title.upper(), body,
                    ("Blog Editor",), (), original.published_at + timedelta(hours=rng.randint(1, 12)),
                    original_source="www.bench-daily.example")


def _prepare(dsn: str) -> None:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        for slug, domains in SOURCES.items():
            cur.execute("""insert into ops.sources (source, name, domains, language, enabled)
                           values (%s, %s, %s, 'en', true)""", (slug, slug, domains))
    conn.close()


def _run_id(cur: psycopg2.extensions.cursor) -> str:
    run_id = str(uuid.uuid4())
    cur.execute("""insert into ops.crawl_runs (crawl_run_id, source, window_start, window_end, started_at,
                     finished_at, finish_reason, status)
                   values (%s, 'bench_daily', '2026-11-19', '2026-11-20', now(), now(), 'finished', 'captured')""",
                (run_id,))
    return run_id


def _server_cpu_seconds(backend_pid: int) -> float | None:
    """CPU seconds a local PostgreSQL backend has used so far (None when it is not on this machine)."""
    try:
        fields = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def timed_pass(dsn: str, name: str, articles: list[Article], batch: int) -> Pass:
    counts = LoadCounts()
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("select pg_backend_pid()")
            backend_pid = cur.fetchone()[0]
        local = psycopg2.extensions.parse_dsn(dsn).get("host", "localhost") in ("localhost", "127.0.0.1", "::1")
        server_before = _server_cpu_seconds(backend_pid) if local else None
        python_before = time.process_time()
        started = time.perf_counter()
        for start in range(0, len(articles), batch):
            with conn, conn.cursor() as cur:  # one transaction per batch, as one crawl run's load
                counts = counts + load_articles(cur, articles[start:start + batch], _run_id(cur))
        seconds = time.perf_counter() - started
        python_cpu = time.process_time() - python_before
        server_after = _server_cpu_seconds(backend_pid) if server_before is not None else None
    finally:
        conn.close()
    server_cpu = server_after - server_before if server_before is not None and server_after is not None else None
    return Pass(name, seconds, counts, python_cpu, server_cpu)


def stories(dsn: str) -> tuple[int, int]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select count(*), count(*) filter (where copies > 0) from marts.articles")
        found = cur.fetchone()
    conn.close()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="articles to load (default 20000)")
    parser.add_argument("--batch", type=int, default=2000, help="articles per transaction (default 2000)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    articles = synthetic_articles(args.n)
    started = time.process_time()
    articles = [with_fingerprint(a) for a in articles]  # what the extraction workers do, in parallel
    fingerprint_us = (time.process_time() - started) / max(1, args.n) * 1e6
    with scratch_database(prefix="news_bench") as dsn:
        _prepare(dsn)
        passes = [timed_pass(dsn, "first load", articles, args.batch),
                  timed_pass(dsn, "unchanged re-load", articles, args.batch)]
        story_count, folded = stories(dsn)
    for p in passes:
        per_cpu = ""
        if p.articles_per_cpu_second:
            per_cpu = f", {p.articles_per_cpu_second:,.0f} per CPU-second (Python + server)"
        print(f"{p.name:<18} {args.n} articles in {p.seconds:6.1f} s = {p.articles_per_second:7.0f} articles/s "
              f"({p.counts.new} new, {p.counts.updated} updated, {p.counts.unchanged} unchanged){per_cpu}")
    print(f"stories in marts.articles: {story_count} ({folded} with copies folded in)")
    print(f"fingerprints, computed before the load as the extraction workers do: {fingerprint_us:.0f} us/article (CPU)")
    summary = {
        "n": args.n, "batch": args.batch, "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        **{p.name.replace(" ", "_").replace("-", "") + "_articles_per_s": round(p.articles_per_second) for p in passes},
        **{p.name.replace(" ", "_").replace("-", "") + "_articles_per_cpu_s": round(p.articles_per_cpu_second)
           for p in passes if p.articles_per_cpu_second},
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "stories": story_count, "stories_with_copies": folded,
        "extraction_side_fingerprint_us_per_article": round(fingerprint_us),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
