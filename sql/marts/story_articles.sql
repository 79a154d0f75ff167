-- marts.story_articles: every article with its story and the match that put it there.

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
    a.flags,
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
comment on column marts.story_articles.flags is 'Extraction notes of this article: published_at_missing, published_at_day_only, published_at_in_future, modified_at_in_future, title_missing, liveblog (a LiveBlogPosting loaded with its updates on the page) (empty when none).';
comment on column marts.story_articles.matched_article_id is 'For a copy: the article it was matched with (its original where the page names one).';
comment on column marts.story_articles.match_method is 'For a copy: near_duplicate (same text, MinHash over word 4-shingles) or original_source (the page names the original, and their words overlap).';
comment on column marts.story_articles.match_similarity is 'For a copy: the match''s similarity, 0..1 (estimated shingle Jaccard, or lexeme Jaccard for original_source).';

grant select on marts.story_articles to news_loader, news_analyst;
