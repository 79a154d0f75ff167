"""Where each record of a WARC file is, read from its WARC headers only.

Replay and archive backfills both need "which records are in this file, for which URL, captured
when, and where" without reading the pages themselves. Neither the HTTP headers nor the HTML of a
record are parsed here. Three layouts, fastest first:

- one gzip member per record (how Common Crawl, CC-NEWS, Heritrix and warcio write WARCs): each
  member's WARC headers are inflated and parsed. A record the caller does not want (``skip``, by
  its URL: another site's) is passed over without inflating its payload: the next member is found
  in the compressed bytes by its gzip magic, preceded by this member's trailer whose ISIZE field
  must equal the record's size (known from its Content-Length), and must inflate to a WARC header.
  A wanted record is inflated to its end (output thrown away), which also checks that the member
  holds exactly one record;
- an uncompressed WARC: the WARC headers are read and ``Content-Length`` bytes are seeked past;
- anything else warcio reads (one gzip stream for the whole file): record by record with warcio.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeadersParserException
from zlib_ng import zlib_ng

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"
# Compressed bytes read per step while scanning.
SCAN_CHUNK = 256 * 1024
# Inflated bytes kept per gzip member while scanning: a record's WARC headers fit (they run ~1 KB).
HEAD_BYTES = 16 * 1024
# Compressed bytes fed per step while inflating a member's WARC headers.
HEAD_CHUNK = 1024
# Compressed bytes read per step while looking for the end of a member that is passed over.
SKIP_BLOCK = 64 * 1024
# A gzip member's first bytes: magic and the deflate method.
GZIP_MEMBER_MAGIC = b"\x1f\x8b\x08"
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
    """The file is not one gzip member per record (plain WARC, whole-file gzip, odd padding).

    ``damage``: what failed is a member's data (cut short, a CRC or deflate error), not its layout.
    """

    def __init__(self, message: str, damage: bool = False) -> None:
        super().__init__(message)
        self.damage = damage


class DamagedArchive(ValueError):
    """A WARC file damaged partway: the records before the damage were listed, none after it.
    The message names the file and the offset."""


def scan_records(path: Path, skip: Callable[[str], bool] | None = None) -> Iterator[RecordHead]:
    """Every record of the file, in file order, by the fastest way its layout allows.

    ``skip(url)`` True: the record is still listed, but its payload is passed over unread where
    the layout allows (one gzip member per record).
    """
    with path.open("rb") as stream:
        magic = stream.read(2)
    if magic == GZIP_MAGIC:
        heads: list[RecordHead] = []
        try:
            # Collected first: a file found not to be one member per record halfway is read again
            # by warcio from the start, and nobody has been handed half of it twice.
            for head in _scan_gzip_members(path, skip):
                heads.append(head)
        except NotPerRecordGzip as why:
            if why.damage and heads:
                # Members read whole before it say the layout is one per record: a member that
                # starts as one and then fails is damaged (warcio would stop there in silence,
                # or fail on its binary). The records before it are good and listed.
                yield from heads
                raise DamagedArchive(f"{path}: {why}; the {len(heads)} record(s) before it read, "
                                     f"none after") from why
            log.info("%s: %s; scanned record by record", path, why)
            yield from _scan_with_warcio(path)
            return
        yield from heads
        return
    yield from _scan_plain(path)


def _scan_gzip_members(path: Path, skip: Callable[[str], bool] | None) -> Iterator[RecordHead]:
    loader = ArcWarcRecordLoader()
    file_size = path.stat().st_size
    with path.open("rb") as stream:
        offset = 0
        while offset < file_size:
            stream.seek(offset)
            if not stream.read(len(GZIP_MEMBER_MAGIC)).startswith(GZIP_MEMBER_MAGIC):
                raise NotPerRecordGzip(f"no gzip member at {offset}")
            stream.seek(offset)
            inflater = zlib_ng.decompressobj(zlib_ng.MAX_WBITS + 16)
            head, fed = _inflate_head(stream, inflater, offset)
            end = head.find(b"\r\n\r\n")
            try:
                record = loader.parse_record_stream(BytesIO(head), no_record_parse=True)
                content_length = int(record.rec_headers.get_header("Content-Length") or "")
            except Exception as exc:  # any parse failure: let warcio read the file
                raise NotPerRecordGzip(f"gzip member at {offset} does not start with a WARC record: {exc}") from exc
            if end < 0:
                raise NotPerRecordGzip(f"gzip member at {offset}: WARC headers longer than {HEAD_BYTES} bytes")
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            # The member holds this record and its closing CRLF CRLF, and nothing more.
            sizes = range(end + 4 + content_length, end + 9 + content_length)
            if inflater.eof:
                length = fed - len(inflater.unused_data)
                if len(head) not in sizes:
                    raise NotPerRecordGzip(f"gzip member at {offset} is not exactly one record")
            elif skip is not None and skip(url):
                length = _member_end(stream, offset, fed, sizes, file_size) - offset
            else:
                length = _inflate_to_end(stream, inflater, offset, fed, len(head), sizes)
            yield _head(record.rec_type, record.rec_headers, RecordLocation(path, offset, length))
            offset += length


def _inflate_head(stream: BinaryIO, inflater: Any, offset: int) -> tuple[bytes, int]:
    """The member's first inflated bytes, up to its WARC headers' end; and the bytes fed."""
    head, fed = b"", 0
    try:
        while b"\r\n\r\n" not in head and len(head) < HEAD_BYTES and not inflater.eof:
            chunk = stream.read(HEAD_CHUNK)
            if not chunk:
                raise NotPerRecordGzip(f"the gzip member at offset {offset} is cut short (the file ends)", damage=True)
            fed += len(chunk)
            head += inflater.decompress(chunk)
    except zlib_ng.error as exc:  # type: ignore[misc]  # zlib-ng's stubs do not say error is an exception
        raise NotPerRecordGzip(f"the gzip member at offset {offset} does not inflate: {exc}", damage=True) from exc
    return head, fed


def _inflate_to_end(stream: BinaryIO, inflater: Any, offset: int, fed: int, size: int, sizes: range) -> int:
    """Inflate the rest of the member (output thrown away); its compressed length."""
    try:
        while not inflater.eof:
            chunk = stream.read(SCAN_CHUNK)
            if not chunk:
                raise NotPerRecordGzip(f"the gzip member at offset {offset} is cut short (the file ends)", damage=True)
            fed += len(chunk)
            size += len(inflater.decompress(chunk))
    except zlib_ng.error as exc:  # type: ignore[misc]
        raise NotPerRecordGzip(f"the gzip member at offset {offset} does not inflate: {exc}", damage=True) from exc
    if size not in sizes:
        raise NotPerRecordGzip(f"gzip member at {offset} is not exactly one record")
    return fed - len(inflater.unused_data)


def _member_end(stream: BinaryIO, offset: int, fed: int, sizes: range, file_size: int) -> int:
    """Where the member starting at ``offset`` ends, found without inflating it: the next gzip
    header whose preceding 4 bytes (this member's ISIZE) equal the record's inflated size and
    which inflates to a WARC record; or the end of the file, when its last 4 bytes do."""
    isizes = {(size & 0xFFFFFFFF).to_bytes(4, "little") for size in sizes}
    # The deflate stream did not end within the bytes fed: the trailer (8 bytes, which may
    # straddle them) and the next member come after.
    base = max(offset + 1, offset + fed - 8)
    stream.seek(base)
    window = stream.read(SKIP_BLOCK)
    while True:
        at = window.find(GZIP_MEMBER_MAGIC, 4)
        while at >= 0:
            if window[at - 4:at] in isizes and _starts_warc_record(stream, base + at):
                return base + at
            at = window.find(GZIP_MEMBER_MAGIC, at + 1)
        stream.seek(base + len(window))
        more = stream.read(SKIP_BLOCK)
        if not more:
            break
        # Keep the tail a magic and the ISIZE before it may straddle.
        keep = window[-(4 + len(GZIP_MEMBER_MAGIC)):]
        base += len(window) - len(keep)
        window = keep + more
    stream.seek(file_size - 4)
    if stream.read(4) in isizes:
        return file_size
    raise NotPerRecordGzip(f"the gzip member at offset {offset} has no end (cut short, or damaged)", damage=True)


def _starts_warc_record(stream: BinaryIO, position: int) -> bool:
    stream.seek(position)
    data = stream.read(HEAD_CHUNK)
    try:
        return bool(zlib_ng.decompressobj(zlib_ng.MAX_WBITS + 16).decompress(data, 16).startswith(b"WARC/"))
    except zlib_ng.error:  # type: ignore[misc]
        return False


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
    listed = 0
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        try:
            for record in records:
                yield _head(record.rec_type, record.rec_headers, RecordLocation(path, records.get_record_offset()))
                listed += 1
        except (ArchiveLoadFailed, StatusAndHeadersParserException) as exc:
            # warcio's message quotes the damaged bytes: binary, NULs and all. Its name says enough.
            raise DamagedArchive(f"{path}: unreadable after its first {listed} record(s), near offset "
                                 f"{stream.tell()} ({type(exc).__name__}); none after read") from exc


def _head(record_type: str, rec_headers: object, location: RecordLocation) -> RecordHead:
    get = rec_headers.get_header  # type: ignore[attr-defined]
    return RecordHead(record_type, get("WARC-Target-URI") or "", get("WARC-Date") or "", location)
