"""Scrapy's meta-refresh redirects, without decoding every page to learn that it has none.

Scrapy's MetaRefreshMiddleware decodes each HTML body whole (``response.text``) to look for a
``<meta http-equiv="refresh">`` in its first 4096 characters: a tenth of a replay crawl's reactor
time, on pages that almost never have one. w3lib only accepts a refresh from a ``<meta`` tag
whose attributes spell "refresh" (any case), and in every ASCII-compatible encoding (UTF-8, the
ISO-8859 and Windows code pages, the CJK multi-byte ones) those letters are those bytes. So a
page whose first bytes hold no ``<meta`` tag with "refresh" inside it is let through unchanged;
any other page, and any page with NUL bytes up front (UTF-16/32), goes through Scrapy's own
check, which decides exactly as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

# Bytes that hold the first 4096 characters Scrapy looks at in any encoding it may pick: at most
# 4 bytes a character (UTF-8, GB18030), 5 with ISO-2022's escape sequences, and a margin.
SCAN_BYTES = 32 * 1024


def may_have_meta_refresh(body: bytes) -> bool:
    """False only when the page's first characters cannot hold a meta refresh."""
    head = body[:SCAN_BYTES].lower()
    if b"\x00" in head:
        return True
    start = head.find(b"<meta")
    while start != -1:
        # The tag's text runs to its ">" or, unterminated, to the next "<" (as w3lib reads it).
        ends = [i for i in (head.find(b">", start), head.find(b"<", start + 1)) if i != -1]
        end = min(ends) if ends else len(head)
        if b"refresh" in head[start:end]:
            return True
        start = head.find(b"<meta", end)
    return False


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    """MetaRefreshMiddleware, skipping the decode for pages that cannot hold a refresh."""

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if isinstance(response, HtmlResponse) and not may_have_meta_refresh(response.body):
            return response
        return super().process_response(request, response)
