"""Analysts write nothing and cannot stall the pipeline (issue 12, item 13), on the real local
PostgreSQL: no large objects for them, and the loads serialise on a lock they cannot take (an
analyst holding the old advisory key no longer stalls a load)."""

from __future__ import annotations

import uuid

import psycopg2
import pytest

from common.warehouse import connect
from tests.fixtures.articles import make_article, new_run
from tests.fixtures.roles import Connect, login_as, refused, run
from transforms.load.articles import STORY_LOCK_SQL, load_articles

__all__ = ["login_as"]  # the fixture, imported for pytest

OLD_ADVISORY_KEY = 7_150_002  # what loads serialised on before: any role could take it


@pytest.mark.parametrize("statement", [
    "select lo_from_bytea(0, 'x'::bytea)",
    "select lo_create(0)",
    "select lo_creat(-1)",
])
def test_the_analyst_cannot_create_large_objects(login_as: Connect, statement: str) -> None:
    assert refused(login_as("news_analyst"), statement)


def test_the_analyst_cannot_take_the_load_lock(login_as: Connect) -> None:
    analyst = login_as("news_analyst")
    analyst.autocommit = False
    assert refused(analyst, STORY_LOCK_SQL)


def test_the_loader_role_can_take_the_load_lock(login_as: Connect) -> None:
    loader = login_as("news_loader")
    loader.autocommit = False
    assert run(loader, STORY_LOCK_SQL) == [("story_assignment",)]
    loader.rollback()


def test_a_load_finishes_while_an_analyst_holds_locks_it_may_take(clean_warehouse: str, login_as: Connect) -> None:
    analyst = login_as("news_analyst")
    analyst.autocommit = False
    # What an analyst can hold: the key loads used to serialise on, and a long read of core.
    run(analyst, f"select pg_advisory_lock({OLD_ADVISORY_KEY})")
    run(analyst, "select count(*) from core.articles")
    conn = connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute("set local lock_timeout = '5s'")  # a stalled load fails here instead of hanging
            tag = uuid.uuid4().hex[:8]
            counts = load_articles(cur, [make_article(f"https://test.example/{tag}/a"),
                                         make_article(f"https://test.example/{tag}/b", body="Other.\nStory.")],
                                   new_run(cur))
        assert counts.new == 2
    except psycopg2.errors.LockNotAvailable as exc:
        pytest.fail(f"the load waited on a lock an analyst holds: {exc}")
    finally:
        conn.close()
        analyst.rollback()
