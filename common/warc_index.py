"""Where each record of a WARC file is, read from its WARC headers only.

Replay and archive backfills both need "which records are in this file, for which URL, captured
when, and where" without reading the pages themselves. Neither the HTTP headers nor the HTML of a
record are parsed here. Three layouts, fastest first:

- one gzip member per record (how Common Crawl, CC-NEWS, Heritrix and warcio write WARCs): each
  member's WARC headers are inflated and parsed; the rest of the member is inflated in C with its
  output thrown away, because a deflate stream's end is only found by inflating it;
- an uncompressed WARC: the WARC headers are read and ``Content-Length`` bytes are seeked past;
- anything else warcio reads (one gzip stream for the whole file): record by record with warcio.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecordLoader
from zlib_ng import zlib_ng

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"
# Compressed bytes read per step while scanning.
SCAN_CHUNK = 256 * 1024
# Inflated bytes kept per gzip member while scanning: a record's WARC headers fit (they run ~1 KB).
HEAD_BYTES = 16 * 1024
# WARC headers longer than this are not a WARC record (a plain file's header block is read line by line).
MAX_HEADER_BYTES = 64 * 1024


@dataclass(frozen=True)
class RecordLocation:
    """Where a record is: ``length`` is its gzip member's size, or None when the file does not
    hold one record per gzip member (then the record is found by reading on from ``offset``)."""

    path: Path
    offset: int
    length: int | None = None


@dataclass(frozen=True)
class RecordHead:
    """A record's type, target URL and WARC-Date (as written, ISO-8601), and where it is."""

    record_type: str
    url: str
    warc_date: str
    location: RecordLocation


class NotPerRecordGzip(ValueError):
    """The file is not one gzip member per record (plain WARC, whole-file gzip, odd padding)."""


def scan_records(path: Path) -> Iterator[RecordHead]:
    """Every record of the file, in file order, by the fastest way its layout allows."""
    with path.open("rb") as stream:
        magic = stream.read(2)
    if magic == GZIP_MAGIC:
        heads: list[RecordHead] = []
        try:
            # Collected first: a file found not to be one member per record halfway is read again
            # by warcio from the start, and nobody has been handed half of it twice.
            heads = list(_scan_gzip_members(path))
        except NotPerRecordGzip as why:
            log.info("%s: %s; scanned record by record", path, why)
            yield from _scan_with_warcio(path)
            return
        yield from heads
        return
    yield from _scan_plain(path)


def _scan_gzip_members(path: Path) -> Iterator[RecordHead]:
    loader = ArcWarcRecordLoader()
    with path.open("rb") as stream:
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
            yield _head(record.rec_type, record.rec_headers, RecordLocation(path, offset, length))


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


def _scan_plain(path: Path) -> Iterator[RecordHead]:
    """An uncompressed WARC: read each header block, seek past its Content-Length."""
    loader = ArcWarcRecordLoader()
    with path.open("rb") as stream:
        while True:
            offset = stream.tell()
            block = _header_block(stream)
            if block is None:
                return
            try:
                record = loader.parse_record_stream(BytesIO(block), no_record_parse=True)
                content_length = int(record.rec_headers.get_header("Content-Length") or "")
            except Exception as exc:
                raise ValueError(f"{path}: no WARC record at offset {offset}: {exc}") from exc
            yield _head(record.rec_type, record.rec_headers, RecordLocation(path, offset))
            stream.seek(content_length, 1)
            stream.read(4)  # the CRLF CRLF closing every record


def _header_block(stream: BinaryIO) -> bytes | None:
    """The WARC header lines of the record starting here, blank line included; None at the end."""
    lines: list[bytes] = []
    read = 0
    while True:
        line = stream.readline()
        if not line:
            if lines:
                raise ValueError("the file ends inside a record's WARC headers")
            return None
        if not lines and not line.strip():
            continue  # tolerate extra blank lines between records
        lines.append(line)
        read += len(line)
        if read > MAX_HEADER_BYTES:
            raise ValueError(f"WARC headers longer than {MAX_HEADER_BYTES} bytes")
        if line in (b"\r\n", b"\n"):
            return b"".join(lines)


def _scan_with_warcio(path: Path) -> Iterator[RecordHead]:
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            yield _head(record.rec_type, record.rec_headers, RecordLocation(path, records.get_record_offset()))


def _head(record_type: str, rec_headers: object, location: RecordLocation) -> RecordHead:
    get = rec_headers.get_header  # type: ignore[attr-defined]
    return RecordHead(record_type, get("WARC-Target-URI") or "", get("WARC-Date") or "", location)
