"""A fault-injecting news site on 127.0.0.1 for crawl tests (FAULTS.md fetch cases 1-10, 26-28, 32).

One ``FaultServer`` is one host:port, so robots.txt behaviour is per server. Article pages live
at ``/news/YYYY/M/D/<behaviour>-<id>``; the behaviour word picks the fault:

    ok            200 article
    s503x2        503 twice, then 200              s503        503 forever
    s429ra1       429 Retry-After: 1 once, then 200 s429ra999   429 Retry-After: 999 forever
    truncate1     short body once (Content-Length lies), then 200;  truncate  always short
    drop1         connection closed without an answer once, then 200
    badchunk1     broken chunked encoding once, then 200
    hang          headers, then silence            trickle     headers, then a byte every 0.3 s
    gzipbomb      Content-Encoding: gzip, 64 MiB of zeros in ~64 KiB
    brbomb        Content-Encoding: br bomb        zstd        Content-Encoding: zstd (undecodable here)
    loop          redirect loop                    away        redirect to another site
    tometadata    redirect to 169.254.169.254      toprivate   redirect to 10.0.0.1
    slow          200 after 3 s (for the kill test)
    empty1        200 with an empty body once, then the article

Feeds and sitemaps are built from ``articles`` (path -> publication time); any other document can
be put in ``documents``. Every request is logged with its time and headers in ``log``.
"""

from __future__ import annotations

import gzip
import re
import socket
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

BOMB_SIZE = 64 * 1024 * 1024
ARTICLE_RE = re.compile(r"^/news/(\d{4})/(\d{1,2})/(\d{1,2})/([a-z0-9]+)-[a-z0-9-]+$")


@dataclass
class Hit:
    at: float
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class FaultServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with a scripted robots.txt and faults."""

    robots: str = "404"  # "404", "503", "hang", or the robots.txt text to serve
    articles: dict[str, datetime] = field(default_factory=dict)
    documents: dict[str, tuple[str, bytes, dict[str, str]]] = field(default_factory=dict)
    feed_etag: str | None = '"feed-v1"'
    log: list[Hit] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"site": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def article(self, behaviour: str, when: datetime, ident: str = "1") -> str:
        """Add an article page; returns its URL."""
        path = f"/news/{when.year}/{when.month}/{when.day}/{behaviour}-{ident}"
        self.articles[path] = when
        return self.url(path)

    def hits(self, prefix: str = "") -> list[Hit]:
        with self._lock:
            return [h for h in self.log if h.path.startswith(prefix)]

    def paths(self, prefix: str = "") -> list[str]:
        return [h.path for h in self.hits(prefix)]

    def bump(self, key: str) -> int:
        with self._lock:
            self.counters[key] = self.counters.get(key, 0) + 1
            return self.counters[key]

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.log.append(hit)

    # --- documents built from the articles ------------------------------------------------------

    def rss(self) -> bytes:
        items = "".join(
            f"<item><title>Story {i}</title><link>{self.url(path)}?utm_source=rss&amp;utm_medium=feed</link>"
            f"<guid isPermaLink=\"false\">{self.base}/?p={i}</guid>"
            f"<pubDate>{format_datetime(when.astimezone(timezone.utc), usegmt=True)}</pubDate></item>"
            for i, (path, when) in enumerate(sorted(self.articles.items()))
        )
        return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Fault site</title>'
                f"<link>{self.base}/</link><description>test</description>{items}</channel></rss>").encode()

    def daily_sitemap(self, day: date) -> bytes:
        urls = "".join(
            f"<url><loc>{self.url(path)}</loc><lastmod>{when.isoformat().replace('+00:00', 'Z')}</lastmod></url>"
            for path, when in sorted(self.articles.items()) if when.date() == day
        )
        return (f'<?xml version="1.0" encoding="UTF-8"?>'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>').encode()


class _Handler(BaseHTTPRequestHandler):
    site: FaultServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.site.record(Hit(time.monotonic(), "GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
        path = urlsplit(self.path).path
        try:
            if path == "/robots.txt":
                self._robots()
            elif path in self.site.documents:
                content_type, body, headers = self.site.documents[path]
                self._send(200, body, content_type, headers)
            elif path == "/feed.xml":
                self._feed()
            elif path == "/sitemap.xml":
                query = parse_qs(urlsplit(self.path).query)
                day = date(int(query["yyyy"][0]), int(query["mm"][0]), int(query["dd"][0]))
                self._send(200, self.site.daily_sitemap(day), "application/xml")
            elif ARTICLE_RE.match(path) or path.startswith("/private/"):
                self._article(path)
            else:
                self._send(404, b"not found", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass

    # --- pieces ---------------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _robots(self) -> None:
        mode = self.site.robots
        if mode == "404":
            self._send(404, b"no robots here", "text/plain")
        elif mode == "503":
            self._send(503, b"overloaded", "text/plain")
        elif mode == "hang":
            self.site.stopping.wait(30)
        else:
            self._send(200, mode.encode(), "text/plain")

    def _feed(self) -> None:
        etag = self.site.feed_etag
        if etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(200, self.site.rss(), "application/rss+xml",
                   {"ETag": etag, "Last-Modified": "Thu, 19 Nov 2026 23:00:00 GMT"} if etag else {})

    def _article(self, path: str) -> None:
        match = ARTICLE_RE.match(path)
        behaviour = match.group(4) if match else "ok"
        count = self.site.bump(path)
        handler = getattr(self, f"_fault_{behaviour}", None)
        if handler is not None and handler(path, count) is not False:
            return
        self._send(200, _page(path), "text/html; charset=utf-8")

    # Each _fault_ method answers and returns None, or returns False to let the page through.

    def _fault_s503x2(self, path: str, count: int) -> bool | None:
        if count > 2:
            return False
        self._send(503, b"busy", "text/plain")
        return None

    def _fault_empty1(self, path: str, count: int) -> bool | None:
        if count > 1:
            return False
        self._send(200, b"", "text/html; charset=utf-8")
        return None

    def _fault_s503(self, path: str, count: int) -> None:
        self._send(503, b"busy", "text/plain")

    def _fault_s429ra1(self, path: str, count: int) -> bool | None:
        if count > 1:
            return False
        self._send(429, b"slow down", "text/plain", {"Retry-After": "1"})
        return None

    def _fault_s429ra999(self, path: str, count: int) -> None:
        self._send(429, b"slow down", "text/plain", {"Retry-After": "999"})

    def _fault_truncate1(self, path: str, count: int) -> bool | None:
        if count > 1:
            return False
        return self._fault_truncate(path, count)

    def _fault_truncate(self, path: str, count: int) -> None:
        body = _page(path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body) + 5000))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self._hang_up()

    def _fault_drop1(self, path: str, count: int) -> bool | None:
        if count > 1:
            return False
        self._hang_up()
        return None

    def _fault_badchunk1(self, path: str, count: int) -> bool | None:
        if count > 1:
            return False
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"10\r\n<html><body>Half\r\nZZZZ\r\nnot a chunk size\r\n")
        self.wfile.flush()
        self._hang_up()
        return None

    def _fault_hang(self, path: str, count: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.flush()
        self.site.stopping.wait(30)
        self._hang_up()

    def _fault_trickle(self, path: str, count: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        for _ in range(100):
            if self.site.stopping.wait(0.3):
                break
            self.wfile.write(b"x")
            self.wfile.flush()
        self._hang_up()

    def _fault_slow(self, path: str, count: int) -> bool:
        self.site.stopping.wait(3)
        return False

    def _fault_gzipbomb(self, path: str, count: int) -> None:
        self._send(200, _GZIP_BOMB, "text/html", {"Content-Encoding": "gzip"})

    def _fault_brbomb(self, path: str, count: int) -> None:
        self._send(200, _brotli_bomb(), "text/html", {"Content-Encoding": "br"})

    def _fault_zstd(self, path: str, count: int) -> None:
        self._send(200, b"\x28\xb5\x2f\xfd" + b"\x00" * 64, "text/html", {"Content-Encoding": "zstd"})

    def _fault_loop(self, path: str, count: int) -> None:
        target = path + "-again" if not path.endswith("-again") else path[: -len("-again")]
        self._send(302, b"", "text/plain", {"Location": self.site.url(target)})

    def _fault_away(self, path: str, count: int) -> None:
        self._send(302, b"", "text/plain", {"Location": "http://news.example.org/news/2026/11/19/elsewhere"})

    def _fault_tometadata(self, path: str, count: int) -> None:
        self._send(302, b"", "text/plain", {"Location": "http://169.254.169.254/latest/meta-data/"})

    def _fault_toprivate(self, path: str, count: int) -> None:
        self._send(302, b"", "text/plain", {"Location": "http://10.0.0.1/news/2026/11/19/ok-internal"})

    def _hang_up(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _page(path: str) -> bytes:
    title = path.rsplit("/", 1)[-1].replace("-", " ")
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title></head>"
            f"<body><article><h1>{title}</h1>" + "<p>A paragraph of the story, long enough to read.</p>" * 20
            + "</article></body></html>").encode()


def _gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1024 * 1024)
    out = [compressor.compress(chunk) for _ in range(BOMB_SIZE // len(chunk))]
    return b"".join(out) + compressor.flush()


_GZIP_BOMB = _gzip_bomb()
_BR_BOMB: list[bytes] = []


def _brotli_bomb() -> bytes:
    if not _BR_BOMB:
        import brotli

        _BR_BOMB.append(brotli.compress(b"\0" * BOMB_SIZE, quality=1))
    return _BR_BOMB[0]


def gzip_file_bomb() -> bytes:
    """A .xml.gz 'sitemap' (gzip file, no Content-Encoding) that inflates to 64 MiB."""
    return _GZIP_BOMB


def write_source(folder: Path, server: FaultServer, slug: str = "faultsite", *, feeds: list[str] | None = None,
                 sitemaps: list[str] | None = None, dated: list[str] | None = None,
                 domains: list[str] | None = None, max_error_rate: float = 0.9, revisit_hours: float = 0,
                 extra: str = "") -> Path:
    """A source TOML for the server (the port is only known at run time)."""
    folder.mkdir(parents=True, exist_ok=True)
    feeds = [server.url("/feed.xml")] if feeds is None else feeds
    quoted = lambda values: "[" + ", ".join(f'"{v}"' for v in values) + "]"  # noqa: E731
    text = f'''slug = "{slug}"
name = "Fault site {slug}"
domains = {quoted(domains or ["127.0.0.1"])}
language = "en"
enabled = false

[discovery]
feeds = {quoted(feeds)}
sitemaps = {quoted(sitemaps or [])}
dated_sitemaps = {quoted(dated or [])}

[urls]
allow = ['^https?://[^/]+/(news|private)/']
date_pattern = '/news/(?P<year>\\d{{4}})/(?P<month>\\d{{1,2}})/(?P<day>\\d{{1,2}})/'

[politeness]
download_delay = 0
concurrency_per_domain = 4
max_error_rate = {max_error_rate}

[incremental]
revisit_hours = {revisit_hours}
{extra}
'''
    path = folder / f"{slug}.toml"
    path.write_text(text, encoding="utf-8")
    return path


# Settings for crawls against the fault server: short timeouts, no delays, loopback allowed.
TEST_CRAWL_SETTINGS = {
    "SSRF_ALLOW_LOOPBACK": "True",
    "DOWNLOAD_TIMEOUT": "2",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "RETRY_TIMES": "2",
    "REDIRECT_MAX_TIMES": "3",
    "DOWNLOAD_MAXSIZE": str(1024 * 1024),
    "DOWNLOAD_WARNSIZE": "0",
    "RETRY_AFTER_MAX": "5",
    "FAILED_URL_RETRY_BASE_SECONDS": "0",
    "DNS_TIMEOUT": "3",
}


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)
