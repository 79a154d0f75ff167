-- marts.crawl_health_by_run_day: crawl health per source and the UTC day the crawls ran.
-- requires: marts.crawl_runs

create view marts.crawl_health_by_run_day as
select
    r.run_day                                                                  as day,
    r.source,
    r.source_name,
    count(*)::integer                                                          as crawl_runs,
    (count(*) filter (where r.status = 'failed'))::integer                     as runs_failed,
    (count(*) filter (where r.status = 'loaded'))::integer                     as runs_loaded,
    array_agg(distinct r.window_day order by r.window_day)                     as window_days,
    sum(r.requests)::integer                                                   as requests,
    sum(r.pages_fetched)::integer                                              as pages_fetched,
    sum(r.pages_failed)::integer                                               as pages_failed,
    sum(r.urls_failed)::integer                                                as urls_failed,
    sum(r.articles)::integer                                                   as articles,
    sum(r.articles_new)::integer                                               as articles_new,
    sum(r.pages_rejected)::integer                                             as pages_rejected,
    sum(r.extraction_errors)::integer                                          as extraction_errors,
    max(r.finished_at)                                                         as last_finished_at,
    coalesce(array_agg(distinct r.failure) filter (where r.failure is not null), '{}') as failures
from marts.crawl_runs r
group by r.run_day, r.source, r.source_name;

comment on view marts.crawl_health_by_run_day is
    'Per source and the UTC day the crawls ran (marts.crawl_health groups by the news day crawled): today''s backfills and their failures show under today.';
comment on column marts.crawl_health_by_run_day.day is 'UTC day the crawls started.';
comment on column marts.crawl_health_by_run_day.source is 'Source slug.';
comment on column marts.crawl_health_by_run_day.source_name is 'Source name.';
comment on column marts.crawl_health_by_run_day.crawl_runs is 'Crawls that ran that day, daily runs and backfills alike.';
comment on column marts.crawl_health_by_run_day.runs_failed is 'Of those, crawls that failed (see failures).';
comment on column marts.crawl_health_by_run_day.runs_loaded is 'Of those, crawls whose articles are loaded.';
comment on column marts.crawl_health_by_run_day.window_days is 'The news days those crawls covered.';
comment on column marts.crawl_health_by_run_day.requests is 'HTTP requests made.';
comment on column marts.crawl_health_by_run_day.pages_fetched is 'Article pages captured.';
comment on column marts.crawl_health_by_run_day.pages_failed is 'Article pages that could not be fetched after retries.';
comment on column marts.crawl_health_by_run_day.urls_failed is 'URLs left in the failed-URL ledger.';
comment on column marts.crawl_health_by_run_day.articles is 'Pages loaded as articles.';
comment on column marts.crawl_health_by_run_day.articles_new is 'Articles seen for the first time.';
comment on column marts.crawl_health_by_run_day.pages_rejected is 'Pages not loaded as articles.';
comment on column marts.crawl_health_by_run_day.extraction_errors is 'Pages whose extraction failed or timed out.';
comment on column marts.crawl_health_by_run_day.last_finished_at is 'When the day''s last crawl finished (UTC).';
comment on column marts.crawl_health_by_run_day.failures is 'Distinct failure reasons of the failed crawls.';

grant select on marts.crawl_health_by_run_day to news_loader, news_analyst;
