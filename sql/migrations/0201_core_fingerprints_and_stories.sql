-- Near-duplicates and syndication: a fingerprint per article, LSH bands to find candidates, the
-- matches found, and the story (cluster of copies) each article belongs to. The loader fills all
-- four (transforms/load.py, transforms/fingerprint.py); how they are matched:
--   near_duplicate   MinHash over word 4-shingles of title + body, estimated Jaccard >= 0.7:
--                    the same text under another URL (AMP copy, verbatim syndication).
--   original_source  the page names its original ("Original Source: www.aljazeera.com"); the
--                    original is the article of a source with that domain, published from 7
--                    days before to 1 day after, whose lexemes overlap most (Jaccard >= 0.25):
--                    reposts are usually rewritten, so shingles alone would not find them.

create table core.article_fingerprints (
    article_id           bigint primary key references core.articles (article_id) on delete cascade,
    content_hash         text not null check (content_hash ~ '^[0-9a-f]{64}$'),
    fingerprint_version  smallint not null check (fingerprint_version >= 1),
    minhash              bigint[] not null check (cardinality(minhash) = 64),
    shingles             integer not null check (shingles > 0),
    computed_at          timestamptz not null
);

create table core.article_fingerprint_bands (
    band        smallint not null check (band between 0 and 15),
    band_key    bigint not null,
    article_id  bigint not null references core.article_fingerprints (article_id) on delete cascade,
    primary key (band, band_key, article_id)
);
create index article_fingerprint_bands_article on core.article_fingerprint_bands (article_id);

create table core.article_matches (
    article_id          bigint not null references core.articles (article_id) on delete cascade,
    matched_article_id  bigint not null references core.articles (article_id) on delete cascade,
    method              text not null check (method in ('near_duplicate', 'original_source')),
    similarity          real not null check (similarity between 0 and 1),
    matched_at          timestamptz not null,
    primary key (article_id, matched_article_id),
    check (article_id <> matched_article_id),
    -- A near-duplicate pair is stored once, newer id first; an original-source link goes from the
    -- repost to its original, whichever was loaded first.
    check (method = 'original_source' or article_id > matched_article_id)
);
create index article_matches_matched on core.article_matches (matched_article_id);

create table core.article_clusters (
    article_id  bigint primary key references core.articles (article_id) on delete cascade,
    story_id    bigint not null references core.articles (article_id),
    updated_at  timestamptz not null
);
create index article_clusters_story on core.article_clusters (story_id);

-- Share of distinct lexemes two search vectors have in common (0..1): how close two rewrites of
-- one story are, independent of wording order and inflection.
create function core.lexeme_jaccard(a tsvector, b tsvector) returns real
language sql immutable strict parallel safe
as $$
    select case when count(*) = 0 then 0::real
                else (count(*) filter (where x is not null and y is not null))::real / count(*) end
    from unnest(tsvector_to_array(a)) as x
    full join unnest(tsvector_to_array(b)) as y on x = y
$$;
comment on function core.lexeme_jaccard(tsvector, tsvector) is
    'Jaccard similarity (0..1) of the distinct lexemes of two tsvectors.';

-- The loader finds a repost's source by the host it names.
create index articles_original_source_host on core.articles (core.url_host(original_source))
    where original_source is not null;
