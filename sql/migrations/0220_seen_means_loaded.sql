-- Seen means loaded (issue 12 item 1): a page counts as already fetched only once its content
-- reached the warehouse: loaded as an article, or rejected for a reason that will not change by
-- fetching it again (not an article: liveblog, video, section page, paywall). A capture of a run
-- that was never loaded, or an empty or unparseable answer, does not count, so the next crawl
-- fetches the page again. The extraction status is written in the load's own transaction, so
-- what this index holds is exactly what was loaded.

drop index raw.captures_seen_pages;
create index captures_settled_pages on raw.captures (normalized_url, fetched_at)
    where kind = 'page' and status = 200
      and (extraction_status = 'article'
           or (extraction_status = 'rejected' and extraction_reason like 'not\_article:%'));

-- Runs published but not loaded (task killed after the crawl committed, extract_load failed):
-- the next extract_load of the source finds them here and loads them.
create index crawl_runs_unloaded on ops.crawl_runs (source, finished_at) where status = 'captured';

comment on column raw.captures.extraction_status is
    'Set by the load that read the page: article (loaded), rejected (with extraction_reason), failed. NULL: not loaded yet.';
comment on column ops.crawl_runs.skipped_seen is
    'Article URLs not fetched because an earlier run''s capture of them was loaded (or lastingly rejected: not an article).';
