"""news_reprocess (re-extract from archived WARCs, no crawl, idempotent) and news_maintenance
(retention never touches an article, VACUUM ANALYZE, mart refresh), each run through Airflow."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.warehouse import transaction
from common.window import window_from_args
from dags.tasks.pipeline import runs_to_reprocess
from scrapers.crawl_process import CrawlRequest, run_crawl
from tests.fixtures import DEMO_ARCHIVE, PROJECT_ROOT
from tests.fixtures.demo_day import ZAMBIA, run_dag, snapshot
from transforms.load.run import extract_and_load

pytestmark = pytest.mark.airflow
@pytest.fixture()
def loaded(clean_warehouse: str, archive_root: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The demo's 19 Nov crawled (replay) and loaded, for both sources."""
    monkeypatch.setenv("REPLAY_WARC", str(DEMO_ARCHIVE))
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(PROJECT_ROOT / "demo" / "sources"))
    monkeypatch.setenv("NEWS_CRAWL_LOG_LEVEL", "WARNING")
    runs = {}
    for source in ("aljazeera", "news_repost"):
        runs[source] = run_crawl(CrawlRequest(source, window_from_args("2026-11-19", "2026-11-19")))
        extract_and_load(runs[source], workers=2)
    monkeypatch.delenv("REPLAY_WARC")
    return runs


def test_reprocess_reextracts_from_the_archive_without_crawling_and_is_idempotent(
    loaded: dict[str, str], archive_root: Path
) -> None:
    good, versions, runs = snapshot()
    # What an older extractor might have left: a wrong body for one article.
    with transaction() as cur:
        cur.execute("update core.articles set body = 'Recommended Stories ...', content_hash = repeat('0', 64) "
                    "where url = %s", (ZAMBIA,))

    conf = {"source": "aljazeera", "since": "2026-11-19", "until": "2026-11-20"}
    first = run_dag("news_reprocess", conf, archive_root)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-3000:]
    after, after_versions, after_runs = snapshot()
    assert after_runs == runs  # nothing was crawled
    assert after[ZAMBIA][0] == good[ZAMBIA][0] and after[ZAMBIA][2] == good[ZAMBIA][2]
    assert after[ZAMBIA][1] == good[ZAMBIA][1] + 1  # the repaired content is a new version
    assert after_versions == versions + 1
    assert {u: v for u, v in after.items() if u != ZAMBIA} == {u: v for u, v in good.items() if u != ZAMBIA}

    again = run_dag("news_reprocess", conf, archive_root)
    assert again.returncode == 0, again.stderr[-3000:]
    assert snapshot() == (after, after_versions, after_runs)  # idempotent


def test_maintenance_drops_old_captures_and_warcs_but_never_an_article(
    loaded: dict[str, str], archive_root: Path
) -> None:
    articles, versions, runs = snapshot()
    with transaction() as cur:
        cur.execute("select crawl_run_id::text, warc_uri from ops.crawl_runs")
        warcs = dict(cur.fetchall())
        # The Al Jazeera crawl is 400 days old; the reposter's is recent.
        cur.execute("update ops.crawl_runs set started_at = now() - interval '400 days', "
                    "finished_at = now() - interval '400 days' where crawl_run_id = %s", (loaded["aljazeera"],))
    old_warc = Path(warcs[loaded["aljazeera"]])
    new_warc = Path(warcs[loaded["news_repost"]])
    assert old_warc.is_file() and new_warc.is_file()

    result = run_dag("news_maintenance", {"retention_days": 365}, archive_root)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]

    assert not old_warc.exists() and not old_warc.with_name(old_warc.name.replace(".warc.gz", ".stats.json")).exists()
    assert new_warc.is_file()
    with transaction() as cur:
        cur.execute("select crawl_run_id::text, warc_uri, (select count(*) from raw.captures c "
                    "where c.crawl_run_id = r.crawl_run_id) from ops.crawl_runs r")
        state = {run: (uri, captures) for run, uri, captures in cur.fetchall()}
        cur.execute("select last_analyze is not null or last_autoanalyze is not null from pg_stat_user_tables "
                    "where schemaname = 'core' and relname = 'articles'")
        analyzed = cur.fetchone()[0]
    assert state[loaded["aljazeera"]] == (None, 0)
    assert state[loaded["news_repost"]][0] == str(new_warc) and state[loaded["news_repost"]][1] > 0
    assert snapshot() == (articles, versions, runs)  # every article and version kept
    assert analyzed
    # Reprocessing the purged days fails, saying the WARCs went with retention (not "0 runs", success).
    from common.window import Window, parse_bound
    from transforms.load.run import RunNotLoadable

    with pytest.raises(RunNotLoadable, match="2026-11-19 \\(the WARCs of its 1 crawl run\\(s\\) were removed"):
        runs_to_reprocess("aljazeera", Window(parse_bound("2026-11-19"), parse_bound("2026-11-20")))


def test_maintenance_fails_naming_an_old_crawl_never_loaded_and_keeps_its_warc(
    loaded: dict[str, str], archive_root: Path
) -> None:
    with transaction() as cur:
        cur.execute("update ops.crawl_runs set finished_at = now() - interval '400 days'")
        # The reposter's load task was killed after its crawl committed: published, never loaded.
        cur.execute("update ops.crawl_runs set status = 'captured', loaded_at = null where crawl_run_id = %s",
                    (loaded["news_repost"],))
        cur.execute("select crawl_run_id::text, warc_uri from ops.crawl_runs")
        warcs = {run: Path(uri) for run, uri in cur.fetchall()}

    result = run_dag("news_maintenance", {"retention_days": 365}, archive_root)
    assert result.returncode != 0
    shown = result.stdout + result.stderr
    assert f"news_repost run {loaded['news_repost']} (2026-11-19, finished" in shown, shown[-3000:]
    assert "were never loaded" in shown
    assert not warcs[loaded["aljazeera"]].exists()  # the loaded run's purge went ahead
    assert warcs[loaded["news_repost"]].is_file()
    with transaction() as cur:
        cur.execute("select warc_uri, status from ops.crawl_runs where crawl_run_id = %s", (loaded["news_repost"],))
        assert cur.fetchone() == (str(warcs[loaded["news_repost"]]), "captured")


def test_retention_refuses_a_zero_day_age() -> None:
    from dags.tasks.maintenance import retention_days

    with pytest.raises(ValueError, match="at least 1 day"):
        retention_days(0)
    assert retention_days(None) >= 1
