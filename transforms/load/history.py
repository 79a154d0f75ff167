"""History in capture order, whatever order the captures are loaded in.

A backfill reads archives in any order, beside daily runs: a capture older than the article's
latest one must still take its place in the article's history. Loading captures out of order gives
the warehouse that loading them in order gives: ``first_seen_at`` is the earliest capture, versions
are numbered by capture time, and an older capture with other content becomes an earlier version
(the versions after it renumbered), never a lost one. The article's current content stays its
latest capture's.

For each older capture of a batch (fetched before the article's ``last_fetched_at``), with ``p`` the
version in effect at its capture time and ``n`` the next one:
- same content as ``p``: nothing to add (only ``first_seen_at`` may move earlier);
- same content as ``n``: ``n`` was first observed earlier, at this capture;
- else: a new version between ``p`` and ``n``. When there is no ``n`` (the content went back to
  what it is now after this capture), the current content follows it again, observed at the
  article's latest capture.

Versions only hold changes, not every capture, so a content that came back twice before the
latest capture is kept once: the history is exact for the captures the warehouse has seen.
"""

from __future__ import annotations

import logging
from collections import defaultdict

import psycopg2.extensions

from transforms.article import Article

log = logging.getLogger(__name__)

# Per URL of the batch, its earliest capture older than what is stored; with the versions in
# effect at and after its capture time.
OLDER_CAPTURES_SQL = """
with older as (
    select distinct on (k.url) a.article_id, k.url, k.content_hash, k.fetched_at, k.ordinal
    from article_keys k
    join core.articles a on a.url = k.url
    where k.fetched_at < a.last_fetched_at
    order by k.url, k.fetched_at, k.ordinal
)
select o.article_id, o.content_hash, o.fetched_at, o.ordinal,
       p.version, p.content_hash, n.version, n.content_hash
from older o
left join lateral (select v.version, v.content_hash from core.article_versions v
                   where v.article_id = o.article_id and v.observed_at <= o.fetched_at
                   order by v.version desc limit 1) p on true
left join lateral (select v.version, v.content_hash from core.article_versions v
                   where v.article_id = o.article_id and v.observed_at > o.fetched_at
                   order by v.version limit 1) n on true
order by o.article_id
"""

FIRST_SEEN_SQL = """
update core.articles a set first_seen_at = s.fetched_at
from (select url, min(fetched_at) as fetched_at from article_keys group by 1) s
where a.url = s.url and s.fetched_at < a.first_seen_at
"""

OBSERVED_EARLIER_SQL = """
update core.article_versions set observed_at = %(at)s where article_id = %(article_id)s and version = %(version)s
"""

# Two steps, as the primary key is checked row by row: out of the way, then one up.
SHIFT_SQL = """
update core.article_versions set version = version + 1000000 where article_id = %(article_id)s and version >= %(from)s;
update core.article_versions set version = version - 999999 where article_id = %(article_id)s and version > 1000000;
"""

INSERT_STAGED_VERSION_SQL = """
insert into core.article_versions (article_id, version, content_hash, title, description, body, authors,
                                   modified_at, observed_at, crawl_run_id, changed_fields)
select %(article_id)s, %(version)s, s.content_hash, s.title, s.description, s.body, s.authors, s.modified_at,
       s.last_fetched_at, %(crawl_run_id)s, '{}'
from article_stage s where s.ordinal = %(ordinal)s
"""

# The current content again after a capture that showed other content (it came back).
INSERT_CURRENT_VERSION_SQL = """
insert into core.article_versions (article_id, version, content_hash, title, description, body, authors,
                                   modified_at, observed_at, crawl_run_id, changed_fields)
select a.article_id, %(version)s, a.content_hash, a.title, a.description, a.body, a.authors, a.modified_at,
       a.last_fetched_at, a.crawl_run_id, '{}'
from core.articles a where a.article_id = %(article_id)s
"""

CHANGED_FIELDS_SQL = """
update core.article_versions c set changed_fields = coalesce((
    select array_remove(array[
        case when c.title is distinct from p.title then 'title' end,
        case when c.description is distinct from p.description then 'description' end,
        case when c.body is distinct from p.body then 'body' end,
        case when c.authors is distinct from p.authors then 'authors' end], null)
    from core.article_versions p where p.article_id = c.article_id and p.version = c.version - 1), '{}')
where c.article_id = %(article_id)s and c.version = any(%(versions)s)
"""

VERSION_COUNT_SQL = """
update core.articles a set version = (select max(v.version) from core.article_versions v
                                      where v.article_id = a.article_id)
where a.article_id = %(article_id)s
"""


def capture_rounds(articles: list[Article]) -> list[list[Article]]:
    """The batch in rounds holding each URL once, oldest captures first: the upsert takes one row
    per URL, and a URL's older captures must be placed before its newer ones arrive."""
    by_url: dict[str, list[int]] = defaultdict(list)
    for i, article in enumerate(articles):
        by_url[article.url].append(i)
    if all(len(found) == 1 for found in by_url.values()):
        return [articles]
    rounds: list[list[Article]] = []
    for found in by_url.values():
        for depth, i in enumerate(sorted(found, key=lambda i: (articles[i].fetched_at, i))):
            if depth == len(rounds):
                rounds.append([])
            rounds[depth].append(articles[i])
    return rounds


def place_older_captures(cur: psycopg2.extensions.cursor, crawl_run_id: str) -> int:
    """Put the batch's captures older than their articles' latest into the history; returns
    how many articles got an earlier version. Runs after the upsert, in its transaction."""
    cur.execute(FIRST_SEEN_SQL)
    cur.execute(OLDER_CAPTURES_SQL)
    rows = cur.fetchall()
    inserted = 0
    for article_id, content_hash, fetched_at, ordinal, prev_version, prev_hash, next_version, next_hash in rows:
        if prev_hash == content_hash:
            continue
        if next_hash == content_hash:
            cur.execute(OBSERVED_EARLIER_SQL, {"at": fetched_at, "article_id": article_id, "version": next_version})
            continue
        position = (prev_version or 0) + 1
        cur.execute(SHIFT_SQL, {"article_id": article_id, "from": position})
        cur.execute(INSERT_STAGED_VERSION_SQL, {"article_id": article_id, "version": position,
                                                "crawl_run_id": crawl_run_id, "ordinal": ordinal})
        if cur.rowcount != 1:
            raise RuntimeError(f"article {article_id}: the older capture's content was not staged "
                               f"(ordinal {ordinal}); TO_SEND_SQL must send it")
        touched = [position, position + 1]
        if next_version is None:
            cur.execute(INSERT_CURRENT_VERSION_SQL, {"article_id": article_id, "version": position + 1})
        cur.execute(CHANGED_FIELDS_SQL, {"article_id": article_id, "versions": touched})
        cur.execute(VERSION_COUNT_SQL, {"article_id": article_id})
        inserted += 1
    if inserted:
        log.info("%d older capture(s) placed as earlier versions", inserted)
    return inserted
