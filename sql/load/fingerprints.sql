delete from core.article_fingerprints where article_id in (select article_id from changed_articles);
insert into core.article_fingerprints (article_id, content_hash, fingerprint_version, minhash, shingles, computed_at)
select article_id, content_hash, %(version)s, minhash, shingles, now()
from changed_articles where minhash is not null;
insert into core.article_fingerprint_bands (band, band_key, article_id)
select (b.position - 1)::smallint, b.band_key, c.article_id
from changed_articles c cross join lateral unnest(c.bands) with ordinality as b (band_key, position)
where c.bands is not null;
