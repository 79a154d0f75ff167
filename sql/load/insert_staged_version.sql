-- An older capture's content, staged in this batch, as version %(version)s (changed_fields is
-- filled by version_changed_fields.sql once its neighbours are in place).
insert into core.article_versions (article_id, version, observed_at, crawl_run_id, changed_fields, {{kept_columns}})
select %(article_id)s, %(version)s, u.last_fetched_at, %(crawl_run_id)s, '{}', {{upserted_kept_columns}}
from article_stage u
where u.ordinal = %(ordinal)s
