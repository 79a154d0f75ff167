"""The source doctor (issue 13, point 4): `python -m ops.doctor <slug> --replay FILE` reports what
answered, URLs in the window, how many pass allow/deny and a sample's completeness, and writes
nothing anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg2

from ops.doctor import LiveFetcher
from tests.fixtures import DEMO_ARCHIVE, PROJECT_ROOT
from tests.fixtures.replay_site import write_warc

TABLES = ("ops.crawl_runs", "ops.sources", "ops.failed_urls", "ops.feed_state", "raw.captures", "core.articles")


def doctor(*args: str, extra_dirs: str = "", archive: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWS_SOURCES_EXTRA_DIRS": extra_dirs, "ARCHIVE_ROOT": str(archive or "")}
    return subprocess.run([sys.executable, "-m", "ops.doctor", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def row_counts(dsn: str) -> dict[str, int]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        counts = {}
        for table in TABLES:
            cur.execute(f"select count(*) from {table}")
            counts[table] = cur.fetchone()[0]
    conn.close()
    return counts


def test_the_doctor_reports_discovery_and_completeness_and_writes_nothing(clean_warehouse: str, tmp_path: Path) -> None:
    before = row_counts(clean_warehouse)
    archive = tmp_path / "archive"
    result = doctor("aljazeera", "--replay", str(DEMO_ARCHIVE), "--since", "2026-11-19", "--until", "2026-11-19",
                    "--sample", "3", archive=archive)
    report = result.stdout
    assert result.returncode == 0, report + result.stderr
    assert "https://www.aljazeera.com/robots.txt: HTTP 200; rules read" in report
    assert ("feed    https://www.aljazeera.com/xml/rss/all.xml: HTTP 200; 12 URL(s) listed, 10 in the window, "
            "10 pass allow/deny") in report
    assert "sitemap https://www.aljazeera.com/sitemap.xml?yyyy=2026&mm=11&dd=19: HTTP 200" in report
    assert "article URLs in the window passing allow/deny: 13" in report
    assert "sample: 3 fetched, 3 extracted as articles" in report
    assert "completeness: title 3/3, date 3/3, author 3/3, body >= 150 words 3/3" in report
    assert report.rstrip().endswith("verdict: looks usable")
    assert row_counts(clean_warehouse) == before  # nothing in ops, raw or core
    assert not archive.exists()  # no WARC


def test_the_doctor_names_what_is_wrong_with_a_misconfigured_source(tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    # Al Jazeera's feed, an allow pattern too narrow and a sitemap that is not there.
    (folder / "aj_wrong.toml").write_text('''slug = "aj_wrong"
name = "Al Jazeera, misconfigured"
domains = ["www.aljazeera.com"]
language = "en"
enabled = false

[discovery]
feeds = ["https://www.aljazeera.com/xml/rss/all.xml"]
sitemaps = ["https://www.aljazeera.com/sitemaps/moved-in-2023.xml"]

[urls]
allow = ['^https://www\\.aljazeera\\.com/sport/']
''', encoding="utf-8")
    result = doctor("aj_wrong", "--replay", str(DEMO_ARCHIVE), "--since", "2026-11-19", "--until", "2026-11-19",
                    extra_dirs=str(folder))
    report = result.stdout
    assert result.returncode == 1, report + result.stderr
    assert "moved-in-2023.xml: HTTP 404 (not in the replay archive)" in report
    # The allow pattern admits only a section the day has nothing in: every article is rejected.
    assert "10 in the window, 0 pass allow/deny (rejected: 10 not_article_url)" in report
    assert "no article URL in the window passes allow/deny" in report
    assert "  - sitemap https://www.aljazeera.com/sitemaps/moved-in-2023.xml did not answer" in report


def test_an_unknown_source_is_named_with_the_configured_ones() -> None:
    result = doctor("nosuchsource")
    assert result.returncode == 2 and "unknown source 'nosuchsource'; configured: aljazeera" in result.stderr


def test_live_fetches_never_reach_private_addresses() -> None:
    answer = LiveFetcher("news-pipeline-test").fetch("http://127.0.0.1:9/robots.txt")
    assert answer.status is None and answer.error
    assert LiveFetcher("news-pipeline-test").fetch("file:///etc/passwd").status is None


BBC_FEED = b'''<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>BBC News</title><link>https://www.bbc.co.uk/news</link>
<item><title>Harbour reopens</title><link>https://www.bbc.co.uk/news/articles/c1harbour00o?at_medium=RSS&amp;at_campaign=rss</link>
<pubDate>Thu, 19 Nov 2026 09:15:00 GMT</pubDate></item>
<item><title>Bridge vote</title><link>https://www.bbc.co.uk/news/articles/c2bridge000o?at_medium=RSS&amp;at_campaign=rss</link>
<pubDate>Thu, 19 Nov 2026 14:40:00 GMT</pubDate></item>
</channel></rss>'''

BBC_SITEMAP = b'''<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://www.bbc.com/news/articles/c1harbour00o</loc><news:news><news:publication_date>2026-11-19T09:15:00Z</news:publication_date></news:news></url>
<url><loc>https://www.bbc.com/news/articles/c2bridge000o.amp</loc><news:news><news:publication_date>2026-11-19T14:40:00Z</news:publication_date></news:news></url>
</urlset>'''


def bbc_page(title: str, published: str, author: str) -> bytes:
    sentence = ("The council said the work had gone to plan and that residents would see the difference "
                "within weeks, while opposition members asked for the full costs to be published. ")
    paragraphs = "".join(f"<p>{sentence * 2}</p>" for _ in range(6))
    return f'''<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{title} - BBC News</title>
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "{title}",
"datePublished": "{published}", "author": [{{"@type": "Person", "name": "{author}"}}]}}</script></head>
<body><main><article><h1>{title}</h1><p>By {author}</p>{paragraphs}</article></main></body></html>'''.encode()


def test_bbc_feed_and_sitemap_hosts_give_one_key_a_story(tmp_path: Path) -> None:
    """The feed links www.bbc.co.uk, the sitemap www.bbc.com (and .amp): two stories, not four."""
    robots = ("text/plain", b"User-agent: *\nAllow: /\n")
    archive = tmp_path / "bbc.warc.gz"
    write_warc(archive, {
        "https://www.bbc.com/robots.txt": robots, "https://www.bbc.co.uk/robots.txt": robots,
        "https://feeds.bbci.co.uk/robots.txt": robots,
        "https://feeds.bbci.co.uk/news/rss.xml": ("application/rss+xml", BBC_FEED),
        "https://www.bbc.com/sitemaps/https-index-com-news.xml": ("application/xml", BBC_SITEMAP),
        "https://www.bbc.com/news/articles/c1harbour00o": (
            "text/html; charset=utf-8", bbc_page("Harbour reopens after storm repairs", "2026-11-19T09:15:00Z",
                                                 "Ann Example")),
        "https://www.bbc.com/news/articles/c2bridge000o": (
            "text/html; charset=utf-8", bbc_page("Council votes for new river bridge", "2026-11-19T14:40:00Z",
                                                 "Ben Sample")),
    })
    result = doctor("bbc", "--replay", str(archive), "--since", "2026-11-19", "--until", "2026-11-19")
    report = result.stdout
    assert "feed    https://feeds.bbci.co.uk/news/rss.xml: HTTP 200; 2 URL(s) listed, 2 in the window, 2 pass" in report
    assert "article URLs in the window passing allow/deny: 2" in report, report
    assert "sample: 2 fetched, 2 extracted as articles" in report, report
    assert "completeness: title 2/2, date 2/2, author 2/2" in report, report
    # The world feed is configured but not in this archive: the doctor says so.
    assert "feed https://feeds.bbci.co.uk/news/world/rss.xml did not answer: HTTP 404" in report
