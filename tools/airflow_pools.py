"""Create or update one Airflow pool per crawled domain, from the source registry.

news_daily puts each source's crawl task in the pool `crawl_<home domain>` (dags/news_daily.py,
crawl_pool): whatever runs at once (the daily run, a backfill, a per-source DAG), at most
NEWS_CRAWL_POOL_SLOTS crawls (default 1) hit one site. A task whose pool does not exist is never
scheduled, so `make up` (tools/stack.sh) runs this before starting the scheduler.

    python tools/airflow_pools.py          # needs Airflow's metadata database (tools/env.sh)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dags"))

SLOTS_ENV = "NEWS_CRAWL_POOL_SLOTS"


def wanted_pools() -> dict[str, str]:
    """Pool name -> description, for every source in the registry (enabled or not)."""
    from news_daily import crawl_pool

    from common.sources import load_sources

    pools: dict[str, str] = {}
    for source in load_sources().values():
        pools.setdefault(crawl_pool(source), f"Concurrent crawls of {source.domains[0]}")
    return pools


def main() -> int:
    from airflow.models.pool import Pool

    slots = int(os.environ.get(SLOTS_ENV, "1"))
    for name, description in sorted(wanted_pools().items()):
        Pool.create_or_update_pool(name, slots, description, include_deferred=False)
        print(f"[airflow] pool {name}: {slots} slot(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
