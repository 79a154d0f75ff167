-- Crawling that loses nothing: the failed-URL ledger, per-feed conditional-GET state, the run's
-- crawl stats as columns, and the index behind "already captured?" (scrapers/ledger.py).

create table ops.failed_urls (
    source            text not null references ops.sources (source),
    normalized_url    text not null,
    url               text not null,
    kind              text not null check (kind in ('feed', 'sitemap', 'page')),
    reason            text not null,
    http_status       integer,
    attempts          integer not null default 1 check (attempts > 0),
    first_failed_at   timestamptz not null,
    last_failed_at    timestamptz not null,
    next_retry_at     timestamptz,
    gave_up_at        timestamptz,
    resolved_at       timestamptz,
    last_crawl_run_id uuid references ops.crawl_runs (crawl_run_id) on delete set null,
    primary key (source, normalized_url),
    check (last_failed_at >= first_failed_at)
);
-- The next run asks for its source's due entries: a small partial index stays small.
create index failed_urls_due on ops.failed_urls (source, next_retry_at)
    where resolved_at is null and gave_up_at is null;
comment on table ops.failed_urls is
    'Every URL a crawl meant to fetch and did not capture, with why; retried by the next runs until resolved or given up.';
comment on column ops.failed_urls.reason is
    'http_<status>, timeout, dns_error, connection_refused, connection_lost, truncated, too_large, robots_denied, robots_unavailable, blocked_address, blocked_scheme, offsite_redirect, redirect_limit, retry_after, not_reached, unparseable, other';
comment on column ops.failed_urls.attempts is 'Crawl runs that tried the URL and failed (retries inside one run are in the run''s stats).';
comment on column ops.failed_urls.next_retry_at is 'When a run may try again; null once resolved or given up.';
comment on column ops.failed_urls.gave_up_at is 'Set for permanent failures (4xx, robots) and after the source''s give_up_days.';

create table ops.feed_state (
    source               text not null references ops.sources (source),
    url                  text not null,
    etag                 text,
    last_modified        text,
    validators_window_start timestamptz,
    validators_window_end   timestamptz,
    last_status          integer,
    last_attempt_at      timestamptz not null,
    last_success_at      timestamptz,
    consecutive_failures integer not null default 0 check (consecutive_failures >= 0),
    last_failure         text,
    items_last           integer,
    primary key (source, url)
);
comment on table ops.feed_state is
    'Per feed or sitemap: the validators for conditional GET (ETag, Last-Modified) and its health, as Media Cloud''s rss-fetcher keeps.';
comment on column ops.feed_state.validators_window_start is
    'Window of the run that stored the validators: they are sent only by runs whose window lies inside it, because a 304 would hide items that run skipped as outside its window.';

alter table ops.crawl_runs
    add column duration_seconds   numeric(10, 3),
    add column responses_by_status jsonb,
    add column bytes_received     bigint,
    add column pages_captured     integer,
    add column skipped_seen       integer,
    add column robots_denied      integer,
    add column retries            integer,
    add column urls_failed        integer,
    add column failed_by_reason   jsonb;
comment on column ops.crawl_runs.pages_captured is 'Article pages captured with status 200 (same as pages_fetched).';
comment on column ops.crawl_runs.skipped_seen is 'Article URLs not fetched because an earlier run captured them.';
comment on column ops.crawl_runs.urls_failed is 'URLs this run left in ops.failed_urls.';
comment on column ops.crawl_runs.failed_by_reason is 'URLs this run failed, counted by ledger reason.';

-- "Was this article captured already?": one probe per URL into an index holding only
-- successful page captures, so its cost follows the batch size, not the history's.
create index captures_seen_pages on raw.captures (normalized_url, fetched_at)
    where kind = 'page' and status = 200;
