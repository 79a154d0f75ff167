-- Candidates share a whole LSH band; the estimate compares the full signatures. The changed side's
-- bands and signature come from the batch (changed_articles), the other side's by primary-key
-- probes: the work grows with the batch and its matches, never with the size of the tables.
with candidates as (
    select distinct c.article_id, o.article_id as other_id
    from changed_articles c
    cross join lateral unnest(c.bands) with ordinality as b (band_key, position)
    cross join lateral (
        select o.article_id from core.article_fingerprint_bands o
        where o.band = (b.position - 1)::smallint and o.band_key = b.band_key and o.article_id <> c.article_id
        offset 0  -- keeps this a probe of the (band, band_key) index per band, whatever the statistics say
    ) o
    where c.bands is not null
),
scored as (
    select greatest(k.article_id, k.other_id) as newer, least(k.article_id, k.other_id) as older, s.similarity
    from candidates k
    join changed_articles c on c.article_id = k.article_id
    cross join lateral (
        select f.minhash from core.article_fingerprints f where f.article_id = k.other_id
        offset 0  -- one primary-key probe per candidate
    ) f
    cross join lateral (
        select (count(*) filter (where x = y))::real / %(bins)s as similarity
        from unnest(c.minhash, f.minhash) as t (x, y)
    ) s
)
insert into core.article_matches (article_id, matched_article_id, method, similarity, matched_at)
select distinct on (newer, older) newer, older, 'near_duplicate', similarity, now()
from scored
where similarity >= %(threshold)s
order by newer, older
on conflict (article_id, matched_article_id) do nothing
