"""The fast paths of crawl replay and capture decide exactly as the slow ones they replace:
replay reads by gzip member and its cached index, the capture's digests and writer thread, and
the meta-refresh check that skips decoding. Real warcio files, real Scrapy objects."""

from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scrapers.meta_refresh import QuickMetaRefreshMiddleware, may_have_meta_refresh
from scrapers.replay import ReplayMiddleware, _response, index_archive, replay_paths
from scrapers.warc_capture import LeveledWarcWriter, WarcCaptureMiddleware, WarcWriteFailed
from tests.fixtures.cc_news import AJ, IN_WINDOW, build_cc_news_like, page, write_response

HOSTS = {"www.aljazeera.com"}


def _bodies_by_warcio(pattern: Path) -> dict[str, bytes]:
    bodies = {}
    for path in replay_paths(str(pattern)):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    bodies[record.rec_headers.get_header("WARC-Target-URI")] = record.content_stream().read()
    return bodies


def _replayed(middleware: ReplayMiddleware, url: str) -> bytes:
    return _response(middleware._read(middleware.index[url]), Request(url)).body


def test_reads_by_gzip_member_give_what_warcio_reads_gzip_chunked_and_plain(tmp_path: Path) -> None:
    pattern = build_cc_news_like(tmp_path / "ccnews")
    middleware = ReplayMiddleware(str(pattern), index_dir=tmp_path / "index")
    middleware.index = index_archive(middleware.paths, HOSTS, middleware.index_dir)
    assert all(location.length for location in middleware.index.values())  # one member per record
    expected = _bodies_by_warcio(pattern)
    for url in middleware.index:
        assert _replayed(middleware, url) == expected[url], url
    # Content-Encoding and chunking undone, as warcio's content_stream() does.
    assert _replayed(middleware, IN_WINDOW[0]) == page("cranes")
    assert _replayed(middleware, IN_WINDOW[1]) == page("salt road")


def test_an_uncompressed_warc_is_indexed_and_read_record_by_record(tmp_path: Path) -> None:
    path = tmp_path / "plain.warc"
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=False, warc_version="1.0")
        write_response(writer, IN_WINDOW[0], page("plain one"))
        write_response(writer, IN_WINDOW[1], page("plain two"), chunked=True)
    middleware = ReplayMiddleware(str(path), index_dir=tmp_path / "index")
    middleware.index = index_archive(middleware.paths, HOSTS, middleware.index_dir)
    assert {loc.length for loc in middleware.index.values()} == {None}
    assert _replayed(middleware, IN_WINDOW[0]) == page("plain one")
    assert _replayed(middleware, IN_WINDOW[1]) == page("plain two")


def test_the_cached_index_equals_a_scan_and_is_not_used_once_the_file_changes(tmp_path: Path) -> None:
    folder = tmp_path / "ccnews"
    pattern = build_cc_news_like(folder)
    cache = tmp_path / "index"
    scanned = index_archive(replay_paths(str(pattern)), HOSTS)
    assert index_archive(replay_paths(str(pattern)), HOSTS, cache) == scanned
    assert len(list(cache.iterdir())) == 2  # one per WARC file
    assert index_archive(replay_paths(str(pattern)), HOSTS, cache) == scanned  # now from the cache
    # The archive is rewritten with other pages: its index is built again, not taken from the cache.
    second = folder / "CC-NEWS-20261120020000-00002.warc.gz"
    with second.open("wb") as stream:
        write_response(WARCWriter(stream, gzip=True, warc_version="1.0"), f"{AJ}/news/2026/11/19/new", page("n"))
    os.utime(second, ns=(1, 1))
    rebuilt = index_archive(replay_paths(str(pattern)), HOSTS, cache)
    assert f"{AJ}/news/2026/11/19/new" in rebuilt and IN_WINDOW[0] not in rebuilt
    assert rebuilt == index_archive(replay_paths(str(pattern)), HOSTS)
    assert len(list(cache.iterdir())) == 2  # the stale index went when the new one was written
    # An archive that is gone takes its index with it at the next write.
    (folder / "CC-NEWS-20261120010000-00001.warc.gz").unlink()
    os.utime(second, ns=(2, 2))
    index_archive(replay_paths(str(second)), HOSTS, cache)
    assert [p.name.split(".warc.gz")[0] for p in cache.iterdir()] == ["CC-NEWS-20261120020000-00002"]


def test_capture_digests_are_warcios_own() -> None:
    body = page("digest") * 50
    http = [("Content-Type", "text/html; charset=utf-8"), ("ETag", '"x"')]

    def record(writer: WARCWriter) -> object:
        return writer.create_warc_record(f"{AJ}/news/2026/11/19/d", "response", payload=BytesIO(body),
                                         length=len(body), warc_headers_dict={"WARC-Date": "2026-11-19T00:00:00Z"},
                                         http_headers=StatusAndHeaders("200 OK", list(http), protocol="HTTP/1.1"))

    ours, theirs = BytesIO(), BytesIO()
    LeveledWarcWriter(ours, 6, warc_version="1.1").write_record(record(LeveledWarcWriter(ours, 6)))
    WARCWriter(theirs, gzip=True, warc_version="1.1").write_record(record(WARCWriter(theirs, gzip=True)))
    read = [next(iter(ArchiveIterator(BytesIO(data.getvalue())))) for data in (ours, theirs)]
    for name in ("WARC-Payload-Digest", "WARC-Block-Digest"):
        assert read[0].rec_headers.get_header(name) == read[1].rec_headers.get_header(name), name
    assert read[0].content_stream().read() == body
    ids = {LeveledWarcWriter(BytesIO(), 6)._make_warc_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(i.startswith("<urn:uuid:") for i in ids)


class _Spider:
    name = "fast-paths"
    crawl_run_id = "00000000-0000-4000-8000-000000000001"


def _capture(tmp_path: Path) -> WarcCaptureMiddleware:
    crawler = get_crawler(settings_dict={"WARC_WORK_DIR": str(tmp_path)})
    crawler.stats.open_spider()
    capture = WarcCaptureMiddleware(crawler)
    capture.spider_opened(_Spider())
    return capture


def _exchange(capture: WarcCaptureMiddleware, index: int) -> None:
    url = f"{AJ}/news/2026/11/19/story-{index}"
    response = HtmlResponse(url, body=page(f"story {index}"), headers={"Content-Type": "text/html"})
    capture.process_response(Request(url, meta={"capture_kind": "page"}), response)


def test_the_writer_thread_keeps_order_and_offsets(tmp_path: Path) -> None:
    capture = _capture(tmp_path)
    for index in range(40):
        _exchange(capture, index)
    capture.close()
    assert [c.url for c in capture.captures] == [f"{AJ}/news/2026/11/19/story-{i}" for i in range(40)]
    data = capture.path.read_bytes()  # type: ignore[union-attr]
    for index, found in enumerate(capture.captures):
        record = next(iter(ArchiveIterator(BytesIO(data[found.offset:found.offset + found.length]))))
        assert record.content_stream().read() == page(f"story {index}")
        assert record.rec_headers.get_header("WARC-Payload-Digest") == found.payload_digest
    # warcio recomputes every block and payload digest of the file and raises on a mismatch.
    checked = 0
    for record in ArchiveIterator(BytesIO(data), check_digests="raise"):
        record.content_stream().read()
        checked += record.rec_type in ("response", "request")
    assert checked == 80
    assert capture.crawler.stats.get_value("warc/records") == 80


def test_a_failed_write_makes_close_refuse_to_hand_over_the_file(tmp_path: Path) -> None:
    capture = _capture(tmp_path)
    _exchange(capture, 0)
    writer = capture._records
    assert writer is not None
    with writer._changed:  # story 0 is on disk before the disk goes (else the writer fails on it)
        writer._changed.wait_for(lambda: writer._pending == 0, timeout=30)
    capture._file.close()  # type: ignore[union-attr]  # the disk is gone: every write now fails
    _exchange(capture, 1)  # accepted: the writer thread finds out, and close() must say so
    with pytest.raises(WarcWriteFailed, match="incomplete"):
        capture.close()
    capture.discard()  # a crawl that publishes nothing can still clean up
    assert not capture.path.exists()  # type: ignore[union-attr]


META_CASES = [
    b'<html><head><meta http-equiv="refresh" content="0; url=/moved"></head><body>x</body></html>',
    b"<html><head><META HTTP-EQUIV=Refresh CONTENT='5;URL=https://www.aljazeera.com/new'></head></html>",
    b'<html><head><meta content="0;url=/unterminated" http-equiv="REFRESH"',
    b'<html><head><meta charset="utf-8"><script>setTimeout(refresh, 10)</script></head></html>',
    b'<html><head><meta name="refresh-token" content="0;url=/not-a-redirect"></head></html>',
    b"<html><head><title>no meta at all</title></head><body>refresh</body></html>",
    '<html><head><meta http-equiv="refresh" content="0;url=/utf16"></head></html>'.encode("utf-16"),
    b'<html><head><meta charset="utf-8"></head><body>' + b"x" * 50_000
    + b'<meta http-equiv="refresh" content="0;url=/too-late"></body></html>',
]


@pytest.mark.parametrize("body", META_CASES)
def test_the_quick_meta_refresh_check_decides_as_scrapys(body: bytes) -> None:
    crawler = get_crawler()
    url = f"{AJ}/news/2026/11/19/page"
    scrapy_says = MetaRefreshMiddleware.from_crawler(crawler).process_response(
        Request(url), HtmlResponse(url, body=body, headers={"Content-Type": "text/html"}))
    ours = QuickMetaRefreshMiddleware.from_crawler(crawler).process_response(
        Request(url), HtmlResponse(url, body=body, headers={"Content-Type": "text/html"}))
    assert type(ours) is type(scrapy_says)
    assert ours.url == scrapy_says.url


def test_pages_without_a_refresh_tag_up_front_skip_the_decode() -> None:
    assert not may_have_meta_refresh(META_CASES[3])
    assert not may_have_meta_refresh(META_CASES[5])
    assert may_have_meta_refresh(META_CASES[0]) and may_have_meta_refresh(META_CASES[6])
