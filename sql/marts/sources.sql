-- marts.sources: the source registry, for analysts (who cannot read ops), with how each source
-- is doing: its newest article and its last crawl.

create view marts.sources as
select
    s.source,
    s.name,
    s.domains,
    s.language,
    s.country,
    s.timezone,
    s.enabled,
    s.updated_at,
    latest.published_at   as last_article_published_at,
    latest.first_seen_at  as last_article_seen_at,
    run.finished_at       as last_run_finished_at,
    run.status            as last_run_status,
    run.failure           as last_run_failure
from ops.sources s
left join lateral (
    select max(a.published_at) as published_at, max(a.first_seen_at) as first_seen_at
    from core.articles a where a.source = s.source
) latest on true
left join lateral (
    select r.finished_at, r.status, r.failure
    from ops.crawl_runs r where r.source = s.source
    order by r.finished_at desc, r.crawl_run_id desc
    limit 1
) run on true;
comment on view marts.sources is 'The configured news sources (scrapers/sources/*.toml), one row each, with their newest article and last crawl.';
comment on column marts.sources.source is 'Source slug, the key used everywhere (e.g. aljazeera).';
comment on column marts.sources.name is 'Human-readable source name.';
comment on column marts.sources.domains is 'Host names the source publishes on.';
comment on column marts.sources.language is 'The source''s main language (ISO 639-1).';
comment on column marts.sources.country is 'Country the source publishes from, ISO 3166-1 alpha-2; NULL when not configured.';
comment on column marts.sources.timezone is 'IANA time zone the site''s dates without an offset are read in (all times in the marts are UTC).';
comment on column marts.sources.enabled is 'Whether the daily crawl fetches this source.';
comment on column marts.sources.updated_at is 'When the registry entry was last written (UTC).';
comment on column marts.sources.last_article_published_at is 'Publication time of the source''s newest article, UTC (NULL before its first dated article).';
comment on column marts.sources.last_article_seen_at is 'When the pipeline first captured the source''s most recently found article, UTC.';
comment on column marts.sources.last_run_finished_at is 'When the source''s last crawl finished, UTC (NULL before its first crawl).';
comment on column marts.sources.last_run_status is 'Status of that crawl: captured, loaded or failed.';
comment on column marts.sources.last_run_failure is 'Why that crawl failed, when it did.';

grant select on marts.sources to news_loader, news_analyst;
