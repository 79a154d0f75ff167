-- One row per URL: the batch may hold the same article twice (an AMP page and the canonical one,
-- or two tracking-parameter variants), and ON CONFLICT cannot touch a row twice.
-- The latest capture wins.
with batch as (
    select distinct on (url) *
    from article_stage
    order by url, last_fetched_at desc, ordinal desc
),
-- What would not change the article is left out before the insert: an insert computes the
-- search vector of every row it proposes, even one ON CONFLICT then skips.
changes as (
    select b.* from batch b
    where not exists (select from core.articles a where a.url = b.url
                      and (a.content_hash = b.content_hash or a.last_fetched_at > b.last_fetched_at))
),
upserted as (
    -- The article's own columns come from transforms/load/columns.py; the rest is the load's bookkeeping.
    insert into core.articles as a (
        {{article_columns}},
        version, first_seen_at, last_seen_at, crawl_run_id
    )
    select
        {{article_columns}},
        1, last_fetched_at, last_fetched_at, %(crawl_run_id)s
    from changes
    order by url  -- a stable lock order, so concurrent loads cannot deadlock
    on conflict (url) do update set
        {{updated_columns}},
        version = a.version + 1, last_seen_at = excluded.last_seen_at, crawl_run_id = excluded.crawl_run_id
    -- Only a real change, and never an older capture over a newer one (a backfill beside the
    -- daily run must not roll an article back).
    where a.content_hash <> excluded.content_hash and excluded.last_fetched_at >= a.last_fetched_at
    returning a.article_id, a.url, a.version, a.content_hash, a.last_fetched_at, a.crawl_run_id,
              {{returned_kept_columns}}, (a.xmax = 0) as inserted
),
-- Each new content becomes a version: the columns whose history is kept, and which of the
-- compared ones differ from the previous version.
versions as (
    insert into core.article_versions (article_id, version, observed_at, crawl_run_id, changed_fields,
                                       {{kept_columns}})
    select u.article_id, u.version, u.last_fetched_at, u.crawl_run_id,
           case when p.article_id is null then '{}'::text[] else array_remove(array[
               {{changed_field_tests}}], null) end,
           {{upserted_kept_columns}}
    from upserted u
    left join core.article_versions p on p.article_id = u.article_id and p.version = u.version - 1
),
changed as (
    insert into changed_articles (article_id, url, content_hash)
    select article_id, url, content_hash from upserted
)
select
    count(*) filter (where inserted) as new,
    count(*) filter (where not inserted) as updated
from upserted
