"""The crawl's small rules, without a crawl: Retry-After, bounded decoding, ledger backoff, URL keys."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime, timedelta

import brotli
import pytest

from common.failed_urls import FailedUrl, next_retry
from common.sources import load_sources
from common.window import window_from_args
from scrapers.discovery import article_url, expand_dated_sitemaps
from scrapers.politeness import retry_after_seconds
from scrapers.size_guard import UnsupportedEncoding, decoded_size_within

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds("Fri, 20 Nov 2026 04:01:30 GMT", now=NOW) == 90.0
    assert retry_after_seconds("Fri, 20 Nov 2026 03:00:00 GMT", now=NOW) == 0.0  # in the past: now
    assert retry_after_seconds(None) is None and retry_after_seconds(b"soon") is None


def test_bounded_decoding_stops_at_the_limit() -> None:
    zeros = b"\0" * (8 * 1024 * 1024)
    assert decoded_size_within(gzip.compress(b"hello" * 100), ["gzip"], 1000)
    assert not decoded_size_within(gzip.compress(zeros), ["gzip"], 1024 * 1024)
    assert not decoded_size_within(brotli.compress(zeros), ["br"], 1024 * 1024)
    assert not decoded_size_within(zlib.compress(zeros), ["deflate"], 1024 * 1024)
    # Two layers: the inner one is counted too.
    assert not decoded_size_within(gzip.compress(gzip.compress(zeros)), ["gzip", "gzip"], 1024 * 1024)
    with pytest.raises(UnsupportedEncoding):
        decoded_size_within(b"\x28\xb5\x2f\xfd", ["zstd"], 1000)


def test_ledger_backoff_doubles_caps_at_a_day_and_gives_up() -> None:
    transient = FailedUrl("u", "u", "page", "http_503", 503)
    first = NOW - timedelta(hours=1)
    assert next_retry(transient, 1, first, NOW, 3600, 7) == (NOW + timedelta(hours=1), None)
    assert next_retry(transient, 3, first, NOW, 3600, 7) == (NOW + timedelta(hours=4), None)
    assert next_retry(transient, 9, first, NOW, 3600, 7) == (NOW + timedelta(days=1), None)
    assert next_retry(transient, 2, NOW - timedelta(days=8), NOW, 3600, 7) == (None, NOW)
    for permanent in (FailedUrl("u", "u", "page", "http_404", 404), FailedUrl("u", "u", "page", "robots_denied")):
        assert next_retry(permanent, 1, NOW, NOW, 3600, 7) == (None, NOW)
    server_said = FailedUrl("u", "u", "page", "retry_after", 429, retry_at=NOW + timedelta(hours=5))
    assert next_retry(server_said, 1, NOW, NOW, 3600, 7)[0] == NOW + timedelta(hours=5)


def test_article_keys_drop_trackers_fragments_and_amp() -> None:
    sources = load_sources()
    assert article_url("https://www.aljazeera.com/news/2026/11/19/x?traffic_source=rss#top",
                       sources["aljazeera"]) == "https://www.aljazeera.com/news/2026/11/19/x"
    assert article_url("https://www.dw.com/en/x/a-1?maca=en-rss-en-all-1573-rdf&utm_source=x",
                       sources["dw"]) == "https://www.dw.com/en/x/a-1"
    assert article_url("https://amp.theguardian.com/world/2026/nov/19/x",
                       sources["guardian"]) == "https://www.theguardian.com/world/2026/nov/19/x"


def test_dated_sitemaps_expand_per_day_and_monthly_ones_once() -> None:
    window = window_from_args("2026-11-29", "2026-12-02")
    daily = expand_dated_sitemaps(("https://s.example/sitemap.xml?yyyy={yyyy}&mm={mm}&dd={dd}",), window)
    assert len(daily) == 4 and daily[0].endswith("yyyy=2026&mm=11&dd=29")
    monthly = expand_dated_sitemaps(("https://s.example/sitemap-{yyyy}-{mm}.xml",), window)
    assert monthly == ["https://s.example/sitemap-2026-11.xml", "https://s.example/sitemap-2026-12.xml"]
