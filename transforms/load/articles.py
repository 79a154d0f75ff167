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

The statements are in sql/load/*.sql; the article's columns in them (staging table, COPY order,
upsert, version history) and the checks are derived from ``transforms.load.columns``.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg2.extensions
from psycopg2.extras import execute_values

from common.sql_files import read_statement
from transforms.article import Article
from transforms.fingerprint import BINS, FINGERPRINT_VERSION, NEAR_DUPLICATE_JACCARD, article_fingerprint
from transforms.load.columns import ARTICLE_COLUMNS, article_problem, column_lists, copy_row
from transforms.load.history import article_versions, capture_rounds, place_older_captures

log = logging.getLogger(__name__)

# A repost names its original's site; the original is that site's article published between 7
# days before and 1 day after the repost (clocks and time zones of small blogs are loose) whose
# lexemes overlap most, at least this much. On the demo the repost scores 0.48 against its
# original and at most 0.07 against the other articles of the day.
ORIGINAL_SOURCE_JACCARD = 0.25
# Serialises story assignment between concurrent loads: a row lock on a table only the loader
# may update, never an advisory lock (any role, analysts included, can take those).
STORY_LOCK_SQL = "select name from ops.load_locks where name = 'story_assignment' for update"

# The load's statements, sql/load/*.sql; the article's columns in them come from ARTICLE_COLUMNS.
_COLUMN_LISTS = column_lists(ARTICLE_COLUMNS)


def _statement(name: str) -> str:
    return read_statement(f"load/{name}.sql", **_COLUMN_LISTS)


LZ4_AVAILABLE_SQL = _statement("lz4_available")
STAGE_DDL = _statement("stage_tables")
TO_SEND_SQL = _statement("articles_to_send")
UPSERT_SQL = _statement("upsert_articles")
TOUCH_UNCHANGED_SQL = _statement("touch_unchanged")
STALE_FINGERPRINTS_SQL = _statement("stale_fingerprints")
ATTACH_FINGERPRINTS_SQL = _statement("attach_fingerprints")
AUTHORS_TAGS_SQL = "\n".join(
    read_statement("load/article_names.sql", names_table=names, links_table=links, name_id=name_id)
    for names, links, name_id in (("authors", "article_authors", "author_id"), ("tags", "article_tags", "tag_id"))
)
FINGERPRINTS_SQL = _statement("fingerprints")
HAS_STALE_MATCHES_SQL = _statement("has_stale_matches")
DROP_STALE_MATCHES_SQL = _statement("drop_stale_matches")
NEAR_DUPLICATES_SQL = _statement("near_duplicates")
REPOSTS_TO_RESOLVE_SQL = _statement("reposts_to_resolve")
ORIGINAL_SOURCE_SQL = _statement("original_source_matches")
ASSIGN_STORIES_SQL = _statement("assign_stories")
MATCHES_OF_SQL = _statement("matches_of")
STORY_MATES_SQL = _statement("story_mates")
STORY_MEMBERS_SQL = _statement("story_members")
ORIGINAL_RANK_SQL = _statement("original_rank")
COPY_STAGE_SQL = f"copy article_stage (ordinal, {_COLUMN_LISTS['article_columns']}) from stdin"


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
    return article_problem(article, ARTICLE_COLUMNS)


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
    rounds = capture_rounds(articles)
    if len(rounds) == 1:
        return _load_batch(cur, articles, crawl_run_id)
    # The batch holds several contents of a URL: oldest first, each in its place. Counted per
    # article, as one round would: new, updated (a version more), or unchanged.
    urls = sorted({a.url for a in articles})
    before = article_versions(cur, urls)
    for captures in rounds:
        _load_batch(cur, captures, crawl_run_id)
    after = article_versions(cur, urls)
    new = sum(1 for url in urls if url not in before)
    updated = sum(1 for url in urls if url in before and after[url] != before[url])
    return LoadCounts(new=new, updated=updated, unchanged=len(urls) - new - updated)


def _load_batch(cur: psycopg2.extensions.cursor, articles: list[Article], crawl_run_id: str) -> LoadCounts:
    """load_articles for a batch holding each URL once."""
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
        cur.copy_expert(COPY_STAGE_SQL, _copy_rows(to_send))
        cur.execute(UPSERT_SQL, {"crawl_run_id": crawl_run_id})
        new, updated = cur.fetchone()
    # After the upsert: it decides which capture is the latest. Earlier versions count as updates.
    updated += place_older_captures(cur, crawl_run_id)
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
    cur.execute(ATTACH_FINGERPRINTS_SQL)
    return True


def _bigint_array(values: Iterable[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def refresh_derived(cur: psycopg2.extensions.cursor) -> None:
    """Authors, tags, fingerprints, matches and stories of the articles in ``changed_articles``."""
    cur.execute(AUTHORS_TAGS_SQL)
    cur.execute(FINGERPRINTS_SQL, {"version": FINGERPRINT_VERSION})
    # From here on, what one load decides depends on what another is deciding: one at a time.
    cur.execute(STORY_LOCK_SQL)
    if cur.fetchone() is None:
        raise RuntimeError("ops.load_locks has no 'story_assignment' row to serialise loads on: "
                           "apply the migrations (python -m common.migrate)")
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
        ASSIGN_STORIES_SQL,
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
        cur.execute(MATCHES_OF_SQL, {"ids": ids})
        found = set(cur.fetchall())
        edges |= found
        cur.execute(STORY_MATES_SQL, {"ids": ids})
        mates = {row[0] for row in cur.fetchall()}
        frontier = ({a for a, _ in found} | {b for _, b in found} | mates) - members
    return members, edges


def _stories_around(cur: psycopg2.extensions.cursor, touched: set[int]) -> tuple[set[int], set[tuple[int, int]]]:
    """The touched articles, their matches, and every member of the stories they all belong to,
    with each story's members chained to its first one in place of the matches among them."""
    ids = sorted(touched)
    cur.execute(MATCHES_OF_SQL, {"ids": ids})
    edges = set(cur.fetchall())
    involved = set(touched) | {a for a, _ in edges} | {b for _, b in edges}
    cur.execute(STORY_MEMBERS_SQL, {"ids": sorted(involved)})
    first_member: dict[int, int] = {}
    members = set(involved)
    for story_id, article_id in cur.fetchall():
        members.add(article_id)
        edges.add((first_member.setdefault(story_id, article_id), article_id))
    return members, edges


def _original_rank(cur: psycopg2.extensions.cursor, members: Iterable[int]) -> dict[int, tuple[Any, ...]]:
    """Sort key choosing a story's original: names no other source, published first, seen first."""
    cur.execute(ORIGINAL_RANK_SQL, {"ids": sorted(members)})
    return {row[0]: (row[1], row[2], row[3], row[4], row[0]) for row in cur.fetchall()}


def _csv_keys(articles: list[Article]) -> io.StringIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for ordinal, article in enumerate(articles):
        writer.writerow((ordinal, article.url, article.content_hash, article.fetched_at.isoformat()))
    buffer.seek(0)
    return buffer


def _copy_rows(articles: list[Article]) -> io.StringIO:
    """The articles as COPY text rows, in COPY_STAGE_SQL's column order."""
    buffer = io.StringIO()
    for ordinal, article in enumerate(articles):
        buffer.write(copy_row(ordinal, article, ARTICLE_COLUMNS))
    buffer.seek(0)
    return buffer
