"""France 24's and NPR's Google News sitemaps (issue 13, point 4): the doctor, replaying archives
modelled on each site's structure (robots.txt declaring the sitemap, RSS feeds, a news sitemap
listing stories the feeds leave out), finds the window's articles through them and writes nothing.
The pages and documents are hand-written in the sites' shapes; none is copied from the sites."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.fixtures import FIXTURES, PROJECT_ROOT
from tests.fixtures.replay_site import article_page, news_sitemap, robots, write_warc

F24 = "https://www.france24.com"
NPR = "https://www.npr.org"
F24_SITEMAP = f"{F24}/en/sitemaps/news/news.xml"
NPR_SITEMAP = f"{NPR}/sitemaps/news.xml"


def doctor(slug: str, archive: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWS_SOURCES_EXTRA_DIRS": "", "ARCHIVE_ROOT": ""}
    return subprocess.run([sys.executable, "-m", "ops.doctor", slug, "--replay", str(archive), "--since",
                           "2026-11-19", "--until", "2026-11-19"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


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
