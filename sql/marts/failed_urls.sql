-- marts.failed_urls: the failed-URL ledger, for ops pages and analysts (who cannot read ops).

create view marts.failed_urls as
select
    f.source,
    s.name                                                      as source_name,
    f.url,
    f.normalized_url,
    f.kind,
    f.reason,
    f.http_status,
    f.attempts,
    f.first_failed_at,
    f.last_failed_at,
    f.next_retry_at,
    f.gave_up_at,
    f.resolved_at,
    case
        when f.resolved_at is not null then 'resolved'
        when f.gave_up_at is not null then 'given_up'
        when f.next_retry_at <= now() then 'due'
        else 'waiting'
    end                                                         as state,
    f.last_crawl_run_id
from ops.failed_urls f
join ops.sources s on s.source = f.source;

comment on view marts.failed_urls is
    'The failed-URL ledger: every URL a crawl meant to fetch and did not capture, why, and whether the next runs retry it.';
comment on column marts.failed_urls.source is 'Source slug.';
comment on column marts.failed_urls.source_name is 'Source name.';
comment on column marts.failed_urls.url is 'URL as requested.';
comment on column marts.failed_urls.normalized_url is 'Normalized URL (the ledger''s key within the source).';
comment on column marts.failed_urls.kind is 'page, feed or sitemap.';
comment on column marts.failed_urls.reason is 'Why the last try failed: http_<status>, timeout, dns_error, robots_denied, not_reached, ...';
comment on column marts.failed_urls.http_status is 'HTTP status of the last try, when the server answered.';
comment on column marts.failed_urls.attempts is 'Crawl runs that tried the URL and failed.';
comment on column marts.failed_urls.first_failed_at is 'First failure of the current series (UTC).';
comment on column marts.failed_urls.last_failed_at is 'Last failure (UTC).';
comment on column marts.failed_urls.next_retry_at is 'When a run may try the URL again; NULL once resolved or given up.';
comment on column marts.failed_urls.gave_up_at is 'When the ledger gave up (permanent failures, or after the source''s give_up_days).';
comment on column marts.failed_urls.resolved_at is 'When a later run captured the URL.';
comment on column marts.failed_urls.state is 'resolved, given_up, due (the next run of the source retries it) or waiting (for next_retry_at).';
comment on column marts.failed_urls.last_crawl_run_id is 'The crawl that last tried it (marts.crawl_runs).';

grant select on marts.failed_urls to news_loader, news_analyst;
