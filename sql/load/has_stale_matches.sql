-- Whether the batch's changed articles had matches that are about to be dropped
-- (drop_stale_matches.sql): then a story may split.
select exists (select 1 from core.article_matches m join changed_articles c on m.article_id = c.article_id)
    or exists (select 1 from core.article_matches m join changed_articles c on m.matched_article_id = c.article_id)
