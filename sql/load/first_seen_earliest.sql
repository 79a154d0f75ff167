-- An article is first seen at its earliest capture, whichever load brought that capture.
update core.articles a
set first_seen_at = s.fetched_at
from (select url, min(fetched_at) as fetched_at from article_keys group by 1) s
where a.url = s.url and s.fetched_at < a.first_seen_at
