"""Does the warehouse keep its speed as it grows? Load rate and the marts' typical queries at sizes.

    python -m bench.scale [--sizes 10000,1000000] [--batch 2000] [--runs 5] [--out PATH]
    make bench STAGE=scale

In a throwaway database, for each size in turn (ascending): fills core.articles up to that many
synthetic articles on the server (INSERT ... SELECT over generate_series: 10 sources of unequal
size, publication times over two years, bodies of 120-280 words drawn from a 20,000-word
vocabulary with Zipf-like frequencies, so a word's selectivity is like a real one's; fingerprints,
LSH bands and story clusters alongside), runs VACUUM (ANALYZE), then measures

- the pipeline's load (transforms.load.articles.load_articles, fingerprints included) of a fixed
  batch of new articles, in a transaction rolled back afterwards so that every run and both sizes
  load the same batch into the same warehouse; articles per wall second and per CPU second;
- the marts' typical queries (a word over a month, with and without a source; one day's and one
  month's daily counts): EXPLAIN ANALYZE's execution time, median of several runs, and the
  indexes each used (pg_stat_user_indexes).

Targets (issue 14): the load rate at the largest size within 20% of the smallest's, and each
query under 300 ms at 1,000,000 articles.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.extensions

log = logging.getLogger(__name__)

TARGETS = {"load_rate_within": 0.20, "query_ms": 300.0}
VOCABULARY_SIZE = 20_000
WORD_WIDTH = 12  # bytes a vocabulary slot holds: the longest word, padded
# Words are drawn at rank vocabulary * random()^ZIPF_POWER: a few words in most articles, most
# words in well under 1% of them, as in news text.
ZIPF_POWER = 4
# Sources of unequal size, as a real registry's are: the first publishes most.
SOURCE_WEIGHTS = (30, 18, 12, 10, 8, 7, 5, 4, 3, 3)
HISTORY_START = "2024-12-01"
HISTORY_DAYS = 730
COPY_EVERY = 20  # one article in 20 is a copy folded into its predecessor's story
# The secondary indexes of the tables the fill writes: dropped while it runs, rebuilt after
# (a bulk build is several times cheaper than keeping them current row by row).
FILLED_TABLES = ("core.articles", "core.article_fingerprints", "core.article_fingerprint_bands",
                 "core.article_clusters")
# Of the queried vocabulary, the word the searches look for: a word at this rank is in about 2%
# of the articles (about 20,000 at 1,000,000).
SEARCH_RANK = 2000


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    # The indexes that keep it fast as the table grows: it must use one of them, and never read
    # core.articles whole (which index the planner picks depends on the filters' selectivity).
    indexes: tuple[str, ...]


def vocabulary(seed: int = 14) -> list[str]:
    rng = random.Random(seed)
    words: set[str] = set()
    while len(words) < VOCABULARY_SIZE:
        words.add("".join(rng.choice("bcdfghjklmnprstvwz") + rng.choice("aeiou")
                          for _ in range(rng.randint(2, 4))))
    return sorted(words, key=lambda w: (len(w), w))


def sources() -> list[tuple[str, str]]:
    return [(f"scale_{i:02d}", f"www.scale-{i:02d}.example") for i in range(len(SOURCE_WEIGHTS))]


# --- the fill --------------------------------------------------------------------------------

# One vocabulary word at a Zipf-like rank: a fixed-width slot of the packed vocabulary.
WORD = ("rtrim(convert_from(substring(%(vocab)s::bytea from 1 + %(width)s * floor(\n"
        "    %(vocab_size)s * power(random(), %(power)s))::int for %(width)s), 'UTF8'))")

FILL_ARTICLES = f"""
insert into core.articles (url, source, title, body, authors, published_at, modified_at, language, section,
                           tags, word_count, content_hash, extractor, first_seen_at, last_seen_at,
                           last_fetched_at, crawl_run_id)
select format('https://%%s/news/%%s/a-%%s', s.domain, to_char(p.at, 'YYYY/MM/DD'), g),
       s.source, t.title, b.body, array['Staff ' || (g %% 97)], p.at, p.at, l.language, 'news',
       array['topic' || (g %% 31), 'topic' || (g %% 7)], b.words,
       md5(b.body) || md5(t.title), 'bench-scale', p.at + interval '20 minutes',
       p.at + interval '20 minutes', p.at + interval '20 minutes', %(run)s
from generate_series(%(first)s::bigint, %(last)s::bigint) g
cross join lateral (select split_part(w.pick, ' ', 1) as source, split_part(w.pick, ' ', 2) as domain
                    from (select (%(weighted)s::text[])[1 + (hashint8(g) & 2147483647) %% %(weight_total)s]
                          as pick) w) s
cross join lateral (select %(history_start)s::timestamptz
                           + random() * interval '1 day' * %(history_days)s as at where g is not null) p
cross join lateral (select case when g %% 20 = 0 then 'de' when g %% 20 = 1 then 'fr'
                                else 'en' end as language) l
cross join lateral (select initcap(string_agg({WORD}, ' ')) as title
                    from generate_series(1, 6 + (g %% 5)) where g is not null) t
cross join lateral (select string_agg({WORD}, ' ') as body, count(*)::int as words
                    from generate_series(1, 120 + (g * 7919) %% 161) where g is not null) b
"""

FILL_FINGERPRINTS = """
insert into core.article_fingerprints (article_id, content_hash, fingerprint_version, minhash, shingles,
                                       computed_at)
select a.article_id, a.content_hash, 1,
       array(select (hashint8(a.article_id * 64 + k)::bigint << 20) # k from generate_series(1, 64) k),
       a.word_count - 3, a.first_seen_at
from core.articles a where a.article_id between %(first)s and %(last)s
"""

FILL_BANDS = """
insert into core.article_fingerprint_bands (band, band_key, article_id)
select b, hashint8(a.article_id * 16 + b)::bigint * 4096 + b, a.article_id
from core.articles a cross join generate_series(0, 15) b
where a.article_id between %(first)s and %(last)s
"""

# Every COPY_EVERY-th article is a copy of its predecessor: both rows, as the loader writes a story.
FILL_CLUSTERS = f"""
insert into core.article_clusters (article_id, story_id, updated_at)
select x.article_id, x.story_id, now()
from core.articles a
cross join lateral (values (a.article_id - 1, a.article_id - 1), (a.article_id, a.article_id - 1))
     as x (article_id, story_id)
where a.article_id between %(first)s and %(last)s and a.article_id %% {COPY_EVERY} = 0
  and a.article_id > %(first)s
"""


def _connect(dsn: str) -> psycopg2.extensions.connection:
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    return conn


def prepare(dsn: str) -> str:
    """Sources and the crawl run the synthetic articles name; returns the run's id."""
    from bench.load import _prepare as prepare_load_sources

    prepare_load_sources(dsn)  # the batch the load measurement loads comes from bench.load
    conn = _connect(dsn)
    try:
        with conn.cursor() as cur:
            for slug, domain in sources():
                cur.execute("insert into ops.sources (source, name, domains, language, enabled) "
                            "values (%s, %s, %s, 'en', true)", (slug, slug.replace("_", " ").title(), [domain]))
            cur.execute("""insert into ops.crawl_runs (crawl_run_id, source, window_start, window_end, started_at,
                             finished_at, finish_reason, status)
                           values (gen_random_uuid(), 'scale_00', %s, now(), now(), now(), 'finished', 'loaded')
                           returning crawl_run_id""", (HISTORY_START,))
            return str(cur.fetchone()[0])
    finally:
        conn.close()


def article_count(dsn: str) -> tuple[int, int]:
    """Articles in core.articles, and the highest id (rolled-back loads leave gaps in the ids)."""
    conn = _connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("select count(*), coalesce(max(article_id), 0) from core.articles")
            count, top = cur.fetchone()
            return int(count), int(top)
    finally:
        conn.close()


def _secondary_indexes(cur: psycopg2.extensions.cursor) -> list[tuple[str, str]]:
    """(qualified name, definition) of the filled tables' indexes that back no constraint."""
    cur.execute("""select format('%%I.%%I', n.nspname, c.relname), pg_get_indexdef(i.indexrelid)
                   from pg_index i join pg_class c on c.oid = i.indexrelid
                   join pg_namespace n on n.oid = c.relnamespace
                   where i.indrelid = any(%s::regclass[])
                     and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)""",
                (list(FILLED_TABLES),))
    return list(cur.fetchall())


def fill(dsn: str, run_id: str, target: int, workers: int = 2) -> dict[str, float]:
    """Synthetic articles until core.articles holds ``target``; seconds spent per step."""
    have, top_before = article_count(dsn)
    if target <= have:
        return {}
    words = vocabulary()
    weighted = [f"{slug} {domain}" for (slug, domain), weight in zip(sources(), SOURCE_WEIGHTS)
                for _ in range(weight)]
    # The vocabulary as one bytea of fixed-width slots: a slot is then read in constant time (an
    # element of a text[] or a character of a text is found by walking the ones before it).
    packed = b"".join(w.encode().ljust(WORD_WIDTH) for w in words)
    params = {"run": run_id, "vocab": psycopg2.Binary(packed), "width": WORD_WIDTH, "vocab_size": len(words),
              "power": ZIPF_POWER,
              "weighted": weighted, "weight_total": len(weighted),
              "history_start": HISTORY_START, "history_days": HISTORY_DAYS}
    timings: dict[str, float] = {}
    conn = _connect(dsn)
    try:
        with conn.cursor() as cur:
            indexes = _secondary_indexes(cur)
            for name, _ in indexes:
                cur.execute(f"drop index {name}")
        started = time.perf_counter()
        # g numbers the synthetic articles (their URLs); the later steps work on the ids the fill got.
        _in_parallel(dsn, FILL_ARTICLES, params, have + 1, target, workers)
        timings["articles_seconds"] = time.perf_counter() - started
        first, last = top_before + 1, article_count(dsn)[1]
        for label, statement in (("fingerprints", FILL_FINGERPRINTS), ("bands", FILL_BANDS),
                                 ("clusters", FILL_CLUSTERS)):
            started = time.perf_counter()
            _in_parallel(dsn, statement, {}, first, last, workers if label != "clusters" else 1)
            timings[f"{label}_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        _rebuild(dsn, [definition for _, definition in indexes], workers)
        with conn.cursor() as cur:
            # As autovacuum and news_maintenance's weekly VACUUM (ANALYZE) leave a live warehouse:
            # statistics, and a visibility map that lets index-only scans skip the heap.
            cur.execute("vacuum (analyze) core.articles, core.article_fingerprints, core.article_fingerprint_bands, "
                        "core.article_clusters, ops.sources")
        timings["indexes_and_analyze_seconds"] = time.perf_counter() - started
    finally:
        conn.close()
    return {k: round(v, 1) for k, v in timings.items()}


def _rebuild(dsn: str, definitions: list[str], workers: int) -> None:
    """The dropped indexes built again, ``workers`` at a time (each build is single-threaded)."""
    pending = list(definitions)
    lock = threading.Lock()
    failures: list[BaseException] = []

    def build() -> None:
        try:
            conn = _connect(dsn)
            try:
                with conn.cursor() as cur:
                    cur.execute("set maintenance_work_mem = '512MB'")
                    while True:
                        with lock:
                            if not pending:
                                return
                            definition = pending.pop(0)
                        cur.execute(definition)
            finally:
                conn.close()
        except BaseException as exc:  # re-raised in the caller's thread
            failures.append(exc)

    threads = [threading.Thread(target=build) for _ in range(max(1, workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def _in_parallel(dsn: str, statement: str, params: dict[str, Any], first: int, last: int, workers: int) -> None:
    """The statement over [first, last] split into ``workers`` ranges, one connection each."""
    step = (last - first + workers) // workers
    failures: list[BaseException] = []

    def run(lo: int, hi: int) -> None:
        try:
            conn = _connect(dsn)
            try:
                with conn.cursor() as cur:
                    # Seeded by the range: the same sizes give the same articles (and plans).
                    cur.execute("select setseed(%s)", ((lo % 9973) / 9973,))
                    cur.execute(statement, {**params, "first": lo, "last": hi})
            finally:
                conn.close()
        except BaseException as exc:  # re-raised in the caller's thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(lo, min(last, lo + step - 1)))
               for lo in range(first, last + 1, step)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


# --- the load --------------------------------------------------------------------------------


def load_batch(n: int) -> list[Any]:
    from bench.load import synthetic_articles
    from transforms.fingerprint import with_fingerprint

    return [with_fingerprint(a) for a in synthetic_articles(n)]


def time_load(dsn: str, articles: list[Any], runs: int) -> dict[str, Any]:
    """The batch loaded ``runs`` times, each in a transaction rolled back: the same work every time."""
    from bench.load import _run_id, _server_cpu_seconds
    from transforms.load.articles import load_articles

    walls: list[float] = []
    cpus: list[float] = []
    counts = None
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("select pg_backend_pid()")
            backend = int(cur.fetchone()[0])
        conn.rollback()
        for _ in range(runs):
            server_before = _server_cpu_seconds(backend)
            python_before = time.process_time()
            started = time.perf_counter()
            with conn.cursor() as cur:
                counts = load_articles(cur, articles, _run_id(cur))
            walls.append(time.perf_counter() - started)
            server_after = _server_cpu_seconds(backend)
            if server_before is not None and server_after is not None:
                cpus.append(time.process_time() - python_before + server_after - server_before)
            conn.rollback()
    finally:
        conn.close()
    assert counts is not None
    if counts.new != len(articles):
        raise RuntimeError(f"the load batch was not all new: {counts}")
    wall = statistics.median(walls)
    result: dict[str, Any] = {"articles": len(articles), "runs": runs, "median_seconds": round(wall, 3),
                              "seconds": [round(w, 3) for w in walls],
                              "articles_per_s": round(len(articles) / wall, 1)}
    if cpus:
        result["articles_per_cpu_s"] = round(len(articles) / statistics.median(cpus), 1)
    return result


# --- the queries -----------------------------------------------------------------------------


def queries(dsn: str) -> list[Query]:
    """The marts' typical questions, on the filled data's own busiest source and latest month."""
    word = vocabulary()[SEARCH_RANK]
    conn = _connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("select max(published_at) from core.articles where extractor = 'bench-scale'")
            newest = cur.fetchone()[0]
    finally:
        conn.close()
    month_end = newest.strftime("%Y-%m-01")
    month_start = f"{month_end[:5]}{int(month_end[5:7]) - 1:02d}-01" if month_end[5:7] != "01" else \
        f"{int(month_end[:4]) - 1}-12-01"
    day = newest.strftime("%Y-%m-%d")
    busiest = sources()[0][0]
    day_indexes = ("articles_day_source",)
    return [
        Query("search_word_month_source",
              f"select * from marts.search_articles('{word}', since => '{month_start}', until => '{month_end}', "
              f"source_slug => '{busiest}')", ("articles_search", "articles_source_published")),
        Query("search_word_month",
              f"select * from marts.search_articles('{word}', since => '{month_start}', until => '{month_end}')",
              ("articles_search", "articles_published")),
        Query("search_two_words_any_time",
              f"select * from marts.search_articles('{word} {vocabulary()[SEARCH_RANK + 1]}')", ("articles_search",)),
        Query("daily_counts_one_day", f"select * from marts.daily_source_counts where day = '{day}'", day_indexes),
        Query("daily_counts_one_month",
              f"select * from marts.daily_source_counts where day >= '{month_start}' and day < '{month_end}' "
              f"order by day, source", day_indexes),
    ]


def _index_scans(cur: psycopg2.extensions.cursor) -> dict[str, int]:
    """Scans so far of each index of core, and (as "seq_scan:articles") of core.articles whole."""
    cur.execute("select pg_stat_force_next_flush()")
    cur.execute("select pg_stat_clear_snapshot()")
    cur.execute("""select indexrelname, idx_scan from pg_stat_user_indexes where schemaname = 'core'
                   union all
                   select 'seq_scan:' || relname, seq_scan from pg_stat_user_tables
                   where schemaname = 'core' and relname = 'articles'""")
    return {name: int(scans) for name, scans in cur.fetchall()}


def time_query(dsn: str, query: Query, runs: int) -> dict[str, Any]:
    """Median EXPLAIN ANALYZE execution time (after one warm-up run) and the indexes it used."""
    conn = _connect(dsn)
    times: list[float] = []
    try:
        with conn.cursor() as cur:
            cur.execute(query.sql)  # warm-up: the measured runs read from a warm cache, as a busy mart does
            rows = len(cur.fetchall())
            before = _index_scans(cur)
            for _ in range(runs):
                cur.execute(f"explain (analyze, format json) {query.sql}")
                times.append(float(cur.fetchone()[0][0]["Execution Time"]))
            # Flushed by the next statement's end: the runs' index scans are then visible.
            cur.execute("select 1")
            after = _index_scans(cur)
    finally:
        conn.close()
    used = sorted(name for name, scans in after.items() if scans > before.get(name, 0))
    whole_table = "seq_scan:articles" in used
    indexes = [name for name in used if not name.startswith("seq_scan:")]
    return {"sql": query.sql, "rows": rows, "runs": runs, "median_ms": round(statistics.median(times), 2),
            "ms": [round(t, 2) for t in times], "indexes_used": indexes, "articles_read_whole": whole_table,
            "uses_expected_indexes": not whole_table and any(name in indexes for name in query.indexes)}


# --- the bench -------------------------------------------------------------------------------


def measure(dsn: str, size: int, run_id: str, batch: list[Any], runs: int, workers: int) -> dict[str, Any]:
    fill_seconds = fill(dsn, run_id, size, workers)
    log.info("filled to %d articles: %s", size, fill_seconds)
    return {"articles": article_count(dsn)[0], "fill_seconds": fill_seconds,
            "load": time_load(dsn, batch, max(1, runs // 2)),
            "queries": {q.name: time_query(dsn, q, runs) for q in queries(dsn)},
            "database_bytes": _database_bytes(dsn)}


def _database_bytes(dsn: str) -> int:
    conn = _connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("select pg_database_size(current_database())")
            return int(cur.fetchone()[0])
    finally:
        conn.close()


def verdicts(by_size: dict[str, dict[str, Any]]) -> dict[str, Any]:
    sizes = sorted(by_size, key=int)
    small, large = by_size[sizes[0]], by_size[sizes[-1]]
    ratio = large["load"]["articles_per_s"] / small["load"]["articles_per_s"]
    found: dict[str, Any] = {"load_rate_ratio": round(ratio, 3),
                             "load_rate_kept": ratio >= 1 - TARGETS["load_rate_within"]}
    if "articles_per_cpu_s" in small["load"] and "articles_per_cpu_s" in large["load"]:
        found["load_rate_per_cpu_ratio"] = round(large["load"]["articles_per_cpu_s"]
                                                 / small["load"]["articles_per_cpu_s"], 3)
    found["queries_under_target"] = {name: q["median_ms"] < TARGETS["query_ms"]
                                     for name, q in large["queries"].items()}
    found["queries_use_indexes"] = {name: q["uses_expected_indexes"] for name, q in large["queries"].items()}
    return found


def bench(sizes: list[int], batch_size: int, runs: int, workers: int, out: Path,
          progress: Callable[[str], None] = print) -> dict[str, Any]:
    """Every size in turn; the JSON is written after each, so a long run's early sizes survive it."""
    from bench.run import machine, versions
    from common.migrate import apply_migrations
    from common.warehouse import throwaway_database, warehouse_dsn

    load_start = list(os.getloadavg())
    batch = load_batch(batch_size)
    by_size: dict[str, dict[str, Any]] = {}
    with throwaway_database(warehouse_dsn(), prefix="news_bench_scale") as dsn:
        apply_migrations(dsn)
        run_id = prepare(dsn)
        found_versions = versions(dsn)
        for size in sorted(sizes):
            progress(f"scale: filling to {size:,} articles and measuring")
            by_size[str(size)] = measure(dsn, size, run_id, batch, runs, workers)
            progress(summary_line(size, by_size[str(size)]))
            report = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
                      "versions": found_versions,
                      "load_average": {"start": load_start, "end": list(os.getloadavg())},
                      "targets": TARGETS, "sizes": by_size,
                      "verdicts": verdicts(by_size) if len(by_size) > 1 else {}}
            out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    return report


def summary_line(size: int, r: dict[str, Any]) -> str:
    q = ", ".join(f"{name} {v['median_ms']:.1f} ms" for name, v in r["queries"].items())
    return (f"{size:>10,} articles: load {r['load']['articles_per_s']:,.0f} articles/s "
            f"({r['load'].get('articles_per_cpu_s', 0):,.0f} per CPU-s); {q}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000", help="articles pre-loaded, comma-separated")
    parser.add_argument("--batch", type=int, default=2000, help="new articles in the timed load")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each query (loads: half as many)")
    parser.add_argument("--workers", type=int, default=2, help="connections filling in parallel")
    parser.add_argument("--out", type=Path, default=None, help="JSON path (default .data/bench/results/)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    from bench.build_archive import BENCH_DATA

    out = args.out or BENCH_DATA / "results" / f"scale-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    report = bench(sizes, args.batch, args.runs, args.workers, out)
    print(json.dumps(report["verdicts"]))
    print(f"JSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
