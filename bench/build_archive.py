"""Build the benchmark's replay archive: N article pages with unique URLs, and the feed and
sitemaps that list them, on the invented host of bench/sources/bench.toml.

Why real pages: extraction's cost depends on the pages (size, markup depth, scripts), so the
pages come from ../shared/corpus when it is there (news pages saved by public test suites; they
are read from there and the archive is written under .data/, never into the repo). Without the
corpus, the demo's invented article pages stand in; the JSON says which was used.
Page i is corpus page i mod len(corpus), with a comment naming its copy appended, so every URL
has its own payload, as on a real site.

Usage: python -m bench.build_archive --n 5000 [--out PATH]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import logging
import os
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# NEWS_BENCH_CORPUS points elsewhere (a checkout outside the usual layout, another page set).
CORPUS_DIR = Path(os.environ.get("NEWS_BENCH_CORPUS") or PROJECT_ROOT.parent / "shared" / "corpus")
DEMO_MANIFEST = PROJECT_ROOT / "demo" / "site" / "manifest.toml"
BENCH_DATA = PROJECT_ROOT / ".data" / "bench"
SOURCES_DIR = Path(__file__).resolve().parent / "sources"

HOST = "https://bench.news.example"
FEED_URL = f"{HOST}/feed.xml"
SITEMAP_INDEX_URL = f"{HOST}/sitemap-index.xml"
# The day every page is published on, and when the archive says it was fetched.
NEWS_DAY = datetime(2026, 11, 19, tzinfo=UTC)
FETCHED_AT = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
# A feed lists the latest items only, as real feeds do; the sitemaps list everything.
FEED_ITEMS = 50
# Well under the protocol's 50,000, the size news sites' daily sitemaps tend to have.
URLS_PER_SITEMAP = 1000
# Bump when the archive's layout changes, so cached archives are rebuilt.
LAYOUT_VERSION = "1"
# The demo's article pages (not liveblogs or videos, which extraction rejects by design).
DEMO_ARTICLE_RE = re.compile(r"^https://www\.aljazeera\.com/(news|features|opinions|economy|sports)/\d{4}/")


@dataclass(frozen=True)
class PagePool:
    """The distinct pages the archive cycles through, and where they came from."""

    origin: str  # "corpus" or "demo"
    pages: tuple[bytes, ...]

    def fingerprint(self) -> str:
        digest = hashlib.sha256(LAYOUT_VERSION.encode())
        for page in self.pages:
            digest.update(hashlib.sha256(page).digest())
        return digest.hexdigest()[:12]


def corpus_pages(corpus_dir: Path = CORPUS_DIR) -> list[bytes]:
    """Every saved page of every corpus set, ungzipped, in a stable order."""
    return [gzip.decompress(path.read_bytes()) for path in sorted(corpus_dir.glob("*/pages/*.html.gz"))]


def demo_pages(manifest: Path = DEMO_MANIFEST) -> list[bytes]:
    """The demo site's article pages, as listed in its manifest."""
    with manifest.open("rb") as f:
        entries = tomllib.load(f).get("response", [])
    return [(manifest.parent / e["file"]).read_bytes() for e in entries if DEMO_ARTICLE_RE.match(e["url"])]


def page_pool(corpus_dir: Path = CORPUS_DIR) -> PagePool:
    """The corpus when present, else the demo's pages."""
    pages = corpus_pages(corpus_dir) if corpus_dir.is_dir() else []
    if pages:
        return PagePool("corpus", tuple(pages))
    log.warning("no corpus at %s: the benchmark uses the demo's invented pages", corpus_dir)
    pages = demo_pages()
    if not pages:
        raise FileNotFoundError(f"no pages to build a benchmark from: neither {corpus_dir} nor {DEMO_MANIFEST}")
    return PagePool("demo", tuple(pages))


def page_url(i: int) -> str:
    return f"{HOST}/news/{NEWS_DAY.year}/{NEWS_DAY.month}/{NEWS_DAY.day}/bench-story-{i:07d}"


def published_at(i: int, n: int) -> datetime:
    """Spread over the news day, so every page is inside a run for that day."""
    return NEWS_DAY + timedelta(seconds=int(i * 86_399 / max(n, 1)))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_xml(n: int) -> bytes:
    items = []
    for i in range(n - 1, max(n - FEED_ITEMS, 0) - 1, -1):
        items.append(f"<item><title>Bench story {i}</title><link>{escape(page_url(i))}</link>"
                     f"<pubDate>{format_datetime(published_at(i, n), usegmt=True)}</pubDate></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Bench</title>'
            f'<link>{HOST}/</link><description>benchmark feed</description>{"".join(items)}'
            '</channel></rss>\n').encode()


def sitemap_urls(n: int) -> list[str]:
    return [f"{HOST}/sitemaps/articles-{k:04d}.xml" for k in range((n + URLS_PER_SITEMAP - 1) // URLS_PER_SITEMAP)]


def sitemap_index_xml(n: int) -> bytes:
    lastmod = _iso(NEWS_DAY + timedelta(hours=23, minutes=59))
    entries = "".join(f"<sitemap><loc>{escape(u)}</loc><lastmod>{lastmod}</lastmod></sitemap>"
                      for u in sitemap_urls(n))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>\n').encode()


def sitemap_xml(k: int, n: int) -> bytes:
    first = k * URLS_PER_SITEMAP
    entries = "".join(f"<url><loc>{escape(page_url(i))}</loc><lastmod>{_iso(published_at(i, n))}</lastmod></url>"
                      for i in range(first, min(first + URLS_PER_SITEMAP, n)))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>\n').encode()


def _write_response(writer: WARCWriter, url: str, body: bytes, content_type: str) -> None:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body))),
               ("Date", format_datetime(FETCHED_AT, usegmt=True))]
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                       http_headers=http, warc_headers_dict={"WARC-Date": _iso(FETCHED_AT)})
    writer.write_record(record)


def write_archive(stream: BinaryIO, n: int, pool: PagePool, progress: bool = False) -> None:
    """robots.txt, feed, sitemap index and sitemaps, then the N pages."""
    from tqdm import tqdm

    writer = WARCWriter(stream, gzip=True, warc_version="1.1")
    _write_response(writer, f"{HOST}/robots.txt", b"User-agent: *\nAllow: /\n", "text/plain")
    _write_response(writer, FEED_URL, feed_xml(n), "application/rss+xml; charset=utf-8")
    _write_response(writer, SITEMAP_INDEX_URL, sitemap_index_xml(n), "application/xml")
    for k, url in enumerate(sitemap_urls(n)):
        _write_response(writer, url, sitemap_xml(k, n), "application/xml")
    for i in tqdm(range(n), desc="archive", unit="page", disable=not progress, leave=False):
        body = pool.pages[i % len(pool.pages)] + f"\n<!-- bench copy {i} -->\n".encode()
        # No charset: the pages come in several encodings, and the pipeline finds each one's
        # from its markup, as it must for sites that send none.
        _write_response(writer, page_url(i), body, "text/html")


def archive_path(n: int, pool: PagePool, folder: Path = BENCH_DATA / "archives") -> Path:
    return folder / f"bench-{pool.origin}-{n}-{pool.fingerprint()}.warc.gz"


def build_archive(n: int, out: Path | None = None, *, progress: bool = False) -> tuple[Path, str]:
    """The archive for N pages (reused when already built); returns its path and page origin."""
    if n < 1:
        raise ValueError(f"N must be at least 1, got {n}")
    pool = page_pool()
    out = out or archive_path(n, pool)
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        part = out.with_name(out.name + ".part")
        with part.open("wb") as stream:
            write_archive(stream, n, pool, progress=progress)
        part.replace(out)  # a half-written archive never sits under the real name
    index_for_replay(out)
    return out, pool.origin


def index_for_replay(path: Path) -> None:
    """Index the archive for replay now, once, as a replay server indexes what it serves: the
    crawl stage then measures crawling, not a scan of the archive (a no-op when indexed)."""
    from scrapers.replay import DEFAULT_INDEX_DIR, index_archive

    index_archive([path], None, Path(os.environ.get("REPLAY_INDEX_DIR") or DEFAULT_INDEX_DIR))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    path, origin = build_archive(args.n, args.out, progress=True)
    print(f"{path} ({args.n} pages from the {origin}, {path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
