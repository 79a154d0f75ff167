create table ops.sources (
    source      text primary key check (source ~ '^[a-z][a-z0-9_]{1,39}$'),
    name        text not null,
    domains     text[] not null,
    language    text not null,
    enabled     boolean not null,
    updated_at  timestamptz not null default now()
);
comment on table ops.sources is 'One row per configured source (scrapers/sources/*.toml), refreshed at each run.';

create table ops.crawl_runs (
    crawl_run_id     uuid primary key,
    source           text not null references ops.sources (source),
    dag_run_id       text,
    window_start     timestamptz not null,
    window_end       timestamptz not null,
    started_at       timestamptz not null,
    finished_at      timestamptz not null,
    finish_reason    text not null,
    status           text not null check (status in ('captured', 'failed', 'loaded')),
    failure          text,
    warc_uri         text,
    pages_fetched    integer not null default 0 check (pages_fetched >= 0),
    requests         integer not null default 0,
    stats            jsonb not null default '{}'::jsonb,
    loaded_at        timestamptz,
    articles_new       integer,
    articles_updated   integer,
    articles_unchanged integer,
    pages_rejected     integer,
    check (window_end > window_start)
);
create index crawl_runs_source_window on ops.crawl_runs (source, window_start);
create index crawl_runs_dag_run on ops.crawl_runs (dag_run_id);
comment on table ops.crawl_runs is 'One row per finished crawl (a crawl killed midway leaves none). Load counts are filled when its articles are loaded.';
