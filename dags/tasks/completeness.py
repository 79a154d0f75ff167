"""Completeness checks of the quality gate: did the source's run bring what its recent past says
it should?

Each check compares the run (or its window) with the source's own recent history, so one
threshold fits a source of 5 articles a day and one of 500:

- ``zero_articles``: no article in the window although the source's recent crawled days had some.
- ``low_volume``: the window's articles per day far below the trailing daily median.
- ``allow_reject_jump``: the share of feed and sitemap URLs the allow/deny patterns reject rose
  (a redesign that moved the articles to URLs the patterns miss).
- ``missing_date_jump`` / ``missing_author_jump``: the share of articles without a date, or
  without an author, rose (a template change the extractor no longer reads).
- ``discovery_partial``: some of the run's feeds or sitemaps were unusable while others were
  read (a child sitemap answering 404, a feed answering an error page), or listed ones were left
  unread at the crawl's bounds (SITEMAP_CHILD_LIMIT, nesting depth): always a warning.
- ``listing_stale``: a feed or sitemap answered but listed nothing dated in the window or later
  (frozen, or empty) while the source's recent days say it publishes: always a warning, naming
  the listing (the others may have brought the window's articles, so the count alone is silent).

Thresholds and what a failing check does ("fail", "warn", "off") come from the source's
``[quality]`` table (common/sources.py, README "Completeness checks").
"""

from __future__ import annotations

import logging
import statistics
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from common.sources import Quality, Source
from common.warehouse import transaction
from scrapers.run_stats import discovery_shortfall, unfetched_listings

log = logging.getLogger(__name__)

# Below these, history or the run is too small to say anything: the check does not run.
MIN_BASELINE_DAYS = 3  # crawled days behind a volume median
MIN_BASELINE_RUNS = 3  # runs behind a share median
MIN_LISTED_URLS = 10  # feed + sitemap URLs behind a reject share
MIN_ARTICLES = 5  # articles behind a missing-field share
DAY = timedelta(days=1)


@dataclass(frozen=True)
class CheckFailure:
    """One completeness check that did not pass, with the numbers behind it."""

    check: str
    action: str  # fail | warn
    message: str
    value: float
    baseline: float
    threshold: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RunFacts:
    source: str
    window_start: datetime
    window_end: datetime
    finished_at: datetime
    listed_urls: int
    rejected_urls: int
    articles_loaded: int | None
    without_date: int | None
    without_author: int | None
    stats: dict[str, Any]  # the crawl's counters (ops.crawl_runs.stats)


def check_completeness(source: Source, crawl_run_id: str) -> list[CheckFailure]:
    """The checks of ``source.quality`` that fail for the run (those set to "off" are skipped)."""
    quality = source.quality
    with transaction() as cur:
        run = _run_facts(cur, crawl_run_id)
        failures = []
        stale = run.stats.get("news/listings_stale_detail") or []
        days = (_trailing_daily_counts(cur, source.slug, run.window_start, quality.baseline_days)
                if stale or quality.on_zero_articles != "off" or quality.on_low_volume != "off" else [])
        if quality.on_zero_articles != "off" or quality.on_low_volume != "off":
            in_window = _articles_in(cur, source.slug, run.window_start, run.window_end)
            failures += _volume_checks(quality, run, in_window, days)
        if quality.on_allow_reject_jump != "off":
            failures += _reject_share_check(quality, run, _trailing_reject_shares(cur, run, quality.baseline_days))
        if quality.on_missing_fields_jump != "off":
            failures += _missing_field_checks(quality, run, _trailing_field_shares(cur, run, quality.baseline_days))
        failures += _discovery_check(run.stats)
        failures += _stale_listing_check(run, stale, days)
    for failure in failures:
        log.warning("%s run %s: %s check (%s): %s", source.slug, crawl_run_id, failure.check, failure.action,
                    failure.message)
    return failures


# --- the checks ---------------------------------------------------------------------------------

def _volume_checks(quality: Quality, run: RunFacts, in_window: int, days: list[int]) -> list[CheckFailure]:
    if not days:
        return []  # a new source: no history to compare with
    median = statistics.median(days)
    window_days = _window_days(run)
    per_day = in_window / window_days
    history = f"the {len(days)} crawled days before had {sum(days)} (median {median:g} a day)"
    if in_window == 0 and sum(days) > 0 and quality.on_zero_articles != "off":
        return [CheckFailure("zero_articles", quality.on_zero_articles,
                             f"0 articles in the window {_span(run)}; {history}", 0, median, 0)]
    threshold = quality.min_volume_ratio * median
    if (quality.on_low_volume != "off" and len(days) >= MIN_BASELINE_DAYS and threshold >= 1
            and per_day < threshold):
        return [CheckFailure("low_volume", quality.on_low_volume,
                             f"{in_window} articles in the window {_span(run)} ({per_day:.3g} a day), under "
                             f"{quality.min_volume_ratio:.0%} of the median: {history}",
                             round(per_day, 3), median, round(threshold, 3))]
    return []


def _reject_share_check(quality: Quality, run: RunFacts, shares: list[float]) -> list[CheckFailure]:
    if run.listed_urls < MIN_LISTED_URLS or len(shares) < MIN_BASELINE_RUNS:
        return []
    share = run.rejected_urls / run.listed_urls
    median = statistics.median(shares)
    if share - median < quality.allow_reject_jump:
        return []
    return [CheckFailure(
        "allow_reject_jump", quality.on_allow_reject_jump,
        f"the allow/deny patterns rejected {share:.0%} of the {run.listed_urls} URLs the feeds and sitemaps "
        f"listed ({run.rejected_urls}), against a median of {median:.0%} over the last {len(shares)} runs "
        f"(a rise of {(share - median) * 100:.0f} points; threshold {quality.allow_reject_jump * 100:.0f})",
        round(share, 3), round(median, 3), quality.allow_reject_jump)]


def _discovery_check(stats: dict[str, Any]) -> list[CheckFailure]:
    shortfall = discovery_shortfall(stats)
    if shortfall is None:
        return []
    missed = stats.get("news/discovery_failed", 0) + unfetched_listings(stats)
    return [CheckFailure("discovery_partial", "warn", shortfall, missed,
                         missed + stats.get("news/discovery_ok", 0), 0)]


def _stale_listing_check(run: RunFacts, stale: list[str], days: list[int]) -> list[CheckFailure]:
    """Listings that answered with nothing of the window, where history expects at least one
    article in it: a quiet source's feed (a few articles a week) is old most days by nature."""
    if not stale or not days:
        return []
    median = statistics.median(days)
    if median * _window_days(run) < 1:
        return []
    return [CheckFailure(
        "listing_stale", "warn",
        f"{len(stale)} feed(s)/sitemap(s) answered but list nothing of the window {_span(run)} or later, "
        f"although the source's {len(days)} crawled days before had a median of {median:g} articles a day "
        f"(frozen or emptied; articles listed only there were not found): {'; '.join(stale)}",
        len(stale), median, 0)]


def _window_days(run: RunFacts) -> float:
    return max((run.window_end - run.window_start) / DAY, 1 / 24)


def _missing_field_checks(quality: Quality, run: RunFacts,
                          history: list[tuple[float, float]]) -> list[CheckFailure]:
    if not run.articles_loaded or run.articles_loaded < MIN_ARTICLES or len(history) < MIN_BASELINE_RUNS:
        return []
    failures = []
    current = {"date": (run.without_date or 0) / run.articles_loaded,
               "author": (run.without_author or 0) / run.articles_loaded}
    for position, field in enumerate(("date", "author")):
        median = statistics.median(h[position] for h in history)
        share = current[field]
        if share - median >= quality.missing_field_jump:
            failures.append(CheckFailure(
                f"missing_{field}_jump", quality.on_missing_fields_jump,
                f"{share:.0%} of the run's {run.articles_loaded} articles have no {field}, against a median of "
                f"{median:.0%} over the last {len(history)} runs (a rise of {(share - median) * 100:.0f} points; "
                f"threshold {quality.missing_field_jump * 100:.0f})",
                round(share, 3), round(median, 3), quality.missing_field_jump))
    return failures


def _span(run: RunFacts) -> str:
    return f"{run.window_start:%Y-%m-%d %H:%M}..{run.window_end:%Y-%m-%d %H:%M} UTC"


# --- what the warehouse says ------------------------------------------------------------------

def _run_facts(cur: Any, crawl_run_id: str) -> RunFacts:
    cur.execute(
        """select source, window_start, window_end, finished_at,
                  coalesce((stats->>'news/feed_items')::int, 0) + coalesce((stats->>'news/sitemap_urls')::int, 0),
                  coalesce((stats->>'news/skipped_not_article_url')::int, 0),
                  articles_loaded, articles_without_date, articles_without_author, stats
           from ops.crawl_runs where crawl_run_id = %s""",
        (crawl_run_id,),
    )
    row = cur.fetchone()
    if row is None:
        raise ValueError(f"run {crawl_run_id} is not in ops.crawl_runs")
    return RunFacts(*row)


def _articles_in(cur: Any, source: str, start: datetime, end: datetime) -> int:
    """The source's articles of [start, end): published then, or undated and captured by a run
    of that window (an undated article has no other day)."""
    cur.execute(
        """with window_runs as (
               select crawl_run_id from ops.crawl_runs
               where source = %(source)s and window_start >= %(start)s and window_end <= %(end)s)
           select (select count(*) from core.articles
                   where source = %(source)s and published_at >= %(start)s and published_at < %(end)s)
                + (select count(*) from core.articles a
                   where a.source = %(source)s and a.published_at is null
                     -- last written by one of the window's runs, or captured by one as fetched
                     and (a.crawl_run_id in (select crawl_run_id from window_runs)
                          or a.url in (select c.normalized_url from raw.captures c
                                       where c.crawl_run_id in (select crawl_run_id from window_runs)
                                         and c.kind = 'page' and c.extraction_status = 'article')))""",
        {"source": source, "start": start, "end": end},
    )
    return int(cur.fetchone()[0])


def _trailing_daily_counts(cur: Any, source: str, start: datetime, days: int) -> list[int]:
    """Articles published on each of the ``days`` days before ``start`` that a loaded run of the
    source covered (days before the source was crawled are no evidence of anything)."""
    cur.execute(
        """select (select count(*) from core.articles a
                   where a.source = %(source)s
                     and a.published_at >= d.day and a.published_at < d.day + interval '1 day')
           from generate_series(%(start)s::timestamptz - make_interval(days => %(days)s),
                                %(start)s::timestamptz - interval '1 day', interval '1 day') as d (day)
           where exists (select from ops.crawl_runs r
                         where r.source = %(source)s and r.status = 'loaded'
                           and r.window_start <= d.day and r.window_end >= d.day + interval '1 day')
           order by d.day""",
        {"source": source, "start": start, "days": days},
    )
    return [int(n) for (n,) in cur.fetchall()]


def _trailing_reject_shares(cur: Any, run: RunFacts, runs: int) -> list[float]:
    cur.execute(
        """select listed, rejected from (
             select coalesce((stats->>'news/feed_items')::int, 0) + coalesce((stats->>'news/sitemap_urls')::int, 0)
                      as listed,
                    coalesce((stats->>'news/skipped_not_article_url')::int, 0) as rejected, finished_at
             from ops.crawl_runs
             where source = %s and status in ('captured', 'loaded') and finished_at < %s) r
           where listed >= %s order by finished_at desc limit %s""",
        (run.source, run.finished_at, MIN_LISTED_URLS, runs),
    )
    return [rejected / listed for listed, rejected in cur.fetchall()]


def _trailing_field_shares(cur: Any, run: RunFacts, runs: int) -> list[tuple[float, float]]:
    cur.execute(
        """select articles_loaded, articles_without_date, articles_without_author from ops.crawl_runs
           where source = %s and status = 'loaded' and finished_at < %s and articles_loaded >= %s
           order by finished_at desc limit %s""",
        (run.source, run.finished_at, MIN_ARTICLES, runs),
    )
    return [(undated / loaded, authorless / loaded) for loaded, undated, authorless in cur.fetchall()]
