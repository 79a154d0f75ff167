-- marts.rejected_pages: captured pages that were not loaded as articles, and why.

create view marts.rejected_pages as
select
    x.capture_id,
    r.source,
    s.name                                                  as source_name,
    (x.fetched_at at time zone 'UTC')::date                 as day,
    x.url,
    x.normalized_url,
    x.extraction_status                                     as outcome,
    split_part(x.extraction_reason, ':', 1)                 as reason_kind,
    x.extraction_reason                                     as reason,
    x.status                                                as http_status,
    x.fetched_at,
    x.crawl_run_id,
    exists (select from core.articles a where a.url = x.normalized_url) as is_loaded_now
from raw.captures x
join ops.crawl_runs r on r.crawl_run_id = x.crawl_run_id
join ops.sources s on s.source = r.source
where x.kind = 'page' and x.extraction_status in ('rejected', 'failed');

comment on view marts.rejected_pages is
    'Every captured page that was not loaded as an article, with why: liveblogs, videos, empty or invalid pages, extraction failures. URLs that could not be fetched at all are in marts.crawl_runs (urls_failed).';
comment on column marts.rejected_pages.capture_id is 'The capture (one fetch of the page).';
comment on column marts.rejected_pages.source is 'Source slug of the crawl that fetched it.';
comment on column marts.rejected_pages.source_name is 'Source name.';
comment on column marts.rejected_pages.day is 'UTC day the page was fetched.';
comment on column marts.rejected_pages.url is 'URL as requested.';
comment on column marts.rejected_pages.normalized_url is 'Normalized URL (the key of marts.articles.url).';
comment on column marts.rejected_pages.outcome is 'rejected (not an article, or quarantined by the load) or failed (extraction error or timeout).';
comment on column marts.rejected_pages.reason_kind is 'The reason''s first part, to group by: not_article, load_rejected, extraction_timeout, empty_body, ...';
comment on column marts.rejected_pages.reason is 'The full reason, e.g. not_article:liveblog or load_rejected: title_too_long: ...';
comment on column marts.rejected_pages.http_status is 'HTTP status of the fetch.';
comment on column marts.rejected_pages.fetched_at is 'When the page was fetched (UTC).';
comment on column marts.rejected_pages.crawl_run_id is 'The crawl that fetched it (marts.crawl_runs).';
comment on column marts.rejected_pages.is_loaded_now is 'True when the same URL is an article now (a later capture of it was loaded).';

grant select on marts.rejected_pages to news_loader, news_analyst;
