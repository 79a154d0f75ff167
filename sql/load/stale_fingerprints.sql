-- Unchanged articles without a story, or whose fingerprint is missing or from an older recipe
-- (loaded before the fingerprints existed), get their derived rows computed now.
insert into changed_articles (article_id, url, content_hash)
select distinct a.article_id, a.url, a.content_hash
from article_keys k
join core.articles a on a.url = k.url and a.content_hash = k.content_hash
left join core.article_fingerprints f on f.article_id = a.article_id
left join core.article_clusters c on c.article_id = a.article_id
where c.article_id is null
   or f.fingerprint_version is distinct from %(version)s
   or f.content_hash is distinct from a.content_hash
on conflict (article_id) do nothing
