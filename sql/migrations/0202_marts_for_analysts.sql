-- marts: the stable, documented views analysts query. One row per story in marts.articles
-- (copies folded into their original), every article in marts.story_articles, the version
-- history, daily counts, crawl health, authors, sources, and a search function.
-- Views run with their owner's rights: analysts read ops (crawl health, source names) only
-- through them.

drop view marts.articles;

create view marts.sources as
select source, name, domains, language, enabled, updated_at
from ops.sources;
comment on view marts.sources is 'The configured news sources (scrapers/sources/*.toml), one row each.';
comment on column marts.sources.source is 'Source slug, the key used everywhere (e.g. aljazeera).';
comment on column marts.sources.name is 'Human-readable source name.';
comment on column marts.sources.domains is 'Host names the source publishes on.';
comment on column marts.sources.language is 'The source''s main language (ISO 639-1).';
comment on column marts.sources.enabled is 'Whether the daily crawl fetches this source.';
comment on column marts.sources.updated_at is 'When the registry entry was last written (UTC).';

create view marts.articles as
select
    a.article_id                             as story_id,
    a.article_id,
    a.source,
    s.name                                   as source_name,
    a.url,
    a.canonical_url,
    a.title,
    a.description,
    a.authors,
    a.tags,
    a.section,
    a.language,
    a.published_at,
    a.modified_at,
    a.word_count,
    a.version,
    a.original_source,
    a.image_url,
    a.first_seen_at,
    a.last_seen_at,
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
comment on column marts.articles.canonical_url is 'The canonical URL the page declares, when it declares one.';
comment on column marts.articles.title is 'Headline (NFC text).';
comment on column marts.articles.description is 'Standfirst / description, when the page has one.';
comment on column marts.articles.authors is 'Byline, in page order (names as published; see marts.authors).';
comment on column marts.articles.tags is 'Tags/topics the page declares, in page order.';
comment on column marts.articles.section is 'Site section (news, features, opinion, ...), when known.';
comment on column marts.articles.language is 'Language of the article, ISO 639-1.';
comment on column marts.articles.published_at is 'First publication time in UTC; NULL when the page gives none or a future one.';
comment on column marts.articles.modified_at is 'Last modification time the page declares, UTC.';
comment on column marts.articles.word_count is 'Words in the body.';
comment on column marts.articles.version is 'How many different contents this URL has had (1 = never changed; see marts.article_versions).';
comment on column marts.articles.original_source is 'The original source the page itself names (e.g. "www.aljazeera.com" on a repost), as written.';
comment on column marts.articles.image_url is 'Lead image URL.';
comment on column marts.articles.first_seen_at is 'When the pipeline first captured this URL (UTC).';
comment on column marts.articles.last_seen_at is 'When the pipeline last captured this URL (UTC).';
comment on column marts.articles.copies is 'How many other articles (other URLs, any source) were folded into this story.';
comment on column marts.articles.copy_sources is 'Sources of those copies, distinct, sorted.';
comment on column marts.articles.copy_urls is 'URLs of those copies, first seen first.';
comment on column marts.articles.body is 'Article text: paragraphs separated by newlines, boilerplate removed.';

create view marts.story_articles as
select
    coalesce(c.story_id, a.article_id)                 as story_id,
    a.article_id,
    coalesce(c.story_id, a.article_id) = a.article_id  as is_original,
    a.source,
    s.name                                             as source_name,
    a.url,
    a.title,
    a.published_at,
    a.first_seen_at,
    a.original_source,
    link.other_article_id                              as matched_article_id,
    link.method                                        as match_method,
    link.similarity                                    as match_similarity
from core.articles a
join ops.sources s on s.source = a.source
left join core.article_clusters c on c.article_id = a.article_id
left join lateral (
    select case when m.article_id = a.article_id then m.matched_article_id else m.article_id end as other_article_id,
           m.method, m.similarity
    from core.article_matches m
    where (m.article_id = a.article_id or m.matched_article_id = a.article_id)
      and coalesce(c.story_id, a.article_id) <> a.article_id
    order by (m.method = 'original_source' and m.article_id = a.article_id) desc, m.similarity desc
    limit 1
) link on true;

comment on view marts.story_articles is
    'Every article with the story it belongs to: the original (is_original) and each copy with the match that put it there.';
comment on column marts.story_articles.story_id is 'The story (article_id of its original); join to marts.articles.story_id.';
comment on column marts.story_articles.article_id is 'This article.';
comment on column marts.story_articles.is_original is 'True for the story''s original, false for a copy folded into it.';
comment on column marts.story_articles.source is 'Slug of the source that published this article.';
comment on column marts.story_articles.source_name is 'Name of that source.';
comment on column marts.story_articles.url is 'Normalized URL of this article.';
comment on column marts.story_articles.title is 'Headline of this article (a repost often rewrites it).';
comment on column marts.story_articles.published_at is 'Publication time of this article, UTC.';
comment on column marts.story_articles.first_seen_at is 'When the pipeline first captured this URL (UTC).';
comment on column marts.story_articles.original_source is 'The original source this page names, as written (NULL when it names none).';
comment on column marts.story_articles.matched_article_id is 'For a copy: the article it was matched with (its original where the page names one).';
comment on column marts.story_articles.match_method is 'For a copy: near_duplicate (same text, MinHash over word 4-shingles) or original_source (the page names the original, and their words overlap).';
comment on column marts.story_articles.match_similarity is 'For a copy: the match''s similarity, 0..1 (estimated shingle Jaccard, or lexeme Jaccard for original_source).';

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

create view marts.crawl_health as
select
    (r.window_start at time zone 'UTC')::date                                 as day,
    r.source,
    s.name                                                                     as source_name,
    count(*)::integer                                                          as crawl_runs,
    (count(*) filter (where r.status = 'failed'))::integer                     as runs_failed,
    (count(*) filter (where r.status = 'loaded'))::integer                     as runs_loaded,
    sum(r.requests)::integer                                                   as requests,
    sum(r.pages_fetched)::integer                                              as pages_fetched,
    sum(coalesce((r.stats ->> 'news/pages_failed')::integer, 0))::integer      as pages_failed,
    sum(coalesce(r.articles_new, 0) + coalesce(r.articles_updated, 0)
        + coalesce(r.articles_unchanged, 0))::integer                          as articles,
    sum(coalesce(r.articles_new, 0))::integer                                  as articles_new,
    sum(coalesce(r.articles_updated, 0))::integer                              as articles_updated,
    sum(coalesce(r.pages_rejected, 0))::integer                                as pages_rejected,
    sum(x.extraction_errors)::integer                                          as extraction_errors,
    round(sum(coalesce(r.articles_new, 0) + coalesce(r.articles_updated, 0) + coalesce(r.articles_unchanged, 0))::numeric
          / nullif(sum(r.pages_fetched) filter (where r.status = 'loaded'), 0), 3) as extraction_yield,
    max(r.finished_at)                                                         as last_finished_at,
    coalesce(array_agg(distinct r.failure) filter (where r.failure is not null), '{}') as failures
from ops.crawl_runs r
join ops.sources s on s.source = r.source
left join lateral (
    select count(*) as extraction_errors
    from raw.captures x
    where x.crawl_run_id = r.crawl_run_id and (x.extraction_status = 'failed' or x.extraction_reason like 'extraction\_%')
) x on true
group by 1, r.source, s.name;

comment on view marts.crawl_health is
    'Per source and crawl day (the UTC day the crawl window starts): runs, pages fetched and failed, articles loaded, extraction yield.';
comment on column marts.crawl_health.day is 'UTC day the crawl windows start on (the daily run for day D covers D 00:00 to D+1 00:00).';
comment on column marts.crawl_health.source is 'Source slug.';
comment on column marts.crawl_health.source_name is 'Source name.';
comment on column marts.crawl_health.crawl_runs is 'Finished crawl runs (re-runs and backfills of the day included).';
comment on column marts.crawl_health.runs_failed is 'Runs that failed (see failures).';
comment on column marts.crawl_health.runs_loaded is 'Runs whose articles are loaded.';
comment on column marts.crawl_health.requests is 'HTTP requests made (robots.txt, feeds, sitemaps, pages, retries).';
comment on column marts.crawl_health.pages_fetched is 'Article pages captured.';
comment on column marts.crawl_health.pages_failed is 'Article pages that could not be fetched after retries (they are in the failed-URL ledger).';
comment on column marts.crawl_health.articles is 'Pages loaded as articles (new, updated or unchanged).';
comment on column marts.crawl_health.articles_new is 'Articles seen for the first time.';
comment on column marts.crawl_health.articles_updated is 'Articles whose content changed.';
comment on column marts.crawl_health.pages_rejected is 'Pages not loaded as articles (liveblogs, videos, empty or invalid pages).';
comment on column marts.crawl_health.extraction_errors is 'Pages whose extraction failed or timed out.';
comment on column marts.crawl_health.extraction_yield is 'articles / pages_fetched over loaded runs (0..1); a drop means a site change or a block page.';
comment on column marts.crawl_health.last_finished_at is 'When the day''s last run finished (UTC).';
comment on column marts.crawl_health.failures is 'Distinct failure reasons of failed runs.';

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

create function marts.search_articles(
    search_text    text,
    since          timestamptz default null,
    until          timestamptz default null,
    source_slug    text default null,
    max_results    integer default 20
) returns table (
    story_id      bigint,
    source        text,
    published_at  timestamptz,
    title         text,
    url           text,
    copies        integer,
    rank          real,
    snippet       text
)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
    wanted tsquery;
    config regconfig;
begin
    if coalesce(btrim(search_text), '') = '' then
        raise exception 'marts.search_articles: give some words to search for, e.g. ''cocoa export levy''';
    end if;
    if max_results is null or max_results not between 1 and 1000 then
        raise exception 'marts.search_articles: max_results must be between 1 and 1000 (got %)', max_results;
    end if;
    -- Each article is indexed with its language's configuration, so the query is parsed with
    -- every configuration the sources use (and simple), and the alternatives OR-ed.
    wanted := websearch_to_tsquery('pg_catalog.simple', search_text);
    for config in select distinct core.text_search_config(s.language) from marts.sources s loop
        wanted := wanted || websearch_to_tsquery(config, search_text);
    end loop;
    return query
    with hits as (
        select coalesce(c.story_id, a.article_id) as story_id,
               ts_rank_cd(a.search_document, wanted, 1) as rank
        from core.articles a
        left join core.article_clusters c on c.article_id = a.article_id
        where a.search_document @@ wanted
          and (since is null or a.published_at >= since)
          and (until is null or a.published_at < until)
          and (source_slug is null or a.source = source_slug)
    ),
    best as (
        select h.story_id, max(h.rank) as rank from hits h group by h.story_id
        order by 2 desc, 1 limit max_results
    )
    select m.story_id, m.source, m.published_at, m.title, m.url, m.copies, b.rank,
           ts_headline(core.text_search_config(m.language), m.body, wanted,
                       'MaxFragments=1, MinWords=8, MaxWords=20, StartSel=**, StopSel=**')
    from best b
    join marts.articles m on m.story_id = b.story_id
    order by b.rank desc, m.published_at desc nulls last, m.story_id;
end
$$;

comment on function marts.search_articles(text, timestamptz, timestamptz, text, integer) is
    'Full-text search over title, description and body (web-search syntax: words, "a phrase", -not, or), one row per story, best first; since/until bound published_at, source_slug keeps stories with an article (original or copy) from that source. Example: select * from marts.search_articles(''cocoa levy'', since => ''2026-11-01'').';
