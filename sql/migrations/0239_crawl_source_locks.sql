-- One crawl per source at a time, across Airflow deployments, workers and crawls started by hand:
-- a crawl holds a row 'crawl:<source>' of ops.load_locks (select ... for update) while it runs
-- (scrapers/crawl_process.py). The row is added by the first crawl of the source, so the loader
-- role may now insert rows; analysts still cannot see schema ops, let alone lock its rows.

grant insert on ops.load_locks to news_loader;

comment on table ops.load_locks is
    'Rows the pipeline locks (select ... for update) to serialise work: story_assignment between '
    'concurrent loads; crawl:<source>, added by the first crawl of a source, held by a crawl of '
    'that source while it runs. Only roles that may update ops tables can take them.';
