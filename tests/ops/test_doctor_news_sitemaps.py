"""France 24's and NPR's Google News sitemaps (issue 13, point 4): the doctor, replaying archives
modelled on each site's structure (robots.txt declaring the sitemap, RSS feeds, a news sitemap
listing stories the feeds leave out), finds the window's articles through them and writes nothing.
The pages and documents are hand-written in the sites' shapes; none is copied from the sites."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.fixtures import FIXTURES, PROJECT_ROOT

F24 = "https://www.france24.com"
NPR = "https://www.npr.org"
F24_SITEMAP = f"{F24}/en/sitemaps/news/news.xml"
NPR_SITEMAP = f"{NPR}/sitemaps/news.xml"
PARAGRAPHS = (
    "Officials said on Thursday that the measures would stay in place until the end of the month.",
    "Local groups asked for more detail on how the decision had been reached and who would pay for it.",
    "The regional council met twice this week, and its members were divided over the timetable.",
    "Several residents interviewed on the main square said they had heard about the plan only from neighbours.",
    "A spokesperson for the ministry declined to give figures, saying a full report would follow in January.",
    "Economists warned that the cost could rise sharply if the work were delayed by another winter.",
    "Opposition members called for a public hearing before any contract is signed.",
    "The last comparable project, finished in 2019, ran two years late and well over its budget.",
)


def doctor(slug: str, archive: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWS_SOURCES_EXTRA_DIRS": "", "ARCHIVE_ROOT": ""}
    return subprocess.run([sys.executable, "-m", "ops.doctor", slug, "--replay", str(archive), "--since",
                           "2026-11-19", "--until", "2026-11-19"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def write_warc(path: Path, responses: dict[str, tuple[str, bytes]]) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, (content_type, body) in responses.items():
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))


def news_sitemap(entries: list[tuple[str, str, str]], publication: str) -> bytes:
    """A Google News sitemap: <url><loc> with news:publication_date and news:title."""
    urls = "".join(
        f"<url><loc>{url}</loc><news:news><news:publication><news:name>{publication}</news:name>"
        f"<news:language>en</news:language></news:publication><news:publication_date>{published}"
        f"</news:publication_date><news:title>{title}</news:title></news:news></url>"
        for url, published, title in entries)
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>').encode()


def article_page(site: str, title: str, published: str, author: str, lang: str = "en") -> bytes:
    body = "".join(f"<p>{title}: {a} {b}</p>" for a, b in zip(PARAGRAPHS, PARAGRAPHS[::-1], strict=True))
    return f'''<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} - {site}</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="{site}">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "{title}", "datePublished": "{published}", "author": [{{"@type": "Person", "name": "{author}"}}]}}
</script></head><body><header><nav><a href="/">Home</a></nav></header><main><article><h1>{title}</h1>
<p class="byline">{author}</p>{body}</article></main><footer>Copyright</footer></body></html>'''.encode()


def robots(sitemap: str) -> tuple[str, bytes]:
    return "text/plain", f"User-agent: *\nDisallow: /search\n\nSitemap: {sitemap}\n".encode()


def test_france24_news_sitemap_brings_the_wire_articles_the_feed_leaves_out(tmp_path: Path) -> None:
    wire = f"{F24}/en/live-news/20261119-un-agency-warns-of-famine-in-darfur"
    farmers = f"{F24}/en/france/20261119-french-farmers-block-roads-over-fuel-prices"
    sahel = f"{F24}/en/africa/20261119-sahel-peace-talks-resume-in-niamey"
    archive = tmp_path / "france24.warc.gz"
    write_warc(archive, {
        f"{F24}/robots.txt": robots(F24_SITEMAP),
        f"{F24}/en/rss": ("application/rss+xml", (FIXTURES / "sources" / "france24_rss.xml").read_bytes()),
        F24_SITEMAP: ("application/xml", news_sitemap([
            (wire, "2026-11-19T16:05:00+01:00", "UN agency warns of famine in Darfur"),
            (farmers, "2026-11-19T09:30:00+01:00", "French farmers block roads over fuel prices"),
            (f"{F24}/en/video/20261119-the-louvre-s-new-wing", "2026-11-19T12:00:00+01:00", "The Louvre's new wing"),
            (f"{F24}/en/europe/20261118-election-results", "2026-11-18T21:00:00+01:00", "Election results"),
        ], "France 24")),
        wire: ("text/html; charset=utf-8", article_page("France 24", "UN agency warns of famine in Darfur",
                                                        "2026-11-19T16:05:00+01:00", "Nadia Haddad")),
        farmers: ("text/html; charset=utf-8", article_page("France 24", "French farmers block roads over fuel prices",
                                                           "2026-11-19T09:30:00+01:00", "Claire Martin")),
        sahel: ("text/html; charset=utf-8", article_page("France 24", "Sahel: peace talks resume in Niamey",
                                                         "2026-11-19T14:10:00+01:00", "Moussa Diallo")),
    })
    result = doctor("france24", archive)
    report = result.stdout
    assert result.returncode == 0, report + result.stderr[-2000:]
    assert (f"sitemap {F24_SITEMAP}: HTTP 200; 4 URL(s) listed, 3 in the window, 2 pass allow/deny "
            "(rejected: 1 not_article_url)") in report, report
    assert "article URLs in the window passing allow/deny: 3" in report, report
    assert wire in report  # sampled: reached only through the news sitemap
    assert "date 2026-11-19 15:05 UTC" in report  # 16:05 at the page's +01:00
    assert "sample: 3 fetched, 3 extracted as articles" in report, report
    assert "declares sitemap(s) not configured" not in report
    assert "verdict: looks usable" in report


def test_npr_news_sitemap_on_www_npr_org_adds_stories_outside_the_topic_feeds(tmp_path: Path) -> None:
    feed = ("application/rss+xml", (FIXTURES / "sources" / "npr_rss.xml").read_bytes())
    transit = f"{NPR}/2026/11/19/nx-s1-5601234/city-council-bus-rapid-transit"
    measles = f"{NPR}/sections/shots-health-news/2026/11/19/1248283456/measles-cases-rising"
    drought = f"{NPR}/2026/11/19/nx-s1-5607788/drought-river-barges-mississippi"
    archive = tmp_path / "npr.warc.gz"
    write_warc(archive, {
        f"{NPR}/robots.txt": robots(NPR_SITEMAP),
        "https://feeds.npr.org/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n"),
        "https://feeds.npr.org/1001/rss.xml": feed,
        "https://feeds.npr.org/1004/rss.xml": feed,
        NPR_SITEMAP: ("application/xml", news_sitemap([
            (drought, "2026-11-19T11:20:00-05:00", "Drought strands river barges on the Mississippi"),
            (transit, "2026-11-19T18:40:11-05:00", "City council approves new bus rapid transit line"),
            (f"{NPR}/podcasts/510318/up-first", "2026-11-19T06:00:00-05:00", "Up First"),
        ], "NPR")),
        transit: ("text/html; charset=utf-8", article_page("NPR", "City council approves new bus rapid transit line",
                                                           "2026-11-19T18:40:11-05:00", "Dana Reyes")),
        measles: ("text/html; charset=utf-8", article_page("NPR", "Why measles cases are rising again",
                                                           "2026-11-19T05:00:13-05:00", "Sam Okafor")),
        drought: ("text/html; charset=utf-8", article_page("NPR", "Drought strands river barges on the Mississippi",
                                                           "2026-11-19T11:20:00-05:00", "Lee Park")),
    })
    result = doctor("npr", archive)
    report = result.stdout
    assert result.returncode == 0, report + result.stderr[-2000:]
    assert f"sitemap {NPR_SITEMAP}: HTTP 200; 3 URL(s) listed" in report, report
    assert drought in report  # only the news sitemap lists it
    assert "article URLs in the window passing allow/deny: 3" in report, report
    assert "verdict: looks usable" in report


def test_the_doctor_names_sitemaps_robots_txt_declares_that_the_source_lacks(tmp_path: Path) -> None:
    archive = tmp_path / "france24-moved.warc.gz"
    moved = f"{F24}/en/sitemaps/google-news.xml"
    write_warc(archive, {
        f"{F24}/robots.txt": robots(moved),
        f"{F24}/en/rss": ("application/rss+xml", (FIXTURES / "sources" / "france24_rss.xml").read_bytes()),
    })
    report = doctor("france24", archive).stdout
    assert f"declares sitemap(s) not configured: {moved}" in report, report
    assert f"sitemap {F24_SITEMAP} did not answer" in report, report
