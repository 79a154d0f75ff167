-- Articles seen again unchanged: only their last_seen_at moves.
update core.articles a
set last_seen_at = greatest(a.last_seen_at, s.fetched_at)
from (select url, max(fetched_at) as fetched_at from article_keys group by 1) s
where a.url = s.url and a.last_seen_at < s.fetched_at
