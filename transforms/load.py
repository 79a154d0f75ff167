"""Loading articles: COPY into a temporary table, dedupe the batch, upsert and version.

All of it runs inside the caller's transaction, so a batch is visible whole or not at all
(FAULTS.md 20). Values travel as bound data (COPY), never as SQL text (FAULTS.md 30).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg2.extensions

from transforms.article import Article

STAGE_DDL = """
create temporary table article_stage (doc jsonb not null) on commit drop
"""

# One row per URL: the batch may hold the same article twice (an AMP page and the canonical one,
# or two tracking-parameter variants), and ON CONFLICT cannot touch a row twice (FAULTS.md 19).
# The latest capture wins.
UPSERT_SQL = """
with staged as (
    select (jsonb_populate_record(null::core.articles, doc)).*, (doc ->> 'ordinal')::int as ordinal
    from article_stage
),
batch as (
    select distinct on (url) *
    from staged
    order by url, last_fetched_at desc, ordinal desc
),
upserted as (
    insert into core.articles as a (
        url, source, canonical_url, title, description, body, authors, published_at, modified_at,
        language, section, tags, image_url, original_source, word_count, content_hash, extractor,
        flags, version, first_seen_at, last_seen_at, last_fetched_at, crawl_run_id
    )
    select
        url, source, canonical_url, title, description, body, authors, published_at, modified_at,
        language, section, tags, image_url, original_source, word_count, content_hash, extractor,
        flags, 1, last_fetched_at, last_fetched_at, last_fetched_at, %(crawl_run_id)s
    from batch
    order by url  -- a stable lock order, so concurrent loads cannot deadlock
    on conflict (url) do update set
        canonical_url = excluded.canonical_url, title = excluded.title,
        description = excluded.description, body = excluded.body, authors = excluded.authors,
        published_at = excluded.published_at, modified_at = excluded.modified_at,
        language = excluded.language, section = excluded.section, tags = excluded.tags,
        image_url = excluded.image_url, original_source = excluded.original_source,
        word_count = excluded.word_count, content_hash = excluded.content_hash,
        extractor = excluded.extractor, flags = excluded.flags, version = a.version + 1,
        last_seen_at = excluded.last_seen_at, last_fetched_at = excluded.last_fetched_at,
        crawl_run_id = excluded.crawl_run_id
    -- Only a real change, and never an older capture over a newer one (a backfill beside the
    -- daily run must not roll an article back: FAULTS.md 21).
    where a.content_hash <> excluded.content_hash and excluded.last_fetched_at >= a.last_fetched_at
    returning a.article_id, a.version, a.content_hash, a.title, a.description, a.body, a.authors,
              a.modified_at, a.last_fetched_at, a.crawl_run_id, (a.xmax = 0) as inserted
),
versions as (
    insert into core.article_versions (article_id, version, content_hash, title, description, body,
                                       authors, modified_at, observed_at, crawl_run_id)
    select article_id, version, content_hash, title, description, body, authors, modified_at,
           last_fetched_at, crawl_run_id
    from upserted
)
select
    (select count(*) from batch) as batch_size,
    count(*) filter (where inserted) as new,
    count(*) filter (where not inserted) as updated
from upserted
"""

# Articles seen again unchanged: only their last_seen_at moves.
TOUCH_UNCHANGED_SQL = """
update core.articles a
set last_seen_at = greatest(a.last_seen_at, s.fetched_at)
from (select doc ->> 'url' as url, max((doc ->> 'last_fetched_at')::timestamptz) as fetched_at
      from article_stage group by 1) s
where a.url = s.url and a.last_seen_at < s.fetched_at
"""


@dataclass(frozen=True)
class LoadCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: LoadCounts) -> LoadCounts:
        return LoadCounts(self.new + other.new, self.updated + other.updated,
                          self.unchanged + other.unchanged)


def load_articles(cur: psycopg2.extensions.cursor, articles: list[Article], crawl_run_id: str) -> LoadCounts:
    """Upsert a batch in the current transaction; counts new, updated and unchanged articles."""
    if not articles:
        return LoadCounts()
    cur.execute(STAGE_DDL)
    cur.copy_expert("copy article_stage (doc) from stdin with (format csv)", _csv_documents(articles))
    cur.execute(UPSERT_SQL, {"crawl_run_id": crawl_run_id})
    batch_size, new, updated = cur.fetchone()
    cur.execute(TOUCH_UNCHANGED_SQL)
    cur.execute("drop table article_stage")
    return LoadCounts(new=new, updated=updated, unchanged=batch_size - new - updated)


def _csv_documents(articles: list[Article]) -> io.StringIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for ordinal, article in enumerate(articles):
        writer.writerow([json.dumps(_document(article, ordinal), ensure_ascii=False)])
    buffer.seek(0)
    return buffer


def _document(article: Article, ordinal: int) -> dict[str, Any]:
    return {
        "ordinal": ordinal,
        "url": article.url,
        "source": article.source,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "description": article.description,
        "body": article.body,
        "authors": list(article.authors),
        "published_at": _iso(article.published_at),
        "modified_at": _iso(article.modified_at),
        "language": article.language,
        "section": article.section,
        "tags": list(article.tags),
        "image_url": article.image_url,
        "original_source": article.original_source,
        "word_count": article.word_count,
        "content_hash": article.content_hash,
        "extractor": article.extractor,
        "flags": list(article.flags),
        "last_fetched_at": _iso(article.fetched_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
