"""Loading articles: COPY into a temporary table, dedupe the batch, upsert and version, then keep
the derived tables current: authors, tags, fingerprints, and the story each article belongs to.

What it costs goes where something changed: the batch's keys (URL, content hash, fetch time) are
COPied first, and only the articles that are new or changed are sent in full (typed COPY, no JSON);
the derived tables are recomputed only for those. Fingerprints arrive computed by the extraction
workers (``Article.fingerprint``); the load computes one only where none is attached. The search
vector (a generated column) and its GIN index are most of what a first load costs the server.

All of it runs inside the caller's transaction, so a batch is visible whole or not at all.
Values travel as bound data (COPY), never as SQL text. An article
that breaks a limit of the schema is refused before anything is written, with its URL and the
field named; ``check_article`` lets the caller quarantine it instead.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg2.extensions
from psycopg2.extras import execute_values

from transforms.article import Article
from transforms.fingerprint import BINS, FINGERPRINT_VERSION, NEAR_DUPLICATE_JACCARD, article_fingerprint

log = logging.getLogger(__name__)

# The schema's limits (sql/migrations/0200_*.sql), checked here first so that a bad page is named.
MAX_CHARS = {
    "url": 2048, "canonical_url": 2048, "image_url": 2048, "original_source": 2048,
    "title": 1000, "description": 10_000, "body": 1_000_000, "section": 200,
}
MAX_NAME_CHARS = 300  # one author or tag
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
_HASH_RE = re.compile(r"^[0-9a-f]{64}$")
_HTTP_RE = re.compile(r"^https?://")

# A repost names its original's site; the original is that site's article published between 7
# days before and 1 day after the repost (clocks and time zones of small blogs are loose) whose
# lexemes overlap most, at least this much. On the demo the repost scores 0.48 against its
# original and at most 0.07 against the other articles of the day.
ORIGINAL_SOURCE_JACCARD = 0.25
CLUSTER_LOCK_KEY = 7_150_002  # serializes story assignment between concurrent loads

LZ4_AVAILABLE_SQL = """
select coalesce(bool_or('lz4' = any(enumvals)), false) from pg_settings where name = 'default_toast_compression'
"""

STAGE_DDL = """
create temporary table article_keys (
    ordinal integer not null, url text not null, content_hash text not null, fetched_at timestamptz not null
) on commit drop;
create temporary table article_stage (
    ordinal integer not null, url text, source text, canonical_url text, title text, description text,
    body text, authors text[], published_at timestamptz, modified_at timestamptz, language text,
    section text, tags text[], image_url text, original_source text, word_count integer,
    content_hash text, extractor text, flags text[], last_fetched_at timestamptz
) on commit drop;
create temporary table changed_articles (
    article_id bigint primary key, url text not null, content_hash text not null,
    minhash bigint[], bands bigint[], shingles integer
) on commit drop;
create temporary table fingerprint_stage (
    url text primary key, minhash bigint[] not null, bands bigint[] not null, shingles integer not null
) on commit drop;
"""

# The articles worth sending in full: one per URL (the latest capture, as UPSERT_SQL picks it),
# new or with another content hash, and not older than what is stored. A re-load of unchanged
# articles sends only their keys (URL, hash, fetch time): no bodies cross the wire or get parsed.
TO_SEND_SQL = """
select k.ordinal
from (select distinct on (url) ordinal, url, content_hash, fetched_at
      from article_keys order by url, fetched_at desc, ordinal desc) k
where not exists (select from core.articles a where a.url = k.url
                  and (a.content_hash = k.content_hash or a.last_fetched_at > k.fetched_at))
order by k.ordinal
"""

# One row per URL: the batch may hold the same article twice (an AMP page and the canonical one,
# or two tracking-parameter variants), and ON CONFLICT cannot touch a row twice.
# The latest capture wins.
UPSERT_SQL = """
with batch as (
    select distinct on (url) *
    from article_stage
    order by url, last_fetched_at desc, ordinal desc
),
-- What would not change the article is left out before the insert: an insert computes the
-- search vector of every row it proposes, even one ON CONFLICT then skips.
changes as (
    select b.* from batch b
    where not exists (select from core.articles a where a.url = b.url
                      and (a.content_hash = b.content_hash or a.last_fetched_at > b.last_fetched_at))
),
upserted as (
    insert into core.articles as a (
        url, source, canonical_url, title, description, body, authors, published_at, modified_at,
        language, section, tags, image_url, original_source, word_count, content_hash, extractor,
        flags, version, first_seen_at, last_seen_at, last_fetched_at, crawl_run_id
    )
    select
        url, source, canonical_url, title, description, body, authors, published_at, modified_at,
        language, section, tags, image_url, original_source, word_count, content_hash, extractor,
        flags, 1, last_fetched_at, last_fetched_at, last_fetched_at, %(crawl_run_id)s
    from changes
    order by url  -- a stable lock order, so concurrent loads cannot deadlock
    on conflict (url) do update set
        canonical_url = excluded.canonical_url, title = excluded.title,
        description = excluded.description, body = excluded.body, authors = excluded.authors,
        published_at = excluded.published_at, modified_at = excluded.modified_at,
        language = excluded.language, section = excluded.section, tags = excluded.tags,
        image_url = excluded.image_url, original_source = excluded.original_source,
        word_count = excluded.word_count, content_hash = excluded.content_hash,
        extractor = excluded.extractor, flags = excluded.flags, version = a.version + 1,
        last_seen_at = excluded.last_seen_at, last_fetched_at = excluded.last_fetched_at,
        crawl_run_id = excluded.crawl_run_id
    -- Only a real change, and never an older capture over a newer one (a backfill beside the
    -- daily run must not roll an article back).
    where a.content_hash <> excluded.content_hash and excluded.last_fetched_at >= a.last_fetched_at
    returning a.article_id, a.url, a.version, a.content_hash, a.title, a.description, a.body, a.authors,
              a.modified_at, a.last_fetched_at, a.crawl_run_id, (a.xmax = 0) as inserted
),
versions as (
    insert into core.article_versions (article_id, version, content_hash, title, description, body,
                                       authors, modified_at, observed_at, crawl_run_id, changed_fields)
    select u.article_id, u.version, u.content_hash, u.title, u.description, u.body, u.authors,
           u.modified_at, u.last_fetched_at, u.crawl_run_id,
           case when p.article_id is null then '{}'::text[] else array_remove(array[
               case when u.title is distinct from p.title then 'title' end,
               case when u.description is distinct from p.description then 'description' end,
               case when u.body is distinct from p.body then 'body' end,
               case when u.authors is distinct from p.authors then 'authors' end], null) end
    from upserted u
    left join core.article_versions p on p.article_id = u.article_id and p.version = u.version - 1
),
changed as (
    insert into changed_articles (article_id, url, content_hash)
    select article_id, url, content_hash from upserted
)
select
    count(*) filter (where inserted) as new,
    count(*) filter (where not inserted) as updated
from upserted
"""

# Articles seen again unchanged: only their last_seen_at moves.
TOUCH_UNCHANGED_SQL = """
update core.articles a
set last_seen_at = greatest(a.last_seen_at, s.fetched_at)
from (select url, max(fetched_at) as fetched_at from article_keys group by 1) s
where a.url = s.url and a.last_seen_at < s.fetched_at
"""

# Unchanged articles without a story, or whose fingerprint is missing or from an older recipe
# (loaded before the fingerprints existed), get their derived rows computed now.
STALE_FINGERPRINTS_SQL = """
insert into changed_articles (article_id, url, content_hash)
select distinct a.article_id, a.url, a.content_hash
from article_keys k
join core.articles a on a.url = k.url and a.content_hash = k.content_hash
left join core.article_fingerprints f on f.article_id = a.article_id
left join core.article_clusters c on c.article_id = a.article_id
where c.article_id is null
   or f.fingerprint_version is distinct from %(version)s
   or f.content_hash is distinct from a.content_hash
on conflict (article_id) do nothing
"""

AUTHORS_TAGS_SQL = """
insert into core.authors (name, first_seen_at)
select n.name, min(a.first_seen_at)
from changed_articles c
join core.articles a on a.article_id = c.article_id
cross join lateral unnest(a.authors) as n (name)
group by n.name
order by n.name  -- a stable lock order between concurrent loads
on conflict (name) do nothing;

delete from core.article_authors where article_id in (select article_id from changed_articles);
insert into core.article_authors (article_id, author_id, position)
select article_id, author_id, row_number() over (partition by article_id order by first_position)
from (
    select c.article_id, w.author_id, min(n.position) as first_position
    from changed_articles c
    join core.articles a on a.article_id = c.article_id
    cross join lateral unnest(a.authors) with ordinality as n (name, position)
    join core.authors w on w.name = n.name
    group by c.article_id, w.author_id
) distinct_authors;

insert into core.tags (name, first_seen_at)
select n.name, min(a.first_seen_at)
from changed_articles c
join core.articles a on a.article_id = c.article_id
cross join lateral unnest(a.tags) as n (name)
group by n.name
order by n.name
on conflict (name) do nothing;

delete from core.article_tags where article_id in (select article_id from changed_articles);
insert into core.article_tags (article_id, tag_id, position)
select article_id, tag_id, row_number() over (partition by article_id order by first_position)
from (
    select c.article_id, t.tag_id, min(n.position) as first_position
    from changed_articles c
    join core.articles a on a.article_id = c.article_id
    cross join lateral unnest(a.tags) with ordinality as n (name, position)
    join core.tags t on t.name = n.name
    group by c.article_id, t.tag_id
) distinct_tags;
"""

FINGERPRINTS_SQL = """
delete from core.article_fingerprints where article_id in (select article_id from changed_articles);
insert into core.article_fingerprints (article_id, content_hash, fingerprint_version, minhash, shingles, computed_at)
select article_id, content_hash, %(version)s, minhash, shingles, now()
from changed_articles where minhash is not null;
insert into core.article_fingerprint_bands (band, band_key, article_id)
select (b.position - 1)::smallint, b.band_key, c.article_id
from changed_articles c cross join lateral unnest(c.bands) with ordinality as b (band_key, position)
where c.bands is not null;
"""

# Matches of the changed articles are recomputed from scratch: drop the old ones first. A
# repost's link to its original goes with the repost; an original that changes keeps its reposts.
# Whether the batch's changed articles had matches that are about to be dropped (see below).
HAS_STALE_MATCHES_SQL = """
select exists (select 1 from core.article_matches m join changed_articles c on m.article_id = c.article_id)
    or exists (select 1 from core.article_matches m join changed_articles c on m.matched_article_id = c.article_id)
"""

DROP_STALE_MATCHES_SQL = """
delete from core.article_matches m using changed_articles c
where m.method = 'near_duplicate' and m.article_id = c.article_id;
delete from core.article_matches m using changed_articles c
where m.method = 'near_duplicate' and m.matched_article_id = c.article_id;
delete from core.article_matches m using changed_articles c
where m.method = 'original_source' and m.article_id = c.article_id;
"""

# Candidates share a whole LSH band; the estimate compares the full signatures. The changed side's
# bands and signature come from the batch (changed_articles), the other side's by primary-key
# probes: the work grows with the batch and its matches, never with the size of the tables.
NEAR_DUPLICATES_SQL = """
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
"""

# Reposts to (re)resolve: the changed ones that name an original, and the reposts not yet linked
# that name the site of a changed article published near it (the original may load after the
# repost: both crawls of a day run side by side).
REPOSTS_TO_RESOLVE_SQL = """
create temporary table reposts_to_resolve on commit drop as
select c.article_id
from changed_articles c
join core.articles a on a.article_id = c.article_id
where a.original_source is not null
union
select r.article_id
from changed_articles c
join core.articles o on o.article_id = c.article_id and o.original_source is null
join ops.sources s on s.source = o.source
cross join lateral unnest(s.domains) as d (domain)
join core.articles r on r.original_source is not null
                    and core.url_host(r.original_source) = core.url_host(d.domain)
                    and r.source <> o.source
                    and coalesce(r.published_at, r.first_seen_at)
                        between o.published_at - interval '1 day' and o.published_at + interval '7 days'
where not exists (select from core.article_matches m
                  where m.article_id = r.article_id and m.method = 'original_source')
"""

# Per repost, only the named source's articles of its fortnight whose headline or standfirst shares
# a word with the repost's headline are compared in full: rewrites keep the names and key nouns,
# and the full comparison is the costly part. The headline words of each article of the window are
# read once per batch (from its search document, the costly read), not once per repost naming it.
ORIGINAL_SOURCE_SQL = """
with reposts as materialized (
    select r.article_id as repost_id, r.source as repost_source, r.search_document, s.source as named_source,
           coalesce(r.published_at, r.first_seen_at) as published,
           tsvector_to_array(ts_filter(r.search_document, '{a}')) as headline
    from reposts_to_resolve t
    join core.articles r on r.article_id = t.article_id
    join ops.sources s on core.url_host(r.original_source) in (select core.url_host(d) from unnest(s.domains) as d)
),
windows as (
    select named_source, min(published) - interval '7 days' as since, max(published) + interval '1 day' as until
    from reposts group by named_source
),
window_articles as materialized (
    select o.article_id, o.source, o.published_at, tsvector_to_array(ts_filter(o.search_document, '{a,b}')) as headline
    from windows w
    cross join lateral (
        select o.article_id, o.source, o.published_at, o.search_document
        from core.articles o
        where o.source = w.named_source and o.original_source is null
          and o.published_at between w.since and w.until
        offset 0  -- one range probe of (source, published_at) per named source, whatever the statistics say
    ) o
),
candidate as (
    select r.repost_id, o.article_id as original_id,
           core.lexeme_jaccard(r.search_document, full_text.search_document) as similarity
    from reposts r
    join window_articles o on o.source = r.named_source and o.source <> r.repost_source
                          and o.published_at between r.published - interval '7 days' and r.published + interval '1 day'
                          and o.headline && r.headline
    join core.articles full_text on full_text.article_id = o.article_id
)
insert into core.article_matches (article_id, matched_article_id, method, similarity, matched_at)
select distinct on (candidate.repost_id) candidate.repost_id, candidate.original_id, 'original_source',
       candidate.similarity, now()
from candidate
where candidate.similarity >= %(threshold)s
order by candidate.repost_id, candidate.similarity desc, candidate.original_id
on conflict (article_id, matched_article_id) do update
    set method = 'original_source', similarity = excluded.similarity, matched_at = excluded.matched_at
"""


class ArticleInvalid(ValueError):
    """An article breaks a limit of the schema; the message names the page and the field."""


@dataclass(frozen=True)
class LoadCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: LoadCounts) -> LoadCounts:
        return LoadCounts(self.new + other.new, self.updated + other.updated,
                          self.unchanged + other.unchanged)


def check_article(article: Article) -> str | None:
    """Why the warehouse would refuse this article (e.g. "title_too_long: ..."), or None."""
    if not _HTTP_RE.match(article.url):
        return "url_not_http: the URL must start with http:// or https://"
    if article.canonical_url is not None and not _HTTP_RE.match(article.canonical_url):
        return "canonical_url_not_http: the canonical URL must start with http:// or https://"
    if not article.title.strip():
        return "title_empty"
    for field, limit in MAX_CHARS.items():
        value = getattr(article, field)
        if value is not None and len(value) > limit:
            return f"{field}_too_long: {len(value)} characters, at most {limit}"
    for field in ("title", "description", "body", "section"):
        problem = _text_problem(field, getattr(article, field))
        if problem:
            return problem
    for field, names in (("authors", article.authors), ("tags", article.tags)):
        for name in names:
            if not name or len(name) > MAX_NAME_CHARS:
                return f"{field}_invalid: each name needs 1 to {MAX_NAME_CHARS} characters (got {len(name)})"
            problem = _text_problem(field, name)
            if problem:
                return problem
    if article.language is not None and not _LANGUAGE_RE.match(article.language):
        return f"language_invalid: {article.language[:20]!r} is not an ISO 639-1 code"
    if not _HASH_RE.match(article.content_hash):
        return "content_hash_invalid: expected 64 lower-case hex digits"
    if article.word_count < 0:
        return "word_count_negative"
    return _time_problem(article)


def _text_problem(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    if "\x00" in value:
        return f"{field}_has_nul"
    if not unicodedata.is_normalized("NFC", value):
        return f"{field}_not_nfc"
    return None


def _time_problem(article: Article) -> str | None:
    if article.fetched_at.tzinfo is None:
        return "fetched_at_naive: times must carry a time zone"
    for field in ("published_at", "modified_at"):
        value: datetime | None = getattr(article, field)
        if value is None:
            continue
        if value.tzinfo is None:
            return f"{field}_naive: times must carry a time zone"
        if value > article.fetched_at:
            return f"{field}_after_fetch: {value.isoformat()} is after the fetch at {article.fetched_at.isoformat()}"
    return None


def load_articles(cur: psycopg2.extensions.cursor, articles: list[Article], crawl_run_id: str) -> LoadCounts:
    """Upsert a batch in the current transaction; counts new, updated and unchanged articles.

    Raises ArticleInvalid, before writing anything, if an article breaks a limit of the schema.
    """
    if not articles:
        return LoadCounts()
    for article in articles:
        problem = check_article(article)
        if problem:
            raise ArticleInvalid(f"{article.url[:300]}: {problem} (quarantine it with check_article, "
                                 "or fix the extraction)")
    # JIT compiling these plans costs more than running them (they touch a batch, not a table).
    cur.execute("set local jit = off")
    # Bodies are compressed as they are staged and stored: lz4, where the server has it, costs a
    # fraction of the default pglz's CPU (readers see no difference; the method is kept per value).
    cur.execute(LZ4_AVAILABLE_SQL)
    if cur.fetchone()[0]:
        cur.execute("set local default_toast_compression = lz4")
    cur.execute(STAGE_DDL)
    cur.copy_expert("copy article_keys from stdin with (format csv)", _csv_keys(articles))
    cur.execute("select count(distinct url) from article_keys")
    batch_size = cur.fetchone()[0]
    cur.execute(TO_SEND_SQL)
    to_send = [articles[row[0]] for row in cur.fetchall()]
    new = updated = 0
    if to_send:
        cur.copy_expert("copy article_stage from stdin", _copy_rows(to_send))
        cur.execute(UPSERT_SQL, {"crawl_run_id": crawl_run_id})
        new, updated = cur.fetchone()
    cur.execute(TOUCH_UNCHANGED_SQL)
    cur.execute(STALE_FINGERPRINTS_SQL, {"version": FINGERPRINT_VERSION})
    if _fingerprint_changed(cur, articles):
        # Temporary tables have no statistics until asked; the plans need the row count and the ids,
        # not statistics of the signature arrays (the costly part of a full analyze).
        cur.execute("analyze changed_articles (article_id, url)")
        refresh_derived(cur)
    cur.execute("drop table article_keys, article_stage, changed_articles, fingerprint_stage")
    return LoadCounts(new=new, updated=updated, unchanged=batch_size - new - updated)


def _fingerprint_changed(cur: psycopg2.extensions.cursor, articles: list[Article]) -> bool:
    """Fingerprints of what changed into ``changed_articles``: the ones the extraction workers
    attached, computed here only where none is (the costly Python step). False: nothing changed."""
    cur.execute("select url, content_hash from changed_articles")
    wanted = set(cur.fetchall())
    if not wanted:
        return False
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for article in articles:
        key = (article.url, article.content_hash)
        if key in wanted:
            wanted.discard(key)
            found = article_fingerprint(article)
            if found is not None:
                writer.writerow((article.url, _bigint_array(found.signature), _bigint_array(found.bands),
                                 found.shingles))
    buffer.seek(0)
    cur.copy_expert("copy fingerprint_stage from stdin with (format csv)", buffer)
    cur.execute("""update changed_articles c set minhash = f.minhash, bands = f.bands, shingles = f.shingles
                   from fingerprint_stage f where c.url = f.url""")
    return True


def _bigint_array(values: Iterable[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def refresh_derived(cur: psycopg2.extensions.cursor) -> None:
    """Authors, tags, fingerprints, matches and stories of the articles in ``changed_articles``."""
    cur.execute(AUTHORS_TAGS_SQL)
    cur.execute(FINGERPRINTS_SQL, {"version": FINGERPRINT_VERSION})
    # From here on, what one load decides depends on what another is deciding: one at a time.
    cur.execute("select pg_advisory_xact_lock(%s)", (CLUSTER_LOCK_KEY,))
    cur.execute(HAS_STALE_MATCHES_SQL)
    stories_may_split = bool(cur.fetchone()[0])
    cur.execute(DROP_STALE_MATCHES_SQL)
    # Counted, not fetched: a wire story republished k times gives each copy k matches.
    cur.execute(NEAR_DUPLICATES_SQL, {"bins": BINS, "threshold": NEAR_DUPLICATE_JACCARD})
    near = cur.rowcount
    cur.execute(REPOSTS_TO_RESOLVE_SQL)
    cur.execute("analyze reposts_to_resolve")
    cur.execute(ORIGINAL_SOURCE_SQL, {"threshold": ORIGINAL_SOURCE_JACCARD})
    linked = cur.rowcount
    cur.execute("select article_id from changed_articles union select article_id from reposts_to_resolve")
    touched = {row[0] for row in cur.fetchall()}
    cur.execute("drop table reposts_to_resolve")
    _assign_stories(cur, touched, stories_may_split)
    if near or linked:
        log.info("matched %d near-duplicate pair(s) and %d repost(s) to their original", near, linked)


def _assign_stories(cur: psycopg2.extensions.cursor, touched: set[int], stories_may_split: bool) -> None:
    """Recompute the stories (connected components of core.article_matches) around ``touched``.

    Stories are the components of the matches, so where no match was dropped a story can only
    grow or merge: its members stand for the matches among them, and only the touched articles'
    own matches are read (a story of k articles has up to k*k/2 matches: reading them all for
    every batch made a wire story republished hundreds of times cost memory in proportion).
    Where a changed article lost matches, a story may split: its whole component is read.
    """
    if stories_may_split:
        members, edges = _component_closure(cur, touched)
    else:
        members, edges = _stories_around(cur, touched)
    parent = {m: m for m in members}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for m in members:
        groups.setdefault(root(m), []).append(m)
    rank = _original_rank(cur, members)
    assignment = [(m, min(group, key=rank.__getitem__)) for group in groups.values() for m in group]
    execute_values(
        cur,
        """insert into core.article_clusters as c (article_id, story_id, updated_at) values %s
           on conflict (article_id) do update set story_id = excluded.story_id, updated_at = excluded.updated_at
           where c.story_id <> excluded.story_id""",
        sorted(assignment), template="(%s, %s, now())", page_size=5000,
    )


def _component_closure(cur: psycopg2.extensions.cursor, start: set[int]) -> tuple[set[int], set[tuple[int, int]]]:
    """Every article connected to ``start`` by a match or by a current story, and the matches."""
    members: set[int] = set()
    edges: set[tuple[int, int]] = set()
    frontier = set(start)
    while frontier:
        members |= frontier
        ids = sorted(frontier)
        cur.execute(
            """select article_id, matched_article_id from core.article_matches where article_id = any(%(ids)s)
               union
               select article_id, matched_article_id from core.article_matches
               where matched_article_id = any(%(ids)s)""",
            {"ids": ids},
        )
        found = set(cur.fetchall())
        edges |= found
        cur.execute(
            """select m.article_id from core.article_clusters c
               join core.article_clusters m on m.story_id = c.story_id
               where c.article_id = any(%(ids)s) and m.article_id <> c.article_id""",
            {"ids": ids},
        )
        mates = {row[0] for row in cur.fetchall()}
        frontier = ({a for a, _ in found} | {b for _, b in found} | mates) - members
    return members, edges


def _stories_around(cur: psycopg2.extensions.cursor, touched: set[int]) -> tuple[set[int], set[tuple[int, int]]]:
    """The touched articles, their matches, and every member of the stories they all belong to,
    with each story's members chained to its first one in place of the matches among them."""
    ids = sorted(touched)
    cur.execute(
        """select article_id, matched_article_id from core.article_matches where article_id = any(%(ids)s)
           union
           select article_id, matched_article_id from core.article_matches where matched_article_id = any(%(ids)s)""",
        {"ids": ids},
    )
    edges = set(cur.fetchall())
    involved = set(touched) | {a for a, _ in edges} | {b for _, b in edges}
    cur.execute(
        """select m.story_id, m.article_id from core.article_clusters m
           where m.story_id in (select story_id from core.article_clusters where article_id = any(%(ids)s))""",
        {"ids": sorted(involved)},
    )
    first_member: dict[int, int] = {}
    members = set(involved)
    for story_id, article_id in cur.fetchall():
        members.add(article_id)
        edges.add((first_member.setdefault(story_id, article_id), article_id))
    return members, edges


def _original_rank(cur: psycopg2.extensions.cursor, members: Iterable[int]) -> dict[int, tuple[Any, ...]]:
    """Sort key choosing a story's original: names no other source, published first, seen first."""
    cur.execute(
        """select article_id, original_source is not null, published_at is null,
                  coalesce(published_at, first_seen_at), first_seen_at
           from core.articles where article_id = any(%s)""",
        (sorted(members),),
    )
    return {row[0]: (row[1], row[2], row[3], row[4], row[0]) for row in cur.fetchall()}


def _csv_keys(articles: list[Article]) -> io.StringIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for ordinal, article in enumerate(articles):
        writer.writerow((ordinal, article.url, article.content_hash, article.fetched_at.isoformat()))
    buffer.seek(0)
    return buffer


def _copy_rows(articles: list[Article]) -> io.StringIO:
    """The articles as COPY text rows, in article_stage's column order: typed columns, so the
    server parses no JSON document per article."""
    buffer = io.StringIO()
    for ordinal, a in enumerate(articles):
        fields = (
            str(ordinal), _text(a.url), _text(a.source), _text(a.canonical_url), _text(a.title),
            _text(a.description), _text(a.body), _array(a.authors), _text(_iso(a.published_at)),
            _text(_iso(a.modified_at)), _text(a.language), _text(a.section), _array(a.tags),
            _text(a.image_url), _text(a.original_source), str(a.word_count), _text(a.content_hash),
            _text(a.extractor), _array(a.flags), _text(_iso(a.fetched_at)),
        )
        buffer.write("\t".join(fields))
        buffer.write("\n")
    buffer.seek(0)
    return buffer


def _text(value: str | None) -> str:
    """A field of COPY's text format: backslash, tab, newline and carriage return escaped; \\N is NULL."""
    if value is None:
        return "\\N"
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    return value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _array(items: Iterable[str]) -> str:
    """A text[] literal ({"a","b"}, each element quoted, quote and backslash escaped) as a COPY field."""
    elements = ('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"' for item in items)
    return _text("{" + ",".join(elements) + "}")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
