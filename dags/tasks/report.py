"""The summary a person reads after a run: what was fetched, what loaded, what failed, what is new."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import datetime

from common.warehouse import transaction

# A source retried by Airflow has one crawl run per attempt: sources are counted once, failed
# when their last attempt failed; pages and articles add up over every attempt (each did that work).
RUN_TOTALS_SQL = """
with attempts as (
    select * from ops.crawl_runs where dag_run_id = %s
),
last_attempt as (
    select distinct on (source) source, status from attempts order by source, finished_at desc, crawl_run_id
)
select (select count(*) from last_attempt),
       (select count(*) from last_attempt where status = 'failed'),
       coalesce(sum(pages_fetched), 0),
       coalesce(sum(articles_new), 0),
       coalesce(sum(articles_updated), 0),
       coalesce(sum(articles_unchanged), 0),
       coalesce(sum(pages_rejected), 0),
       coalesce(sum((stats ->> 'news/pages_failed')::int), 0),
       string_agg(distinct source, ', '),
       count(*)
from attempts
"""

NEWEST_SQL = """
select source_name, published_at, title, word_count
from marts.articles
order by published_at desc nulls last, article_id desc
limit %s
"""


@dataclass(frozen=True)
class RunTotals:
    dag_run_id: str
    sources_crawled: int
    sources_failed: int
    pages_fetched: int
    new: int
    updated: int
    unchanged: int
    pages_rejected: int
    pages_failed: int
    sources: str
    attempts: int  # crawl runs, one per task attempt


def latest_dag_run_id() -> str | None:
    with transaction() as cur:
        cur.execute("select dag_run_id from ops.crawl_runs where dag_run_id is not null "
                    "order by finished_at desc limit 1")
        row = cur.fetchone()
    return row[0] if row else None


def run_totals(dag_run_id: str) -> RunTotals:
    with transaction() as cur:
        cur.execute(RUN_TOTALS_SQL, (dag_run_id,))
        row = cur.fetchone()
    sources_crawled, sources_failed, fetched, new, updated, unchanged, rejected, failed, sources, attempts = row
    return RunTotals(dag_run_id, sources_crawled, sources_failed, fetched, new, updated, unchanged, rejected,
                     failed, sources or "none", attempts)


def newest_articles(limit: int = 5) -> list[tuple[str, datetime | None, str, int]]:
    with transaction() as cur:
        cur.execute(NEWEST_SQL, (limit,))
        return list(cur.fetchall())


def format_summary(totals: RunTotals, newest: list[tuple[str, datetime | None, str, int]]) -> str:
    lines = [
        f"news_daily run {totals.dag_run_id} ({totals.sources_crawled} source(s): {totals.sources}; "
        f"{totals.attempts} crawl attempt(s))",
        f"  pages fetched      {totals.pages_fetched}",
        f"  articles           {totals.new} new, {totals.updated} updated, {totals.unchanged} unchanged",
        f"  not articles       {totals.pages_rejected} (liveblogs, videos, empty pages: see raw.captures)",
        f"  failures           {totals.sources_failed} source(s) failed, {totals.pages_failed} page fetch(es) failed",
        "",
        "Five newest articles (marts.articles):",
    ]
    for source, published, title, words in newest:
        when = published.strftime("%Y-%m-%d %H:%M UTC") if published else "undated"
        lines.append(f"  {source[:22]:<22}  {when:<20}  {words:>5} words  {title[:70]}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dag-run-id", help="default: the latest run recorded in ops.crawl_runs")
    args = parser.parse_args()
    dag_run_id = args.dag_run_id or latest_dag_run_id()
    if dag_run_id is None:
        raise SystemExit("no news_daily run recorded yet: run `make demo`")
    print(format_summary(run_totals(dag_run_id), newest_articles()))


if __name__ == "__main__":
    main()
