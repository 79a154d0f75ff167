create table raw.captures (
    capture_id        bigint generated always as identity primary key,
    crawl_run_id      uuid not null references ops.crawl_runs (crawl_run_id) on delete cascade,
    url               text not null,
    normalized_url    text not null,
    kind              text not null check (kind in ('robots', 'feed', 'sitemap', 'page', 'other')),
    status            integer not null,
    content_type      text,
    fetched_at        timestamptz not null,
    warc_uri          text not null,
    warc_offset       bigint not null check (warc_offset >= 0),
    warc_length       bigint not null check (warc_length > 0),
    payload_digest    text,
    extraction_status text check (extraction_status in ('article', 'rejected', 'failed')),
    extraction_reason text,
    unique (crawl_run_id, warc_offset)
);
create index captures_normalized_url on raw.captures (normalized_url);
comment on table raw.captures is 'Every response a crawl captured, with where its record sits in the WARC file.';
