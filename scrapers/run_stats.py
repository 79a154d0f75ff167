"""Reading a crawl's stats (its news/* counters): light, for the crawl child and the task alike."""

from __future__ import annotations

from typing import Any

# The line a crawl child prints when it ends without publishing its run because something broke
# (the WARC could not be written, the archive or the warehouse refused it): the task that started
# it puts the reason in its own error instead of only "recorded no run".
NOT_PUBLISHED_PREFIX = "crawl not published: "


def reasons_text(stats: dict[str, Any], prefix: str) -> str:
    """'3 http_404, 1 timeout': the counters under ``prefix``, most frequent first."""
    counts = {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}
    return ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items(), key=lambda kv: -kv[1]))


# Listings a run knew of and did not fetch, by design of its bounds: counter -> what it counts.
UNFETCHED_LISTINGS = {
    "news/sitemap_children_over_limit": "child sitemap(s) past SITEMAP_CHILD_LIMIT",
    "news/sitemap_children_too_deep": "child sitemap(s) nested deeper than the crawl follows",
    "news/feed_pages_over_limit": "feed page(s) past FEED_PAGE_LIMIT",
}


def unfetched_listings(stats: dict[str, Any]) -> int:
    """Listings the run knew of and left unread at one of its bounds."""
    return sum(int(stats.get(counter, 0)) for counter in UNFETCHED_LISTINGS)


def discovery_shortfall(stats: dict[str, Any]) -> str | None:
    """What discovery missed in a run that went on without it, or None when nothing was missed.

    Some feeds or sitemaps were unusable (a child sitemap answering 404, 5xx or garbage, a feed
    answering an error page with 200) while others were read, or listed ones were left unread at
    the run's bounds (too many child sitemaps, indexes nested too deep, a feed paged past its
    limit): the run may have found fewer articles than the site listed, which its article count
    alone does not say.
    """
    failed = stats.get("news/discovery_failed", 0)
    read = stats.get("news/discovery_ok", 0)
    unfetched = unfetched_listings(stats)
    if not (failed or unfetched) or not read:
        return None
    missed = []
    if failed:
        missed.append(f"{failed} of {failed + read} feeds/sitemaps unusable "
                      f"({reasons_text(stats, 'news/discovery_failed/')})")
    missed += [f"{stats[counter]} {what} not fetched" for counter, what in UNFETCHED_LISTINGS.items()
               if stats.get(counter)]
    return f"discovery partial: {'; '.join(missed)}; articles listed only there were not found"
