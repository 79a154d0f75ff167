-- Reposts to (re)resolve: the changed ones that name an original, and the reposts not yet linked
-- that name the site of a changed article published near it (the original may load after the
-- repost: both crawls of a day run side by side).
create temporary table reposts_to_resolve on commit drop as
select c.article_id
from changed_articles c
join core.articles a on a.article_id = c.article_id
where a.original_source is not null
union
select r.article_id
from changed_articles c
join core.articles o on o.article_id = c.article_id and o.original_source is null
join ops.sources s on s.source = o.source
cross join lateral unnest(s.domains) as d (domain)
join core.articles r on r.original_source is not null
                    and core.url_host(r.original_source) = core.url_host(d.domain)
                    and r.source <> o.source
                    and coalesce(r.published_at, r.first_seen_at)
                        between o.published_at - interval '1 day' and o.published_at + interval '7 days'
where not exists (select from core.article_matches m
                  where m.article_id = r.article_id and m.method = 'original_source')
