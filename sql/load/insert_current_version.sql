-- The article's current content once more, observed at its latest capture: it came back after an
-- older capture that showed other content.
insert into core.article_versions (article_id, version, observed_at, crawl_run_id, changed_fields, {{kept_columns}})
select u.article_id, %(version)s, u.last_fetched_at, u.crawl_run_id, '{}', {{upserted_kept_columns}}
from core.articles u
where u.article_id = %(article_id)s
