"""A real crawl in a child process (python -m scrapy crawl), replaying the demo archive."""

from __future__ import annotations

from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from common.warehouse import transaction
from common.window import window_from_args
from scrapers.crawl_process import CrawlFailed, CrawlRequest, run_crawl
from tests.fixtures import DEMO_ARCHIVE

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast


@pytest.fixture()
def replay(monkeypatch: pytest.MonkeyPatch, archive_root: Path) -> Path:
    monkeypatch.setenv("REPLAY_WARC", str(DEMO_ARCHIVE))
    monkeypatch.setenv("NEWS_CRAWL_LOG_LEVEL", "WARNING")
    return archive_root


def test_crawl_captures_the_windows_pages_into_an_archived_warc(clean_warehouse: str, replay: Path) -> None:
    run_id = run_crawl(CrawlRequest("aljazeera", window_from_args("2026-11-19", "2026-11-19")))
    with transaction() as cur:
        cur.execute("select status, warc_uri, pages_fetched from ops.crawl_runs where crawl_run_id = %s", (run_id,))
        status, warc_uri, pages = cur.fetchone()
        cur.execute("select kind, url, warc_offset from raw.captures where crawl_run_id = %s", (run_id,))
        captures = cur.fetchall()
    assert status == "captured" and pages == len([c for c in captures if c[0] == "page"]) > 10
    kinds = {kind for kind, _, _ in captures}
    assert kinds == {"robots", "feed", "sitemap", "page"}
    page_urls = [url for kind, url, _ in captures if kind == "page"]
    assert all("/2026/11/19/" in url and "traffic_source" not in url for url in page_urls)
    warc = Path(warc_uri)
    assert warc.is_file() and warc.is_relative_to(replay)
    assert not list(replay.rglob("*.incoming")) and not list(replay.rglob("*.part"))
    with warc.open("rb") as stream:
        records = ArchiveIterator(stream)
        offsets = set()
        for record in records:
            record.content_stream().read()
            if record.rec_type == "response":
                offsets.add(records.get_record_offset())
    assert {offset for _, _, offset in captures} <= offsets


def test_a_crawl_that_reaches_no_feed_or_sitemap_fails_with_the_reason(
    clean_warehouse: str, replay: Path
) -> None:
    # The archive has nothing for 2026-10-01's dated sitemap, and the feed and news sitemap list
    # no article of that day: discovery works, there is simply no page. Point the crawl at a
    # window it cannot discover instead by replaying an archive of another site.
    with pytest.raises(CrawlFailed, match="no feed or sitemap was reachable"):
        run_crawl(CrawlRequest("aljazeera", window_from_args("2026-11-19", "2026-11-19")),
                  extra_env={"REPLAY_WARC": str(_empty_warc(replay.parent))})


def _empty_warc(folder: Path) -> Path:
    from warcio.warcwriter import WARCWriter

    path = folder / "empty.warc.gz"
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        writer.write_record(writer.create_warcinfo_record("empty.warc.gz", {"software": "test"}))
    return path


def test_a_run_loaded_in_small_batches_loads_every_article_once(
    clean_warehouse: str, replay: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transforms.load import run as run_load

    monkeypatch.setattr(run_load, "LOAD_BATCH_SIZE", 3)
    run_id = run_crawl(CrawlRequest("aljazeera", window_from_args("2026-11-19", "2026-11-19")))
    first = run_load.extract_and_load(run_id, workers=1)
    again = run_load.extract_and_load(run_id, workers=1)
    assert (first.counts.new, first.counts.updated, first.counts.unchanged) == (11, 0, 0)
    assert (again.counts.new, again.counts.updated, again.counts.unchanged) == (0, 0, 11)
    with transaction() as cur:
        cur.execute("select count(*), count(distinct url) from core.articles")
        assert cur.fetchone() == (11, 11)
        cur.execute("select status, articles_unchanged from ops.crawl_runs where crawl_run_id = %s", (run_id,))
        assert cur.fetchone() == ("loaded", 11)
