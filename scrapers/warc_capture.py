"""Every response a crawl sees, written to the run's WARC file as it arrives.

The file grows in a private work folder; only a finished crawl publishes it to the archive
(scrapers/crawl_run.py). A crawl that is killed leaves nothing in the archive or the database.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import logging
import os
import random
import tempfile
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn

from scrapy import Request, signals
from scrapy.http import Response
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter
from zlib_ng import zlib_ng

from common.urls import normalize_url
from scrapers.run_stats import NOT_PUBLISHED_PREFIX

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

# Headers that describe the transfer, not the payload: Scrapy has already undone them.
HOP_BY_HOP_HEADERS = {b"transfer-encoding", b"connection", b"keep-alive"}
# When replaying, the original capture's date rides along in the response flags under this prefix.
ORIGINAL_DATE_FLAG = "warc-date:"
# Response bytes waiting for the writer thread before the crawl waits for it (bounded memory).
PENDING_BYTES_MAX = 64 * 1024 * 1024


class WarcWriteFailed(RuntimeError):
    """Writing the run's WARC file failed: the crawl must not publish it."""


class LeveledWarcWriter(WARCWriter):
    """A WARCWriter writing each record as its own gzip member at ``level``, with zlib-ng.

    warcio hard-codes stdlib zlib at level 9, which profiled at 60% of a replay crawl's CPU.
    zlib-ng writes the same gzip format, as small at the same level, in half the CPU of stdlib
    zlib (WARC_GZIP_LEVEL in scrapers/settings.py says which level and why). A record is
    serialised whole and compressed in one call (zlib-ng releases the GIL for it), and its
    digests are taken in one hashlib call each instead of warcio's 16 KB steps. Offsets stay
    per record.
    """

    def __init__(self, out: BinaryIO, level: int, **kwargs: object) -> None:
        super().__init__(out, gzip=False, **kwargs)
        self.level = level
        # Record IDs need to be unique, not secret: a generator seeded once from os.urandom
        # instead of uuid4's system call per record (6% of the writer thread's time).
        self._ids = random.Random()

    def _make_warc_id(self) -> str:
        return f"<urn:uuid:{uuid.UUID(int=self._ids.getrandbits(128), version=4)}>"

    def write_record(self, record: Any, params: object = None) -> None:
        self.write_serialized(self.serialize(record))

    @staticmethod
    def _iter_stream(stream: Any) -> Any:
        """An in-memory payload in one piece, not in warcio's 16 KB steps."""
        if isinstance(stream, BytesIO):
            data = stream.read()
            if data:
                yield data
            return
        yield from WARCWriter._iter_stream(stream)

    def serialize(self, record: Any) -> bytes:
        """The record's uncompressed bytes (digests taken, Content-Length set)."""
        plain = BytesIO()
        self._write_warc_record(plain, record)
        return plain.getvalue()

    def write_serialized(self, data: bytes) -> None:
        """One gzip member holding ``data``, appended to the file."""
        compressor = zlib_ng.compressobj(self.level, zlib_ng.DEFLATED, zlib_ng.MAX_WBITS + 16)
        self.out.write(compressor.compress(data) + compressor.flush())

    def ensure_digest(self, record: Any, block: bool = True, payload: bool = True) -> None:
        """warcio's digests (sha1, base32), from an in-memory payload in one call each."""
        stream = record.raw_stream
        if record.length is None or not isinstance(stream, BytesIO):
            super().ensure_digest(record, block=block, payload=payload)
            return
        headers = record.rec_headers
        block = block and not headers.get_header("WARC-Block-Digest")
        payload = payload and not (headers.get_header("WARC-Payload-Digest")
                                   or record.rec_type in self.NO_PAYLOAD_DIGEST_TYPES)
        if not (block or payload):
            return
        with stream.getbuffer() as buffer:
            body = buffer[stream.tell():]
            try:
                if payload:
                    headers.add_header("WARC-Payload-Digest", _sha1(hashlib.sha1(body)))
                if block:
                    digest = hashlib.sha1()
                    if record.http_headers:
                        if not record.http_headers.headers_buff:
                            record.http_headers.compute_headers_buffer(self.header_filter)
                        digest.update(record.http_headers.headers_buff)
                    digest.update(body)
                    headers.add_header("WARC-Block-Digest", _sha1(digest))
            finally:
                body.release()


def _sha1(digest: Any) -> str:
    return "sha1:" + base64.b32encode(digest.digest()).decode("ascii")


@dataclass(frozen=True, slots=True)  # slots: one is kept per response until the run is recorded
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
    redirected_from: str | None = None  # normalized: the URL the request was for, where a redirect led here


@dataclass(frozen=True)
class _Exchange:
    """One response and its request as serialised WARC records, for the writer thread."""

    url: str
    status: int
    kind: str
    content_type: str | None
    fetched_at: datetime
    payload_digest: str
    redirected_from: str | None
    response_record: bytes  # uncompressed; the writer compresses and places it
    request_record: bytes


class _RecordWriter:
    """Writes exchanges to the WARC file in one background thread, in the order they came.

    Why a thread: compression is most of a crawl's CPU, and zlib-ng releases the GIL while it
    works, so the second core compresses while the reactor goes on. The records are built and
    digested in the reactor thread (WarcCaptureMiddleware._exchange), which keeps the two
    threads about equally busy on a replay. The crawl waits only when PENDING_BYTES_MAX bytes
    are queued (a disk slower than the crawl).
    """

    def __init__(self, writer: LeveledWarcWriter, out: BinaryIO) -> None:
        self.writer = writer
        self.out = out
        self.captures: list[Capture] = []
        self.bytes_written = 0
        self.error: BaseException | None = None
        self.cpu_seconds = 0.0  # the writer thread's own CPU time, for the crawl's log
        self._queue: deque[_Exchange | None] = deque()
        self._pending = 0
        self._drop = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="warc-writer", daemon=True)
        self._thread.start()

    def submit(self, exchange: _Exchange) -> None:
        size = len(exchange.response_record)
        with self._changed:
            while self._pending and self._pending + size > PENDING_BYTES_MAX and self.error is None:
                self._changed.wait()
            self._queue.append(exchange)
            self._pending += size
            self._changed.notify_all()

    def finish(self, drop: bool = False) -> None:
        """Write what is queued (or drop it) and stop the thread."""
        with self._changed:
            self._drop = self._drop or drop
            self._queue.append(None)
            self._changed.notify_all()
        self._thread.join()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._queue:
                    self._changed.wait()
                exchange = self._queue.popleft()
                drop = self._drop or self.error is not None
            if exchange is None:
                self.cpu_seconds = time.thread_time()
                return
            try:
                if not drop:
                    self.captures.append(self._write(exchange))
            except BaseException as exc:  # kept, and raised by close() in the reactor thread
                log.error("writing %s to the WARC file failed: %s", exchange.url, exc)
                self.error = exc
            finally:
                with self._changed:
                    self._pending -= len(exchange.response_record)
                    self._changed.notify_all()

    def _write(self, exchange: _Exchange) -> Capture:
        offset = self.out.tell()
        self.writer.write_serialized(exchange.response_record)
        length = self.out.tell() - offset
        self.writer.write_serialized(exchange.request_record)
        self.bytes_written += length
        return Capture(
            url=exchange.url, normalized_url=normalize_url(exchange.url), kind=exchange.kind,
            status=exchange.status, content_type=exchange.content_type, fetched_at=exchange.fetched_at,
            offset=offset, length=length, payload_digest=exchange.payload_digest,
            redirected_from=exchange.redirected_from,
        )


class WarcCaptureMiddleware:
    """Downloader middleware writing a request and a response record per response.

    The records are written by a background thread (_RecordWriter); ``captures`` is complete
    once ``close()`` has returned, and ``close()`` raises WarcWriteFailed if any write failed.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run_id = str(uuid.uuid4())
        self.work_dir = Path(crawler.settings.get("WARC_WORK_DIR") or tempfile.gettempdir())
        self.gzip_level = crawler.settings.getint("WARC_GZIP_LEVEL", 5)
        self.path: Path | None = None
        self._file: BinaryIO | None = None
        self._records: _RecordWriter | None = None
        self._serializer: LeveledWarcWriter | None = None
        self._error: BaseException | None = None
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
        # Held while the file is written: a sweep by a later crawl removes it only once we are gone.
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)
        writer = LeveledWarcWriter(self._file, self.gzip_level, warc_version="1.1")
        info = {"software": "news-pipeline (Scrapy)", "format": "WARC File Format 1.1",
                "source": spider.name, "crawl-run-id": self.run_id}
        writer.write_record(writer.create_warcinfo_record(self.path.name[:-5], info))
        # From here on the reactor thread only builds records, the writer thread only writes.
        self._serializer = writer
        self._records = _RecordWriter(writer, self._file)
        self.captures = self._records.captures

    def spider_closed(self, spider: Spider) -> None:
        self.close()

    def close(self, drop: bool = False) -> None:
        """Finish writing and close the file; WarcWriteFailed if a record could not be written."""
        records, self._records = self._records, None
        if records is not None:
            records.finish(drop=drop)
            log.info("WARC writer thread: %d responses, %.0f MB, %.1f s CPU", len(records.captures),
                     records.bytes_written / 1e6, records.cpu_seconds)
            self.crawler.stats.inc_value("warc/records", 2 * len(records.captures))
            self.crawler.stats.inc_value("warc/bytes", records.bytes_written)
            self._error = records.error
        if self._file is not None and not self._file.closed:
            try:
                self._file.close()  # flushes the last buffered records: the disk may refuse them
            except OSError as exc:
                # Kept: a later close() (the recorder's, or the spider_closed signal's) must still
                # refuse to publish a file whose end never reached the disk.
                self._error = self._error or exc
        if self._error is not None and not drop:
            raise WarcWriteFailed(f"the WARC file {self.path} is incomplete ({self._error}); nothing may be "
                                  "published from this crawl: check the work folder's disk and run it again")

    def discard(self) -> None:
        """Remove the work file (a crawl that must not publish anything)."""
        self.close(drop=True)
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def process_response(self, request: Request, response: Response) -> Response:
        records = self._records
        if records is not None:
            if records.error is not None:
                self._abandon(records.error)
            records.submit(self._exchange(request, response))
        return response

    def _abandon(self, error: BaseException) -> NoReturn:
        """End the crawl process now: nothing more can be captured, and nothing may be published.

        Not through Scrapy's shutdown: a full disk also fails the on-disk frontier (JOBDIR), and
        then the engine never finishes closing and the crawl would hang until the task's
        execution_timeout. A crawl that exits publishes and records nothing (FAULTS 10); the task
        removes its work folder and fails with the reason printed here.
        """
        reason = (f"WarcWriteFailed: the WARC file {self.path} is incomplete ({error}); the crawl stopped at once: "
                  "check the work folder's disk")
        log.error("%s", reason)
        print(f"{NOT_PUBLISHED_PREFIX}{reason}", flush=True)
        logging.shutdown()
        os._exit(1)

    def _exchange(self, request: Request, response: Response) -> _Exchange:
        """The two records, built now: later middlewares may change the response."""
        writer = self._serializer
        assert writer is not None
        fetched_at = _original_date(response) or datetime.now(UTC)
        warc_date = fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        response_record = writer.create_warc_record(
            response.url, "response", payload=BytesIO(response.body), length=len(response.body),
            http_headers=_status_and_headers(response), warc_headers_dict={"WARC-Date": warc_date},
        )
        request_record = writer.create_warc_record(
            request.url, "request", payload=BytesIO(request.body or b""), http_headers=_request_headers(request),
            warc_headers_dict={"WARC-Date": warc_date,
                               "WARC-Concurrent-To": response_record.rec_headers["WARC-Record-ID"]},
        )
        content_type = response.headers.get(b"Content-Type")
        return _Exchange(
            url=response.url, status=response.status,
            kind=request.meta.get("capture_kind", "robots" if response.url.endswith("/robots.txt") else "other"),
            content_type=content_type.decode("latin-1") if content_type else None,
            fetched_at=fetched_at,
            payload_digest=response_record.rec_headers.get_header("WARC-Payload-Digest"),
            redirected_from=_redirected_from(request),
            response_record=writer.serialize(response_record),
            request_record=writer.serialize(request_record),
        )


def _redirected_from(request: Request) -> str | None:
    """The normalized URL a redirect chain that led to ``request`` started from (Scrapy's
    RedirectMiddleware lists the chain in ``redirect_urls``); None for a URL fetched as asked."""
    chain = request.meta.get("redirect_urls")
    if not chain:
        return None
    first = normalize_url(chain[0])
    return first if first != normalize_url(request.url) else None


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
