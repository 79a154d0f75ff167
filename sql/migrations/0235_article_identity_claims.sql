-- A canonical URL is a claim about identity: a page is keyed on the one it declares only where
-- the article already at that URL is this article (same text or a near-duplicate); stories a
-- broken template gives one story's URL as canonical keep their own rows (transforms/load/run.py).
comment on column raw.captures.normalized_url is
    'Normalized URL as fetched. core.articles.url is this, or the canonical URL the page declares where that is one of the source''s article URLs and the article there has the same text or a near-duplicate of it.';
comment on column core.articles.url is
    'The article''s identity: the canonical URL the page declares where that is one of the source''s article URLs and the article there (fetched at it) has the same text or a near-duplicate of it, else the normalized URL it was fetched as.';
