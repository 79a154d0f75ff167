from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import psycopg2
import pytest

from transforms.article import Article
from transforms.load import LoadCounts, load_articles
from transforms.warehouse import transaction

UTC = timezone.utc
FETCHED = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def make_article(url: str, body: str = "First paragraph.\nSecond paragraph.", **changes: object) -> Article:
    article = Article(
        url=url, source="testsource", title="A title", body=body,
        content_hash=uuid.uuid5(uuid.NAMESPACE_URL, url + body).hex * 2, word_count=len(body.split()),
        extractor="test", fetched_at=FETCHED, authors=("Ana Silva", "Omar Haddad"),
        published_at=datetime(2026, 11, 19, 8, tzinfo=UTC), tags=("Politics",),
    )
    return replace(article, **changes)  # type: ignore[arg-type]


def new_run(cur: psycopg2.extensions.cursor) -> str:
    run_id = str(uuid.uuid4())
    cur.execute("""insert into ops.sources (source, name, domains, language, enabled)
                   values ('testsource', 'Test', '{test.example}', 'en', true) on conflict do nothing""")
    cur.execute("""insert into ops.crawl_runs (crawl_run_id, source, window_start, window_end, started_at,
                     finished_at, finish_reason, status)
                   values (%s, 'testsource', '2026-11-19', '2026-11-20', now(), now(), 'finished', 'captured')""",
                (run_id,))
    return run_id


def load(articles: list[Article]) -> LoadCounts:
    with transaction() as cur:
        return load_articles(cur, articles, new_run(cur))


def snapshot() -> list[tuple[object, ...]]:
    with transaction() as cur:
        cur.execute("select url, version, content_hash, title, authors, last_fetched_at from core.articles order by url")
        articles = cur.fetchall()
        cur.execute("select article_id, version, content_hash from core.article_versions order by 1, 2")
        return articles + cur.fetchall()


def test_the_same_load_twice_changes_nothing(clean_warehouse: str) -> None:
    batch = [make_article(f"https://test.example/news/{i}") for i in range(3)]
    assert load(batch) == LoadCounts(new=3)
    before = snapshot()
    assert load(batch) == LoadCounts(unchanged=3)
    assert snapshot() == before


def test_a_changed_article_gets_a_new_version(clean_warehouse: str) -> None:
    url = "https://test.example/news/changing"
    load([make_article(url)])
    later = FETCHED + timedelta(hours=5)
    edited = make_article(url, body="First paragraph.\nA corrected second paragraph.", fetched_at=later)
    assert load([edited]) == LoadCounts(updated=1)
    with transaction() as cur:
        cur.execute("select version, body, first_seen_at, last_seen_at from core.articles where url = %s", (url,))
        version, body, first_seen, last_seen = cur.fetchone()
        cur.execute("select version, body from core.article_versions order by version")
        versions = cur.fetchall()
    assert (version, first_seen, last_seen) == (2, FETCHED, later)
    assert "corrected" in body
    assert [v for v, _ in versions] == [1, 2] and "corrected" not in versions[0][1]


def test_an_older_capture_never_overwrites_a_newer_one(clean_warehouse: str) -> None:
    url = "https://test.example/news/raced"
    load([make_article(url, body="Newest text here.", fetched_at=FETCHED + timedelta(days=1))])
    assert load([make_article(url, body="Stale text here.")]) == LoadCounts(unchanged=1)
    with transaction() as cur:
        cur.execute("select body from core.articles where url = %s", (url,))
        assert cur.fetchone()[0] == "Newest text here."


def test_one_batch_holding_an_article_twice_is_deduplicated(clean_warehouse: str) -> None:
    url = "https://test.example/news/twice"
    older = make_article(url, body="Version seen first.")
    newer = make_article(url, body="Version seen last.", fetched_at=FETCHED + timedelta(minutes=3))
    assert load([newer, older]) == LoadCounts(new=1)  # counts articles, not batch rows
    with transaction() as cur:
        cur.execute("select body from core.articles where url = %s", (url,))
        assert cur.fetchone()[0] == "Version seen last."


def test_hostile_text_is_stored_exactly(clean_warehouse: str) -> None:
    title = "'); DROP TABLE core.articles;-- \"quoted\" \\ back\\slash"
    body = "<script>alert('x')</script>\nTabs\tand, commas; \"quotes\" and ünïcödé — العربية"
    load([make_article("https://test.example/news/hostile", body=body, title=title)])
    with transaction() as cur:
        cur.execute("select title, body from core.articles where url = 'https://test.example/news/hostile'")
        assert cur.fetchone() == (title, body)


def test_a_failed_load_leaves_no_rows(clean_warehouse: str) -> None:
    good = make_article("https://test.example/news/good")
    bad = make_article("https://test.example/news/bad", language="english")  # violates the check
    with pytest.raises(psycopg2.errors.CheckViolation):
        load([good, bad])
    assert snapshot() == []
