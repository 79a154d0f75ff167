-- marts.search_articles(): full-text search over the stories of marts.articles.
-- requires: marts.articles, marts.sources

create function marts.search_articles(
    search_text    text,
    since          timestamptz default null,
    until          timestamptz default null,
    source_slug    text default null,
    max_results    integer default 20
) returns table (
    story_id      bigint,
    source        text,
    published_at  timestamptz,
    title         text,
    url           text,
    copies        integer,
    rank          real,
    snippet       text
)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
    wanted tsquery;
    config regconfig;
begin
    if coalesce(btrim(search_text), '') = '' then
        raise exception 'marts.search_articles: give some words to search for, e.g. ''cocoa export levy''';
    end if;
    if max_results is null or max_results not between 1 and 1000 then
        raise exception 'marts.search_articles: max_results must be between 1 and 1000 (got %)', max_results;
    end if;
    -- Each article is indexed with its language's configuration, so the query is parsed with
    -- every configuration the sources use (and simple), and the alternatives OR-ed.
    wanted := websearch_to_tsquery('pg_catalog.simple', search_text);
    for config in select distinct core.text_search_config(s.language) from marts.sources s loop
        wanted := wanted || websearch_to_tsquery(config, search_text);
    end loop;
    return query
    with hits as (
        select coalesce(c.story_id, a.article_id) as story_id,
               ts_rank_cd(a.search_document, wanted, 1) as rank
        from core.articles a
        left join core.article_clusters c on c.article_id = a.article_id
        where a.search_document @@ wanted
          and (since is null or a.published_at >= since)
          and (until is null or a.published_at < until)
          and (source_slug is null or a.source = source_slug)
    ),
    best as (
        select h.story_id, max(h.rank) as rank from hits h group by h.story_id
        order by 2 desc, 1 limit max_results
    )
    select m.story_id, m.source, m.published_at, m.title, m.url, m.copies, b.rank,
           ts_headline(core.text_search_config(m.language), m.body, wanted,
                       'MaxFragments=1, MinWords=8, MaxWords=20, StartSel=**, StopSel=**')
    from best b
    join marts.articles m on m.story_id = b.story_id
    order by b.rank desc, m.published_at desc nulls last, m.story_id;
end
$$;

comment on function marts.search_articles(text, timestamptz, timestamptz, text, integer) is
    'Full-text search over title, description and body (web-search syntax: words, "a phrase", -not, or), one row per story, best first; since/until bound published_at, source_slug keeps stories with an article (original or copy) from that source. Example: select * from marts.search_articles(''cocoa levy'', since => ''2026-11-01'').';
