-- Matches of the changed articles are recomputed from scratch: drop the old ones first. A
-- repost's link to its original goes with the repost; an original that changes keeps its reposts.
delete from core.article_matches m using changed_articles c
where m.method = 'near_duplicate' and m.article_id = c.article_id;
delete from core.article_matches m using changed_articles c
where m.method = 'near_duplicate' and m.matched_article_id = c.article_id;
delete from core.article_matches m using changed_articles c
where m.method = 'original_source' and m.article_id = c.article_id;
