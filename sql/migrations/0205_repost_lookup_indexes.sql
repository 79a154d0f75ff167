-- Finding a repost's original compares it in full only with the named source's articles whose
-- headline or standfirst shares a word with the repost's headline (transforms/load.py). This
-- index finds those without reading every article of the source's week.
create index articles_headline_lexemes on core.articles
    using gin (tsvector_to_array(ts_filter(search_document, '{a,b}'::"char"[])));

-- And finding the reposts that name a newly loaded original's site probes by host and date.
drop index core.articles_original_source_host;
create index articles_original_source_host on core.articles
    (core.url_host(original_source), coalesce(published_at, first_seen_at))
    where original_source is not null;
