"""Answer requests from WARC files instead of the network (the REPLAY_WARC setting).

The spider's code and URLs stay the real ones; only the download is replaced. Any WARC works,
multi-site archives such as CC-NEWS included: only records on the source's domains are indexed.
Archived URLs and requested URLs are compared by the spider's own key (common.urls.normalize_url
and the source's rewrites): an archived ``?utm_source=rss`` or trailing-slash variant answers the
spider's clean URL. Where the archive holds several captures of a URL, the one serving the crawl's
window is replayed: the latest captured before the window ends, else the earliest. A URL the
archive does not hold fails with its own reason, ``not_in_archive``; it is not an HTTP error of
the site and does not count against the source's error rate.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord, ArcWarcRecordLoader
from zlib_ng import zlib_ng

from common.urls import article_url, normalize_url
from common.warc_index import RecordLocation, scan_records
from common.window import Window, parse_iso_utc
from scrapers.size_guard import ResponseTooLarge
from scrapers.warc_capture import ORIGINAL_DATE_FLAG

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

# The payload is replayed decoded (warcio undoes chunking and compression), so these no longer apply.
DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
# A record may inflate to this much more than DOWNLOAD_MAXSIZE (its WARC and HTTP headers).
RECORD_HEADROOM = 1024 * 1024
# Where each archive's index is kept once built (REPLAY_INDEX_DIR overrides): a replay server
# indexes an archive once, as pywb's CDX files do, instead of inflating all of it every crawl.
DEFAULT_INDEX_DIR = Path(__file__).resolve().parents[1] / ".data" / "replay-index"
INDEX_FORMAT = "news-pipeline replay index 2"
NOT_IN_ARCHIVE = "not_in_archive"


class NotInArchive(IgnoreRequest):
    """The replayed archive holds no capture of the requested URL."""

    reason = NOT_IN_ARCHIVE
    status = None


@dataclass(frozen=True)
class Capture:
    """One archived response: its URL as archived, its WARC-Date, and where it is."""

    url: str
    warc_date: str
    location: RecordLocation


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


def index_archive(paths: list[Path], hosts: set[str] | None, cache_dir: Path | None = None,
                  window: Window | None = None,
                  key: Callable[[str], str] = normalize_url) -> dict[str, RecordLocation]:
    """Lookup key (``lookup_key`` of ``key``) -> location of the capture to replay, for records
    on ``hosts`` (all if None).

    Without a window, the last capture in file order (a plain replay of one crawl's WARC).
    With ``cache_dir``, each file's responses are read from its cached index when the file's
    size and modification time still match, and the index is written there after a scan.
    """
    captures: dict[str, list[Capture]] = {}
    for path in paths:
        for capture in _file_responses(path, cache_dir):
            if hosts is None or (urlsplit(capture.url).hostname or "").lower() in hosts:
                captures.setdefault(lookup_key(key(capture.url)), []).append(capture)
    return {url: choose_capture(found, window).location for url, found in captures.items()}


def lookup_key(url: str) -> str:
    """The key without a trailing slash on its path: a feed may list ``/slug`` and the archive
    hold ``/slug/`` (or the reverse); the site serves one page at both."""
    parts = urlsplit(url)
    if len(parts.path) > 1 and parts.path.endswith("/"):
        return parts._replace(path=parts.path.rstrip("/") or "/").geturl()
    return url


def choose_capture(captures: list[Capture], window: Window | None) -> Capture:
    """The capture a crawl of ``window`` would have fetched: the latest one before the window
    ends, else (all are later) the earliest; the last in file order when there is no window."""
    if window is None or len(captures) == 1:
        return captures[-1]
    dated = [(_capture_time(c), i, c) for i, c in enumerate(captures)]
    before = [d for d in dated if d[0] is not None and d[0] < window.end]
    if before:
        return max(before, key=lambda d: (d[0], d[1]))[2]
    after = [d for d in dated if d[0] is not None]
    return min(after, key=lambda d: (d[0], d[1]))[2] if after else captures[-1]


def _capture_time(capture: Capture) -> datetime | None:
    try:
        return parse_iso_utc(capture.warc_date)
    except ValueError:
        return None


def _file_responses(path: Path, cache_dir: Path | None) -> list[Capture]:
    """Every response record in the file, in file order."""
    cache = _cache_path(path, cache_dir) if cache_dir is not None else None
    if cache is not None:
        cached = _read_cache(cache, path)
        if cached is not None:
            return cached
    responses = [Capture(head.url, head.warc_date, head.location)
                 for head in scan_records(path) if head.record_type == "response"]
    if cache is not None:
        _write_cache(cache, path, responses)
    return responses


def _cache_path(path: Path, cache_dir: Path) -> Path:
    """One cache file per archive version: its path, size and modification time name it."""
    stat = path.stat()
    key = f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}"
    return cache_dir / f"{path.name}.{hashlib.sha256(key.encode()).hexdigest()[:16]}.tsv"


def _read_cache(cache: Path, path: Path) -> list[Capture] | None:
    try:
        lines = cache.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    if not lines or lines[0] != f"{INDEX_FORMAT}\t{path.resolve()}":
        return None
    responses = []
    for line in lines[1:]:
        offset, length, warc_date, url = line.split("\t", 3)
        responses.append(Capture(url, warc_date, RecordLocation(path, int(offset), int(length) if length else None)))
    return responses


def _write_cache(cache: Path, path: Path, responses: list[Capture]) -> None:
    """Best effort: a cache that cannot be written only means the next crawl scans again."""
    if any(any(c in text for c in "\t\n\r") for r in responses for text in (r.url, r.warc_date)):
        return
    lines = [f"{INDEX_FORMAT}\t{path.resolve()}",
             *(f"{r.location.offset}\t{'' if r.location.length is None else r.location.length}\t"
               f"{r.warc_date}\t{r.url}" for r in responses)]
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
        # The spider's key for a URL (its source's rewrites when it has a source).
        self.key: Callable[[str], str] = normalize_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        pattern = crawler.settings.get("REPLAY_WARC")
        if not pattern:
            raise NotConfigured("REPLAY_WARC is not set")
        # A live crawl takes sitemaps up to SITEMAP_MAXSIZE: their records replay too.
        max_size = max(crawler.settings.getint("DOWNLOAD_MAXSIZE"), crawler.settings.getint("SITEMAP_MAXSIZE"))
        middleware = cls(pattern, max_size,
                         Path(crawler.settings.get("REPLAY_INDEX_DIR") or DEFAULT_INDEX_DIR))
        middleware.stats = crawler.stats  # type: ignore[attr-defined]
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        source = getattr(spider, "source", None)
        hosts = set(source.domains) if source is not None else None
        if source is not None:
            self.key = functools.partial(article_url, source=source)
        window = getattr(spider, "window", None)
        self.index = index_archive(self.paths, hosts, self.index_dir, window if isinstance(window, Window) else None,
                                   self.key)
        log.info("replaying %d responses from %d WARC file(s)", len(self.index), len(self.paths))

    def spider_closed(self, spider: Spider) -> None:
        for stream in self._files.values():
            stream.close()
        self._files.clear()

    def process_request(self, request: Request) -> Response:
        location = self.index.get(lookup_key(self.key(request.url)))
        if location is None:
            self.stats.inc_value("replay/miss")  # type: ignore[attr-defined]
            raise NotInArchive(f"{request.url} is not in the replayed archive ({len(self.paths)} WARC file(s))")
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
