-- Every member of the stories the given articles belong to now, with its story.
select m.story_id, m.article_id
from core.article_clusters m
where m.story_id in (select story_id from core.article_clusters where article_id = any(%(ids)s))
