-- marts.crawl_runs: one row per finished crawl, with the day of its window and the day it ran.

create view marts.crawl_runs as
select
    r.crawl_run_id,
    r.source,
    s.name                                                                     as source_name,
    r.dag_run_id,
    (r.window_start at time zone 'UTC')::date                                 as window_day,
    (r.started_at at time zone 'UTC')::date                                   as run_day,
    r.window_start,
    r.window_end,
    r.started_at,
    r.finished_at,
    r.status,
    r.failure,
    r.requests,
    r.pages_fetched,
    coalesce((r.stats ->> 'news/pages_failed')::integer, 0)                   as pages_failed,
    coalesce(r.urls_failed, 0)                                                 as urls_failed,
    coalesce(r.articles_new, 0) + coalesce(r.articles_updated, 0)
        + coalesce(r.articles_unchanged, 0)                                    as articles,
    coalesce(r.articles_new, 0)                                                as articles_new,
    coalesce(r.articles_updated, 0)                                            as articles_updated,
    coalesce(r.pages_rejected, 0)                                              as pages_rejected,
    x.extraction_errors::integer                                               as extraction_errors,
    coalesce((r.stats ->> 'news/discovery_not_modified')::integer, 0)          as feeds_not_modified
from ops.crawl_runs r
join ops.sources s on s.source = r.source
left join lateral (
    select count(*) as extraction_errors
    from raw.captures x
    where x.crawl_run_id = r.crawl_run_id and (x.extraction_status = 'failed' or x.extraction_reason like 'extraction\_%')
) x on true;

comment on view marts.crawl_runs is
    'One row per finished crawl (a crawl killed midway leaves none): its window, when it ran, what it fetched, loaded, rejected and failed.';
comment on column marts.crawl_runs.crawl_run_id is 'The crawl''s id (also in its WARC file name).';
comment on column marts.crawl_runs.source is 'Source slug.';
comment on column marts.crawl_runs.source_name is 'Source name.';
comment on column marts.crawl_runs.dag_run_id is 'Airflow run that started the crawl (NULL when run by hand).';
comment on column marts.crawl_runs.window_day is 'UTC day the crawl window starts on: the news day it crawled.';
comment on column marts.crawl_runs.run_day is 'UTC day the crawl started: when it happened (a backfill of last week runs today).';
comment on column marts.crawl_runs.window_start is 'Start of the publication window crawled (inclusive, UTC).';
comment on column marts.crawl_runs.window_end is 'End of the window (exclusive, UTC).';
comment on column marts.crawl_runs.started_at is 'When the crawl started (UTC).';
comment on column marts.crawl_runs.finished_at is 'When it finished (UTC).';
comment on column marts.crawl_runs.status is 'captured (archived, not loaded yet), loaded, or failed (see failure).';
comment on column marts.crawl_runs.failure is 'Why the crawl failed, for failed crawls.';
comment on column marts.crawl_runs.requests is 'HTTP requests made (robots.txt, feeds, sitemaps, pages, retries).';
comment on column marts.crawl_runs.pages_fetched is 'Article pages captured.';
comment on column marts.crawl_runs.pages_failed is 'Article pages that could not be fetched after retries.';
comment on column marts.crawl_runs.urls_failed is 'URLs (pages, feeds, sitemaps) the crawl left in the failed-URL ledger, to retry.';
comment on column marts.crawl_runs.articles is 'Pages loaded as articles (new, updated or unchanged).';
comment on column marts.crawl_runs.articles_new is 'Articles seen for the first time.';
comment on column marts.crawl_runs.articles_updated is 'Articles whose content changed.';
comment on column marts.crawl_runs.pages_rejected is 'Pages not loaded as articles (see marts.rejected_pages).';
comment on column marts.crawl_runs.extraction_errors is 'Pages whose extraction failed or timed out.';
comment on column marts.crawl_runs.feeds_not_modified is 'Feeds and sitemaps answered 304 Not Modified to conditional GET: downloads saved (per feed, all runs: ops.feed_state.not_modified_count).';

grant select on marts.crawl_runs to news_loader, news_analyst;
