"""Each configured source's discovery on the project's own fixtures, written in that site's real
feed or sitemap format: which URLs a run of 2026-11-19 would fetch, and under which key."""

from __future__ import annotations

import pytest

from common.sources import load_sources
from common.window import window_from_args
from scrapers.discovery import parse_feed, parse_sitemap, select_articles
from tests.fixtures import FIXTURES as FIXTURES_ROOT

FIXTURES = FIXTURES_ROOT / "sources"
WINDOW = window_from_args("2026-11-19", "2026-11-19")

CASES = {
    "bbc": [
        ("bbc_rss.xml", "feed", [
            "https://www.bbc.com/news/articles/c4gq2x7pd1eo",  # ?at_medium=RSS&at_campaign=rss dropped
            "https://www.bbc.com/news/uk-england-bristol-68012345",  # bbc.co.uk: the sitemap's host
        ]),  # the live page and the video are not articles; the 17 November story is outside the window
        ("bbc_news_sitemap.xml", "sitemap", [
            "https://www.bbc.com/news/articles/c4gq2x7pd1eo",
            "https://www.bbc.com/news/articles/c7k2p9q1r3so",  # the .amp variant mapped to the page
        ]),
    ],
    "guardian": [
        ("guardian_rss.xml", "feed", [
            "https://www.theguardian.com/world/2026/nov/19/glacier-retreat-exposes-ancient-trail-alps",
        ]),  # no liveblog, no gallery, not yesterday's story
        ("guardian_news_sitemap.xml", "sitemap", [
            "https://www.theguardian.com/business/2026/nov/19/bank-holds-rates-as-inflation-eases",
            "https://www.theguardian.com/world/2026/nov/19/glacier-retreat-exposes-ancient-trail-alps",  # from AMP
        ]),
    ],
    "apnews": [
        ("apnews_news_sitemap.xml", "sitemap", [
            "https://apnews.com/article/wildfire-evacuations-lifted-rain-3f9a2c1b7d4e4f6a8b0c2d4e6f8a0b1c",
        ]),  # 21:30 -05:00 is 02:30 UTC on the 20th; a hub page is not an article
    ],
    "reuters": [
        ("reuters_news_sitemap.xml", "sitemap", [
            "https://www.reuters.com/world/europe/port-workers-end-strike-after-pay-deal-2026-11-19/",
            "https://www.reuters.com/markets/commodities/oil-steadies-2026-11-19/",
        ]),
    ],
    "dw": [
        ("dw_rss_en_all.rdf", "feed", [
            "https://www.dw.com/en/germany-approves-rail-upgrade-funding/a-74012345",  # ?maca=... dropped
        ]),  # the live ticker and the video are not articles; last week's report is outside
    ],
    "npr": [
        ("npr_rss.xml", "feed", [
            "https://www.npr.org/2026/11/19/nx-s1-5601234/city-council-bus-rapid-transit",
            "https://www.npr.org/sections/shots-health-news/2026/11/19/1248283456/measles-cases-rising",
        ]),  # 21:30 -0500 is the 20th in UTC; podcasts are not articles
    ],
    "france24": [
        ("france24_rss.xml", "feed", [
            "https://www.france24.com/en/france/20261119-french-farmers-block-roads-over-fuel-prices",
            "https://www.france24.com/en/africa/20261119-sahel-peace-talks-resume-in-niamey",
        ]),
    ],
}


@pytest.mark.parametrize(("slug", "fixture", "kind", "expected"),
                         [(slug, f, k, e) for slug, cases in CASES.items() for f, k, e in cases],
                         ids=lambda v: v if isinstance(v, str) and v.endswith((".xml", ".rdf")) else None)
def test_discovery_selects_the_windows_articles(slug: str, fixture: str, kind: str, expected: list[str]) -> None:
    source = load_sources()[slug]
    body = (FIXTURES / fixture).read_bytes()
    items = parse_feed(body) if kind == "feed" else parse_sitemap(body).urls
    assert items, f"{fixture} parsed to nothing"
    assert select_articles(items, source, WINDOW) == expected


def test_every_new_source_is_configured_and_off_by_default() -> None:
    sources = load_sources()
    assert set(CASES) <= set(sources)
    for slug in CASES:
        source = sources[slug]
        assert source.enabled is False, f"{slug} must be switched on deliberately"
        discovery = source.discovery
        urls = [*discovery.feeds, *discovery.sitemaps, *discovery.dated_sitemaps]
        assert urls and all(u.startswith("https://") for u in urls)
        # The crawl may only fetch its discovery documents from the source's own hosts.
        from urllib.parse import urlsplit

        assert {urlsplit(u).hostname for u in urls} <= set(source.domains)


def test_a_sitemap_index_keeps_only_http_children_and_their_lastmod() -> None:
    index = parse_sitemap((FIXTURES / "reuters_news_sitemap_index.xml").read_bytes())
    assert [c.url.split("://")[0] for c in index.child_sitemaps] == ["https", "https", "ftp"]
    ap = parse_sitemap((FIXTURES / "apnews_news_sitemap_index.xml").read_bytes())
    # The spider follows only children changed since the window began: sitemap_1, not sitemap_2.
    fresh = [c.url for c in ap.child_sitemaps if c.published is None or c.published >= WINDOW.start]
    assert fresh == ["https://apnews.com/sitemap/google-news-sitemap/sitemap_1.xml"]


def test_guardian_month_names_date_urls() -> None:
    from datetime import date

    from scrapers.discovery import url_date

    guardian = load_sources()["guardian"]
    assert url_date("https://www.theguardian.com/world/2024/feb/24/x", guardian) == date(2024, 2, 24)
    assert url_date("https://www.theguardian.com/world/2024/xyz/24/x", guardian) is None


def test_the_configured_sources_fixes_of_issue_13() -> None:
    """What the doctor found wrong in the configured sources, one assertion a finding."""
    from scrapers.discovery import article_url

    sources = load_sources()
    assert sources["apnews"].discovery.sitemaps == ("https://apnews.com/news-sitemap-content.xml",)
    wire = "https://www.france24.com/en/live-news/20261119-un-agency-warns-of-famine-in-sudan-s-darfur"
    assert sources["france24"].is_article_url(wire)
    bbc = sources["bbc"]
    keys = {article_url(u, bbc) for u in ("https://www.bbc.co.uk/news/articles/c4gq2x7pd1eo?at_medium=RSS",
                                          "https://www.bbc.com/news/articles/c4gq2x7pd1eo",
                                          "https://www.bbc.co.uk/news/articles/c4gq2x7pd1eo.amp")}
    assert keys == {"https://www.bbc.com/news/articles/c4gq2x7pd1eo"}
    longform = "https://www.aljazeera.com/features/longform/2026/11/9/the-last-ferry-pilots-of-the-mekong"
    assert sources["aljazeera"].is_article_url(longform)
    assert not sources["aljazeera"].is_article_url("https://www.aljazeera.com/program/2026/11/9/a-show")
