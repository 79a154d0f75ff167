-- marts.daily_source_counts: articles per source per UTC day of publication.

create view marts.daily_source_counts as
select
    (coalesce(a.published_at, a.first_seen_at) at time zone 'UTC')::date   as day,
    a.source,
    s.name                                                                  as source_name,
    count(*)::integer                                                       as articles,
    (count(*) filter (where c.story_id is null or c.story_id = a.article_id))::integer as stories,
    (count(*) filter (where c.story_id <> a.article_id))::integer          as copies,
    (count(*) filter (where a.published_at is null))::integer              as undated,
    (count(*) filter (where a.version > 1))::integer                       as updated,
    sum(a.word_count)::bigint                                               as words
from core.articles a
join ops.sources s on s.source = a.source
left join core.article_clusters c on c.article_id = a.article_id
group by 1, a.source, s.name;

comment on view marts.daily_source_counts is
    'Articles per source per UTC day of publication (day first seen for undated articles). Filter on day: it is indexed.';
comment on column marts.daily_source_counts.day is 'UTC calendar day of published_at (of first_seen_at when undated).';
comment on column marts.daily_source_counts.source is 'Source slug.';
comment on column marts.daily_source_counts.source_name is 'Source name.';
comment on column marts.daily_source_counts.articles is 'Articles (distinct URLs) of that source that day, copies included.';
comment on column marts.daily_source_counts.stories is 'Of those, the originals of their stories (what marts.articles shows).';
comment on column marts.daily_source_counts.copies is 'Of those, copies folded into another article''s story.';
comment on column marts.daily_source_counts.undated is 'Of those, articles without a publication time (counted on the day first seen).';
comment on column marts.daily_source_counts.updated is 'Of those, articles whose content changed after the first capture.';
comment on column marts.daily_source_counts.words is 'Total words in those articles.';

grant select on marts.daily_source_counts to news_loader, news_analyst;
