"""Keep one Airflow pool per crawled domain in step with the source registry.

news_daily puts each source's crawl task in the pool `crawl_<home domain>` (dags/news_daily.py,
crawl_pool): whatever runs at once (the daily run, a backfill, a per-source DAG), at most
NEWS_CRAWL_POOL_SLOTS crawls (default 1) hit one site. A task whose pool does not exist is never
scheduled: it waits in "scheduled" with nothing in its log. Neither a task nor the DAG processor
may write Airflow's metadata in Airflow 3, so the stack runs this tool:

    python tools/airflow_pools.py           # reconcile once (make up, running stack or not)
    python tools/airflow_pools.py --watch   # the stack's pool keeper: reconcile whenever the
                                            # registry changes (checked every NEWS_POOL_WATCH_SECONDS, 10)

Reconciling creates missing pools and sets every crawl pool's slots; a `crawl_*` pool no source
uses any more is reported, not deleted (a running task may still hold a slot of it).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dags"))

SLOTS_ENV = "NEWS_CRAWL_POOL_SLOTS"
WATCH_SECONDS_ENV = "NEWS_POOL_WATCH_SECONDS"
POOL_PREFIX = "crawl_"



def say(message: str) -> None:
    # print, not logging: importing Airflow reconfigures logging under this process's feet.
    print(f"[pools] {message}", file=sys.stderr, flush=True)


def wanted_pools() -> dict[str, str]:
    """Pool name -> description, for every source in the registry (enabled or not)."""
    from news_daily import crawl_pool

    from common.sources import load_sources

    pools: dict[str, str] = {}
    for source in load_sources().values():
        pools.setdefault(crawl_pool(source), f"Concurrent crawls of {source.domains[0]}")
    return pools


def registry_fingerprint() -> str:
    """Changes whenever a source file is added, removed or edited (names, sizes, mtimes)."""
    from common.sources import source_dirs

    digest = hashlib.sha256()
    for folder in source_dirs():
        for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def reconcile(slots: int) -> list[str]:
    """Create or update the wanted pools; the names of pools that were missing."""
    from airflow.models.pool import Pool

    existing = {pool.pool: pool for pool in Pool.get_pools()}
    created = []
    wanted = wanted_pools()
    for name, description in sorted(wanted.items()):
        pool = existing.get(name)
        if pool is not None and pool.slots == slots and pool.description == description:
            continue
        Pool.create_or_update_pool(name, slots, description, include_deferred=False)
        if pool is None:
            created.append(name)
            say(f"pool {name} created: {slots} slot(s)")
        else:
            say(f"pool {name} updated: {slots} slot(s)")
    stale = sorted(n for n in existing if n.startswith(POOL_PREFIX) and n not in wanted)
    if stale:
        say(f"pools no configured source uses (left in place; delete them in the UI): {', '.join(stale)}")
    say(f"{len(wanted)} crawl pool(s) match the source registry ({slots} slot(s) each)")
    return created


def watch(slots: int, interval: float) -> None:
    """Reconcile at start and whenever the registry's fingerprint changes, until killed."""
    seen = None
    while True:
        try:
            current = registry_fingerprint()
            if current != seen:
                reconcile(slots)
                seen = current
        except Exception as exc:  # a broken source file must not stop the keeper; it retries next round
            say(f"could not reconcile the crawl pools ({type(exc).__name__}: {exc}); retrying in {interval:.0f} s")
        time.sleep(interval)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watch", action="store_true", help="keep reconciling when the registry changes")
    args = parser.parse_args()
    slots = int(os.environ.get(SLOTS_ENV, "1"))
    if args.watch:
        watch(slots, float(os.environ.get(WATCH_SECONDS_ENV, "10")))
    reconcile(slots)
    return 0


if __name__ == "__main__":
    sys.exit(main())
