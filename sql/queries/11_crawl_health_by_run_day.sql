-- Crawl health by the day the crawls ran
-- Today's crawls, backfills of earlier days included, with the news days they covered and why
-- any failed (marts.crawl_health groups by the news day instead). The most recent run day.
select day, source, crawl_runs, runs_failed, window_days, pages_fetched, articles, pages_rejected, failures
from marts.crawl_health_by_run_day
where day = (select max(day) from marts.crawl_health_by_run_day)
order by source;
