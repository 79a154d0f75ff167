"""Every response a crawl sees, written to the run's WARC file as it arrives.

The file grows in a private work folder; only a finished crawl publishes it to the archive
(scrapers/crawl_run.py). A crawl that is killed leaves nothing in the archive or the database.
"""

from __future__ import annotations

import logging
import zlib
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from scrapy import Request, signals
from scrapy.http import Response
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import GzippingWrapper, WARCWriter

from transforms.normalize import normalize_url

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

# Headers that describe the transfer, not the payload: Scrapy has already undone them.
HOP_BY_HOP_HEADERS = {b"transfer-encoding", b"connection", b"keep-alive"}
# When replaying, the original capture's date rides along in the response flags under this prefix.
ORIGINAL_DATE_FLAG = "warc-date:"


class _LeveledGzip(GzippingWrapper):
    """warcio's per-record gzip member, at a chosen compression level."""

    def __init__(self, out: BinaryIO, level: int) -> None:
        super().__init__(out)
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)


class LeveledWarcWriter(WARCWriter):
    """A WARCWriter writing each record as its own gzip member at ``level``.

    warcio hard-codes zlib level 9, which profiled at 60% of a replay crawl's CPU; level 6 gives
    the same size on news pages at well under half the cost. Offsets stay per record.
    """

    def __init__(self, out: BinaryIO, level: int, **kwargs: object) -> None:
        super().__init__(out, gzip=False, **kwargs)
        self.level = level

    def write_record(self, record: object, params: object = None) -> None:
        self._write_warc_record(_LeveledGzip(self.out, self.level), record)


@dataclass(frozen=True)
class Capture:
    """One response record in the run's WARC file."""

    url: str
    normalized_url: str
    kind: str  # robots | feed | sitemap | page | other
    status: int
    content_type: str | None
    fetched_at: datetime
    offset: int
    length: int
    payload_digest: str | None


class WarcCaptureMiddleware:
    """Downloader middleware writing a request and a response record per response."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run_id = str(uuid.uuid4())
        self.work_dir = Path(crawler.settings.get("WARC_WORK_DIR") or tempfile.gettempdir())
        self.gzip_level = crawler.settings.getint("WARC_GZIP_LEVEL", 6)
        self.path: Path | None = None
        self._file: BinaryIO | None = None
        self._writer: WARCWriter | None = None
        self.captures: list[Capture] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        crawler.warc_capture = middleware  # type: ignore[attr-defined]  # read by CrawlRunRecorder
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        self.run_id = getattr(spider, "crawl_run_id", None) or self.run_id
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.work_dir / f"news-crawl-{self.run_id}.warc.gz.part"
        self._file = self.path.open("wb")
        self._writer = LeveledWarcWriter(self._file, self.gzip_level, warc_version="1.1")
        info = {"software": "news-pipeline (Scrapy)", "format": "WARC File Format 1.1",
                "source": spider.name, "crawl-run-id": self.run_id}
        self._writer.write_record(self._writer.create_warcinfo_record(self.path.name[:-5], info))

    def spider_closed(self, spider: Spider) -> None:
        self.close()

    def close(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()

    def discard(self) -> None:
        """Remove the work file (a crawl that must not publish anything)."""
        self.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def process_response(self, request: Request, response: Response) -> Response:
        if self._writer is not None and self._file is not None:
            self._write(request, response)
        return response

    def _write(self, request: Request, response: Response) -> None:
        assert self._writer is not None and self._file is not None
        fetched_at = _original_date(response) or datetime.now(timezone.utc)
        warc_date = fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        response_record = self._writer.create_warc_record(
            response.url, "response", payload=BytesIO(response.body),
            length=len(response.body), http_headers=_status_and_headers(response),
            warc_headers_dict={"WARC-Date": warc_date},
        )
        request_record = self._writer.create_warc_record(
            request.url, "request", payload=BytesIO(request.body or b""),
            http_headers=_request_headers(request),
            warc_headers_dict={"WARC-Date": warc_date,
                               "WARC-Concurrent-To": response_record.rec_headers["WARC-Record-ID"]},
        )
        offset = self._file.tell()
        self._writer.write_record(response_record)
        length = self._file.tell() - offset
        self._writer.write_record(request_record)
        content_type = response.headers.get(b"Content-Type")
        self.captures.append(Capture(
            url=response.url,
            normalized_url=normalize_url(response.url),
            kind=request.meta.get("capture_kind", "robots" if response.url.endswith("/robots.txt") else "other"),
            status=response.status,
            content_type=content_type.decode("latin-1") if content_type else None,
            fetched_at=fetched_at,
            offset=offset,
            length=length,
            payload_digest=response_record.rec_headers.get_header("WARC-Payload-Digest"),
        ))
        self.crawler.stats.inc_value("warc/records", 2)  # type: ignore[union-attr]
        self.crawler.stats.inc_value("warc/bytes", length)  # type: ignore[union-attr]


def _status_and_headers(response: Response) -> StatusAndHeaders:
    headers = []
    for name, values in response.headers.items():
        if name.lower() in HOP_BY_HOP_HEADERS:
            continue
        for value in values:
            headers.append((name.decode("latin-1"), value.decode("latin-1")))
    reason = _reason_phrase(response.status)
    return StatusAndHeaders(f"{response.status} {reason}", headers, protocol="HTTP/1.1")


def _request_headers(request: Request) -> StatusAndHeaders:
    from urllib.parse import urlsplit

    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)]
    for name, values in request.headers.items():
        for value in values:
            headers.append((name.decode("latin-1"), value.decode("latin-1")))
    return StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)


def _reason_phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _original_date(response: Response) -> datetime | None:
    for flag in response.flags:
        if flag.startswith(ORIGINAL_DATE_FLAG):
            return datetime.fromisoformat(flag[len(ORIGINAL_DATE_FLAG):].replace("Z", "+00:00"))
    return None
