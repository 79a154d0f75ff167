-- Progress of archive backfills (the news_backfill DAG): one row per archive file of a run,
-- written when the run is planned (pending) and when the file is done.
create table ops.backfill_files (
    dag_run_id        text not null,
    archive           text not null,
    file_index        integer not null check (file_index >= 0),
    window_start      timestamptz not null,
    window_end        timestamptz not null,
    sources           text[] not null,
    status            text not null default 'pending' check (status in ('pending', 'done', 'failed')),
    records_scanned   bigint check (records_scanned >= 0),
    pages_selected    integer check (pages_selected >= 0),
    articles_new      integer check (articles_new >= 0),
    articles_updated  integer check (articles_updated >= 0),
    articles_unchanged integer check (articles_unchanged >= 0),
    pages_rejected    integer check (pages_rejected >= 0),
    outside_window    integer check (outside_window >= 0),
    seconds           numeric(12, 3),
    failure           text,
    planned_at        timestamptz not null default now(),
    finished_at       timestamptz,
    primary key (dag_run_id, archive),
    check (window_end > window_start)
);
comment on table ops.backfill_files is 'One row per archive file of a news_backfill run: pending when planned, done (with counts) or failed when processed.';
-- Shown to ops and analysts by marts.backfill_progress (sql/marts/backfill_progress.sql).
