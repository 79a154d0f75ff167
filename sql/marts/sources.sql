-- marts.sources: the source registry, for analysts (who cannot read ops).

create view marts.sources as
select source, name, domains, language, enabled, updated_at
from ops.sources;
comment on view marts.sources is 'The configured news sources (scrapers/sources/*.toml), one row each.';
comment on column marts.sources.source is 'Source slug, the key used everywhere (e.g. aljazeera).';
comment on column marts.sources.name is 'Human-readable source name.';
comment on column marts.sources.domains is 'Host names the source publishes on.';
comment on column marts.sources.language is 'The source''s main language (ISO 639-1).';
comment on column marts.sources.enabled is 'Whether the daily crawl fetches this source.';
comment on column marts.sources.updated_at is 'When the registry entry was last written (UTC).';

grant select on marts.sources to news_loader, news_analyst;
