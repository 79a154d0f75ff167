-- Per URL of the batch, its earliest capture older than the article's latest one, with the
-- version in effect at its capture time (p) and the next version (n): where it goes in the history.
with older as (
    select distinct on (k.url) a.article_id, k.url, k.content_hash, k.fetched_at, k.ordinal
    from article_keys k
    join core.articles a on a.url = k.url
    where k.fetched_at < a.last_fetched_at
    order by k.url, k.fetched_at, k.ordinal
)
select o.article_id, o.content_hash, o.fetched_at, o.ordinal,
       p.version, p.content_hash, n.version, n.content_hash
from older o
left join lateral (select v.version, v.content_hash from core.article_versions v
                   where v.article_id = o.article_id and v.observed_at <= o.fetched_at
                   order by v.version desc limit 1) p on true
left join lateral (select v.version, v.content_hash from core.article_versions v
                   where v.article_id = o.article_id and v.observed_at > o.fetched_at
                   order by v.version limit 1) n on true
order by o.article_id
