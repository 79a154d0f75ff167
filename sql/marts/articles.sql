-- marts.articles: one row per story, the original article with its copies folded in.

create view marts.articles as
select
    a.article_id                             as story_id,
    a.article_id,
    a.source,
    s.name                                   as source_name,
    a.url,
    a.former_urls,
    a.canonical_url,
    a.title,
    a.description,
    a.authors,
    a.tags,
    coalesce(array(select cleaned.tag from unnest(a.tags) with ordinality as t(tag, n)
                   cross join lateral core.clean_tag(t.tag) as cleaned(tag)
                   where cleaned.tag is not null group by cleaned.tag order by min(t.n)), '{}') as tags_clean,
    core.clean_section(a.section, s.name, s.domains) as section,
    a.section                                as section_raw,
    a.language,
    a.published_at,
    a.modified_at,
    a.word_count,
    a.version,
    a.original_source,
    a.image_url,
    a.first_seen_at,
    a.last_seen_at,
    a.flags,
    coalesce(copies.n, 0)                    as copies,
    coalesce(copies.sources, '{}')           as copy_sources,
    coalesce(copies.urls, '{}')              as copy_urls,
    a.body
from core.articles a
join ops.sources s on s.source = a.source
left join core.article_clusters c on c.article_id = a.article_id
left join lateral (
    select count(*)::integer                              as n,
           array_agg(distinct o.source order by o.source) as sources,
           array_agg(o.url order by o.first_seen_at, o.article_id) as urls
    from core.article_clusters m
    join core.articles o on o.article_id = m.article_id
    where m.story_id = a.article_id and m.article_id <> a.article_id
) copies on true
where c.story_id is null or c.story_id = a.article_id;

comment on view marts.articles is
    'One row per story: the original article, current content, with the copies (reposts, near-duplicates under other URLs) folded in. Every article, copies included, is in marts.story_articles.';
comment on column marts.articles.story_id is 'The story''s id: the article_id of its original article. Stable while the original stays the earliest known copy.';
comment on column marts.articles.article_id is 'The original article''s id (equals story_id).';
comment on column marts.articles.source is 'Slug of the source that published the original (see marts.sources).';
comment on column marts.articles.source_name is 'Name of that source.';
comment on column marts.articles.url is 'Normalized URL of the original article (no tracking parameters, no fragment).';
comment on column marts.articles.former_urls is 'URLs the article was loaded under before its site moved it to this one (the old URL redirects here; a renamed slug, http to https), oldest first; empty when never moved.';
comment on column marts.articles.canonical_url is 'The canonical URL the page declares, when it declares one.';
comment on column marts.articles.title is 'Headline (NFC text).';
comment on column marts.articles.description is 'Standfirst / description, when the page has one.';
comment on column marts.articles.authors is 'Byline, in page order (names as published; see marts.authors).';
comment on column marts.articles.tags is 'Tags/topics the page declares, as given, in page order.';
comment on column marts.articles.tags_clean is 'The tags without publisher codes: a CODE: prefix dropped (RSBI:HUMAN-RIGHTS -> human rights), identifiers left out, each once, in page order (core.clean_tag).';
comment on column marts.articles.section is 'Site section for grouping: HTML references decoded, separators as spaces, repeated words once, lower case; NULL when the page names only the site or its front page (core.clean_section). As given: section_raw.';
comment on column marts.articles.section_raw is 'Site section as the page gives it.';
comment on column marts.articles.language is 'Language of the article, ISO 639-1.';
comment on column marts.articles.published_at is 'First publication time in UTC; NULL when the page gives none or a future one.';
comment on column marts.articles.modified_at is 'Last modification time the page declares, UTC.';
comment on column marts.articles.word_count is 'Words in the body.';
comment on column marts.articles.version is 'How many different contents this URL has had (1 = never changed; see marts.article_versions).';
comment on column marts.articles.original_source is 'The original source the page itself names (e.g. "www.aljazeera.com" on a repost), as written.';
comment on column marts.articles.image_url is 'Lead image URL.';
comment on column marts.articles.first_seen_at is 'When the pipeline first captured this URL (UTC).';
comment on column marts.articles.last_seen_at is 'When the pipeline last captured this URL (UTC).';
comment on column marts.articles.flags is 'Extraction notes: published_at_missing, published_at_day_only, published_at_in_future, modified_at_in_future, title_missing, liveblog (a LiveBlogPosting loaded with its updates on the page) (empty when none).';
comment on column marts.articles.copies is 'How many other articles (other URLs, any source) were folded into this story.';
comment on column marts.articles.copy_sources is 'Sources of those copies, distinct, sorted.';
comment on column marts.articles.copy_urls is 'URLs of those copies, first seen first.';
comment on column marts.articles.body is 'Article text: paragraphs separated by newlines, boilerplate removed.';

grant select on marts.articles to news_loader, news_analyst;
