-- The articles worth sending in full: one per URL (the latest capture, as upsert_articles.sql picks it),
-- new, or with another content hash and either newer than what is stored or an older capture whose
-- content the history does not hold yet (it becomes an earlier version: older_captures.sql).
-- A re-load of unchanged articles sends only their keys (URL, hash, fetch time): no bodies cross
-- the wire or get parsed.
select k.ordinal
from (select distinct on (url) ordinal, url, content_hash, fetched_at
      from article_keys order by url, fetched_at desc, ordinal desc) k
where not exists (select from core.articles a where a.url = k.url
                  and (a.content_hash = k.content_hash
                       or (a.last_fetched_at > k.fetched_at
                           and exists (select from core.article_versions v
                                       where v.article_id = a.article_id and v.content_hash = k.content_hash))))
order by k.ordinal
