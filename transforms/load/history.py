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

from common.sql_files import read_statement
from transforms.article import Article
from transforms.load.columns import ARTICLE_COLUMNS, column_lists

log = logging.getLogger(__name__)


def _statement(name: str) -> str:
    return read_statement(f"load/{name}.sql", **column_lists(ARTICLE_COLUMNS))


FIRST_SEEN_SQL = _statement("first_seen_earliest")
OLDER_CAPTURES_SQL = _statement("older_captures")
OBSERVED_EARLIER_SQL = _statement("version_observed_earlier")
SHIFT_SQL = _statement("shift_versions")
INSERT_STAGED_VERSION_SQL = _statement("insert_staged_version")
INSERT_CURRENT_VERSION_SQL = _statement("insert_current_version")
CHANGED_FIELDS_SQL = _statement("version_changed_fields")
VERSION_COUNT_SQL = _statement("article_version_count")


def capture_rounds(articles: list[Article]) -> list[list[Article]]:
    """The batch in rounds, oldest captures first, where a URL comes with several contents: the
    upsert takes one row per URL, and its older contents must take their places before the newer
    ones arrive. Captures of one content (an AMP and a canonical page) stay together in the first
    round, where the upsert's own dedupe takes them."""
    by_url: dict[str, list[int]] = defaultdict(list)
    for i, article in enumerate(articles):
        by_url[article.url].append(i)
    if all(len({articles[i].content_hash for i in found}) == 1 for found in by_url.values()):
        return [articles]
    rounds: list[list[Article]] = [[]]
    for found in by_url.values():
        if len({articles[i].content_hash for i in found}) == 1:
            rounds[0].extend(articles[i] for i in found)
            continue
        for depth, i in enumerate(sorted(found, key=lambda i: (articles[i].fetched_at, i))):
            if depth == len(rounds):
                rounds.append([])
            rounds[depth].append(articles[i])
    return rounds


def article_versions(cur: psycopg2.extensions.cursor, urls: list[str]) -> dict[str, int]:
    """URL -> version of those of ``urls`` in the warehouse: what a batch's counts compare."""
    cur.execute("select url, version from core.articles where url = any(%s)", (urls,))
    return dict(cur.fetchall())


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
            cur.execute(OBSERVED_EARLIER_SQL, {"observed_at": fetched_at, "article_id": article_id,
                                               "version": next_version})
            continue
        position = (prev_version or 0) + 1
        cur.execute(SHIFT_SQL, {"article_id": article_id, "from": position})
        cur.execute(INSERT_STAGED_VERSION_SQL, {"article_id": article_id, "version": position,
                                                "crawl_run_id": crawl_run_id, "ordinal": ordinal})
        if cur.rowcount != 1:
            raise RuntimeError(f"article {article_id}: the older capture's content was not staged "
                               f"(ordinal {ordinal}); sql/load/articles_to_send.sql must send it")
        touched = [position, position + 1]
        if next_version is None:
            cur.execute(INSERT_CURRENT_VERSION_SQL, {"article_id": article_id, "version": position + 1})
        cur.execute(CHANGED_FIELDS_SQL, {"article_id": article_id, "versions": touched})
        cur.execute(VERSION_COUNT_SQL, {"article_id": article_id})
        inserted += 1
    if inserted:
        log.info("%d older capture(s) placed as earlier versions", inserted)
    return inserted
