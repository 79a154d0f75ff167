-- marts.search_articles(): full-text search over the stories of marts.articles.
-- requires: marts.articles

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
-- A plan for each call's own values: after five calls in a session PL/pgSQL may keep a generic
-- plan, which knows neither the dates, the source nor max_results, and read core.articles whole
-- to join the best stories back to marts.articles.
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
begin
    if coalesce(btrim(search_text), '') = '' then
        raise exception 'marts.search_articles: give some words to search for, e.g. ''cocoa export levy''';
    end if;
    if max_results is null or max_results not between 1 and 1000 then
        raise exception 'marts.search_articles: max_results must be between 1 and 1000 (got %)', max_results;
    end if;
    -- Each article is indexed with its own language's configuration, so each is matched against
    -- the query parsed with that same configuration: "-growers" then excludes the English stem
    -- "grower" the document holds, and "Häfen" finds the German "haf". (OR-ing the parses of all
    -- configurations let the parse whose stems a document lacks satisfy an exclusion.) The
    -- configurations that parse the text alike share one GIN probe: most words parse the same in
    -- most of the 29 configurations, and each probe reads the word's whole posting list, so a
    -- probe per configuration made a common word's search 29 index scans.
    return query
    with parses as (
        select c.config, websearch_to_tsquery(c.config, search_text) as query
        from (select distinct core.text_search_config(code) as config
              from unnest(core.text_search_languages() || array[null::text]) as code) c
    ),
    queries as (
        select p.query, array_agg(p.config) as configs from parses p group by p.query
    ),
    hits as (
        select coalesce(c.story_id, a.article_id) as story_id,
               ts_rank_cd(a.search_document, q.query, 1) as rank
        from queries q
        join core.articles a
          on a.search_document @@ q.query and core.text_search_config(a.language) = any (q.configs)
        left join core.article_clusters c on c.article_id = a.article_id
        where (since is null or a.published_at >= since)
          and (until is null or a.published_at < until)
          and (source_slug is null or a.source = source_slug)
    ),
    best as (
        select h.story_id, max(h.rank) as rank from hits h group by h.story_id
        order by 2 desc, 1 limit max_results
    )
    select m.story_id, m.source, m.published_at, m.title, m.url, m.copies, b.rank,
           ts_headline(core.text_search_config(m.language), m.body,
                       websearch_to_tsquery(core.text_search_config(m.language), search_text),
                       'MaxFragments=1, MinWords=8, MaxWords=20, StartSel=**, StopSel=**')
    from best b
    join marts.articles m on m.story_id = b.story_id
    order by b.rank desc, m.published_at desc nulls last, m.story_id;
end
$$;

comment on function marts.search_articles(text, timestamptz, timestamptz, text, integer) is
    'Full-text search over title, description and body with websearch_to_tsquery syntax (words, "a phrase", -not, or), each article matched in its own language''s configuration (stemmed), one row per story, best first; since/until bound published_at, source_slug keeps stories with an article (original or copy) from that source. Example: select * from marts.search_articles(''cocoa levy'', since => ''2026-11-01'').';
