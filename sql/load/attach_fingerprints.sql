-- The fingerprints of the changed articles, staged by COPY, joined to them.
update changed_articles c set minhash = f.minhash, bands = f.bands, shingles = f.shingles
from fingerprint_stage f
where c.url = f.url
