-- The matches of the given articles, on either side.
select article_id, matched_article_id from core.article_matches where article_id = any(%(ids)s)
union
select article_id, matched_article_id from core.article_matches where matched_article_id = any(%(ids)s)
