"""Backfill from web archives: a source's pages taken straight from the WARC records on its domains.

Archives such as Common Crawl's CC-NEWS hold no feeds and no sitemaps, so the spider's discovery
finds nothing in them. Here each archive file is scanned once by its WARC headers
(common/warc_index.py: records of other sites are passed over without parsing them), and a
response record becomes a page of a configured source when its URL is on the source's domains,
its key (the spider's: normalize_url and the source's rewrites) passes the source's allow/deny
patterns, and it can belong to the window: the date in its URL where the source writes one, and
a capture no earlier than the window's start (an article captured before the window began was
published before it too). The article's own date, known once extracted, has the last word: a
run whose finish reason is ARCHIVE_BACKFILL loads only articles dated in its window
(transforms/load/run.py), whichever task loads it.

Each (file, source, window) becomes one run in ops.crawl_runs with a fixed id, so the same file
backfilled again finds its run and changes nothing. The source's records are copied into a WARC
of the run's own under ARCHIVE_ROOT, byte for byte where the archive holds one gzip member per
record: the capture index points there, never into the input archive (retention deletes run
WARCs; the input archive is not ours to delete).
"""

from __future__ import annotations

import glob
import logging
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord, ArcWarcRecordLoader
from warcio.warcwriter import WARCWriter
from zlib_ng import zlib_ng

from common import archive_store
from common.sources import Source
from common.urls import article_url
from common.warc_index import DamagedArchive, RecordHead, scan_records
from common.warehouse import ARCHIVE_BACKFILL, transaction
from common.window import Window, parse_iso_utc
from scrapers.crawl_run import CrawlOutcome, archive_path, record_run
from scrapers.discovery import Discovered, in_window
from scrapers.warc_capture import Capture

log = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc.gz", ".warc")
# Lines of a CC-NEWS warc.paths listing are paths relative to Common Crawl's data host.
CC_DATA_BASE = "https://data.commoncrawl.org/"
# Run ids are derived from what the run covers, so the same work always has the same id.
RUN_ID_NAMESPACE = uuid.UUID("6f1d3c1e-5a0b-4d39-9a44-0c2b7f1e8b14")


class ArchiveListingError(ValueError):
    """The ``archives`` parameter names no WARC file; the message says what was looked at."""


@dataclass(frozen=True)
class SelectedRecord:
    source: str
    key: str  # the article URL the spider would have fetched
    head: RecordHead
    captured_at: datetime


@dataclass
class ScanResult:
    """What one archive file held for the backfill."""

    records_scanned: int = 0
    responses: int = 0
    selected: dict[str, list[SelectedRecord]] = field(default_factory=dict)  # source -> records
    damage: str | None = None  # the file is damaged here: no record after it was read


@dataclass(frozen=True)
class SourceRun:
    source: str
    crawl_run_id: str
    pages: int
    already_loaded: bool


def archive_files(archives: str, base_url: str = CC_DATA_BASE) -> list[str]:
    """The WARC files an ``archives`` value names, in order.

    - a ``warc.paths`` (or ``warc.paths.gz``) listing, local or remote: one file a line,
      relative lines joined to ``base_url`` as Common Crawl's listings expect;
    - a remote prefix (``s3://bucket/prefix``): every ``*.warc.gz`` / ``*.warc`` object under it;
    - local paths or globs, several separated by commas.
    """
    archives = archives.strip()
    if not archives:
        raise ArchiveListingError("no archives given: a local glob, an s3:// prefix or a warc.paths listing")
    if archives.endswith(("warc.paths", "warc.paths.gz")):
        return _listed_files(archives, base_url)
    if archive_store.is_remote(archives):
        found = archive_store.list_files(archives, WARC_SUFFIXES)
        if not found:
            raise ArchiveListingError(f"no *.warc.gz or *.warc object under {archives}")
        return found
    files: list[str] = []
    for part in (p.strip() for p in archives.split(",") if p.strip()):
        matched = sorted(glob.glob(part)) if any(c in part for c in "*?[") else [part]
        if not matched or not all(Path(m).is_file() for m in matched):
            raise ArchiveListingError(f"{part!r} names no readable WARC file")
        files.extend(matched)
    return list(dict.fromkeys(files))


def _listed_files(listing: str, base_url: str) -> list[str]:
    data = archive_store.read_bytes(listing)
    if listing.endswith(".gz"):
        data = zlib_ng.decompress(data, zlib_ng.MAX_WBITS + 16)
    lines = [line.strip() for line in data.decode("utf-8").splitlines()]
    files = [line if "://" in line or line.startswith("/") else base_url.rstrip("/") + "/" + line
             for line in lines if line and not line.startswith("#")]
    if not files:
        raise ArchiveListingError(f"{listing} lists no file")
    return files


def run_id_for(source: str, archive: str, window: Window) -> str:
    covered = f"{source}\n{archive}\n{window.start.isoformat()}\n{window.end.isoformat()}"
    return str(uuid.uuid5(RUN_ID_NAMESPACE, covered))


@contextmanager
def local_copy(archive: str) -> Iterator[Path]:
    """The archive file as a local path: itself when local, else a temporary download."""
    if not archive_store.is_remote(archive):
        yield Path(archive.removeprefix("file://"))
        return
    folder = Path(tempfile.mkdtemp(prefix="news-backfill-"))
    try:
        target = folder / Path(urlsplit(archive).path).name
        archive_store.fetch_to(archive, target)
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def scan_archive(path: Path, sources: list[Source], window: Window) -> ScanResult:
    """The records of ``path`` that are candidate pages of ``sources`` for ``window``."""
    by_host: dict[str, list[Source]] = {}
    for source in sources:
        for host in source.domains:
            by_host.setdefault(host, []).append(source)
    result = ScanResult()

    def other_site(url: str) -> bool:
        return (urlsplit(url).hostname or "").lower() not in by_host

    # Other sites' records are listed and counted, their payloads passed over unread.
    try:
        for head in scan_records(path, skip=other_site):
            result.records_scanned += 1
            if head.record_type != "response":
                continue
            result.responses += 1
            host = (urlsplit(head.url).hostname or "").lower()
            for source in by_host.get(host, ()):
                selected = _select(head, source, window)
                if selected is not None:
                    result.selected.setdefault(source.slug, []).append(selected)
    except DamagedArchive as exc:
        # The records before the damage are whole: the caller loads them, then fails the file.
        log.error("%s", exc)
        result.damage = str(exc)
    return result


def _select(head: RecordHead, source: Source, window: Window) -> SelectedRecord | None:
    try:
        key = article_url(head.url, source)
        captured_at = parse_iso_utc(head.warc_date)
    except ValueError:
        return None
    if not source.is_article_url(key):
        return None
    if captured_at < window.start or not in_window(Discovered(key), source, window):
        return None
    return SelectedRecord(source.slug, key, head, captured_at)


def record_source_run(source: Source, archive: str, path: Path, records: list[SelectedRecord],
                      window: Window, dag_run_id: str | None) -> SourceRun:
    """The source's run for this file and window: found when it exists, else written (its WARC,
    then its row and capture index in one transaction)."""
    run_id = run_id_for(source.slug, archive, window)
    with transaction() as cur:
        cur.execute("select status, pages_fetched from ops.crawl_runs where crawl_run_id = %s", (run_id,))
        row = cur.fetchone()
    if row is not None:
        status, pages = row
        log.info("%s: run %s for %s exists (%s)", archive, run_id, source.slug, status)
        return SourceRun(source.slug, run_id, pages, already_loaded=status == "loaded")
    started_at = datetime.now(UTC)
    work_dir = Path(tempfile.mkdtemp(prefix=f"news-backfill-{source.slug}-"))
    try:
        work_file = work_dir / f"{run_id}.warc.gz"
        captures = _copy_records(path, records, work_file)
        destination = archive_path(source.slug, window, run_id)
        archive_store.publish(work_file, destination)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    pages = sum(1 for c in captures if c.status == 200)
    stats = {"backfill/archive": archive, "backfill/records_selected": len(records),
             "backfill/pages_ok": pages, "news/pages_ok": pages,
             "backfill/not_ok": len(captures) - pages}
    record_run(run_id=run_id, source=source, window=window, dag_run_id=dag_run_id, started_at=started_at,
               finished_at=datetime.now(UTC), finish_reason=ARCHIVE_BACKFILL,
               outcome=CrawlOutcome("captured", None, pages, 0), warc_uri=destination, stats=stats,
               captures=captures)
    log.info("%s: %d records of %s copied to %s (run %s)", archive, len(captures), source.slug, destination, run_id)
    return SourceRun(source.slug, run_id, pages, already_loaded=False)


def _copy_records(path: Path, records: list[SelectedRecord], work_file: Path) -> list[Capture]:
    """Write the records to ``work_file`` (gzip per record); their capture rows, offsets in it."""
    loader = ArcWarcRecordLoader()
    captures = []
    with path.open("rb") as source_stream, work_file.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for selected in records:
            location = selected.head.location
            source_stream.seek(location.offset)
            offset = out.tell()
            if location.length is not None:
                member = source_stream.read(location.length)
                record = loader.parse_record_stream(BytesIO(zlib_ng.decompress(member, zlib_ng.MAX_WBITS + 16)))
            else:
                member = None
                record = next(iter(ArchiveIterator(source_stream)))
            status, content_type, digest = _response_facts(record)
            if member is not None and selected.head.url == selected.key:
                out.write(member)  # byte for byte: the archive's own compression of its own record
            else:
                # Under the URL the spider would have fetched (tracking parameters gone), as a
                # replayed crawl records it: the article's identity is the same either way.
                _rewrite(writer, record, selected.key)
            captures.append(Capture(url=selected.key, normalized_url=selected.key, kind="page",
                                    status=status, content_type=content_type, fetched_at=selected.captured_at,
                                    offset=offset, length=out.tell() - offset, payload_digest=digest))
    return captures


def _response_facts(record: ArcWarcRecord) -> tuple[int, str | None, str | None]:
    http = record.http_headers
    status = int(http.get_statuscode()) if http else 0
    return (status, http.get_header("Content-Type") if http else None,
            record.rec_headers.get_header("WARC-Payload-Digest"))


def _rewrite(writer: WARCWriter, record: ArcWarcRecord, url: str) -> None:
    """The record as its own gzip member, under ``url``; the archived URL kept beside it."""
    payload: BinaryIO = BytesIO(record.raw_stream.read())
    archived = record.rec_headers.get_header("WARC-Target-URI")
    if archived != url:
        record.rec_headers.replace_header("WARC-Target-URI", url)
        record.rec_headers.add_header("WARC-Source-URI", archived)
    copy = writer.create_warc_record(url, "response",
                                     payload=payload, http_headers=record.http_headers,
                                     warc_headers=record.rec_headers)
    writer.write_record(copy)
