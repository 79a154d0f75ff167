-- marts.article_versions: every content an article URL has had.

create view marts.article_versions as
select
    v.article_id,
    coalesce(c.story_id, v.article_id)  as story_id,
    a.source,
    a.url,
    v.version,
    v.version = a.version               as is_current,
    v.observed_at,
    v.changed_fields,
    a.published_at,
    v.modified_at,
    v.title,
    v.description,
    v.authors,
    v.content_hash,
    v.body
from core.article_versions v
join core.articles a on a.article_id = v.article_id
left join core.article_clusters c on c.article_id = v.article_id;

comment on view marts.article_versions is
    'Every content an article URL has had: version 1 is the first capture, each later version a change of title, description, body or authors.';
comment on column marts.article_versions.article_id is 'The article (see marts.story_articles).';
comment on column marts.article_versions.story_id is 'The story the article belongs to.';
comment on column marts.article_versions.source is 'Source slug.';
comment on column marts.article_versions.url is 'Normalized URL of the article.';
comment on column marts.article_versions.version is 'Version number, from 1.';
comment on column marts.article_versions.is_current is 'True for the version marts.articles shows now.';
comment on column marts.article_versions.observed_at is 'Fetch time of the capture that first showed this content (UTC).';
comment on column marts.article_versions.changed_fields is 'What changed from the previous version: any of title, description, body, authors (empty for version 1).';
comment on column marts.article_versions.published_at is 'The article''s current publication time, UTC.';
comment on column marts.article_versions.modified_at is 'Modification time the page declared in this version, UTC.';
comment on column marts.article_versions.title is 'Headline in this version.';
comment on column marts.article_versions.description is 'Description in this version.';
comment on column marts.article_versions.authors is 'Byline in this version.';
comment on column marts.article_versions.content_hash is 'sha256 (hex) of title, description, body and authors: equal hashes, equal content.';
comment on column marts.article_versions.body is 'Body text in this version.';

grant select on marts.article_versions to news_loader, news_analyst;
