-- core: invariants as constraints, authors and tags as tables, versions that say what changed,
-- and full-text search with the article's own language configuration.
--
-- Sources stay in ops.sources (written by the crawl from scrapers/sources/*.toml, the one source
-- of truth); core.sources is a read-only view of it so that analysts, who may read core but not
-- ops, see the registry too.

-- Helpers --------------------------------------------------------------------------------------

-- The host of a URL or bare domain, lower-case, without "www.": how a repost's
-- "Original Source: www.aljazeera.com" is compared with a source's domains.
create or replace function core.url_host(url_or_domain text) returns text
language sql immutable strict parallel safe
as $$
    select nullif(regexp_replace(lower(substring(btrim(url_or_domain) from '^(?:[a-z][a-z0-9+.-]*://)?([^/:?#@\s]+)')),
                                 '^www\.', ''), '')
$$;
comment on function core.url_host(text) is
    'Lower-case host of a URL or bare domain without a leading "www." (NULL when there is none).';

-- The text-search configuration for an ISO 639-1 language code: the language's own stemmer and
-- stop words where this server has them, "simple" (no stemming) otherwise. Generated from
-- pg_ts_config so it names only configurations this server has. It must stay immutable: the
-- stored search vectors depend on it (change it only together with a rewrite of those vectors).
do $do$
declare
    iso_to_config constant text[][] := array[
        ['ar', 'arabic'], ['hy', 'armenian'], ['eu', 'basque'], ['ca', 'catalan'], ['da', 'danish'],
        ['nl', 'dutch'], ['en', 'english'], ['fi', 'finnish'], ['fr', 'french'], ['de', 'german'],
        ['el', 'greek'], ['hi', 'hindi'], ['hu', 'hungarian'], ['id', 'indonesian'], ['ga', 'irish'],
        ['it', 'italian'], ['lt', 'lithuanian'], ['ne', 'nepali'], ['no', 'norwegian'],
        ['nb', 'norwegian'], ['nn', 'norwegian'], ['pt', 'portuguese'], ['ro', 'romanian'],
        ['ru', 'russian'], ['sr', 'serbian'], ['es', 'spanish'], ['sv', 'swedish'], ['ta', 'tamil'],
        ['tr', 'turkish'], ['yi', 'yiddish']];
    branches text := '';
    codes text[] := '{}';
    i integer;
begin
    for i in 1 .. array_length(iso_to_config, 1) loop
        if exists (select from pg_ts_config where cfgname = iso_to_config[i][2]
                   and cfgnamespace = 'pg_catalog'::regnamespace) then
            branches := branches || format(' when %L then %L::regconfig', iso_to_config[i][1], 'pg_catalog.' || iso_to_config[i][2]);
            codes := codes || iso_to_config[i][1];
        end if;
    end loop;
    execute format($f$
        create or replace function core.text_search_config(lang text) returns regconfig
        language sql immutable parallel safe
        as $b$ select case lang %s else 'pg_catalog.simple'::regconfig end $b$
    $f$, branches);
    execute format($f$
        create or replace function core.text_search_languages() returns text[]
        language sql immutable parallel safe
        as $b$ select %L::text[] $b$
    $f$, codes);
end
$do$;
comment on function core.text_search_config(text) is
    'Text-search configuration for an ISO 639-1 code: the language''s stemmer where PostgreSQL has one, else simple.';
comment on function core.text_search_languages() is
    'ISO 639-1 codes that have their own text-search configuration on this server.';

-- Article invariants ---------------------------------------------------------------------------
-- Text is NFC and bounded: the loader checks the same limits first and quarantines a page that
-- breaks one, naming it (FAULTS.md 22); these constraints are the last line. PostgreSQL text
-- cannot hold NUL at all, so "no NUL" needs no check of its own.
alter table core.articles
    add constraint articles_url_http check (url ~ '^https?://' and length(url) <= 2048),
    add constraint articles_canonical_url_http check (canonical_url ~ '^https?://' and length(canonical_url) <= 2048),
    add constraint articles_image_url_length check (length(image_url) <= 2048),
    add constraint articles_title_nfc check (title is nfc normalized and length(title) <= 1000),
    add constraint articles_description_nfc check (description is nfc normalized and length(description) <= 10000),
    add constraint articles_body_nfc check (body is nfc normalized and length(body) <= 1000000),
    add constraint articles_section_nfc check (section is nfc normalized and length(section) <= 200),
    add constraint articles_original_source_length check (length(original_source) <= 2048),
    add constraint articles_authors_no_null check (array_position(authors, null) is null),
    add constraint articles_tags_no_null check (array_position(tags, null) is null),
    add constraint articles_seen_in_order check (first_seen_at <= last_seen_at and last_fetched_at <= last_seen_at),
    -- Extraction never keeps a date after the fetch (FAULTS.md 16).
    add constraint articles_published_not_after_fetch check (published_at <= last_fetched_at),
    add constraint articles_modified_not_after_fetch check (modified_at <= last_fetched_at);

alter table core.article_versions
    add constraint article_versions_hash_hex check (content_hash ~ '^[0-9a-f]{64}$'),
    add column changed_fields text[] not null default '{}'
        check (changed_fields <@ array['title', 'description', 'body', 'authors']::text[]);

-- What each existing version changed, from its predecessor.
update core.article_versions v
set changed_fields = array_remove(array[
        case when v.title is distinct from p.title then 'title' end,
        case when v.description is distinct from p.description then 'description' end,
        case when v.body is distinct from p.body then 'body' end,
        case when v.authors is distinct from p.authors then 'authors' end], null)
from core.article_versions p
where p.article_id = v.article_id and p.version = v.version - 1;

create index article_versions_observed on core.article_versions (observed_at);

-- Authors and tags ------------------------------------------------------------------------------
create table core.authors (
    author_id      bigint generated always as identity primary key,
    name           text not null unique
                   check (name <> '' and name is nfc normalized and length(name) <= 300),
    first_seen_at  timestamptz not null default now()
);

create table core.article_authors (
    article_id  bigint not null references core.articles (article_id) on delete cascade,
    author_id   bigint not null references core.authors (author_id),
    position    smallint not null check (position >= 1),
    primary key (article_id, position),
    unique (article_id, author_id)
);
create index article_authors_author on core.article_authors (author_id);

create table core.tags (
    tag_id         bigint generated always as identity primary key,
    name           text not null unique
                   check (name <> '' and name is nfc normalized and length(name) <= 300),
    first_seen_at  timestamptz not null default now()
);

create table core.article_tags (
    article_id  bigint not null references core.articles (article_id) on delete cascade,
    tag_id      bigint not null references core.tags (tag_id),
    position    smallint not null check (position >= 1),
    primary key (article_id, position),
    unique (article_id, tag_id)
);
create index article_tags_tag on core.article_tags (tag_id);

-- Fill them from the articles already loaded (the loader keeps them current from now on).
insert into core.authors (name, first_seen_at)
select name, min(a.first_seen_at)
from core.articles a cross join lateral unnest(a.authors) as name
where name <> ''
group by name
order by name;

insert into core.article_authors (article_id, author_id, position)
select article_id, author_id, row_number() over (partition by article_id order by first_position)
from (
    select a.article_id, w.author_id, min(n.position) as first_position
    from core.articles a
    cross join lateral unnest(a.authors) with ordinality as n (name, position)
    join core.authors w on w.name = n.name
    group by a.article_id, w.author_id
) distinct_authors;

insert into core.tags (name, first_seen_at)
select name, min(a.first_seen_at)
from core.articles a cross join lateral unnest(a.tags) as name
where name <> ''
group by name
order by name;

insert into core.article_tags (article_id, tag_id, position)
select article_id, tag_id, row_number() over (partition by article_id order by first_position)
from (
    select a.article_id, t.tag_id, min(n.position) as first_position
    from core.articles a
    cross join lateral unnest(a.tags) with ordinality as n (name, position)
    join core.tags t on t.name = n.name
    group by a.article_id, t.tag_id
) distinct_tags;

-- Sources, readable from core --------------------------------------------------------------------
create view core.sources as
select source, name, domains, language, enabled, updated_at
from ops.sources;

-- Full-text search ------------------------------------------------------------------------------
-- Title weighs most, then the standfirst, then the body. The body is indexed up to its first
-- 200,000 characters: a tsvector holds at most 1 MB, and one huge page must not fail a load.
alter table core.articles add column search_document tsvector generated always as (
    setweight(to_tsvector(core.text_search_config(language), title), 'A')
    || setweight(to_tsvector(core.text_search_config(language), coalesce(description, '')), 'B')
    || setweight(to_tsvector(core.text_search_config(language), left(body, 200000)), 'C')
) stored;
create index articles_search on core.articles using gin (search_document);

-- The daily counts group by the UTC calendar day an article was published (first seen when
-- undated); this index keeps "the last N days" a range scan at tens of millions of rows.
create index articles_day_source on core.articles
    (((coalesce(published_at, first_seen_at) at time zone 'UTC')::date), source);
