"""Extract and load one crawl run: the run's WARC in, articles in the warehouse out.

Safe to repeat: re-running a loaded run re-extracts the same pages and finds them unchanged.
The load, the captures' extraction status and the run's counts commit together.
"""

from __future__ import annotations

import logging
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import psycopg2.extensions
from psycopg2.extras import execute_values

from common import archive_store, failed_urls
from common.archive_store import DamagedRecord
from common.failed_urls import FailedUrl
from common.progress import ProgressLog
from common.sources import Source, load_sources
from common.urls import article_url
from common.warehouse import ARCHIVE_BACKFILL, transaction
from common.window import Window
from transforms.article import Article, Rejected
from transforms.extract.extractor import ExtractionHints
from transforms.extract.pool import ExtractionPool, PageJob
from transforms.fingerprint import (
    FINGERPRINT_VERSION,
    NEAR_DUPLICATE_JACCARD,
    article_fingerprint,
    article_text,
    estimate_jaccard,
    fingerprint,
)
from transforms.load.articles import LoadCounts, check_article, load_articles

log = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)

# Articles per COPY + upsert. Bounds the loader's memory; large enough that per-statement
# overhead is small. (An article listed twice in one run, in two batches, loads as new then
# unchanged or updated: still one row.)
LOAD_BATCH_SIZE = 1000
# The reason of a page whose WARC record is damaged (raw.captures, ops.failed_urls, RunResult.rejected).
WARC_DAMAGED = "warc_damaged"


class RunNotLoadable(RuntimeError):
    """The run does not exist, failed, or its WARC is missing."""


class WarcGone(RunNotLoadable):
    """The run's WARC was removed by retention or is missing from the archive."""


@dataclass(frozen=True)
class RunResult:
    crawl_run_id: str
    source: str
    pages: int
    counts: LoadCounts
    rejected: dict[str, int]  # reason -> pages
    outside_window: int = 0  # pages whose article is dated outside the window asked for (not loaded)
    canonical_conflicts: int = 0  # pages naming another article's URL as canonical, loaded under their own
    fetch_again: int = 0  # rejected pages put in the failed-URL ledger, for the next crawls to fetch again
    moved: int = 0  # articles whose old URL redirected to a new one: their row moved there


    def summary(self) -> str:
        rejected = ", ".join(f"{n} {reason}" for reason, n in sorted(self.rejected.items())) or "none"
        return (f"run {self.crawl_run_id} [{self.source}]: {self.pages} pages -> "
                f"{self.counts.new} new, {self.counts.updated} updated, {self.counts.unchanged} unchanged; "
                f"not loaded: {rejected}"
                + (f"; {self.outside_window} dated outside the window" if self.outside_window else "")
                + (f"; {self.canonical_conflicts} naming another article's URL as canonical, kept under their own"
                   if self.canonical_conflicts else "")
                + (f"; {self.fetch_again} to be fetched again (failed-URL ledger)" if self.fetch_again else "")
                + (f"; {self.moved} moved to a new URL (the old one redirects there), kept as one article"
                   if self.moved else ""))


@dataclass
class FieldCounts:
    """How many of a run's articles lack a date or an author (the quality gate watches the shares)."""

    articles: int = 0
    without_date: int = 0
    without_author: int = 0

    def add(self, article: Article) -> None:
        self.articles += 1
        self.without_date += article.published_at is None
        self.without_author += not article.authors


class CaptureIndex(Mapping[int, int]):
    """The run's article captures by WARC offset, as a mapping offset -> record length.

    Four flat arrays sorted by offset (32 bytes a page), not an object per page: a run of
    20,000 pages held about 8 MB of them in the loading process, growing with the run.
    """

    def __init__(self, rows: Iterable[tuple[int, int, datetime, int]]) -> None:
        ordered = sorted(rows)  # (warc_offset, capture_id, fetched_at, warc_length)
        self._offsets = array("q", (r[0] for r in ordered))
        self._capture_ids = array("q", (r[1] for r in ordered))
        self._fetched_at_us = array("q", ((r[2] - EPOCH) // MICROSECOND for r in ordered))
        self._lengths = array("q", (r[3] for r in ordered))

    def _position(self, offset: int) -> int:
        at = bisect_left(self._offsets, offset)
        if at == len(self._offsets) or self._offsets[at] != offset:
            raise KeyError(offset)
        return at

    def __getitem__(self, offset: int) -> int:
        """The length of the WARC record at ``offset``: what a ranged read of object storage fetches."""
        return self._lengths[self._position(offset)]

    def __iter__(self) -> Iterator[int]:
        return iter(self._offsets)

    def __len__(self) -> int:
        return len(self._offsets)

    def capture_id(self, offset: int) -> int:
        return self._capture_ids[self._position(offset)]

    def fetched_at(self, offset: int) -> datetime:
        return EPOCH + self._fetched_at_us[self._position(offset)] * MICROSECOND


def hints_for(source: Source) -> ExtractionHints:
    return ExtractionHints(prune_xpaths=source.prune_xpaths, naive_timezone=source.timezone,
                           language=source.language)


def identify_article(article: Article, source: Source) -> Article:
    """The article keyed on the canonical URL it declares, where that is one of the source's
    article URLs; else on the URL it was fetched as. A key other than the fetched URL is a claim,
    taken only where settle_claims finds this article there.

    A site lists one article under several URLs (``/x`` and ``/x/``, AMP, tracking variants)
    and each page names the same canonical: keyed on it, they are one article, deduplicated in
    the batch before the upsert. A canonical off the source's article URLs (a section page, the
    home page, another site) says nothing about identity and is ignored.
    """
    if not article.canonical_url:
        return article
    key = article_url(article.canonical_url, source)
    if key == article.url or not source.is_article_url(key):
        return article
    return replace(article, url=key)


def settle_claims(cur: psycopg2.extensions.cursor, articles: list[Article],
                  source: Source) -> tuple[list[Article], int]:
    """Each article that names another of the source's article URLs as its canonical, keyed on it
    where the warehouse's article there (a page fetched at that URL, by this run or an earlier
    one) has the same text or a near-duplicate of it (an AMP or trailing-slash variant, a
    corrected version); else keyed on its own URL.

    A canonical is a claim about identity, and a template bug makes every story of a section
    claim one story's URL: taken on trust, the stories would overwrite each other under one row.
    A claim with nothing at the URL it names is not taken either: the page there, fetched later,
    would overwrite it. A page kept apart by doubt costs at most a duplicate row, which the story
    matching folds into one story; a wrong merge loses an article.

    Returns the articles, keyed, and how many name the URL of another article (a conflict).
    """
    keys = [identify_article(article, source).url for article in articles]
    if not keys:
        return [], 0
    cur.execute(CLAIMED_OWNERS_SQL, {"urls": sorted(set(keys)), "version": FINGERPRINT_VERSION})
    owners = {url: _Owner(content_hash, minhash, title, body) for url, content_hash, minhash, title, body in cur}
    settled = []
    conflicts = unproven = 0
    for article, key in zip(articles, keys, strict=True):
        owner = owners.get(key)
        if owner is None:
            unproven += 1
        elif owner.holds(article):
            article = replace(article, url=key)
        else:
            conflicts += 1
        settled.append(article)
    if unproven:
        log.info("%d page(s) name as canonical an article URL the warehouse has no article at: "
                 "each loaded under its own URL", unproven)
    return settled, conflicts


def settle_moves(cur: psycopg2.extensions.cursor, moves: list[tuple[str, Article]]) -> int:
    """Move the warehouse's article at each old URL to the new URL a redirect from it led to,
    where the page there is that article (same text or a near-duplicate) and nothing is loaded at
    the new URL yet; the old URL goes to the row's ``former_urls``. Returns how many moved.

    A site renames a story (its slug follows an edited headline) or moves to https: the old URL
    answers a redirect, the listings give the new one. Loaded as it came, the new URL would start
    a second row beside the first (two articles, the newer text on the one analysts do not see
    as the original). Moved, it stays one article: its id, first capture, publication date and
    versions, with the new text as its next version. A redirect to another text (a story merged
    into a newer one, a section page) moves nothing.

    ``moves``: (the normalized URL the redirect came from, the article as fetched at the new URL).
    """
    moves = [(old, article) for old, article in moves if old != article.url]
    if not moves:
        return 0
    cur.execute(CLAIMED_OWNERS_SQL, {"urls": sorted({old for old, _ in moves}), "version": FINGERPRINT_VERSION})
    owners = {url: _Owner(content_hash, minhash, title, body) for url, content_hash, minhash, title, body in cur}
    cur.execute("select url from core.articles where url = any(%s)", (sorted({a.url for _, a in moves}),))
    taken = {url for (url,) in cur}
    moved = 0
    for old, article in moves:
        owner = owners.get(old)
        if owner is None or article.url in taken or not owner.holds(article):
            continue
        cur.execute("""update core.articles set url = %s, former_urls = array_append(former_urls, %s)
                       where url = %s""", (article.url, old, old))
        del owners[old]
        taken.add(article.url)
        moved += 1
    return moved


# The article at each claimed URL, with its stored fingerprint where it is current; its title and
# body are read only where none is (core.article_fingerprints holds what the load computed).
CLAIMED_OWNERS_SQL = """
select a.url, a.content_hash, f.minhash,
       case when f.minhash is null then a.title end, case when f.minhash is null then a.body end
from core.articles a
left join core.article_fingerprints f
  on f.article_id = a.article_id and f.fingerprint_version = %(version)s and f.content_hash = a.content_hash
where a.url = any(%(urls)s)
"""


@dataclass(frozen=True)
class _Owner:
    """The warehouse's article at a claimed URL."""

    content_hash: str
    minhash: list[int] | None
    title: str | None
    body: str | None

    def holds(self, article: Article) -> bool:
        """Whether ``article`` is this one's text or a near-duplicate of it."""
        if article.content_hash == self.content_hash:
            return True
        mine = article_fingerprint(article)
        if mine is None:
            return False
        if self.minhash is not None:
            theirs: tuple[int, ...] | None = tuple(self.minhash)
        else:
            found = fingerprint(article_text(self.title or "", self.body or ""))
            theirs = found.signature if found is not None else None
        return theirs is not None and estimate_jaccard(mine.signature, theirs) >= NEAR_DUPLICATE_JACCARD


def extract_and_load(crawl_run_id: str, *, dsn: str | None = None, workers: int | None = None) -> RunResult:
    """Extract every captured article page of the run and load it in one transaction.

    A run of an archive backfill (finish reason ARCHIVE_BACKFILL: its pages were picked before
    their dates were known) loads only the articles dated in its window, by their own date where
    they have one, else their capture's; the others' capture rows go: the run never held them,
    and a later crawl of their own window must not take them for seen. Whichever task loads the
    run (its own, or a later one adopting it) applies the same rule.

    Articles go to the database in batches of LOAD_BATCH_SIZE as they come out of the pool, all
    inside the one transaction: memory stays flat however large the run, and a failure still
    leaves nothing of the run visible.
    """
    result = _extract_and_load(crawl_run_id, dsn, workers, only_if_unloaded=False)
    assert result is not None
    return result


def load_unloaded_runs(source: str, *, exclude: Iterable[str] = (), dsn: str | None = None,
                       workers: int | None = None) -> list[RunResult]:
    """Load the source's runs that were published but never loaded, oldest first.

    A run is left unloaded when its task was killed after the crawl committed, or extract_load
    failed (a bad source setting, since fixed); its pages do not count as seen, and whatever
    else the next crawls re-fetch, the run itself is loaded here by the source's next
    extract_load, so nothing waits for a human. A run another task is loading right now is
    skipped (its row is locked). A run whose WARC is gone can never be loaded: it is marked
    failed, with why, and its pages are fetched again by the crawls that list them.
    """
    with transaction(dsn) as cur:
        cur.execute("""select crawl_run_id::text from ops.crawl_runs
                       where source = %s and status = 'captured' and not crawl_run_id::text = any(%s)
                       order by finished_at, crawl_run_id""", (source, list(exclude)))
        runs = [run for (run,) in cur.fetchall()]
    loaded = []
    for run in runs:
        try:
            result = _extract_and_load(run, dsn, workers, only_if_unloaded=True)
        except WarcGone as exc:
            _mark_unloadable(run, str(exc), dsn)
            log.error("run %s was never loaded and cannot be: %s; marked failed", run, exc)
            continue
        if result is not None:
            log.warning("loaded run %s, published earlier but never loaded: %s", run, result.summary())
            loaded.append(result)
    return loaded


def _extract_and_load(crawl_run_id: str, dsn: str | None, workers: int | None,
                      only_if_unloaded: bool) -> RunResult | None:
    source_slug, warc_uri, captures, window, redirected_from = _run_inputs(crawl_run_id, dsn)
    source = load_sources().get(source_slug)
    if source is None:
        raise RunNotLoadable(f"run {crawl_run_id}: source {source_slug!r} is no longer configured")
    damaged: list[DamagedRecord] = []  # filled as the pool reads the WARC
    jobs = _jobs(warc_uri, captures, source, damaged)
    log.info("run %s [%s]: extracting and loading %d article pages", crawl_run_id, source_slug, len(captures))
    batch: list[Article] = []
    outcomes: list[tuple[int, str, str | None]] = []  # capture_id, status, reason; recorded per batch
    rejected: dict[str, int] = {}
    ledger = _LoadLedger(crawl_run_id, source)
    outside: list[int] = []  # capture ids
    counts = LoadCounts()
    fields = FieldCounts()
    progress = _Progress(crawl_run_id, source_slug, len(captures))
    claims: list[tuple[int, Article]] = []  # capture id, article naming another article URL canonical
    conflicts = 0
    moves: list[tuple[int, str, Article]] = []  # capture id, URL a redirect came from, article reached by it
    moved = 0
    with transaction(dsn) as cur, ExtractionPool(workers) as pool, ProgressLog(log, progress.line):
        if not _claim_run(cur, crawl_run_id, only_if_unloaded):
            log.info("run %s is loaded, or being loaded by another task: skipped", crawl_run_id)
            return None

        def take(capture_id: int, result: Article | Rejected) -> None:
            nonlocal batch, outcomes, counts
            result = quarantine(result)
            if isinstance(result, Rejected):
                rejected[result.reason] = rejected.get(result.reason, 0) + 1
                outcomes.append((capture_id, "rejected", f"{result.reason}: {result.detail}".rstrip(": ")))
                ledger.add(result)
                return
            batch.append(result)
            fields.add(result)
            outcomes.append((capture_id, "article", None))
            if len(batch) >= LOAD_BATCH_SIZE:
                counts += load_articles(cur, batch, crawl_run_id)
                progress.loaded, batch = counts.new + counts.updated + counts.unchanged, []
            if len(outcomes) >= LOAD_BATCH_SIZE:
                _record_outcomes(cur, outcomes)
                ledger.write(cur)
                outcomes = []

        def route(capture_id: int, result: Article | Rejected) -> bool:
            """Take the page, or keep it for settle() where it claims another article URL as its
            canonical; True when kept."""
            if isinstance(result, Article) and identify_article(result, source).url != result.url:
                claims.append((capture_id, result))  # keyed once the run's own pages are in
                return True
            take(capture_id, result)
            return False

        def settle() -> None:
            """Move the articles the redirects say moved (before their new URL's pages load), load
            the pages so far, then key the claims against them and the earlier runs' articles: a
            claim waits for the pages of its batch, whatever order they came in."""
            nonlocal batch, counts, claims, conflicts, moves, moved
            moved += settle_moves(cur, [(old, article) for _, old, article in moves])
            counts += load_articles(cur, batch, crawl_run_id)
            batch = []
            redirected, moves = moves, []
            for capture_id, _, article in redirected:
                route(capture_id, article)
            settled, found = settle_claims(cur, [article for _, article in claims], source)
            conflicts += found
            pending, claims = claims, []
            for (capture_id, _), article in zip(pending, settled, strict=True):
                take(capture_id, article)

        for job, result in pool.map(jobs):
            progress.extracted += 1
            capture_id = captures.capture_id(job.key)
            if window is not None and isinstance(result, Article) and not _dated_in(result, window):
                outside.append(capture_id)
                continue
            if (isinstance(result, Article) and job.key in redirected_from
                    and identify_article(result, source).url == result.url):  # a claim is settled as one
                moves.append((capture_id, redirected_from[job.key], result))  # moved before its batch loads
                if len(moves) >= LOAD_BATCH_SIZE:
                    settle()
                continue
            if route(capture_id, result) and len(claims) >= LOAD_BATCH_SIZE:  # memory stays bounded
                settle()
        settle()
        if damaged:
            _record_damaged(cur, captures, damaged, ledger)
            rejected[WARC_DAMAGED] = len(damaged)
        if moved:
            log.info("run %s [%s]: %d article(s) moved to the URL their old one redirects to: one row each, "
                     "the old URL in core.articles.former_urls", crawl_run_id, source_slug, moved)
        if conflicts:
            log.warning("run %s [%s]: %d page(s) name as canonical the URL of another article (other text): "
                        "each loaded under its own URL", crawl_run_id, source_slug, conflicts)
        counts += load_articles(cur, batch, crawl_run_id)
        _record_outcomes(cur, outcomes)
        ledger.write(cur)
        if outside:
            cur.execute("delete from raw.captures where capture_id = any(%s)", (outside,))
        _record_run_counts(cur, crawl_run_id, counts, sum(rejected.values()), fields)
    run_result = RunResult(crawl_run_id, source_slug, len(captures) - len(outside), counts, rejected,
                           len(outside), canonical_conflicts=conflicts, fetch_again=ledger.written,
                           moved=moved)
    if ledger.written:
        log.warning("run %s [%s]: %d page(s) captured but not loaded, for a reason fetching them again may "
                    "change: in the failed-URL ledger, retried by the next crawls", crawl_run_id, source_slug,
                    ledger.written)
    log.info("%s", run_result.summary())
    return run_result


def lasting(rejection: Rejected) -> bool:
    """Whether fetching the page again cannot change its rejection: it is not an article (a
    liveblog, a video, a section page, a paywall teaser). Such a page counts as seen (the crawl's
    SETTLED_PAGE, scrapers/ledger.py); any other rejected page (an extraction timeout, a worker
    killed, a body too short: a page cut short or mid-deploy) is fetched again by the next crawls."""
    return rejection.reason.startswith("not_article:")


class _LoadLedger:
    """The run's rejected pages that the next crawls must fetch again, written to the failed-URL
    ledger in the load's transaction: whether the site still lists them or not, none is lost.

    The crawl resolved their entries when it captured them; common.failed_urls.write_ledger goes
    on counting attempts from there (bounded by the source's give_up_days, like fetch failures).
    """

    def __init__(self, crawl_run_id: str, source: Source) -> None:
        self.crawl_run_id = crawl_run_id
        self.source = source
        self.written = 0
        self._pending: dict[str, FailedUrl] = {}

    def add(self, rejection: Rejected) -> None:
        if lasting(rejection):
            return
        key = article_url(rejection.url, self.source)
        self._pending[key] = FailedUrl(url=rejection.url, normalized_url=key, kind="page",
                                       reason=rejection.reason, http_status=200)

    def write(self, cur: psycopg2.extensions.cursor) -> None:
        if not self._pending:
            return
        failed_urls.write_ledger(cur, source=self.source.slug, run_id=self.crawl_run_id,
                                 failed=list(self._pending.values()), captured=[],
                                 base_seconds=failed_urls.retry_base_seconds(),
                                 give_up_days=self.source.incremental.give_up_days or failed_urls.give_up_days())
        self.written += len(self._pending)
        self._pending = {}


@dataclass
class _Progress:
    """The run's counters, read by the progress thread (common/progress.py)."""

    crawl_run_id: str
    source: str
    pages: int
    extracted: int = 0
    loaded: int = 0

    def line(self) -> str:
        # "loaded" counts articles written inside the run's transaction: visible at its commit.
        return (f"progress: run {self.crawl_run_id} [{self.source}]: {self.extracted} of {self.pages} "
                f"pages extracted, {self.loaded} articles loaded")


def quarantine(result: Article | Rejected) -> Article | Rejected:
    """An article the warehouse would refuse becomes a rejected page (``load_rejected``), with why."""
    if isinstance(result, Article) and (problem := check_article(result)):
        return Rejected(result.url, "load_rejected", problem)
    return result


def _dated_in(article: Article, window: Window) -> bool:
    return window.contains(article.published_at or article.fetched_at)


def _claim_run(cur: psycopg2.extensions.cursor, crawl_run_id: str, only_if_unloaded: bool) -> bool:
    """Lock the run's row for this load. Its own task waits for a concurrent load of the run
    (then loads it again, unchanged); an adopting task skips a run that is locked or loaded."""
    if only_if_unloaded:
        cur.execute("select status from ops.crawl_runs where crawl_run_id = %s for update skip locked",
                    (crawl_run_id,))
        row = cur.fetchone()
        return row is not None and row[0] == "captured"
    cur.execute("select status from ops.crawl_runs where crawl_run_id = %s for update", (crawl_run_id,))
    return cur.fetchone() is not None


def _mark_unloadable(crawl_run_id: str, why: str, dsn: str | None) -> None:
    with transaction(dsn) as cur:
        cur.execute("""update ops.crawl_runs set status = 'failed', failure = %s
                       where crawl_run_id = %s and status = 'captured'""",
                    (f"published but never loaded, and cannot be: {why}", crawl_run_id))
        # The feeds' validators may have been stored by that run: a 304 would now hide the items
        # it captured, which must be fetched again.
        cur.execute("""update ops.feed_state set etag = null, last_modified = null
                       where source = (select source from ops.crawl_runs where crawl_run_id = %s)""",
                    (crawl_run_id,))


def _run_inputs(crawl_run_id: str, dsn: str | None
                ) -> tuple[str, str, CaptureIndex, Window | None, dict[int, str]]:
    """The run's source, WARC and captures; its window when articles are kept by their dates; and
    the URL each page reached by a redirect was asked for, by WARC offset."""
    with transaction(dsn) as cur:
        cur.execute("""select source, status, failure, warc_uri, finish_reason, window_start, window_end
                       from ops.crawl_runs where crawl_run_id = %s""", (crawl_run_id,))
        row = cur.fetchone()
        if row is None:
            raise RunNotLoadable(f"run {crawl_run_id} is not in ops.crawl_runs (did the crawl finish?)")
        source_slug, status, failure, warc_uri, finish_reason, window_start, window_end = row
        dated = Window(window_start, window_end) if finish_reason == ARCHIVE_BACKFILL else None
        if status == "failed":
            raise RunNotLoadable(f"run {crawl_run_id} failed and is not loaded: {failure}")
        cur.execute(
            """select warc_offset, capture_id, fetched_at, warc_length from raw.captures
               where crawl_run_id = %s and kind = 'page' and status = 200""",
            (crawl_run_id,),
        )
        captures = CaptureIndex(cur)
        cur.execute("""select warc_offset, redirected_from from raw.captures
                       where crawl_run_id = %s and kind = 'page' and status = 200 and redirected_from is not null""",
                    (crawl_run_id,))
        redirected_from = dict(cur.fetchall())
    if warc_uri is None:
        raise WarcGone(f"run {crawl_run_id}: its WARC was removed by archive retention (news_maintenance)")
    if not archive_store.exists(warc_uri):
        raise WarcGone(f"run {crawl_run_id}: WARC file {warc_uri} is missing from the archive")
    return source_slug, warc_uri, captures, dated, redirected_from


def _jobs(warc_uri: str, captures: CaptureIndex, source: Source, damaged: list[DamagedRecord]) -> Iterator[PageJob]:
    """A job per readable page record; the damaged ones go to ``damaged`` instead."""
    hints = hints_for(source)
    for record in archive_store.read_records(warc_uri, captures):
        if isinstance(record, DamagedRecord):
            log.error("%s: page not extracted, and fetched again by the next crawl", record.problem)
            damaged.append(record)
            continue
        yield PageJob(key=record.offset, url=record.url, body=record.body,
                      content_type=record.content_type, source=source.slug,
                      fetched_at=captures.fetched_at(record.offset), hints=hints)


def _record_damaged(cur: psycopg2.extensions.cursor, captures: CaptureIndex, damaged: list[DamagedRecord],
                    ledger: _LoadLedger) -> None:
    """Damaged records' captures marked failed, with what is wrong (marts.rejected_pages, the
    run's extraction errors in marts.crawl_health), and their URLs given to the run's failed-URL
    ledger: the page does not count as seen, and the source's next crawls fetch it again whatever
    their window (the damaged archive cannot be read again)."""
    ids = [captures.capture_id(record.offset) for record in damaged]
    _record_outcomes(cur, [(capture_id, "failed", f"{WARC_DAMAGED}: {record.problem}")
                           for capture_id, record in zip(ids, damaged, strict=True)])
    cur.execute("select capture_id, url from raw.captures where capture_id = any(%s)", (ids,))
    urls = dict(cur.fetchall())
    for capture_id, record in zip(ids, damaged, strict=True):
        ledger.add(Rejected(urls[capture_id], WARC_DAMAGED, record.problem))


def _record_outcomes(cur: psycopg2.extensions.cursor, outcomes: list[tuple[int, str, str | None]]) -> None:
    """Each page's extraction status on its capture row (rejected ones with their reason)."""
    if not outcomes:
        return
    execute_values(
        cur,
        """update raw.captures c set extraction_status = v.status, extraction_reason = v.reason
           from (values %s) as v (capture_id, status, reason) where c.capture_id = v.capture_id""",
        outcomes, template="(%s::bigint, %s, %s)", page_size=1000,
    )


def _record_run_counts(cur: psycopg2.extensions.cursor, crawl_run_id: str, counts: LoadCounts, rejected: int,
                       fields: FieldCounts) -> None:
    cur.execute(
        """update ops.crawl_runs set status = 'loaded', loaded_at = now(), articles_new = %s,
             articles_updated = %s, articles_unchanged = %s, pages_rejected = %s, articles_loaded = %s,
             articles_without_date = %s, articles_without_author = %s
           where crawl_run_id = %s""",
        (counts.new, counts.updated, counts.unchanged, rejected, fields.articles, fields.without_date,
         fields.without_author, crawl_run_id),
    )
