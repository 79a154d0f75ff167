"""ARCHIVE_ROOT=s3://bucket/prefix against a real S3 server on 127.0.0.1 (moto's server mode, a
separate process, addressed like MinIO in docker-compose.yaml: AWS_ENDPOINT_URL and keys).

A replay crawl publishes its WARC and stats file as objects; the load and news_reprocess (an
Airflow run) read the pages back with ranged requests, never the whole WARC; retention deletes
the old run's objects and keeps the recent one's; a WARC missing from the bucket fails loudly.
The bucket is checked with an S3 client of the test's own (s3fs given the endpoint and keys
outright), not through the code under test; the requests are counted from the server's log.
"""

from __future__ import annotations

import json
import logging
from io import BytesIO
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from common import archive_store
from common.archive_store import ArchiveError
from common.warehouse import transaction
from common.window import Window, parse_bound, window_from_args
from dags.tasks.maintenance import apply_retention
from dags.tasks.pipeline import runs_to_reprocess
from scrapers.crawl_process import CrawlRequest, run_crawl
from tests.fixtures import DEMO_ARCHIVE, PROJECT_ROOT
from tests.fixtures.demo_day import ZAMBIA, run_dag, snapshot
from tests.fixtures.s3_server import BUCKET, S3Server
from transforms.load.run import RunNotLoadable, extract_and_load

pytestmark = pytest.mark.airflow
def captures_of(run_id: str) -> list[tuple[str, str, int, int]]:
    with transaction() as cur:
        cur.execute("""select kind, url, warc_offset, warc_length from raw.captures
                       where crawl_run_id = %s order by warc_offset""", (run_id,))
        return cur.fetchall()


def test_crawl_load_reprocess_and_retention_with_the_archive_in_s3(
    clean_warehouse: str, s3_server: S3Server, s3_archive: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLAY_WARC", str(DEMO_ARCHIVE))
    monkeypatch.setenv("NEWS_SOURCES_EXTRA_DIRS", str(PROJECT_ROOT / "demo" / "sources"))
    monkeypatch.setenv("NEWS_CRAWL_LOG_LEVEL", "WARNING")
    runs = {source: run_crawl(CrawlRequest(source, window_from_args("2026-11-19", "2026-11-19")))
            for source in ("aljazeera", "news_repost")}

    # 1. Published: each run's WARC and stats file are objects under ARCHIVE_ROOT, named in the warehouse.
    keys = {source: f"{s3_archive}/{source}/2026/11/19/{run}" for source, run in runs.items()}
    with transaction() as cur:
        cur.execute("select crawl_run_id::text, warc_uri, pages_fetched from ops.crawl_runs")
        recorded = {run: (uri, pages) for run, uri, pages in cur.fetchall()}
        cur.execute("select distinct warc_uri from raw.captures")
        capture_uris = {row[0] for row in cur.fetchall()}
    for source, run in runs.items():
        assert recorded[run][0] == f"s3://{BUCKET}/{keys[source]}.warc.gz"
    assert capture_uris == {uri for uri, _ in recorded.values()}
    objects = s3_server.keys(s3_archive)
    assert set(objects) == {f"{key}{suffix}" for key in keys.values() for suffix in (".warc.gz", ".stats.json")}
    stats = json.loads(s3_server.get(f"{keys['aljazeera']}.stats.json"))
    assert stats["news/pages_ok"] == recorded[runs["aljazeera"]][1] > 10
    # Every capture's offset and length name one whole record of the object.
    for kind, url, offset, length in captures_of(runs["aljazeera"]):
        data = s3_server.get(f"{keys['aljazeera']}.warc.gz", offset, offset + length)
        record = next(iter(ArchiveIterator(BytesIO(data))))
        assert (record.rec_type, record.rec_headers.get_header("WARC-Target-URI")) == ("response", url), kind

    # 2. Load: the pages come back by ranged GETs (206), never the whole WARC.
    position = s3_server.log_size()
    loaded = {source: extract_and_load(run, workers=2) for source, run in runs.items()}
    assert (loaded["aljazeera"].counts.new, loaded["aljazeera"].counts.unchanged) == (11, 0)
    assert loaded["news_repost"].counts.new + loaded["news_repost"].counts.unchanged > 0
    warc_gets = [status for method, path, status in s3_server.requests_since(position)
                 if method == "GET" and path.endswith(".warc.gz")]
    assert warc_gets and set(warc_gets) == {206}, warc_gets
    pages = [c for c in captures_of(runs["aljazeera"]) if c[0] == "page"]
    assert len(warc_gets) < len(pages)  # neighbouring records merged into one request
    articles, versions, crawl_runs = snapshot()
    assert len(articles) >= 11

    # 3. news_reprocess, a real Airflow run, repairs a damaged article from the archived object.
    with transaction() as cur:
        cur.execute("update core.articles set body = 'Recommended Stories ...', content_hash = repeat('0', 64) "
                    "where url = %s", (ZAMBIA,))
    monkeypatch.delenv("REPLAY_WARC")  # and no network: a crawl could only fail
    position = s3_server.log_size()
    result = run_dag("news_reprocess", {"source": "aljazeera", "since": "2026-11-19", "until": "2026-11-20"},
                     f"s3://{BUCKET}/{s3_archive}", logical_date="2026-11-23")  # a run date of its own
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    repaired, repaired_versions, repaired_runs = snapshot()
    assert repaired_runs == crawl_runs  # nothing was crawled
    assert repaired[ZAMBIA][2] == articles[ZAMBIA][2] and repaired[ZAMBIA][1] == articles[ZAMBIA][1] + 1
    assert repaired_versions == versions + 1
    reprocess_gets = [(path, status) for method, path, status in s3_server.requests_since(position)
                      if method == "GET" and path.endswith(".warc.gz")]
    assert reprocess_gets and {status for _, status in reprocess_gets} == {206}
    assert {path.split("?")[0] for path, _ in reprocess_gets} == {f"/{BUCKET}/{keys['aljazeera']}.warc.gz"}

    # 4. Retention: the Al Jazeera crawl is 400 days old; its objects go, the reposter's stay.
    with transaction() as cur:
        cur.execute("update ops.crawl_runs set started_at = now() - interval '400 days', "
                    "finished_at = now() - interval '400 days' where crawl_run_id = %s", (runs["aljazeera"],))
    purged = apply_retention(365)
    assert (purged.runs, purged.files_deleted) == (1, 2)
    assert set(s3_server.keys(s3_archive)) == {f"{keys['news_repost']}{suffix}"
                                               for suffix in (".warc.gz", ".stats.json")}
    assert snapshot() == (repaired, repaired_versions, repaired_runs)  # every article and version kept
    with transaction() as cur:
        cur.execute("select warc_uri, (select count(*) from raw.captures c where c.crawl_run_id = r.crawl_run_id) "
                    "from ops.crawl_runs r where crawl_run_id = %s", (runs["aljazeera"],))
        assert cur.fetchone() == (None, 0)
    window = Window(parse_bound("2026-11-19"), parse_bound("2026-11-20"))
    with pytest.raises(RunNotLoadable, match="2026-11-19 \\(the WARCs of its 1 crawl run\\(s\\) were removed by archive"):
        runs_to_reprocess("aljazeera", window)  # nothing left to re-extract: said, not a success
    assert apply_retention(365).runs == 0  # repeatable: nothing left to purge

    # 5. A WARC gone from the bucket behind the warehouse's back fails loudly, before any work.
    s3_server.delete(f"{keys['news_repost']}.warc.gz")
    with pytest.raises(RunNotLoadable, match="missing from the archive"):
        runs_to_reprocess("news_repost", window)
    with pytest.raises(RunNotLoadable, match="missing from the archive"):
        extract_and_load(runs["news_repost"], workers=1)


def test_a_crawl_that_cannot_upload_its_warc_publishes_nothing_and_says_why(
    clean_warehouse: str, s3_server: S3Server, s3_archive: str, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ARCHIVE_ROOT", "s3://no-such-bucket/warcs")
    monkeypatch.setenv("REPLAY_WARC", str(DEMO_ARCHIVE))
    monkeypatch.setenv("NEWS_CRAWL_LOG_LEVEL", "WARNING")
    caplog.set_level(logging.INFO, logger="scrapers.crawl_process")
    # Found before the crawl starts (a write to the bucket is tried first), not after it.
    with pytest.raises(ArchiveError, match="could not write s3://no-such-bucket/warcs: .*Check that the bucket "
                                           "in ARCHIVE_ROOT exists"):
        run_crawl(CrawlRequest("aljazeera", window_from_args("2026-11-19", "2026-11-19")))
    assert "starting crawl" not in caplog.text
    with transaction() as cur:
        cur.execute("select (select count(*) from ops.crawl_runs), (select count(*) from raw.captures)")
        assert cur.fetchone() == (0, 0)


def test_locations_under_a_local_or_an_s3_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ARCHIVE_ROOT", "s3://news-archive/warcs/")
    assert archive_store.archive_root() == "s3://news-archive/warcs"
    warc = archive_store.join(archive_store.archive_root(), "aljazeera", "2026", "11", "19", "run.warc.gz")
    assert warc == "s3://news-archive/warcs/aljazeera/2026/11/19/run.warc.gz" and archive_store.is_remote(warc)
    assert archive_store.stats_location(warc) == "s3://news-archive/warcs/aljazeera/2026/11/19/run.stats.json"
    monkeypatch.setenv("ARCHIVE_ROOT", str(tmp_path))  # a local root: plain paths, as always
    local = archive_store.join(archive_store.archive_root(), "aljazeera", "run.warc.gz")
    assert local == str(tmp_path / "aljazeera" / "run.warc.gz") and not archive_store.is_remote(local)
    monkeypatch.setenv("ARCHIVE_ROOT", f"file://{tmp_path}")
    assert archive_store.archive_root() == str(tmp_path)


def test_ranged_reads_merge_near_records_into_bounded_requests() -> None:
    gap, block = archive_store.RANGE_MERGE_GAP, archive_store.RANGE_BLOCK_BYTES
    spans = {0: 100, 150: 100, 150 + 100 + gap + 1: 50, 10 * block: block - 10, 11 * block - 5: 20}
    blocks = [(b.start, b.end, b.offsets) for b in archive_store._blocks(spans)]
    assert blocks == [(0, 250, [0, 150]),  # a small gap: one request
                      (gap + 251, gap + 301, [gap + 251]),  # a gap past the limit: a request of its own
                      (10 * block, 11 * block - 10, [10 * block]),
                      (11 * block - 5, 11 * block + 15, [11 * block - 5])]  # merging would pass the block size
