-- marts.article_authors: each byline name of each article, marked person or organisation.

create view marts.article_authors as
select
    coalesce(c.story_id, a.article_id)                       as story_id,
    a.article_id,
    a.source,
    aa.position,
    w.author_id,
    w.name collate "und-x-icu"                               as author,
    core.author_display_name(w.name) collate "und-x-icu"     as display_name,
    core.author_kind(w.name)                                 as author_kind,
    a.published_at
from core.article_authors aa
join core.authors w on w.author_id = aa.author_id
join core.articles a on a.article_id = aa.article_id
left join core.article_clusters c on c.article_id = a.article_id;

comment on view marts.article_authors is
    'One row per name in an article''s byline, in byline order, marked person or organisation: count articles by person without the agencies, or the reverse.';
comment on column marts.article_authors.story_id is 'The story the article belongs to (marts.articles.story_id).';
comment on column marts.article_authors.article_id is 'The article.';
comment on column marts.article_authors.source is 'Source slug of the article.';
comment on column marts.article_authors.position is 'Place in the byline, from 1.';
comment on column marts.article_authors.author_id is 'Author id (marts.authors).';
comment on column marts.article_authors.author is 'Name as published; sorts case-insensitively.';
comment on column marts.article_authors.display_name is 'Name for display: spaces collapsed, all-capitals names as capitalised words; sorts case-insensitively.';
comment on column marts.article_authors.author_kind is 'person or organisation, from the name''s shape (core.author_kind).';
comment on column marts.article_authors.published_at is 'Publication time of the article, UTC.';

grant select on marts.article_authors to news_loader, news_analyst;
