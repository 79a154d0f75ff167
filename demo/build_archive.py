"""Pack the demo's invented sample site into a WARC replay archive.

Why: the offline demo, the end-to-end tests and replay-mode spiders need a real WARC to read, the
same format live crawls write. The archive is built from the readable files under demo/site/
(listed in manifest.toml) rather than edited by hand, and the build is byte-for-byte
deterministic: record dates come from each entry's `fetched_at`, record ids are uuid5 over
(url, record type), and gzip members carry no timestamp. So a test can rebuild the archive and
compare it with the committed one, and the archive can never drift from its sources.

Usage: python demo/build_archive.py [--manifest demo/site/manifest.toml] [--out demo/replay/news-sample.warc.gz]
"""

from __future__ import annotations

import argparse
import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DEMO_DIR = Path(__file__).resolve().parent
DEFAULT_MANIFEST = DEMO_DIR / "site" / "manifest.toml"
DEFAULT_OUT = DEMO_DIR / "replay" / "news-sample.warc.gz"

# The User-Agent the request records claim; replay never sends it anywhere.
USER_AGENT = "news-pipeline/1.0 (offline demo; +https://example.org/news-pipeline)"
# Namespace for uuid5 record ids: fixed, so ids are stable across builds and machines.
RECORD_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.org/news-pipeline/demo-replay")
HTTP_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 403: "Forbidden",
                404: "Not Found", 410: "Gone", 429: "Too Many Requests", 500: "Internal Server Error",
                503: "Service Unavailable"}


@dataclass(frozen=True)
class Entry:
    """One captured URL from the manifest."""

    url: str
    file: Path
    status: int
    content_type: str
    fetched_at: datetime
    headers: dict[str, str] = field(default_factory=dict)


def _parse_time(value: object, where: str) -> datetime:
    """An ISO-8601 UTC timestamp ("2026-11-20T01:00:00Z"), as an aware datetime."""
    if not isinstance(value, str) or not value.endswith("Z"):
        raise ValueError(f"{where}: fetched_at must be an ISO-8601 UTC string ending in Z, got {value!r}")
    return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC)


def load_manifest(manifest: Path) -> list[Entry]:
    """Read and validate manifest.toml; file paths are resolved against the manifest's folder."""
    with manifest.open("rb") as f:
        tables = tomllib.load(f).get("response", [])
    if not tables:
        raise ValueError(f"{manifest}: no [[response]] tables")
    entries: list[Entry] = []
    seen: set[str] = set()
    for i, t in enumerate(tables, 1):
        where = f"{manifest} [[response]] #{i}"
        for key in ("url", "file", "content_type", "fetched_at"):
            if key not in t:
                raise ValueError(f"{where}: missing field {key!r}")
        if t["url"] in seen:
            raise ValueError(f"{where}: duplicate url {t['url']}")
        seen.add(t["url"])
        path = manifest.parent / t["file"]
        if not path.is_file():
            raise ValueError(f"{where}: file {t['file']!r} does not exist under {manifest.parent}")
        entries.append(Entry(url=t["url"], file=path, status=int(t.get("status", 200)),
                             content_type=t["content_type"], fetched_at=_parse_time(t["fetched_at"], where),
                             headers={str(k): str(v) for k, v in t.get("headers", {}).items()}))
    return entries


def warc_date(dt: datetime) -> str:
    """WARC-Date: UTC, second precision, trailing Z."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_id(url: str, record_type: str) -> str:
    """A stable WARC-Record-ID for this URL and record type."""
    return f"<urn:uuid:{uuid.uuid5(RECORD_ID_NAMESPACE, f'{url} {record_type}')}>"


def response_record(writer: WARCWriter, entry: Entry, body: bytes) -> ArcWarcRecord:
    """HTTP/1.1 response record: status line, headers (Date from fetched_at), body."""
    headers = [("Content-Type", entry.content_type), ("Content-Length", str(len(body))),
               ("Date", format_datetime(entry.fetched_at, usegmt=True))]
    headers += list(entry.headers.items())
    status = f"{entry.status} {HTTP_REASONS.get(entry.status, 'Unknown')}"
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    return writer.create_warc_record(
        entry.url, "response", payload=BytesIO(body), length=len(body), http_headers=http,
        warc_headers_dict={"WARC-Record-ID": record_id(entry.url, "response"),
                           "WARC-Date": warc_date(entry.fetched_at)})


def request_record(writer: WARCWriter, entry: Entry) -> ArcWarcRecord:
    """GET request record; write_request_response_pair links it to its response (WARC-Concurrent-To)."""
    parts = urlsplit(entry.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    http = StatusAndHeaders(f"GET {target} HTTP/1.1",
                            [("Host", parts.netloc), ("User-Agent", USER_AGENT), ("Accept", "*/*")],
                            protocol="", is_http_request=True)
    return writer.create_warc_record(
        entry.url, "request", http_headers=http,
        warc_headers_dict={"WARC-Record-ID": record_id(entry.url, "request"), "WARC-Date": warc_date(entry.fetched_at)})


def warcinfo_record(writer: WARCWriter, out: Path, entries: list[Entry]) -> ArcWarcRecord:
    """warcinfo built by hand: warcio's create_warcinfo_record stamps the current time."""
    fields = {"software": "news-pipeline demo/build_archive.py (warcio)", "format": "WARC File Format 1.1",
              "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
              "description": "Offline demo replay archive. Every page is invented; see demo/site/README.md.",
              "isPartOf": "news-pipeline-demo"}
    payload = "".join(f"{k}: {v}\r\n" for k, v in fields.items()).encode("utf-8")
    first = min(e.fetched_at for e in entries)
    return writer.create_warc_record(
        "", "warcinfo", payload=BytesIO(payload), length=len(payload), warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Record-ID": record_id(out.name, "warcinfo"), "WARC-Date": warc_date(first),
                           "WARC-Filename": out.name})


def write_records(stream: BinaryIO, out: Path, entries: list[Entry]) -> None:
    """warcinfo, then each response followed by its request, in manifest order.

    warcio gzips each record with zlib's gzip wrapper, whose header has mtime 0, so nothing
    time-dependent reaches the bytes.
    """
    writer = WARCWriter(stream, gzip=True, warc_version="1.1")
    writer.write_record(warcinfo_record(writer, out, entries))
    for entry in entries:
        resp = response_record(writer, entry, entry.file.read_bytes())
        writer.write_request_response_pair(request_record(writer, entry), resp)


def build_archive(manifest: Path, out: Path) -> int:
    """Build the WARC at `out` from `manifest`; returns the number of response records."""
    entries = load_manifest(manifest)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with tmp.open("wb") as stream:
        write_records(stream, out, entries)
    tmp.replace(out)  # never leave a half-written archive under the real name
    return len(entries)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    count = build_archive(args.manifest, args.out)
    print(f"wrote {args.out} ({count} responses, {args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
