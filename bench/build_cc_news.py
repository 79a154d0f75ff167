"""Build a CC-NEWS-shaped archive for the backfill stage: one WARC/1.0 file, a warcinfo record, then
request + response pairs from many sites, of which a share are on the bench source's host.

As in CC-NEWS, most records are other sites' (the backfill must pass over them cheaply) and the
archive holds no feed or sitemap. Pages come from the same pool as the replay archive
(bench/build_archive.py: ../shared/corpus when present, read from there, never copied into the
repo); source pages carry tracking parameters in their archived URLs, as CC-NEWS URLs often do.

Usage: python -m bench.build_cc_news --records 20000 [--share 0.1]
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from bench.build_archive import BENCH_DATA, FETCHED_AT, NEWS_DAY, PagePool, page_pool, page_url

# Other publishers in the archive: enough hosts that per-host lookups are exercised.
OTHER_HOSTS = 180
# The window a backfill of this archive covers: wide, because the pool's pages carry their own
# publication dates (years apart), and the backfill keeps an article by its own date.
WINDOW_SINCE = "2000-01-01"
WINDOW_UNTIL = (NEWS_DAY + timedelta(days=2)).date().isoformat()
LAYOUT_VERSION = "1"


def cc_news_path(records: int, share: float, pool: PagePool, folder: Path = BENCH_DATA / "archives",
                 part: int = 0) -> Path:
    name = f"cc-news-{pool.origin}-{records}-{int(share * 100)}pct-{pool.fingerprint()}-v{LAYOUT_VERSION}"
    if part:
        name += f"-part{part:03d}"
    return folder / f"{name}.warc.gz"


def pairs_for(records: int) -> int:
    """Request + response pairs so that, with the warcinfo record, the file holds >= ``records``."""
    return max(1, (records + 1) // 2)


def write_cc_news(stream: BinaryIO, records: int, share: float, pool: PagePool, part: int = 0) -> int:
    """The archive; returns how many pairs are on the source's host. Each ``part`` holds pages of
    URLs of its own, as the files of one CC-NEWS month do."""
    writer = WARCWriter(stream, gzip=True, warc_version="1.0")
    writer.write_record(writer.create_warcinfo_record("CC-NEWS-bench.warc.gz",
                                                      {"software": "bench", "isPartOf": "CC-NEWS"}))
    pairs = pairs_for(records)
    every = max(1, round(1 / share))
    on_source = 0
    for i in range(pairs):
        body = pool.pages[i % len(pool.pages)] + f"\n<!-- cc-news copy {i} part {part} -->\n".encode()
        if i % every == 0:
            url = page_url(i + part * pairs) + "?utm_source=rss&utm_medium=feed"
            on_source += 1
        else:
            url = f"https://www.other-news-{i % OTHER_HOSTS:03d}.example/world/2026/11/19/story-{i:07d}"
        _write_pair(writer, url, body, (FETCHED_AT + timedelta(seconds=i % 3600)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    return on_source


def _write_pair(writer: WARCWriter, url: str, body: bytes, warc_date: str) -> None:
    host = url.split("/")[2]
    request = writer.create_warc_record(url, "request", payload=BytesIO(b""), http_headers=StatusAndHeaders(
        f"GET /{url.split('/', 3)[3]} HTTP/1.1", [("Host", host), ("User-Agent", "CCBot/2.0")],
        is_http_request=True), warc_headers_dict={"WARC-Date": warc_date})
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
                            protocol="HTTP/1.1")
    response = writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                         http_headers=http, warc_headers_dict={"WARC-Date": warc_date})
    writer.write_record(request)
    writer.write_record(response)


def build_cc_news(records: int = 20_000, share: float = 0.10, part: int = 0) -> tuple[Path, int, str]:
    """The archive (reused when built); its path, the source's page count and the pages' origin."""
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    pool = page_pool()
    out = cc_news_path(records, share, pool, part=part)
    on_source = sum(1 for i in range(pairs_for(records)) if i % max(1, round(1 / share)) == 0)
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".part")
        with partial.open("wb") as stream:
            write_cc_news(stream, records, share, pool, part)
        partial.replace(out)  # a half-written archive never sits under the real name
    return out, on_source, pool.origin


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--share", type=float, default=0.10)
    args = parser.parse_args(argv)
    path, on_source, origin = build_cc_news(args.records, args.share)
    print(f"{path} ({on_source} source pages, pages from the {origin}, {path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
