-- marts.crawl_health: per source and crawl day, how the crawls and loads went.

create view marts.crawl_health as
select
    (r.window_start at time zone 'UTC')::date                                 as day,
    r.source,
    s.name                                                                     as source_name,
    count(*)::integer                                                          as crawl_runs,
    (count(*) filter (where r.status = 'failed'))::integer                     as runs_failed,
    (count(*) filter (where r.status = 'loaded'))::integer                     as runs_loaded,
    sum(r.requests)::integer                                                   as requests,
    sum(r.pages_fetched)::integer                                              as pages_fetched,
    sum(coalesce((r.stats ->> 'news/pages_failed')::integer, 0))::integer      as pages_failed,
    sum(coalesce(r.articles_new, 0) + coalesce(r.articles_updated, 0)
        + coalesce(r.articles_unchanged, 0))::integer                          as articles,
    sum(coalesce(r.articles_new, 0))::integer                                  as articles_new,
    sum(coalesce(r.articles_updated, 0))::integer                              as articles_updated,
    sum(coalesce(r.pages_rejected, 0))::integer                                as pages_rejected,
    sum(x.extraction_errors)::integer                                          as extraction_errors,
    round(sum(coalesce(r.articles_new, 0) + coalesce(r.articles_updated, 0) + coalesce(r.articles_unchanged, 0))::numeric
          / nullif(sum(r.pages_fetched) filter (where r.status = 'loaded'), 0), 3) as extraction_yield,
    max(r.finished_at)                                                         as last_finished_at,
    coalesce(array_agg(distinct r.failure) filter (where r.failure is not null), '{}') as failures
from ops.crawl_runs r
join ops.sources s on s.source = r.source
left join lateral (
    select count(*) as extraction_errors
    from raw.captures x
    where x.crawl_run_id = r.crawl_run_id and (x.extraction_status = 'failed' or x.extraction_reason like 'extraction\_%')
) x on true
group by 1, r.source, s.name;

comment on view marts.crawl_health is
    'Per source and crawl day (the UTC day the crawl window starts): runs, pages fetched and failed, articles loaded, extraction yield.';
comment on column marts.crawl_health.day is 'UTC day the crawl windows start on (the daily run for day D covers D 00:00 to D+1 00:00).';
comment on column marts.crawl_health.source is 'Source slug.';
comment on column marts.crawl_health.source_name is 'Source name.';
comment on column marts.crawl_health.crawl_runs is 'Finished crawl runs (re-runs and backfills of the day included).';
comment on column marts.crawl_health.runs_failed is 'Runs that failed (see failures).';
comment on column marts.crawl_health.runs_loaded is 'Runs whose articles are loaded.';
comment on column marts.crawl_health.requests is 'HTTP requests made (robots.txt, feeds, sitemaps, pages, retries).';
comment on column marts.crawl_health.pages_fetched is 'Article pages captured.';
comment on column marts.crawl_health.pages_failed is 'Article pages that could not be fetched after retries (they are in the failed-URL ledger).';
comment on column marts.crawl_health.articles is 'Pages loaded as articles (new, updated or unchanged).';
comment on column marts.crawl_health.articles_new is 'Articles seen for the first time.';
comment on column marts.crawl_health.articles_updated is 'Articles whose content changed.';
comment on column marts.crawl_health.pages_rejected is 'Pages not loaded as articles (liveblogs, videos, empty or invalid pages).';
comment on column marts.crawl_health.extraction_errors is 'Pages whose extraction failed or timed out.';
comment on column marts.crawl_health.extraction_yield is 'articles / pages_fetched over loaded runs (0..1); a drop means a site change or a block page.';
comment on column marts.crawl_health.last_finished_at is 'When the day''s last run finished (UTC).';
comment on column marts.crawl_health.failures is 'Distinct failure reasons of failed runs.';

grant select on marts.crawl_health to news_loader, news_analyst;
