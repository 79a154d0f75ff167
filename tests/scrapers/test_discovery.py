from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from common.sources import load_sources
from common.window import window_from_args
from scrapers.discovery import Discovered, expand_dated_sitemaps, in_window, parse_feed, parse_sitemap
from tests.fixtures import FIXTURES as FIXTURES_ROOT

FIXTURES = FIXTURES_ROOT / "discovery"
UTC = UTC
WINDOW = window_from_args("2026-11-19", "2026-11-19")


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_rss_items_keep_their_rfc822_dates_in_utc() -> None:
    items = parse_feed(read("aljazeera_rss.xml"))
    assert [i.url.split("/")[-1] for i in items] == [
        "ports-reopen-after-storm?traffic_source=rss", "an-older-story?traffic_source=rss", "a-programme?traffic_source=rss"]
    assert items[0].published == datetime(2026, 11, 19, 22, 15, tzinfo=UTC)


def test_window_and_url_rules_select_the_days_articles() -> None:
    source = load_sources()["aljazeera"]
    kept = [i.url for i in parse_feed(read("aljazeera_rss.xml"))
            if source.is_article_url(i.url.split("?")[0]) and in_window(i, source, WINDOW)]
    assert kept == ["https://www.aljazeera.com/news/2026/11/19/ports-reopen-after-storm?traffic_source=rss"]


def test_undated_sitemap_entry_is_dated_by_its_url() -> None:
    source = load_sources()["aljazeera"]
    document = parse_sitemap(read("aljazeera_daily_sitemap.xml"))
    assert [u.published is None for u in document.urls] == [False, False, True]
    assert all(in_window(u, source, WINDOW) for u in document.urls)
    next_day = window_from_args("2026-11-20", "2026-11-20")
    assert not in_window(document.urls[2], source, next_day)


def test_news_sitemap_uses_publication_date_not_lastmod() -> None:
    (entry,) = parse_sitemap(read("news_sitemap.xml")).urls
    assert entry.published == datetime(2026, 11, 19, 22, 15, tzinfo=UTC)


def test_sitemap_index_lists_children() -> None:
    document = parse_sitemap(read("sitemap_index.xml"))
    assert document.urls == []
    assert document.child_sitemaps[0].url == "https://www.aljazeera.com/sitemap.xml?yyyy=2026&mm=11&dd=19"


def test_entities_are_not_expanded() -> None:
    document = parse_sitemap(read("xxe_feed.xml"))
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else "\0"
    for url in document.urls:
        assert hostname not in url.url and "lollol" not in url.url


def test_not_a_sitemap_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not a sitemap"):
        parse_sitemap(b"<html><body>Welcome</body></html>")


def test_dated_sitemaps_expand_per_day_padded_and_not() -> None:
    week = window_from_args("2026-11-08", "2026-11-10")
    urls = expand_dated_sitemaps(("https://x.example/s.xml?yyyy={yyyy}&mm={mm}&dd={dd}", "https://x.example/{m}/{d}/"), week)
    assert urls[:2] == ["https://x.example/s.xml?yyyy=2026&mm=11&dd=08", "https://x.example/11/8/"]
    assert len(urls) == 6


def test_undated_non_templated_url_is_kept() -> None:
    source = load_sources()["aljazeera"]
    assert in_window(Discovered("https://www.aljazeera.com/news/no-date-here"), source, WINDOW)
