"""Reading response records back out of a WARC file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord


@dataclass(frozen=True)
class ResponseRecord:
    offset: int
    url: str
    status: int
    content_type: str | None
    body: bytes  # decoded from transfer and content encodings


def read_responses(path: Path, offsets: set[int] | None = None) -> Iterator[ResponseRecord]:
    """Response records in file order; only those starting at ``offsets`` when given.

    One sequential pass: cheaper than a seek per record on large archives.
    """
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type != "response":
                continue
            # Read the payload before asking for the offset: warcio's get_record_offset() reads
            # the record to its end, after which the payload stream is empty.
            body = record.content_stream().read()
            offset = records.get_record_offset()
            if offsets is not None and offset not in offsets:
                continue
            yield response_record(record, offset, body)


def response_record(record: ArcWarcRecord, offset: int, body: bytes) -> ResponseRecord:
    """A warcio response record, whose payload ``body`` has been read, as a ResponseRecord."""
    http = record.http_headers
    return ResponseRecord(
        offset=offset,
        url=record.rec_headers.get_header("WARC-Target-URI") or "",
        status=int(http.get_statuscode()) if http else 0,
        content_type=http.get_header("Content-Type") if http else None,
        body=body,
    )
