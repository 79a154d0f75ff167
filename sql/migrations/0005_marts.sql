create view marts.articles as
select
    a.article_id,
    a.source,
    s.name            as source_name,
    a.url,
    a.canonical_url,
    a.title,
    a.description,
    a.authors,
    a.published_at,
    a.modified_at,
    a.language,
    a.section,
    a.tags,
    a.word_count,
    a.version,
    a.original_source,
    a.first_seen_at,
    a.last_seen_at,
    a.body
from core.articles a
join ops.sources s using (source);
comment on view marts.articles is 'One row per article, current content, with its source''s name.';
