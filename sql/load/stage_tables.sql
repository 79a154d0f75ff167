-- The load's working tables, dropped at the end of the load's transaction at the latest.
-- The keys of every article of the batch (what decides which articles are sent in full).
create temporary table article_keys (
    ordinal integer not null, url text not null, content_hash text not null, fetched_at timestamptz not null
) on commit drop;
-- The articles sent in full; its columns are transforms/load/columns.py's ARTICLE_COLUMNS.
create temporary table article_stage (
    ordinal integer not null,
    {{stage_columns}}
) on commit drop;
create temporary table changed_articles (
    article_id bigint primary key, url text not null, content_hash text not null,
    minhash bigint[], bands bigint[], shingles integer
) on commit drop;
create temporary table fingerprint_stage (
    url text primary key, minhash bigint[] not null, bands bigint[] not null, shingles integer not null
) on commit drop;
