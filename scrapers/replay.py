"""Answer requests from WARC files instead of the network (the REPLAY_WARC setting).

The spider's code and URLs stay the real ones; only the download is replaced. Any WARC works,
multi-site archives such as CC-NEWS included: only records on the source's domains are indexed.
A URL absent from the archive gets a 404, as a replay server (pywb, Wayback) answers.
"""

from __future__ import annotations

import glob
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator

from scrapers.warc_capture import ORIGINAL_DATE_FLAG

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

# The payload is replayed decoded (warcio undoes chunking and compression), so these no longer apply.
DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass(frozen=True)
class RecordLocation:
    path: Path
    offset: int


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


def index_archive(paths: list[Path], hosts: set[str] | None) -> dict[str, RecordLocation]:
    """URL -> location of its last response record, for records on ``hosts`` (all if None)."""
    index: dict[str, RecordLocation] = {}
    for path in paths:
        with path.open("rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                if record.rec_type != "response":
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                if hosts is None or (urlsplit(url).hostname or "").lower() in hosts:
                    index[url] = RecordLocation(path, records.get_record_offset())
    return index


class ReplayMiddleware:
    """Downloader middleware serving responses from WARC files."""

    def __init__(self, pattern: str) -> None:
        self.paths = replay_paths(pattern)
        self.index: dict[str, RecordLocation] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        pattern = crawler.settings.get("REPLAY_WARC")
        if not pattern:
            raise NotConfigured("REPLAY_WARC is not set")
        middleware = cls(pattern)
        middleware.stats = crawler.stats  # type: ignore[attr-defined]
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        source = getattr(spider, "source", None)
        hosts = set(source.domains) if source is not None else None
        self.index = index_archive(self.paths, hosts)
        log.info("replaying %d responses from %d WARC file(s)", len(self.index), len(self.paths))

    def process_request(self, request: Request) -> Response:
        location = self.index.get(request.url)
        if location is None:
            self.stats.inc_value("replay/miss")  # type: ignore[attr-defined]
            return Response(request.url, status=404, request=request, flags=["replay-miss"])
        self.stats.inc_value("replay/hit")  # type: ignore[attr-defined]
        return _read_response(location, request)


def _read_response(location: RecordLocation, request: Request) -> Response:
    with location.path.open("rb") as stream:
        stream.seek(location.offset)
        record = next(iter(ArchiveIterator(stream)))
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
