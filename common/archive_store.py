"""The archive of crawl WARCs: a local folder, or any fsspec URL such as ``s3://bucket/prefix``.

``ARCHIVE_ROOT`` says where. A plain path (the default, ``.data/archive`` under the working
directory) keeps everything as local files. A URL goes through fsspec: for ``s3://`` that is
s3fs, which takes its endpoint and credentials from the standard AWS settings
(``AWS_ENDPOINT_URL`` for MinIO or another S3-compatible server, ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION``, or ``~/.aws``) or from fsspec's own configuration
(``FSSPEC_S3_*`` variables). No credential is ever part of ARCHIVE_ROOT or of a recorded location.

A location (``warc_uri`` in ops.crawl_runs and raw.captures) is a string: a local path, exactly
as before object storage was supported, or a URL naming the object.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import uuid
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

import fsspec
from fsspec.utils import get_protocol
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from common.warc_reader import ResponseRecord, response_record

if TYPE_CHECKING:
    from fsspec.spec import AbstractFileSystem

log = logging.getLogger(__name__)

ARCHIVE_ROOT_ENV = "ARCHIVE_ROOT"
LOCAL_PROTOCOLS = ("file", "local")
# Ranged reads from object storage: records closer than this are fetched in one request (a
# request costs far more than reading the few kilobytes of feed or request records between two
# pages)...
RANGE_MERGE_GAP = 64 * 1024
# ...but one request reads at most this much, and this many requests are in flight at once:
# what is held in memory at a time stays under 8 x 4 MiB whatever the size of the WARC.
RANGE_BLOCK_BYTES = 4 * 1024 * 1024
RANGE_REQUESTS_AT_ONCE = 8
# Environment variables that decide which server and account a filesystem talks to: a cached
# filesystem is only reused while they are unchanged.
_FS_ENV_PREFIXES = ("AWS_", "FSSPEC_")
GZIP_MAGIC = b"\x1f\x8b"


class ArchiveError(RuntimeError):
    """The archive cannot be read or written as asked."""


def archive_root() -> str:
    """ARCHIVE_ROOT: a local folder or an fsspec URL (no trailing slash)."""
    value = os.environ.get(ARCHIVE_ROOT_ENV) or str(Path.cwd() / ".data" / "archive")
    return value.rstrip("/") if is_remote(value) else str(_local_path(value))


def _is_local(location: str) -> bool:
    return get_protocol(location) in LOCAL_PROTOCOLS


def _local_path(location: str) -> Path:
    return Path(location.removeprefix("file://"))


def is_remote(location: str) -> bool:
    """True for object storage (s3://...), False for a local path or file:// URL."""
    return not _is_local(location)


def join(root: str, *parts: str) -> str:
    """``root/part/part``: a path for a local root, a URL for a remote one."""
    if is_remote(root):
        return "/".join([root.rstrip("/"), *parts])
    return str(_local_path(root).joinpath(*parts))


def stats_location(warc_location: str) -> str:
    """Where a run's stats file sits: beside its WARC, ``<run>.stats.json``."""
    return warc_location.removesuffix(".warc.gz") + ".stats.json"


@functools.lru_cache(maxsize=8)
def _cached_filesystem(protocol: str, env: tuple[tuple[str, str], ...]) -> AbstractFileSystem:
    # A fresh instance (not fsspec's own cache, which would keep the first endpoint and
    # credentials it saw in this process); the env argument only keys this cache.
    return fsspec.filesystem(protocol, skip_instance_cache=True)


def _filesystem(location: str) -> tuple[AbstractFileSystem, str]:
    """The fsspec filesystem for a remote location and the path inside it."""
    protocol = get_protocol(location)
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(_FS_ENV_PREFIXES)))
    try:
        fs = _cached_filesystem(protocol, env)
    except (ImportError, ValueError) as exc:
        raise ArchiveError(f"ARCHIVE_ROOT {location!r}: no fsspec filesystem for {protocol!r} ({exc}); "
                           f"s3:// needs s3fs (in requirements.txt)") from exc
    return fs, fs._strip_protocol(location)


def publish(work_file: Path, destination: str) -> None:
    """Put a finished work file at its archive location; readers never see half a file.

    Local: moved next to the destination, then renamed over it (atomic on one filesystem).
    Object storage: uploaded as one object, which appears whole when the upload completes
    (a multipart upload only becomes an object when it is completed); then the work file goes.
    """
    if not is_remote(destination):
        target = _local_path(destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(target.name + ".incoming")
        try:
            shutil.move(str(work_file), staging)  # a copy when the work folder is on another disk
        except BaseException:
            # A full archive disk leaves half a copy: nothing refers to it and no one would remove it.
            staging.unlink(missing_ok=True)
            raise
        os.replace(staging, target)
        return
    fs, path = _filesystem(destination)
    try:
        fs.put_file(str(work_file), path)
    except Exception as exc:  # s3fs raises OSErrors and botocore's own errors alike
        raise ArchiveError(_cannot_write(destination, exc)) from exc
    log.info("uploaded %s (%d bytes)", destination, work_file.stat().st_size)
    work_file.unlink()


def check_writable(root: str) -> None:
    """ArchiveError naming ``root`` unless a file can be written there now (a missing local
    folder is created, as publishing would). Checked before a crawl fetches anything: a root that
    is a file, sits under one, is read-only, or names a bucket that does not exist fails the task
    at once, not after a whole crawl whose WARC would have nowhere to go."""
    probe = join(root, f".write-check-{uuid.uuid4().hex}")
    if not is_remote(root):
        folder = _local_path(root)
        if folder.exists() and not folder.is_dir():
            raise ArchiveError(f"ARCHIVE_ROOT {root} is not a folder: a crawl could not publish its WARC there")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _local_path(probe).write_bytes(b"")
            _local_path(probe).unlink()
        except OSError as exc:
            raise ArchiveError(f"ARCHIVE_ROOT {root} is not a writable folder ({type(exc).__name__}: {exc}): "
                               f"a crawl could not publish its WARC there") from exc
        return
    fs, path = _filesystem(probe)
    try:
        fs.pipe_file(path, b"")
        fs.rm_file(path)
    except Exception as exc:  # s3fs raises OSErrors and botocore's own errors alike
        raise ArchiveError(_cannot_write(root, exc)) from exc


def write_text(destination: str, text: str) -> None:
    if not is_remote(destination):
        _local_path(destination).write_text(text, encoding="utf-8")
        return
    fs, path = _filesystem(destination)
    try:
        fs.pipe_file(path, text.encode("utf-8"))
    except Exception as exc:
        raise ArchiveError(_cannot_write(destination, exc)) from exc


def _cannot_write(destination: str, exc: Exception) -> str:
    return (f"could not write {destination}: {type(exc).__name__}: {exc}. Check that the bucket in "
            f"ARCHIVE_ROOT exists and that AWS_ENDPOINT_URL and the AWS_* credentials reach it")


def exists(location: str) -> bool:
    if not is_remote(location):
        return _local_path(location).is_file()
    fs, path = _filesystem(location)
    fs.invalidate_cache(path)  # another process may have written or removed it since we looked
    return bool(fs.isfile(path))


def delete(location: str) -> bool:
    """Remove one file or object; False if it was not there."""
    if not is_remote(location):
        try:
            _local_path(location).unlink()
        except FileNotFoundError:
            return False
        return True
    if not exists(location):  # S3 deletes are silent about missing keys: ask first, to count
        return False
    fs, path = _filesystem(location)
    fs.rm_file(path)
    return True


def glob(pattern: str) -> list[str]:
    """The files matching ``pattern`` (``*`` matches within one path segment), sorted.

    Local paths come back as paths, remote ones as URLs in the pattern's protocol, so each can
    be passed to ``delete`` as it is.
    """
    if not is_remote(pattern):
        local = _local_path(pattern)
        return sorted(str(p) for p in Path(local.anchor).glob(str(local.relative_to(local.anchor))) if p.is_file())
    fs, path = _filesystem(pattern)
    fs.invalidate_cache()  # another process may have written or removed objects since we looked
    protocol = get_protocol(pattern)
    return sorted(f"{protocol}://{found}" for found in fs.glob(path))


def prune_empty_folders(location: str, levels: int = 3) -> None:
    """Remove the emptied folders above a deleted local file (source/YYYY/MM/DD).

    Object storage has no folders to remove: a prefix is gone with its last object.
    """
    if is_remote(location):
        return
    folder = _local_path(location).parent
    for _ in range(levels):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


@dataclass(frozen=True)
class DamagedRecord:
    """A capture's record that the archive holds damaged: cut short (the file ends early), not a
    whole gzip member, failing its CRC, or unreadable as WARC. ``problem`` names file and offset."""

    offset: int
    problem: str


def read_records(location: str, spans: Mapping[int, int]) -> Iterator[ResponseRecord | DamagedRecord]:
    """The response records starting at the offsets of ``spans`` (offset -> record length), in
    offset order: one for every offset, a DamagedRecord where the bytes there are damaged.

    Each record is read as its own bytes and checked whole before it is parsed (a gzip member
    that decompresses to its end with a matching CRC): warcio, reading a file from end to end,
    returns a cut-short member's first half as the record, and after a damaged member stops
    with an error that names neither the file nor the record. Nearby records are read together,
    never the whole WARC: one seek and read per block locally, one ranged request per block
    from object storage.
    """
    blocks = _blocks(spans)
    if not is_remote(location):
        with _local_path(location).open("rb") as stream:
            for block in blocks:
                stream.seek(block.start)
                yield from _block_records(location, block, stream.read(block.end - block.start), spans)
        return
    fs, path = _filesystem(location)
    for first in range(0, len(blocks), RANGE_REQUESTS_AT_ONCE):
        batch = blocks[first:first + RANGE_REQUESTS_AT_ONCE]
        try:
            datas = fs.cat_ranges([path] * len(batch), [b.start for b in batch], [b.end for b in batch],
                                  on_error="raise")
        except FileNotFoundError as exc:
            raise ArchiveError(f"{location} is missing from the archive") from exc
        for block, data in zip(batch, datas):
            yield from _block_records(location, block, data, spans)


def _block_records(location: str, block: _Block, data: bytes,
                   spans: Mapping[int, int]) -> Iterator[ResponseRecord | DamagedRecord]:
    for offset in block.offsets:
        start = offset - block.start
        yield _parse_record(location, offset, data[start:start + spans[offset]], spans[offset])


@dataclass
class _Block:
    """One ranged read: bytes [start, end) holding the records at ``offsets``."""

    start: int
    end: int
    offsets: list[int] = field(default_factory=list)


def _blocks(spans: Mapping[int, int]) -> list[_Block]:
    blocks: list[_Block] = []
    for offset in sorted(spans):
        end = offset + spans[offset]
        last = blocks[-1] if blocks else None
        if last is not None and offset - last.end <= RANGE_MERGE_GAP and end - last.start <= RANGE_BLOCK_BYTES:
            last.end = max(last.end, end)
        else:
            last = _Block(offset, end)
            blocks.append(last)
        last.offsets.append(offset)
    return blocks


def _parse_record(location: str, offset: int, data: bytes, length: int) -> ResponseRecord | DamagedRecord:
    """One record's bytes (a whole gzip member) as the same ResponseRecord a sequential read gave,
    or what is wrong with them."""
    where = f"{location}: the record at offset {offset}"
    if len(data) < length:
        return DamagedRecord(offset, f"{where} is cut short: {len(data)} of its {length} bytes are there "
                                     f"(the file ends early)")
    if data.startswith(GZIP_MAGIC):
        member = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            data = member.decompress(data)
        except zlib.error as exc:
            return DamagedRecord(offset, f"{where} does not decompress ({exc}): its bytes are damaged")
        if not member.eof:
            return DamagedRecord(offset, f"{where} is not a whole gzip member: it ends early")
    try:
        for record in ArchiveIterator(BytesIO(data)):
            if record.rec_type != "response":
                break
            return response_record(record, offset, record.content_stream().read())
    except (ArchiveLoadFailed, StatusAndHeadersParserException, ValueError) as exc:
        return DamagedRecord(offset, f"{where} is not a readable WARC record ({str(exc)[:200]!r})")
    raise ArchiveError(f"{location} has no response record at offset {offset} "
                       f"({len(data)} bytes read): is the capture index from another WARC?")


def list_files(prefix: str, suffixes: tuple[str, ...]) -> list[str]:
    """Every object under a remote prefix (or file under a local folder) whose name ends in one
    of ``suffixes``, as locations, sorted."""
    if not is_remote(prefix):
        folder = _local_path(prefix)
        return sorted(str(p) for p in folder.rglob("*") if p.is_file() and p.name.endswith(suffixes))
    fs, path = _filesystem(prefix)
    protocol = get_protocol(prefix)
    try:
        found = fs.find(path)
    except FileNotFoundError:
        return []
    return sorted(f"{protocol}://{key}" for key in found if key.endswith(suffixes))


def read_bytes(location: str) -> bytes:
    """A whole (small) file or object, such as a warc.paths listing."""
    if not is_remote(location):
        return _local_path(location).read_bytes()
    fs, path = _filesystem(location)
    try:
        return bytes(fs.cat_file(path))
    except FileNotFoundError as exc:
        raise ArchiveError(f"{location} does not exist") from exc


def fetch_to(location: str, destination: Path) -> None:
    """Copy a remote file or object to a local path (whole, or not at all)."""
    fs, path = _filesystem(location)
    staging = destination.with_name(destination.name + ".incoming")
    try:
        fs.get_file(path, str(staging))
    except FileNotFoundError as exc:
        raise ArchiveError(f"{location} does not exist") from exc
    os.replace(staging, destination)
