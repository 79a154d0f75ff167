from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
from typing import Any

import psycopg2
import pytest

from common.warehouse import transaction
from tests.fixtures.articles import FETCHED, make_article, new_run
from transforms.article import Article
from transforms.load.articles import ArticleInvalid, LoadCounts, check_article, load_articles


def load(articles: list[Article]) -> LoadCounts:
    with transaction() as cur:
        return load_articles(cur, articles, new_run(cur))


def derived_rows() -> tuple[int, int, int, int]:
    """Rows in the tables the loader derives: article authors, tags, fingerprints, stories."""
    with transaction() as cur:
        cur.execute("""select (select count(*) from core.article_authors), (select count(*) from core.article_tags),
                              (select count(*) from core.article_fingerprints), (select count(*) from core.article_clusters)""")
        return cur.fetchone()


def bylines(url: str) -> tuple[list[str], list[str]]:
    with transaction() as cur:
        cur.execute("""select array(select w.name from core.article_authors x join core.authors w using (author_id)
                                    where x.article_id = a.article_id order by x.position),
                              array(select t.name from core.article_tags x join core.tags t using (tag_id)
                                    where x.article_id = a.article_id order by x.position)
                       from core.articles a where a.url = %s""", (url,))
        return cur.fetchone()


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
    # It becomes the earlier version (issue 14: history in capture order), not the current text.
    assert load([make_article(url, body="Stale text here.")]) == LoadCounts(updated=1)
    with transaction() as cur:
        cur.execute("select body, version, first_seen_at from core.articles where url = %s", (url,))
        assert cur.fetchone() == ("Newest text here.", 2, FETCHED)
        cur.execute("select version, body from core.article_versions order by version")
        assert cur.fetchall() == [(1, "Stale text here."), (2, "Newest text here.")]


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
    # The second article passes the loader's checks but breaks a foreign key inside the upsert:
    # the statement fails after the first one was written, and nothing of the batch remains.
    good = make_article("https://test.example/news/good")
    bad = make_article("https://test.example/news/bad", source="nosuchsource")
    with pytest.raises(psycopg2.errors.ForeignKeyViolation):
        load([good, bad])
    assert snapshot() == []
    assert derived_rows() == (0, 0, 0, 0)


def test_a_load_killed_before_commit_leaves_no_rows_and_the_retry_loads_all(clean_warehouse: str) -> None:
    batch = [make_article(f"https://test.example/news/killed-{i}", body=f"Story {i} text.") for i in range(200)]
    conn = psycopg2.connect(clean_warehouse)
    with conn.cursor() as cur:
        assert load_articles(cur, batch, new_run(cur)) == LoadCounts(new=200)
        cur.execute("select pg_backend_pid()")
        pid = cur.fetchone()[0]
    with transaction() as killer:  # the worker dies: its server process goes, the commit never comes
        killer.execute("select pg_terminate_backend(%s)", (pid,))
    with pytest.raises(psycopg2.OperationalError):
        conn.commit()
    conn.close()
    assert snapshot() == [] and derived_rows() == (0, 0, 0, 0)
    assert load(batch) == LoadCounts(new=200)
    assert derived_rows() == (400, 200, 200, 200)


def test_an_invalid_article_is_refused_naming_the_page(clean_warehouse: str) -> None:
    good = make_article("https://test.example/news/fine")
    too_long = make_article("https://test.example/news/long-title", title="x" * 1001)
    naive = make_article("https://test.example/news/naive", published_at=datetime(2026, 11, 19, 8))
    for bad, reason in ((too_long, "title_too_long: 1001 characters, at most 1000"),
                        (naive, "published_at_naive"),
                        (make_article("https://test.example/news/l", language="english"), "language_invalid"),
                        (make_article("https://test.example/news/d", title="Cafe\u0301"), "title_not_nfc")):
        assert check_article(bad) is not None and check_article(bad).startswith(reason.split(":")[0])
        with pytest.raises(ArticleInvalid, match=re.escape(f"{bad.url}: {reason}")):
            load([good, bad])
        assert snapshot() == []
    assert check_article(good) is None


def test_the_schema_refuses_what_the_loader_would_quarantine(clean_warehouse: str) -> None:
    # The constraints are the last line behind check_article: a writer that skips it still fails.
    with transaction() as cur:
        run_id = new_run(cur)
    for column, value in (("title", "x" * 1001), ("title", "Cafe\u0301"), ("language", "english"),
                          ("url", "ftp://test.example/x")):
        values = {"url": "https://test.example/news/direct", "title": "T", "language": "en", column: value}
        with pytest.raises(psycopg2.errors.CheckViolation), transaction() as cur:
            cur.execute(
                """insert into core.articles (url, source, title, body, word_count, content_hash, extractor,
                     first_seen_at, last_seen_at, last_fetched_at, crawl_run_id, language)
                   values (%(url)s, 'testsource', %(title)s, 'b', 1, repeat('a', 64), 't', now(), now(), now(),
                           %(run)s, %(language)s)""",
                {**values, "run": run_id},
            )


def test_authors_and_tags_are_linked_in_page_order_and_follow_changes(clean_warehouse: str) -> None:
    url = "https://test.example/news/bylines"
    load([make_article(url, authors=("Zoë Adams", "Ana Silva"), tags=("Politics", "Africa"))])
    assert bylines(url) == (["Zoë Adams", "Ana Silva"], ["Politics", "Africa"])
    later = FETCHED + timedelta(hours=2)
    load([make_article(url, body="New text.", authors=("Ana Silva",), tags=("Africa", "Cocoa"), fetched_at=later)])
    assert bylines(url) == (["Ana Silva"], ["Africa", "Cocoa"])
    with transaction() as cur:
        cur.execute("select count(*) from core.authors where name in ('Zoë Adams', 'Ana Silva')")
        assert cur.fetchone()[0] == 2  # a name is kept once, whoever uses it now
        cur.execute("select version, changed_fields from core.article_versions order by version")
        assert cur.fetchall() == [(1, []), (2, ["body", "authors"])]


def test_concurrent_loads_of_the_same_articles_neither_crash_nor_lose_the_newest(clean_warehouse: str) -> None:
    # A scheduled run and a backfill load the same URLs at the same moment.
    urls = [f"https://test.example/news/raced-{i}" for i in range(150)]
    older = [make_article(u, body=f"Older text of story {i} about harbour cranes.") for i, u in enumerate(urls)]
    newer = [make_article(u, body=f"Newer text of story {i} about harbour cranes.", fetched_at=FETCHED + timedelta(hours=1),
                          authors=("Ana Silva", f"Reporter {i}")) for i, u in enumerate(urls)]
    with transaction() as cur:
        runs = [new_run(cur), new_run(cur)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(batch: list[Article], run_id: str) -> None:
        try:
            start.wait()
            with transaction() as cur:
                load_articles(cur, list(reversed(batch)) if batch is older else batch, run_id)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(b, r)) for b, r in zip((older, newer), runs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with transaction() as cur:
        cur.execute("select count(*) filter (where body like 'Newer%%'), count(*) from core.articles")
        assert cur.fetchone() == (150, 150)
        cur.execute("""select count(*) from core.articles a join core.article_versions v
                         on v.article_id = a.article_id and v.version = a.version
                       where v.content_hash <> a.content_hash""")
        assert cur.fetchone()[0] == 0
        cur.execute("select count(*) from core.article_clusters")
        assert cur.fetchone()[0] == 150
        cur.execute("select count(distinct author_id) from core.article_authors")
        assert cur.fetchone()[0] == 151


def test_an_unchanged_article_seen_again_only_moves_last_seen(clean_warehouse: str) -> None:
    url = "https://test.example/news/seen-again"
    load([make_article(url)])
    later = FETCHED + timedelta(hours=6)
    before = snapshot()
    assert load([make_article(url, fetched_at=later)]) == LoadCounts(unchanged=1)
    with transaction() as cur:
        cur.execute("select version, first_seen_at, last_seen_at, last_fetched_at from core.articles where url = %s", (url,))
        assert cur.fetchone() == (1, FETCHED, later, FETCHED)
    assert snapshot() == before  # no new version, no new content


class RecordingCursor(psycopg2.extensions.cursor):
    """A real cursor that also keeps what each COPY sent, by target table."""

    sent: dict[str, list[str]]

    def copy_expert(self, sql: str, file: Any, size: int = 8192) -> None:  # type: ignore[override]
        text = file.getvalue()
        self.sent.setdefault(sql.split()[1], []).append(text)
        super().copy_expert(sql, file, size)


def load_recording(dsn: str, articles: list[Article]) -> tuple[LoadCounts, dict[str, list[str]]]:
    conn = psycopg2.connect(dsn, cursor_factory=RecordingCursor)
    try:
        with conn, conn.cursor() as cur:
            cur.sent = {}
            return load_articles(cur, articles, new_run(cur)), cur.sent
    finally:
        conn.close()


def test_a_reload_of_unchanged_articles_sends_only_their_keys(clean_warehouse: str) -> None:
    """The bodies of unchanged articles never reach the server: only URL, hash and fetch time."""
    batch = [make_article(f"https://test.example/news/keys-{i}", body=f"Body number {i} of the batch.")
             for i in range(3)]
    changed = make_article("https://test.example/news/keys-1", body="A rewritten body.",
                           fetched_at=FETCHED + timedelta(hours=1))
    load(batch)
    counts, sent = load_recording(clean_warehouse, batch)
    assert counts == LoadCounts(unchanged=3)
    assert "article_stage" not in sent and not any("Body number" in text for text in sent["article_keys"])
    counts, sent = load_recording(clean_warehouse, [batch[0], changed, batch[2]])
    assert counts == LoadCounts(updated=1, unchanged=2)
    assert len(sent["article_stage"]) == 1 and "A rewritten body." in sent["article_stage"][0]
    assert "Body number" not in sent["article_stage"][0]


def test_authors_tags_and_flags_with_quotes_and_backslashes_are_stored_exactly(clean_warehouse: str) -> None:
    authors = ('Anna "Nan" O\'Neil', "back\\slash, comma", "{braces}", "NULL", "tab\there")
    url = "https://test.example/news/names"
    load([make_article(url, authors=authors, tags=("a,b", '"q"'), flags=("x\\y",), description="",
                       section=None)])
    with transaction() as cur:
        cur.execute("select authors, tags, flags, description, section from core.articles where url = %s", (url,))
        assert cur.fetchone() == (list(authors), ["a,b", '"q"'], ["x\\y"], "", None)
