-- marts.backfill_progress: per news_backfill run, archive files done of total, records scanned, articles loaded.

create view marts.backfill_progress as
select
    dag_run_id,
    min(window_start) as window_start,
    max(window_end) as window_end,
    count(*) as files_total,
    count(*) filter (where status = 'done') as files_done,
    count(*) filter (where status = 'failed') as files_failed,
    coalesce(sum(records_scanned), 0) as records_scanned,
    coalesce(sum(pages_selected), 0) as pages_selected,
    coalesce(sum(articles_new + articles_updated), 0) as articles_loaded,
    coalesce(sum(articles_unchanged), 0) as articles_unchanged,
    coalesce(sum(pages_rejected), 0) as pages_rejected,
    min(planned_at) as planned_at,
    max(finished_at) as last_file_finished_at
from ops.backfill_files
group by dag_run_id;
comment on view marts.backfill_progress is 'Each news_backfill run: archive files done of total, WARC records scanned, articles loaded. Updated as each file finishes.';
comment on column marts.backfill_progress.dag_run_id is 'The Airflow run id of the news_backfill run.';
comment on column marts.backfill_progress.window_start is 'Start of the backfilled window (UTC, inclusive).';
comment on column marts.backfill_progress.window_end is 'End of the backfilled window (UTC, exclusive).';
comment on column marts.backfill_progress.files_total is 'Archive files the run planned to read.';
comment on column marts.backfill_progress.files_done is 'Archive files read and loaded.';
comment on column marts.backfill_progress.files_failed is 'Archive files whose task failed (see the task log); retried by Airflow.';
comment on column marts.backfill_progress.records_scanned is 'WARC records read (every type, every site) in the files done.';
comment on column marts.backfill_progress.pages_selected is 'Response records on a selected source''s domains that passed its allow/deny patterns and could belong to the window.';
comment on column marts.backfill_progress.articles_loaded is 'Articles that were new or changed (a new version) in the warehouse.';
comment on column marts.backfill_progress.articles_unchanged is 'Articles already in the warehouse with the same content (a file read twice shows up here).';
comment on column marts.backfill_progress.pages_rejected is 'Selected pages not loaded as articles (not an article, extraction failed, quarantined), with reasons on raw.captures.';
comment on column marts.backfill_progress.planned_at is 'When the run listed its files.';
comment on column marts.backfill_progress.last_file_finished_at is 'When the latest file finished.';
