"""Replay from multi-site archives (CC-NEWS-like WARCs), run as a person would run it:
``python -m scrapy crawl aljazeera -a since=... -a until=... -s REPLAY_WARC=<glob>``."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scrapers.crawl_process import PROJECT_ROOT
from scrapers.replay import index_archive, replay_paths
from tests.crawl_support import warc_response_urls
from transforms.warehouse import transaction

AJ = "https://www.aljazeera.com"
IN_WINDOW = [f"{AJ}/news/2026/11/19/harbour-cranes-return-to-work", f"{AJ}/features/2026/11/19/the-salt-road"]
OUT_OF_WINDOW = f"{AJ}/news/2026/11/18/yesterdays-story"
OTHER_SITES = ["https://www.bbc.com/news/articles/c0ffee123abc", "https://example.org/news/2026/11/19/x",
               # Same path on a look-alike host: only the source's exact hosts are replayed.
               "https://www.aljazeera.com.evil.example/news/2026/11/19/harbour-cranes-return-to-work"]


def _rss(links: list[tuple[str, str]]) -> bytes:
    items = "".join(f"<item><title>t</title><link>{u}?traffic_source=rss</link><pubDate>{d}</pubDate></item>"
                    for u, d in links)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>AJ</title>{items}</channel></rss>'.encode()


def _page(title: str) -> bytes:
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            + "<p>Words of the story.</p>" * 30 + "</article></body></html>").encode()


def _response(writer: WARCWriter, url: str, body: bytes, content_type: str = "text/html",
              encoding: str | None = None, chunked: bool = False) -> None:
    headers = [("Content-Type", content_type)]
    payload = body
    if encoding == "gzip":
        payload = gzip.compress(body)
        headers.append(("Content-Encoding", "gzip"))
    if chunked:
        payload = b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload)
        headers.append(("Transfer-Encoding", "chunked"))
    else:
        headers.append(("Content-Length", str(len(payload))))
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=BytesIO(payload), http_headers=http,
                                       warc_headers_dict={"WARC-Date": "2026-11-20T02:00:00Z"})
    request = writer.create_warc_record(url, "request", payload=BytesIO(b""), http_headers=StatusAndHeaders(
        f"GET {urlsplit(url).path} HTTP/1.1", [("Host", urlsplit(url).netloc)], is_http_request=True))
    metadata = writer.create_warc_record(url, "metadata", payload=BytesIO(b"fetchTimeMs: 120\r\n"),
                                         warc_content_type="application/warc-fields")
    for rec in (request, record, metadata):
        writer.write_record(rec)


def build_cc_news_like(folder: Path) -> Path:
    """Two WARC/1.0 files mixing several sites, as CC-NEWS files do; returns a glob naming both."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "CC-NEWS-20261120010000-00001.warc.gz").open("wb") as stream:
        writer = WARCWriter(stream, gzip=True, warc_version="1.0")
        writer.write_record(writer.create_warcinfo_record("CC-NEWS-00001", {"software": "test", "isPartOf": "CC-NEWS"}))
        _response(writer, OTHER_SITES[0], _page("bbc"))
        _response(writer, f"{AJ}/robots.txt", b"User-agent: *\nDisallow: /search/\n", "text/plain")
        _response(writer, f"{AJ}/xml/rss/all.xml", _rss([
            (IN_WINDOW[0], "Thu, 19 Nov 2026 08:00:00 +0000"), (IN_WINDOW[1], "Thu, 19 Nov 2026 15:30:00 +0000"),
            (OUT_OF_WINDOW, "Wed, 18 Nov 2026 10:00:00 +0000")]), "application/rss+xml", encoding="gzip")
        _response(writer, OTHER_SITES[2], _page("evil"))
    with (folder / "CC-NEWS-20261120020000-00002.warc.gz").open("wb") as stream:
        writer = WARCWriter(stream, gzip=True, warc_version="1.0")
        _response(writer, IN_WINDOW[0], _page("cranes"), encoding="gzip")
        _response(writer, OTHER_SITES[1], _page("example"))
        _response(writer, IN_WINDOW[1], _page("salt road"), chunked=True)
        _response(writer, OUT_OF_WINDOW, _page("yesterday"))
    return folder / "CC-NEWS-*.warc.gz"


def test_the_replay_index_keeps_only_the_sources_exact_hosts(tmp_path: Path) -> None:
    pattern = build_cc_news_like(tmp_path / "ccnews")
    index = index_archive(replay_paths(str(pattern)), {"www.aljazeera.com", "aljazeera.com"})
    assert set(index) == {f"{AJ}/robots.txt", f"{AJ}/xml/rss/all.xml", *IN_WINDOW, OUT_OF_WINDOW}


def test_scrapy_crawl_replays_a_multi_site_archive_and_says_where_its_warc_and_stats_went(
    clean_warehouse: str, archive_root: Path, tmp_path: Path
) -> None:
    pattern = build_cc_news_like(tmp_path / "ccnews")
    env = {**os.environ, "WARC_WORK_DIR": str(tmp_path / "work"), "NEWS_CRAWL_LOG_LEVEL": "WARNING"}
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "aljazeera", "-a", "since=2026-11-19", "-a", "until=2026-11-19",
         "-s", f"REPLAY_WARC={pattern}"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert ": captured; 2 pages" in summary, summary
    warc = Path(summary.split("WARC ", 1)[1].split(";", 1)[0])
    stats = Path(summary.split("stats ", 1)[1].split(";", 1)[0])
    assert warc.is_file() and warc.is_relative_to(archive_root) and stats.is_file()
    archived = warc_response_urls(warc)
    hosts = {urlsplit(AJ + path).hostname for path, _, _ in archived}
    assert hosts == {"www.aljazeera.com"}
    with transaction() as cur:
        cur.execute("select url from raw.captures where kind = 'page' and status = 200 order by url")
        pages = [row[0] for row in cur.fetchall()]
        cur.execute("select count(*) from raw.captures where url not like %s", (AJ + "/%",))
        foreign = cur.fetchone()[0]
    assert pages == sorted(IN_WINDOW) and foreign == 0
    # Decoded from gzip and chunked transfer in the source archive, stored whole.
    assert all(length > 500 for path, status, length in archived if "/2026/11/19/" in path)
    # The frontier was queued on disk in the work directory (memory stays flat however many
    # pages the sitemaps list), and every request could be.
    crawl_stats = json.loads(stats.read_text())
    assert crawl_stats.get("scheduler/enqueued/disk", 0) >= 3, crawl_stats
    assert "scheduler/unserializable" not in crawl_stats and "scheduler/enqueued/memory" not in crawl_stats
