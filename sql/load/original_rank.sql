-- What decides a story's original, per article: names no other source, published first, seen first.
select article_id, original_source is not null, published_at is null,
       coalesce(published_at, first_seen_at), first_seen_at
from core.articles
where article_id = any(%(ids)s)
