"""Archive backfill's parts without Airflow: which files, which records, replay's keys and misses."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from common.sources import load_sources
from common.warc_index import scan_records
from common.window import Window, parse_bound
from scrapers.archive_backfill import ArchiveListingError, archive_files, scan_archive
from scrapers.replay import NOT_IN_ARCHIVE, NotInArchive, ReplayMiddleware, index_archive, replay_paths
from tests.fixtures.cc_news import (
    AJ,
    BACKFILL_SINCE,
    BACKFILL_UNTIL,
    DW,
    TWICE,
    TWICE_FIRST_BODY,
    build_cc_news_backfill,
    dated_page,
    write_capture,
)

WINDOW = Window(parse_bound(BACKFILL_SINCE), parse_bound(BACKFILL_UNTIL))


def _warcio_records(path: Path) -> list[tuple[str, str, int]]:
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI") or "", records.get_record_offset())
                for r in records]


def _every_url(url: str) -> bool:
    return True


def test_passing_over_payloads_finds_the_same_members_in_a_multi_site_archive(tmp_path: Path) -> None:
    pattern = build_cc_news_backfill(tmp_path / "ccnews")
    for path in replay_paths(str(pattern)):
        assert list(scan_records(path, skip=_every_url)) == list(scan_records(path))
    # A member whose payload hides a gzip header (a stored .gz page): not taken for the next record.
    path = tmp_path / "tricky.warc.gz"
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True, warc_version="1.0")
        inner = tmp_path / "inner.warc.gz"
        with inner.open("wb") as inner_stream:
            write_capture(WARCWriter(inner_stream, gzip=True), f"{AJ}/news/2026/11/20/inside", b"<p>x</p>",
                          "2026-11-20T10:00:00Z")
        write_capture(writer, "https://files.example/archive.warc.gz", inner.read_bytes() * 3, "2026-11-20T10:00:00Z")
        write_capture(writer, f"{AJ}/news/2026/11/20/after", dated_page("After", "Body.", None), "2026-11-20T11:00:00Z")
    heads = list(scan_records(path, skip=_every_url))
    assert heads == list(scan_records(path))
    assert [h.url for h in heads if h.record_type == "response"] == [
        "https://files.example/archive.warc.gz", f"{AJ}/news/2026/11/20/after"]


@pytest.mark.parametrize("gzip", [True, False])
def test_scanning_by_headers_finds_what_warcio_finds(tmp_path: Path, gzip: bool) -> None:
    path = tmp_path / ("a.warc.gz" if gzip else "a.warc")
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=gzip, warc_version="1.0")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for i in range(5):
            write_capture(writer, f"{AJ}/news/2026/11/20/story-{i}?utm_source=x",
                          dated_page(f"Story {i}", "Body " * i, None), "2026-11-20T10:00:00Z")
    scanned = [(h.record_type, h.url, h.location.offset) for h in scan_records(path)]
    assert scanned == _warcio_records(path)
    # Passing over every payload unread finds the same records, at the same places.
    assert list(scan_records(path, skip=_every_url)) == list(scan_records(path))
    assert all((h.location.length is not None) == gzip for h in scan_records(path))
    assert {h.warc_date for h in scan_records(path) if h.record_type == "response"} == {"2026-11-20T10:00:00Z"}


def test_archives_are_a_glob_a_list_or_a_warc_paths_listing(tmp_path: Path) -> None:
    pattern = build_cc_news_backfill(tmp_path / "crawl-data" / "CC-NEWS")
    files = archive_files(str(pattern))
    assert [Path(f).name for f in files] == ["CC-NEWS-20261121000000-00001.warc.gz",
                                             "CC-NEWS-20261125000000-00002.warc.gz"]
    assert archive_files(",".join(files[::-1])) == files[::-1]
    listing = tmp_path / "warc.paths"
    listing.write_text("".join(f"crawl-data/CC-NEWS/{Path(f).name}\n" for f in files))
    assert archive_files(str(listing), base_url=str(tmp_path)) == files
    assert archive_files(str(listing))[0] == f"https://data.commoncrawl.org/crawl-data/CC-NEWS/{Path(files[0]).name}"
    for wrong in ("", str(tmp_path / "none-*.warc.gz"), str(tmp_path / "missing.warc.gz")):
        with pytest.raises(ArchiveListingError):
            archive_files(wrong)
    listing.write_text("# nothing\n")
    with pytest.raises(ArchiveListingError, match="lists no file"):
        archive_files(str(listing))


def test_the_scan_keeps_the_sources_pages_that_can_be_the_windows(tmp_path: Path) -> None:
    pattern = build_cc_news_backfill(tmp_path / "ccnews")
    sources = [load_sources()[slug] for slug in ("aljazeera", "dw")]
    selected: dict[str, set[str]] = {}
    scanned = 0
    for path in replay_paths(str(pattern)):
        result = scan_archive(path, sources, WINDOW)
        scanned += result.records_scanned
        for slug, records in result.selected.items():
            selected.setdefault(slug, set()).update(r.key for r in records)
    assert scanned == 30
    assert selected == {
        "aljazeera": {f"{AJ}/news/2026/11/20/grain-ships-leave-odesa", TWICE,
                      f"{AJ}/features/2026/11/21/the-last-ferry/",
                      f"{AJ}/economy/2026/11/20/late-capture-of-a-dated-story",
                      f"{AJ}/news/2026/11/20/a-page-that-was-gone"},
        # Without a date in their URLs, DW's pages wait for their own dates (the one captured
        # before the window cannot be the window's).
        "dw": {f"{DW}/en/flood-warnings-along-the-rhine/a-70000001", f"{DW}/en/a-report-from-october/a-70000002",
               f"{DW}/en/an-undated-report/a-70000003"},
    }


class _Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str) -> None:
        self.values[key] = self.values.get(key, 0) + 1


def test_replay_finds_archived_urls_with_tracking_parameters_serves_the_windows_capture_and_names_a_miss(
    tmp_path: Path,
) -> None:
    pattern = build_cc_news_backfill(tmp_path / "ccnews")
    middleware = ReplayMiddleware(str(pattern), index_dir=None)
    middleware.stats = _Stats()  # type: ignore[attr-defined]
    hosts = {"www.aljazeera.com"}
    # A crawl of 2026-11-19 gets the capture of the 19th, not the later one read first.
    middleware.index = index_archive(middleware.paths, hosts, None, Window(parse_bound("2026-11-19"),
                                                                           parse_bound("2026-11-20")))
    assert TWICE_FIRST_BODY.encode() in middleware.process_request(Request(TWICE)).body
    later = index_archive(middleware.paths, hosts, None, Window(parse_bound("2026-11-21"), parse_bound("2026-11-22")))
    assert later[TWICE] != middleware.index[TWICE]
    # Archived with ?traffic_source=rss&utm_medium=rss, requested clean, as the spider requests it.
    response = middleware.process_request(Request(f"{AJ}/news/2026/11/20/grain-ships-leave-odesa"))
    assert response.status == 200 and b"Grain ships" in response.body
    # Archived as /the-last-ferry/, listed without the slash (and the reverse would match too).
    response = middleware.process_request(Request(f"{AJ}/features/2026/11/21/the-last-ferry"))
    assert b"The last ferry" in response.body
    with pytest.raises(NotInArchive) as miss:
        middleware.process_request(Request(f"{AJ}/news/2026/11/20/never-archived"))
    assert miss.value.reason == NOT_IN_ARCHIVE
    assert middleware.stats.values == {"replay/hit": 3, "replay/miss": 1}  # type: ignore[attr-defined]
