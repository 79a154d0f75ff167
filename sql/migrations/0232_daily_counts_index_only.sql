-- marts.daily_source_counts reads, per article of the days asked for, its day and source (the
-- index's keys) and published_at, version and word_count, and joins the story clusters by
-- article_id. With those columns in the index, a month's counts are an index-only scan instead
-- of a heap fetch per article (tens of thousands of random reads a month at a million articles).
drop index core.articles_day_source;
create index articles_day_source on core.articles
    (((coalesce(published_at, first_seen_at) at time zone 'UTC')::date), source)
    include (article_id, published_at, first_seen_at, version, word_count);
