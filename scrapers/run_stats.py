"""Reading a crawl's stats (its news/* counters): light, for the crawl child and the task alike."""

from __future__ import annotations

from typing import Any


def reasons_text(stats: dict[str, Any], prefix: str) -> str:
    """'3 http_404, 1 timeout': the counters under ``prefix``, most frequent first."""
    counts = {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}
    return ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items(), key=lambda kv: -kv[1]))


def discovery_shortfall(stats: dict[str, Any]) -> str | None:
    """What discovery missed in a run that went on without it, or None when nothing was missed.

    Some feeds or sitemaps were unusable (a child sitemap answering 404, 5xx or garbage, a feed
    answering an error page with 200) while others were read: the run may have found fewer
    articles than the site listed, which its article count alone does not say.
    """
    failed = stats.get("news/discovery_failed", 0)
    read = stats.get("news/discovery_ok", 0)
    if not failed or not read:
        return None
    return (f"discovery partial: {failed} of {failed + read} feeds/sitemaps unusable "
            f"({reasons_text(stats, 'news/discovery_failed/')}); articles listed only there were not found")
