-- The other members of the stories the given articles belong to now.
select m.article_id
from core.article_clusters c
join core.article_clusters m on m.story_id = c.story_id
where c.article_id = any(%(ids)s) and m.article_id <> c.article_id
