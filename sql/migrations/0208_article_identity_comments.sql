-- core.articles is keyed on the article's identity: the canonical URL the page declares where it
-- is one of the source's article URLs, else the normalized URL it was fetched as (issue 12 item 9).
comment on column raw.captures.normalized_url is
    'Normalized URL as fetched. core.articles.url is this, or the canonical URL the page declares where that is one of the source''s article URLs.';
comment on column core.articles.url is
    'The article''s identity: the canonical URL the page declares where that is one of the source''s article URLs, else the normalized URL it was fetched as.';
