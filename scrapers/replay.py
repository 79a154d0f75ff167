"""Answer requests from WARC files instead of the network (the REPLAY_WARC setting).

The spider's code and URLs stay the real ones; only the download is replaced. Any WARC works,
multi-site archives such as CC-NEWS included: only records on the source's domains are indexed.
A URL absent from the archive gets a 404, as a replay server (pywb, Wayback) answers.
"""

from __future__ import annotations

import glob
import hashlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord, ArcWarcRecordLoader
from zlib_ng import zlib_ng

from scrapers.size_guard import ResponseTooLarge
from scrapers.warc_capture import ORIGINAL_DATE_FLAG

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

# The payload is replayed decoded (warcio undoes chunking and compression), so these no longer apply.
DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
GZIP_MAGIC = b"\x1f\x8b"
# Compressed bytes read per step while indexing.
SCAN_CHUNK = 256 * 1024
# Inflated bytes kept per gzip member while indexing: a record's WARC headers fit (they run ~1 KB).
HEAD_BYTES = 16 * 1024
# A record may inflate to this much more than DOWNLOAD_MAXSIZE (its WARC and HTTP headers).
RECORD_HEADROOM = 1024 * 1024
# Where each archive's index is kept once built (REPLAY_INDEX_DIR overrides): a replay server
# indexes an archive once, as pywb's CDX files do, instead of inflating all of it every crawl.
DEFAULT_INDEX_DIR = Path(__file__).resolve().parents[1] / ".data" / "replay-index"
INDEX_FORMAT = "news-pipeline replay index 1"


@dataclass(frozen=True)
class RecordLocation:
    """Where a record is: ``length`` is its gzip member's size, or None when the file does not
    hold one record per gzip member (then the record is found by reading on from ``offset``)."""

    path: Path
    offset: int
    length: int | None = None


class NotPerRecordGzip(ValueError):
    """The file is not one gzip member per record (plain WARC, whole-file gzip, odd padding)."""


def replay_paths(pattern: str) -> list[Path]:
    """The WARC files a REPLAY_WARC value names (a path or a glob, several separated by commas)."""
    paths: list[Path] = []
    for part in (p.strip() for p in pattern.split(",")):
        matched = sorted(glob.glob(part)) if any(c in part for c in "*?[") else [part]
        paths.extend(Path(p) for p in matched)
    missing = [str(p) for p in paths if not p.is_file()]
    if missing or not paths:
        raise FileNotFoundError(f"REPLAY_WARC names no readable WARC file: {missing or pattern}")
    return paths


def index_archive(paths: list[Path], hosts: set[str] | None,
                  cache_dir: Path | None = None) -> dict[str, RecordLocation]:
    """URL -> location of its last response record, for records on ``hosts`` (all if None).

    With ``cache_dir``, each file's responses are read from its cached index when the file's
    size and modification time still match, and the index is written there after a scan.
    """
    index: dict[str, RecordLocation] = {}
    for path in paths:
        for url, location in _file_responses(path, cache_dir):
            if hosts is None or (urlsplit(url).hostname or "").lower() in hosts:
                index[url] = location
    return index


def _file_responses(path: Path, cache_dir: Path | None) -> list[tuple[str, RecordLocation]]:
    """(url, location) of every response record in the file, in file order."""
    cache = _cache_path(path, cache_dir) if cache_dir is not None else None
    if cache is not None:
        cached = _read_cache(cache, path)
        if cached is not None:
            return cached
    try:
        found = list(_index_gzip_members(path))
    except NotPerRecordGzip as why:
        log.info("%s: %s; indexed record by record", path, why)
        found = list(_index_records(path))
    responses = [(url, location) for record_type, url, location in found if record_type == "response"]
    if cache is not None:
        _write_cache(cache, path, responses)
    return responses


def _cache_path(path: Path, cache_dir: Path) -> Path:
    """One cache file per archive version: its path, size and modification time name it."""
    stat = path.stat()
    key = f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}"
    return cache_dir / f"{path.name}.{hashlib.sha256(key.encode()).hexdigest()[:16]}.tsv"


def _read_cache(cache: Path, path: Path) -> list[tuple[str, RecordLocation]] | None:
    try:
        lines = cache.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    if not lines or lines[0] != f"{INDEX_FORMAT}\t{path.resolve()}":
        return None
    responses = []
    for line in lines[1:]:
        offset, length, url = line.split("\t", 2)
        responses.append((url, RecordLocation(path, int(offset), int(length) if length else None)))
    return responses


def _write_cache(cache: Path, path: Path, responses: list[tuple[str, RecordLocation]]) -> None:
    """Best effort: a cache that cannot be written only means the next crawl scans again."""
    if any(("\t" in url or "\n" in url or "\r" in url) for url, _ in responses):
        return
    lines = [f"{INDEX_FORMAT}\t{path.resolve()}",
             *(f"{loc.offset}\t{'' if loc.length is None else loc.length}\t{url}" for url, loc in responses)]
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        _prune_cache(cache.parent, path.name)
        staging = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        staging.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.replace(staging, cache)  # readers see a whole index or none
    except OSError as exc:
        log.warning("replay index not cached at %s: %s", cache, exc)


def _prune_cache(cache_dir: Path, name: str) -> None:
    """Drop the indexes of earlier versions of this archive and of archives that are gone."""
    for old in cache_dir.glob("*.tsv"):
        try:
            with old.open(encoding="utf-8") as f:
                archive = Path(f.readline().rstrip("\n").partition("\t")[2])
            if not archive.is_file() or old.name.startswith(f"{name}."):
                old.unlink(missing_ok=True)
        except OSError:
            continue


def _index_records(path: Path) -> Iterator[tuple[str, str, RecordLocation]]:
    """Any WARC warcio reads, one record after the other (inflating and parsing each)."""
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            yield record.rec_type, url, RecordLocation(path, records.get_record_offset())


def _index_gzip_members(path: Path) -> Iterator[tuple[str, str, RecordLocation]]:
    """The usual WARC layout, one gzip member per record: each member is inflated in C without
    keeping its output, and only its WARC headers are parsed. The member's size is kept, so a
    replay reads exactly those bytes."""
    loader = ArcWarcRecordLoader()
    with path.open("rb") as stream:
        if stream.read(2) != GZIP_MAGIC:
            raise NotPerRecordGzip("not gzip-compressed")
        stream.seek(0)
        for offset, length, head, size in _gzip_members(stream):
            end = head.find(b"\r\n\r\n")
            try:
                record = loader.parse_record_stream(BytesIO(head), no_record_parse=True)
                content_length = int(record.rec_headers.get_header("Content-Length") or "")
            except Exception as exc:  # any parse failure: let warcio read the file
                raise NotPerRecordGzip(f"gzip member at {offset} does not start with a WARC record: {exc}") from exc
            # The member holds this record and its closing CRLF CRLF, and nothing more.
            if end < 0 or not end + 4 + content_length <= size <= end + 8 + content_length:
                raise NotPerRecordGzip(f"gzip member at {offset} is not exactly one record")
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            yield record.rec_type, url, RecordLocation(path, offset, length)


def _gzip_members(stream: BinaryIO) -> Iterator[tuple[int, int, bytes, int]]:
    """(offset, compressed size, first HEAD_BYTES inflated, inflated size) of each gzip member."""
    offset = 0
    pending = stream.read(SCAN_CHUNK)
    while pending:
        inflater = zlib_ng.decompressobj(zlib_ng.MAX_WBITS + 16)
        head, size, length = b"", 0, 0
        try:
            while True:
                out = inflater.decompress(pending)
                size += len(out)
                if len(head) < HEAD_BYTES:
                    head += out[:HEAD_BYTES - len(head)]
                if inflater.eof:
                    rest = inflater.unused_data
                    length += len(pending) - len(rest)
                    pending = rest
                    break
                length += len(pending)
                pending = stream.read(SCAN_CHUNK)
                if not pending:
                    raise NotPerRecordGzip(f"gzip member at {offset} is cut short")
        except zlib_ng.error as exc:  # type: ignore[misc]  # zlib-ng's stubs do not say error is an exception
            raise NotPerRecordGzip(f"no gzip member at {offset}: {exc}") from exc
        yield offset, length, head, size
        offset += length
        if not pending:
            pending = stream.read(SCAN_CHUNK)


class ReplayMiddleware:
    """Downloader middleware serving responses from WARC files."""

    def __init__(self, pattern: str, max_size: int = 0, index_dir: Path | None = DEFAULT_INDEX_DIR) -> None:
        self.paths = replay_paths(pattern)
        self.index_dir = index_dir
        self.index: dict[str, RecordLocation] = {}
        # A record that inflates past this is refused, as DOWNLOAD_MAXSIZE refuses a live body.
        self.max_record = max_size + RECORD_HEADROOM if max_size else 0
        self._files: dict[Path, BinaryIO] = {}
        self._loader = ArcWarcRecordLoader()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        pattern = crawler.settings.get("REPLAY_WARC")
        if not pattern:
            raise NotConfigured("REPLAY_WARC is not set")
        middleware = cls(pattern, crawler.settings.getint("DOWNLOAD_MAXSIZE"),
                         Path(crawler.settings.get("REPLAY_INDEX_DIR") or DEFAULT_INDEX_DIR))
        middleware.stats = crawler.stats  # type: ignore[attr-defined]
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        source = getattr(spider, "source", None)
        hosts = set(source.domains) if source is not None else None
        self.index = index_archive(self.paths, hosts, self.index_dir)
        log.info("replaying %d responses from %d WARC file(s)", len(self.index), len(self.paths))

    def spider_closed(self, spider: Spider) -> None:
        for stream in self._files.values():
            stream.close()
        self._files.clear()

    def process_request(self, request: Request) -> Response:
        location = self.index.get(request.url)
        if location is None:
            self.stats.inc_value("replay/miss")  # type: ignore[attr-defined]
            return Response(request.url, status=404, request=request, flags=["replay-miss"])
        self.stats.inc_value("replay/hit")  # type: ignore[attr-defined]
        return _response(self._read(location), request)

    def _read(self, location: RecordLocation) -> ArcWarcRecord:
        """The record, from a file kept open: one read and one inflate when its size is known."""
        stream = self._files.get(location.path)
        if stream is None:
            stream = self._files[location.path] = location.path.open("rb")
        stream.seek(location.offset)
        if location.length is None:
            return next(iter(ArchiveIterator(stream)))
        inflater = zlib_ng.decompressobj(zlib_ng.MAX_WBITS + 16)
        raw = inflater.decompress(stream.read(location.length), self.max_record)
        if inflater.unconsumed_tail:
            raise ResponseTooLarge(f"record at {location.path}:{location.offset} inflates past DOWNLOAD_MAXSIZE")
        return self._loader.parse_record_stream(BytesIO(raw))


def _response(record: ArcWarcRecord, request: Request) -> Response:
    body = record.content_stream().read()
    http = record.http_headers
    status = int(http.get_statuscode()) if http else 200
    headers = Headers()
    for name, value in (http.headers if http else []):
        if name.lower() not in DROPPED_HEADERS:
            headers.appendlist(name, value)
    warc_date = record.rec_headers.get_header("WARC-Date") or ""
    url = record.rec_headers.get_header("WARC-Target-URI")
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, status=status, headers=headers, body=body, request=request,
               flags=["replay", f"{ORIGINAL_DATE_FLAG}{warc_date}"])
