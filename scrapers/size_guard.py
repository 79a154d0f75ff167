"""Refuse decompression bombs before they reach the WARC file.

DOWNLOAD_MAXSIZE bounds the bytes on the wire, and Scrapy's HttpCompressionMiddleware bounds the
decoded body, but the WARC capture (980) writes the wire bytes before decompression (590) runs:
a 50 KB gzip body that inflates to 10 GB would be archived and then inflated by whoever reads
the archive. This middleware sits between replay (990) and capture (980): it decodes in bounded
steps and drops any response whose decoded body would pass the limit, whose encoding we
cannot decode, or whose body does not decode as its encoding says, so it is neither archived
nor parsed.
"""

from __future__ import annotations

import logging
import zlib
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

log = logging.getLogger(__name__)

CHUNK = 64 * 1024


class ResponseTooLarge(IgnoreRequest):
    reason = "too_large"


class UnsupportedEncoding(IgnoreRequest):
    reason = "unsupported_encoding"


class UndecodableBody(IgnoreRequest):
    """A body that does not decode as its Content-Encoding says (``gzip`` on a plain page): a
    server's or a CDN node's mistake, retried by the next runs, never guessed at."""

    reason = "undecodable_body"


def decoded_size_within(body: bytes, encodings: list[str], limit: int) -> bool:
    """Whether ``body`` decodes (innermost encoding last in the header) to at most ``limit`` bytes."""
    data = body
    for encoding in reversed(encodings):
        if encoding in ("identity", ""):
            continue
        decoded = _decode_bounded(data, encoding, limit)
        if decoded is None:
            return False
        data = decoded
    return len(data) <= limit


def _decode_bounded(data: bytes, encoding: str, limit: int) -> bytes | None:
    """The decoded bytes, or None past ``limit``; memory never holds more than limit + CHUNK."""
    if encoding in ("gzip", "x-gzip", "deflate"):
        wbits = 47 if encoding != "deflate" else 15  # 47: gzip or zlib header, auto-detected
        try:
            return _inflate(data, wbits, limit)
        except zlib.error:
            if encoding == "deflate":
                return _inflate(data, -15, limit)  # raw deflate, as some servers send it
            raise
    if encoding == "br":
        import brotli

        decompressor = brotli.Decompressor()
        out = bytearray()
        for start in range(0, len(data), CHUNK):
            out += decompressor.process(data[start:start + CHUNK])
            if len(out) > limit:
                return None
        return bytes(out)
    raise UnsupportedEncoding(f"Content-Encoding {encoding!r} cannot be decoded here")


def _inflate(data: bytes, wbits: int, limit: int) -> bytes | None:
    decompressor = zlib.decompressobj(wbits)
    out = bytearray()
    pending = data
    while pending:
        out += decompressor.decompress(pending, CHUNK)
        if len(out) > limit:
            return None
        pending = decompressor.unconsumed_tail
    return bytes(out)


class DecodedSizeGuard:
    """Downloader middleware at 985: bounded decoding check of every encoded response."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.limit = crawler.settings.getint("DOWNLOAD_MAXSIZE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DecodedSizeGuard:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        header = response.headers.get(b"Content-Encoding")
        if not header or not self.limit:
            return response
        encodings = [e.strip().lower() for e in header.decode("latin-1").split(",")]
        try:
            fits = decoded_size_within(response.body, encodings, self.limit)
        except UnsupportedEncoding:
            self.crawler.stats.inc_value("news/dropped/unsupported_encoding")
            raise
        except Exception as exc:  # zlib.error, brotli.error: a body that does not decode at all
            self.crawler.stats.inc_value("news/dropped/undecodable")
            raise UndecodableBody(f"{request.url}: body does not decode as {header!r}: {exc}") from exc
        if not fits:
            self.crawler.stats.inc_value("news/dropped/too_large")
            log.warning("%s: decoded body passes DOWNLOAD_MAXSIZE (%d bytes): dropped", request.url, self.limit)
            raise ResponseTooLarge(f"{request.url}: decoded body larger than DOWNLOAD_MAXSIZE ({self.limit} bytes)")
        return response
