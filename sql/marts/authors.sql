-- marts.authors: one row per byline name.

create view marts.authors as
select
    w.author_id,
    w.name                                                   as author,
    count(*)::integer                                        as articles,
    (count(*) filter (where c.story_id is null or c.story_id = a.article_id))::integer as original_articles,
    array_agg(distinct a.source order by a.source)           as sources,
    min(a.published_at)                                      as first_published_at,
    max(a.published_at)                                      as last_published_at
from core.authors w
join core.article_authors aa on aa.author_id = w.author_id
join core.articles a on a.article_id = aa.article_id
left join core.article_clusters c on c.article_id = a.article_id
group by w.author_id, w.name;

comment on view marts.authors is 'One row per byline name with how much it has published.';
comment on column marts.authors.author_id is 'Author id (core.authors).';
comment on column marts.authors.author is 'Name as published (NFC). The same person spelled two ways is two rows.';
comment on column marts.authors.articles is 'Articles with this name in the byline, copies included.';
comment on column marts.authors.original_articles is 'Of those, the originals of their stories.';
comment on column marts.authors.sources is 'Sources the name appears in.';
comment on column marts.authors.first_published_at is 'Earliest publication time of those articles, UTC.';
comment on column marts.authors.last_published_at is 'Latest publication time of those articles, UTC.';

grant select on marts.authors to news_loader, news_analyst;
