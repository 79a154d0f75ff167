"""Near-duplicates and reposts folded into stories: fingerprints, matches, core.article_clusters, marts."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg2
import pytest

from common.warehouse import transaction
from tests.fixtures import PROJECT_ROOT
from tests.fixtures.articles import FETCHED, make_article
from transforms.article import Article
from transforms.fingerprint import (
    BINS,
    FINGERPRINT_VERSION,
    NEAR_DUPLICATE_JACCARD,
    ArticleFingerprint,
    Fingerprint,
    article_text,
    estimate_jaccard,
    fingerprint,
    with_fingerprint,
)
from transforms.load.articles import load_articles

UTC = UTC

ORIGINAL = """Port workers in the city of Valparaíso ended a nine-day strike on Thursday after the
harbour authority agreed to raise night-shift pay by 14 percent and to hire 120 crane operators.
The stoppage had left more than 300 containers of copper concentrate and fresh fruit waiting on
the quays, and shipping lines had begun diverting vessels to San Antonio further south.
"We did not want to stop the port, but the night shifts had become dangerous," said Rosa
Henríquez, who leads the dockworkers' union. The authority said the new operators would start
training next month and that the first of them would be on the cranes before the grape harvest.
Exporters welcomed the deal but warned that the backlog would take at least two weeks to clear,
and fruit growers in the Aconcagua valley said some cherries had already been lost."""

# What a reposting blog makes of it: the same facts in other words.
REWRITE = """Dockworkers in Valparaíso have called off their nine-day strike after the harbour
authority promised a 14 percent rise in night-shift pay and 120 new crane operators. Hundreds of
containers of copper concentrate and fruit had piled up on the quays during the stoppage, and
shipping lines diverted vessels to San Antonio. Union leader Rosa Henríquez said the night shifts
had become dangerous. Exporters say clearing the backlog will take two weeks; growers in the
Aconcagua valley lost some cherries."""

UNRELATED = """The national orchestra opened its winter season with a programme of Sibelius and a
new cello concerto, played to a full house in the capital's restored concert hall. Critics praised
the soloist's restraint in the slow movement and the brass in the finale, and the conductor
dedicated the evening to the hall's late architect."""


def add_source(slug: str, domains: list[str]) -> None:
    with transaction() as cur:
        cur.execute("""insert into ops.sources (source, name, domains, language, enabled)
                       values (%s, %s, %s, 'en', true) on conflict do nothing""", (slug, slug.title(), domains))


def load_as(source: str, articles: list[Article]) -> None:
    with transaction() as cur:
        run_id = _run(cur, source)
        load_articles(cur, [replace(a, source=source) for a in articles], run_id)


def _run(cur: psycopg2.extensions.cursor, source: str) -> str:
    run_id = str(uuid.uuid4())
    cur.execute("""insert into ops.crawl_runs (crawl_run_id, source, window_start, window_end, started_at,
                     finished_at, finish_reason, status)
                   values (%s, %s, '2026-11-19', '2026-11-20', now(), now(), 'finished', 'captured')""",
                (run_id, source))
    return run_id


def stories() -> dict[str, tuple[int, list[str]]]:
    """marts.articles: url -> (copies, copy urls)."""
    with transaction() as cur:
        cur.execute("select url, copies, copy_urls from marts.articles")
        return {url: (copies, urls) for url, copies, urls in cur.fetchall()}


def match_of(url: str) -> tuple[object, ...] | None:
    with transaction() as cur:
        cur.execute("""select s.is_original, o.url, s.match_method from marts.story_articles s
                       left join core.articles o on o.article_id = s.matched_article_id
                       where s.url = %s""", (url,))
        return cur.fetchone()


@pytest.fixture()
def sources(clean_warehouse: str) -> str:
    add_source("origin", ["www.origin.example", "origin.example"])
    add_source("reposter", ["reposter.example"])
    add_source("wire", ["wire.example"])
    return clean_warehouse


ORIGINAL_URL = "https://www.origin.example/news/2026/11/19/valparaiso-port-strike-ends"
REPOST_URL = "https://reposter.example/2026/11/19/valparaiso-dockworkers-end-strike/"
PUBLISHED = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)


def original() -> Article:
    return make_article(ORIGINAL_URL, body=ORIGINAL, title="Valparaíso port strike ends with pay deal",
                        published_at=PUBLISHED, authors=("Rosa Vidal",))


def repost(**changes: object) -> Article:
    article = make_article(REPOST_URL, body=REWRITE, title="Valparaíso Dockworkers End Strike",
                           published_at=PUBLISHED + timedelta(hours=4), authors=("Jordan Ellis",),
                           original_source="www.origin.example")
    return replace(article, **changes)  # type: ignore[arg-type]


def test_the_fingerprint_is_deterministic_across_processes() -> None:
    here = fingerprint(ORIGINAL)
    code = "from transforms.fingerprint import fingerprint; import sys; print(fingerprint(sys.argv[1]).signature)"
    outputs = {
        subprocess.run([sys.executable, "-c", code, ORIGINAL], capture_output=True, text=True, check=True,
                       cwd=PROJECT_ROOT, env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip()
        for seed in ("1", "2")
    }
    assert here is not None and outputs == {str(here.signature)}
    assert all(0 <= v < 2**63 for v in here.signature) and all(-(2**63) <= k < 2**63 for k in here.bands)


def test_similarity_tells_copies_from_rewrites_and_other_stories() -> None:
    base = fingerprint(ORIGINAL)
    edited = fingerprint(ORIGINAL.replace("on Thursday", "on Thursday evening").replace("14 percent", "14%"))
    assert base and edited
    assert base.similarity(edited) >= NEAR_DUPLICATE_JACCARD
    assert base.similarity(fingerprint(REWRITE)) < 0.3  # type: ignore[arg-type]
    assert base.similarity(fingerprint(UNRELATED)) < 0.1  # type: ignore[arg-type]
    assert fingerprint("") is None and fingerprint("  ,; ") is None
    with pytest.raises(ValueError, match="same, non-zero length"):
        estimate_jaccard((1, 2), (1,))


def test_a_verbatim_copy_on_another_site_is_folded_into_the_earlier_article(sources: str) -> None:
    load_as("origin", [original()])
    copy_url = "https://wire.example/world/valparaiso"
    copy = make_article(copy_url, body=ORIGINAL.replace("on Thursday", "on Thursday, officials said"),
                        title="Valparaíso port strike ends with pay deal", published_at=PUBLISHED + timedelta(hours=1))
    load_as("wire", [copy])
    assert stories() == {ORIGINAL_URL: (1, [copy_url])}
    assert match_of(copy_url) == (False, ORIGINAL_URL, "near_duplicate")
    assert match_of(ORIGINAL_URL) == (True, None, None)


def test_the_earlier_article_becomes_the_original_even_when_loaded_second(sources: str) -> None:
    copy_url = "https://wire.example/world/valparaiso"
    load_as("wire", [make_article(copy_url, body=ORIGINAL, title="Strike ends", published_at=PUBLISHED + timedelta(hours=1))])
    load_as("origin", [original()])
    assert stories() == {ORIGINAL_URL: (1, [copy_url])}


@pytest.mark.parametrize("original_first", [True, False], ids=["original-first", "repost-first"])
def test_a_rewritten_repost_naming_its_source_links_to_the_original(sources: str, original_first: bool) -> None:
    other = make_article("https://www.origin.example/news/2026/11/19/orchestra", body=UNRELATED,
                         title="Orchestra opens winter season", published_at=PUBLISHED)
    if original_first:
        load_as("origin", [original(), other])
        load_as("reposter", [repost()])
    else:
        load_as("reposter", [repost()])
        assert REPOST_URL in stories()  # its own story until the original arrives
        load_as("origin", [original(), other])
    assert stories() == {ORIGINAL_URL: (1, [REPOST_URL]), other.url: (0, [])}
    assert match_of(REPOST_URL) == (False, ORIGINAL_URL, "original_source")


def test_a_repost_is_not_folded_into_an_unrelated_article_of_the_named_site(sources: str) -> None:
    load_as("origin", [make_article("https://www.origin.example/news/orchestra", body=UNRELATED,
                                    title="Orchestra opens winter season", published_at=PUBLISHED)])
    load_as("reposter", [repost()])
    assert stories()[REPOST_URL] == (0, [])


def test_a_repost_is_not_linked_to_an_original_published_weeks_apart(sources: str) -> None:
    load_as("origin", [replace(original(), published_at=PUBLISHED - timedelta(days=30))])
    load_as("reposter", [repost()])
    assert set(stories()) == {ORIGINAL_URL, REPOST_URL}


def test_a_copy_rewritten_into_another_story_leaves_the_story(sources: str) -> None:
    load_as("origin", [original()])
    copy_url = "https://wire.example/world/valparaiso"
    load_as("wire", [make_article(copy_url, body=ORIGINAL, title="Strike ends", published_at=PUBLISHED)])
    assert stories() == {ORIGINAL_URL: (1, [copy_url])}
    load_as("wire", [make_article(copy_url, body=UNRELATED, title="Orchestra", published_at=PUBLISHED,
                                  fetched_at=FETCHED + timedelta(hours=3))])
    assert stories() == {ORIGINAL_URL: (0, []), copy_url: (0, [])}


def test_daily_counts_and_authors_count_copies_apart(sources: str) -> None:
    load_as("origin", [original()])
    load_as("reposter", [repost()])
    with transaction() as cur:
        cur.execute("select source, day, articles, stories, copies from marts.daily_source_counts order by source")
        assert cur.fetchall() == [("origin", PUBLISHED.date(), 1, 1, 0), ("reposter", PUBLISHED.date(), 1, 0, 1)]
        cur.execute("select author, articles, original_articles from marts.authors order by author")
        assert cur.fetchall() == [("Jordan Ellis", 1, 0), ("Rosa Vidal", 1, 1)]


def stored_signature(url: str) -> list[int]:
    with transaction() as cur:
        cur.execute("""select f.minhash from core.article_fingerprints f join core.articles a using (article_id)
                       where a.url = %s""", (url,))
        return cur.fetchone()[0]


def test_the_load_uses_the_fingerprint_extraction_attached_while_it_is_current(sources: str) -> None:
    article = original()
    own = fingerprint(article_text(article.title, article.body))
    assert own is not None
    # Attached for this very content: used as it is (a marker signature shows it was not recomputed).
    marker = Fingerprint(tuple(range(BINS)), own.bands, own.shingles)
    load_as("origin", [replace(article, fingerprint=ArticleFingerprint(FINGERPRINT_VERSION, article.content_hash, marker))])
    assert stored_signature(ORIGINAL_URL) == list(range(BINS))
    # Attached for another content hash, or by another recipe: stale, so computed again.
    edited = replace(article, body=ORIGINAL + "\nUpdated.", fetched_at=FETCHED + timedelta(hours=1),
                     content_hash="e" * 64)
    stale = [ArticleFingerprint(FINGERPRINT_VERSION, article.content_hash, marker),
             ArticleFingerprint(FINGERPRINT_VERSION + 1, edited.content_hash, marker)]
    for n, attached in enumerate(stale, start=1):
        changed = replace(edited, fetched_at=FETCHED + timedelta(hours=n), content_hash=f"{n:x}" * 64,
                          fingerprint=replace(attached, content_hash=attached.content_hash if n == 1 else f"{n:x}" * 64))
        load_as("origin", [changed])
        expected = fingerprint(article_text(changed.title, changed.body))
        assert expected is not None and stored_signature(ORIGINAL_URL) == list(expected.signature)


def test_with_fingerprint_attaches_what_the_load_would_compute() -> None:
    article = original()
    attached = with_fingerprint(article).fingerprint
    assert attached is not None and attached.content_hash == article.content_hash
    assert attached.fingerprint == fingerprint(article_text(article.title, article.body))
    assert with_fingerprint(article) == article  # derived data: equality unchanged
