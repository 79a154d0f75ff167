-- Per repost, only the named source's articles of its fortnight whose headline or standfirst shares
-- a word with the repost's headline are compared in full: rewrites keep the names and key nouns,
-- and the full comparison is the costly part. The headline words of each article of the window are
-- read once per batch (from its search document, the costly read), not once per repost naming it.
with reposts as materialized (
    select r.article_id as repost_id, r.source as repost_source, r.search_document, s.source as named_source,
           coalesce(r.published_at, r.first_seen_at) as published,
           tsvector_to_array(ts_filter(r.search_document, '{a}')) as headline
    from reposts_to_resolve t
    join core.articles r on r.article_id = t.article_id
    join ops.sources s on core.url_host(r.original_source) in (select core.url_host(d) from unnest(s.domains) as d)
),
windows as (
    select named_source, min(published) - interval '7 days' as since, max(published) + interval '1 day' as until
    from reposts group by named_source
),
window_articles as materialized (
    select o.article_id, o.source, o.published_at, tsvector_to_array(ts_filter(o.search_document, '{a,b}')) as headline
    from windows w
    cross join lateral (
        select o.article_id, o.source, o.published_at, o.search_document
        from core.articles o
        where o.source = w.named_source and o.original_source is null
          and o.published_at between w.since and w.until
        offset 0  -- one range probe of (source, published_at) per named source, whatever the statistics say
    ) o
),
candidate as (
    select r.repost_id, o.article_id as original_id,
           core.lexeme_jaccard(r.search_document, full_text.search_document) as similarity
    from reposts r
    join window_articles o on o.source = r.named_source and o.source <> r.repost_source
                          and o.published_at between r.published - interval '7 days' and r.published + interval '1 day'
                          and o.headline && r.headline
    join core.articles full_text on full_text.article_id = o.article_id
)
insert into core.article_matches (article_id, matched_article_id, method, similarity, matched_at)
select distinct on (candidate.repost_id) candidate.repost_id, candidate.original_id, 'original_source',
       candidate.similarity, now()
from candidate
where candidate.similarity >= %(threshold)s
order by candidate.repost_id, candidate.similarity desc, candidate.original_id
on conflict (article_id, matched_article_id) do update
    set method = 'original_source', similarity = excluded.similarity, matched_at = excluded.matched_at
