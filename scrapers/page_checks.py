"""Whether a 200 answer to an article URL is the article, judged from bytes only (no parsing).

A site answers some article requests with another page and a success status: a redirect to
its home page, a consent or login wall; its "page not found" template served with 200 (a
soft 404); a PDF or an image listed among its articles. Archived as the article, such a page
is either loaded as one or rejected for good, and the article is never fetched again.

The soft 404 is recognised the way crawlers have long done it: the site is asked once a run
for a page that cannot exist (``probe_url``), and an article page carrying the same <title>
as that answer is the error template. No word list, so any language.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

# A path segment no site publishes: what the site answers for it is its "not found" page.
PROBE_SEGMENT = "news-pipeline-no-such-page-0d5f9c"
# The <title> sits in the head: the first bytes are enough, and no page is parsed.
TITLE_SCAN_BYTES = 64 * 1024
TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
# Leading bytes of formats that are never an HTML page (PDF, images, archives, media).
BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"RIFF", b"PK\x03\x04",
                b"\x1f\x8b", b"ID3", b"OggS", b"\x1aE\xdf\xa3")
# Declared types that are a document's own format, never HTML mislabelled.
NON_HTML_TYPES = ("application/pdf", "image/", "video/", "audio/", "application/zip", "font/")
MARKUP_RE = re.compile(rb"<\s*(!doctype|html|head|body|meta|title|div|p|article|main|script|link)\b", re.IGNORECASE)
SNIFF_BYTES = 16 * 1024


def probe_url(article: str) -> str:
    """A URL beside ``article`` (same scheme, host and folder) that no article has."""
    parts = urlsplit(article)
    path = parts.path.rstrip("/")
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    slash = "/" if parts.path.endswith("/") else ""
    return urlunsplit((parts.scheme, parts.netloc, f"{folder}/{PROBE_SEGMENT}{slash}", "", ""))


def page_title(body: bytes) -> str | None:
    """The <title> text, whitespace collapsed and lower-cased, or None when there is none."""
    match = TITLE_RE.search(body[:TITLE_SCAN_BYTES])
    if match is None:
        return None
    title = b" ".join(match.group(1).split()).lower()
    return title.decode("utf-8", "replace") or None


def not_html(body: bytes, content_type: str | None) -> str | None:
    """Why a page's body is not an HTML document (a PDF, an image...), or None when it is one.

    The bytes decide, not the header: HTML served as text/plain or application/octet-stream is
    still HTML; a PDF served as text/html is still a PDF.
    """
    head = body[:SNIFF_BYTES].lstrip(b" \t\r\n")
    declared = (content_type or "").split(";", 1)[0].strip().lower() or "no content type"
    if head.startswith(BINARY_MAGIC):
        return f"binary document ({declared}, starts {head[:8]!r})"
    # NULs out: markup in UTF-16 or UTF-32 is markup too.
    if MARKUP_RE.search(head.replace(b"\x00", b"")):
        return None
    if declared.startswith(NON_HTML_TYPES):
        return f"declared {declared}"
    return f"no HTML markup in its first {SNIFF_BYTES} bytes ({declared})"
