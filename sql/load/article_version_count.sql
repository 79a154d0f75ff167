-- The article's version number is its latest version's.
update core.articles a
set version = (select max(v.version) from core.article_versions v where v.article_id = a.article_id)
where a.article_id = %(article_id)s
