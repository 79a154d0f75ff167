-- marts.articles_narrow: marts.articles without the body, for notebooks and BI tools that load
-- whole tables.
-- requires: marts.articles

create view marts.articles_narrow as
select story_id, article_id, source, source_name, url, former_urls, canonical_url, title, description, authors,
       tags, tags_clean, section, section_raw, language, published_at, modified_at, word_count, version,
       original_source, image_url, first_seen_at, last_seen_at, flags, copies, copy_sources, copy_urls
from marts.articles;

comment on view marts.articles_narrow is
    'marts.articles without the body: one row per story, every other column, a small fraction of the bytes. Join marts.articles on story_id for the text.';
comment on column marts.articles_narrow.story_id is 'The story''s id (marts.articles.story_id).';
comment on column marts.articles_narrow.article_id is 'The original article''s id (equals story_id).';
comment on column marts.articles_narrow.source is 'Slug of the source that published the original.';
comment on column marts.articles_narrow.source_name is 'Name of that source.';
comment on column marts.articles_narrow.url is 'Normalized URL of the original article.';
comment on column marts.articles_narrow.former_urls is 'URLs the article was loaded under before its site moved it to this one, oldest first.';
comment on column marts.articles_narrow.canonical_url is 'The canonical URL the page declares.';
comment on column marts.articles_narrow.title is 'Headline.';
comment on column marts.articles_narrow.description is 'Standfirst / description.';
comment on column marts.articles_narrow.authors is 'Byline as published, in page order.';
comment on column marts.articles_narrow.tags is 'Tags as given, in page order.';
comment on column marts.articles_narrow.tags_clean is 'Tags without publisher codes (see marts.articles.tags_clean).';
comment on column marts.articles_narrow.section is 'Section for grouping (see marts.articles.section).';
comment on column marts.articles_narrow.section_raw is 'Section as the page gives it.';
comment on column marts.articles_narrow.language is 'Language, ISO 639-1.';
comment on column marts.articles_narrow.published_at is 'First publication time, UTC.';
comment on column marts.articles_narrow.modified_at is 'Last modification time the page declares, UTC.';
comment on column marts.articles_narrow.word_count is 'Words in the body.';
comment on column marts.articles_narrow.version is 'How many different contents this URL has had.';
comment on column marts.articles_narrow.original_source is 'The original source the page names, as written.';
comment on column marts.articles_narrow.image_url is 'Lead image URL.';
comment on column marts.articles_narrow.first_seen_at is 'When the pipeline first captured this URL (UTC).';
comment on column marts.articles_narrow.last_seen_at is 'When the pipeline last captured this URL (UTC).';
comment on column marts.articles_narrow.flags is 'Extraction notes (published_at_missing, liveblog, ...; see marts.articles.flags).';
comment on column marts.articles_narrow.copies is 'Other articles folded into this story.';
comment on column marts.articles_narrow.copy_sources is 'Sources of those copies.';
comment on column marts.articles_narrow.copy_urls is 'URLs of those copies.';

grant select on marts.articles_narrow to news_loader, news_analyst;
