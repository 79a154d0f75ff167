"""news_daily end to end through Airflow (dag.test in a child process) on the demo archive."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.conftest import DEMO_ARCHIVE, PROJECT_ROOT
from transforms.warehouse import transaction

UTC = timezone.utc
AJ = "https://www.aljazeera.com"
# From demo/site/README.md: what the demo's article pages must load as.
EXPECTED = {
    f"{AJ}/news/2026/11/19/power-restored-to-most-of-uruguay-after-nationwide-blackout":
        ("Power restored to most of Uruguay after nationwide blackout", datetime(2026, 11, 19, 0, 20, tzinfo=UTC), ["Al Jazeera Staff"]),
    f"{AJ}/news/2026/11/19/chile-lifts-evacuation-order-as-ash-alert-eases-near-villarrica":
        ("Chile lifts evacuation order as ash alert eases near Villarrica", datetime(2026, 11, 19, 4, 5, 12, tzinfo=UTC), ["Al Jazeera Staff"]),
    f"{AJ}/features/2026/11/19/the-seed-keepers-of-the-high-atlas":
        ("The seed keepers of the High Atlas", datetime(2026, 11, 19, 6, 0, tzinfo=UTC), ["Leila Benhaddou"]),
    f"{AJ}/opinions/2026/11/19/cities-cannot-beat-extreme-heat-without-their-street-vendors":
        ("Cities cannot beat extreme heat without their street vendors", datetime(2026, 11, 19, 8, 30, tzinfo=UTC), ["Nadia Ferreira-Lowe"]),
    f"{AJ}/news/2026/11/19/zambia-rations-electricity-as-kariba-dam-water-falls-to-record-low":
        ("Zambia rations electricity as Kariba Dam water falls to record low", datetime(2026, 11, 19, 9, 47, 21, tzinfo=UTC), ["Al Jazeera Staff"]),
    f"{AJ}/news/2026/11/19/sao-tome-and-principes-cocoa-growers-win-fight-over-export-levy":
        ("São Tomé and Príncipe’s cocoa growers win fight over export levy", datetime(2026, 11, 19, 11, 20, tzinfo=UTC), ["Inês Carvalho"]),
    f"{AJ}/news/2026/11/19/container-backlog-grows-as-chittagong-port-strike-enters-second-week":
        ("Container backlog grows as Chittagong port strike enters second week", datetime(2026, 11, 19, 13, 5, 44, tzinfo=UTC), ["Priya Raghunathan", "Tanvir Ahmed Chowdhury"]),
    f"{AJ}/economy/2026/11/19/why-kenyas-central-bank-surprised-markets-with-a-rate-cut":
        ("Why Kenya’s central bank surprised markets with a rate cut", datetime(2026, 11, 19, 14, 40, tzinfo=UTC), ["Faith Wambui"]),
    f"{AJ}/sports/2026/11/19/nepal-stun-ireland-by-three-wickets-in-kathmandu-tri-series-opener":
        ("Nepal stun Ireland by three wickets in Kathmandu tri-series opener", datetime(2026, 11, 19, 17, 15, 30, tzinfo=UTC), ["Sam Whitfield"]),
    f"{AJ}/news/2026/11/19/greek-coastguard-rescues-41-people-after-boat-capsizes-south-of-crete":
        ("Greek coastguard rescues 41 people after boat capsizes south of Crete", datetime(2026, 11, 19, 19, 50, tzinfo=UTC), ["Al Jazeera and news agencies"]),
    f"{AJ}/news/2026/11/19/jordan-opens-first-stage-of-aqaba-desalination-plant-amid-water-crisis":
        ("Jordan opens first stage of Aqaba desalination plant amid water crisis", datetime(2026, 11, 19, 23, 30, tzinfo=UTC), ["Rania Khalil"]),
    "https://news-repost.example/2026/11/19/cocoa-growers-in-sao-tome-and-principe-win-export-levy-dispute/":
        ("Cocoa Growers in São Tomé and Príncipe Win Export Levy Dispute", datetime(2026, 11, 19, 15, 2, 11, tzinfo=UTC), ["Jordan Ellis"]),
}
REPOST = "https://news-repost.example/2026/11/19/cocoa-growers-in-sao-tome-and-principe-win-export-levy-dispute/"


def run_news_daily(archive_root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REPLAY_WARC": str(DEMO_ARCHIVE), "ARCHIVE_ROOT": str(archive_root),
           "NEWS_SOURCES_EXTRA_DIRS": str(PROJECT_ROOT / "demo" / "sources")}
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "tools" / "run_dag.py"), "news_daily", "--logical-date", "2026-11-20"],
        env=env, capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT,
    )


@pytest.mark.airflow
def test_news_daily_loads_the_days_articles_once(clean_warehouse: str, archive_root: Path) -> None:
    first = run_news_daily(archive_root)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]

    with transaction() as cur:
        cur.execute("select url, title, published_at, authors, body, original_source, version from core.articles")
        rows = {r[0]: r[1:] for r in cur.fetchall()}
        cur.execute("select source, status, articles_new, pages_rejected from ops.crawl_runs order by source")
        runs = cur.fetchall()
        cur.execute("select url, extraction_reason from raw.captures where extraction_status = 'rejected'")
        rejected = dict(cur.fetchall())
    assert set(rows) == set(EXPECTED)
    for url, (title, published, authors) in EXPECTED.items():
        assert rows[url][:3] == (title, published, authors), url
    assert runs == [("aljazeera", "loaded", 11, 2), ("news_repost", "loaded", 1, 0)]
    assert {url.split("/")[3] for url in rejected} == {"news", "video"}
    assert [r.split(":")[0] + ":" + r.split(":")[1] for r in sorted(rejected.values())] == [
        "not_article:liveblog", "not_article:video"]

    repost_body, original_source = rows[REPOST][3], rows[REPOST][4]
    assert original_source == "www.aljazeera.com"
    for tail in ("Leave a Reply", "Your email address will not be published", "Original Source"):
        assert tail not in repost_body
    assert repost_body.rstrip().endswith(".")
    zambia = rows[f"{AJ}/news/2026/11/19/zambia-rations-electricity-as-kariba-dam-water-falls-to-record-low"][3]
    assert "Recommended Stories" not in zambia

    # The same run again: nothing new, every article unchanged, no new versions.
    second = run_news_daily(archive_root)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    with transaction() as cur:
        cur.execute("""select articles_new, articles_updated, articles_unchanged from ops.crawl_runs
                       order by finished_at desc limit 2""")
        assert sorted(cur.fetchall()) == [(0, 0, 1), (0, 0, 11)]
        cur.execute("select count(*), max(version) from core.article_versions")
        assert cur.fetchone() == (12, 1)
