-- Crawl health, last 7 days
-- Per source and crawl day: runs, pages fetched and failed, articles loaded, pages rejected
-- (liveblogs, videos) and the extraction yield. A yield that drops means a site change or a block
-- page. The 7 most recent crawl days (use `day >= current_date - 7` on a live warehouse).
select day, source, crawl_runs, runs_failed, requests, pages_fetched, pages_failed,
       articles, articles_new, pages_rejected, extraction_errors, extraction_yield
from marts.crawl_health
where day > (select max(day) from marts.crawl_health) - 7
order by day desc, source;
