"""The demo's replay archive matches its sources, and the sample site is internally consistent."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import sys
import tomllib
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit, urlunsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.fixtures import PROJECT_ROOT

ROOT = PROJECT_ROOT
SITE = ROOT / "demo" / "site"
MANIFEST = SITE / "manifest.toml"
ARCHIVE = ROOT / "demo" / "replay" / "news-sample.warc.gz"
AJ = "https://www.aljazeera.com"
REPOST = "https://news-repost.example"
# Listed in the repost feed but outside the run window, so deliberately not captured (README).
DELIBERATELY_MISSING = {f"{REPOST}/2026/11/16/mekong-river-ferry-crossings-face-uncertain-future/"}
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _load_builder() -> ModuleType:
    """demo/ is not a package: import build_archive.py from its path."""
    spec = importlib.util.spec_from_file_location("demo_build_archive", ROOT / "demo" / "build_archive.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build = _load_builder()


def _manifest() -> list[dict[str, object]]:
    with MANIFEST.open("rb") as f:
        return list(tomllib.load(f)["response"])


def _manifest_urls() -> set[str]:
    return {str(e["url"]) for e in _manifest()}


def _file_for(url: str) -> Path:
    return SITE / next(str(e["file"]) for e in _manifest() if e["url"] == url)


def _strip_tracking(url: str) -> str:
    """The feed's links carry ?traffic_source=rss; the capture is of the bare URL."""
    parts = urlsplit(url)
    query = "&".join(q for q in parts.query.split("&") if q and not q.startswith("traffic_source="))
    return urlunsplit(parts._replace(query=query))


def _records(path: Path, rec_type: str) -> list[tuple[dict[str, str], bytes, object]]:
    out = []
    with path.open("rb") as f:
        for rec in ArchiveIterator(f):
            if rec.rec_type == rec_type:
                headers = dict(rec.rec_headers.headers)
                out.append((headers, rec.content_stream().read(), rec.http_headers))
    return out


# --- the archive is the sources, packed -------------------------------------------------


def test_rebuild_is_byte_identical_to_committed_archive(tmp_path: Path) -> None:
    out = tmp_path / ARCHIVE.name  # same name: the warcinfo record carries it
    count = build.build_archive(MANIFEST, out)
    assert count == len(_manifest())
    rebuilt, committed = out.read_bytes(), ARCHIVE.read_bytes()
    # Decompressed equality is what proves the archive matches its sources; say so first, so a
    # zlib build that compresses differently is told apart from a stale archive.
    assert gzip.decompress(rebuilt) == gzip.decompress(committed), (
        "demo/replay/news-sample.warc.gz is stale: run `.venv/bin/python demo/build_archive.py` and commit it")
    assert rebuilt == committed, "same records, different gzip bytes: is this zlib not the stock one?"


def test_build_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "x.warc.gz", tmp_path / "b" / "x.warc.gz"
    build.build_archive(MANIFEST, a)
    build.build_archive(MANIFEST, b)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes()[4:8] == b"\0\0\0\0", "gzip member header must carry mtime 0"


def test_every_manifest_file_exists_and_urls_are_unique() -> None:
    entries = _manifest()
    for e in entries:
        assert (SITE / str(e["file"])).is_file(), e["file"]
    urls = [e["url"] for e in entries]
    assert len(urls) == len(set(urls))


def test_build_archive_from_another_manifest(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("<html><body><p>gone</p></body></html>", encoding="utf-8")
    (tmp_path / "m.toml").write_text(
        '[[response]]\nurl = "https://example.org/x"\nfile = "page.html"\nstatus = 404\n'
        'content_type = "text/html"\nfetched_at = "2026-01-02T03:04:05Z"\n', encoding="utf-8")
    out = tmp_path / "out" / "t.warc.gz"
    assert build.build_archive(tmp_path / "m.toml", out) == 1
    (headers, body, http), = _records(out, "response")
    assert http.get_statuscode() == "404" and body.startswith(b"<html>")
    assert headers["WARC-Date"] == "2026-01-02T03:04:05Z"


def test_bad_manifest_names_the_problem(tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text('[[response]]\nurl = "https://example.org/x"\nfile = "nope.html"\n'
                                     'content_type = "text/html"\nfetched_at = "2026-01-02T03:04:05Z"\n')
    with pytest.raises(ValueError, match="nope.html"):
        build.build_archive(tmp_path / "m.toml", tmp_path / "o.warc.gz")


# --- the archive reads back as the crawler will read it ---------------------------------


def test_each_response_payload_equals_its_file() -> None:
    responses = _records(ARCHIVE, "response")
    by_url = {h["WARC-Target-URI"]: (body, http) for h, body, http in responses}
    assert set(by_url) == _manifest_urls()
    for e in _manifest():
        body, http = by_url[str(e["url"])]
        assert body == (SITE / str(e["file"])).read_bytes(), e["url"]
        assert http.get_statuscode() == str(e.get("status", 200))
        assert http.get_header("Content-Type") == e["content_type"]
        assert http.get_header("Content-Length") == str(len(body))


def test_requests_are_linked_to_responses_and_dated_in_the_fetch_window() -> None:
    responses = {h["WARC-Target-URI"]: h for h, _, _ in _records(ARCHIVE, "response")}
    requests = _records(ARCHIVE, "request")
    assert len(requests) == len(responses)
    start, end = datetime(2026, 11, 20, 1, 0, tzinfo=UTC), datetime(2026, 11, 20, 1, 10, tzinfo=UTC)
    for headers, _, http in requests:
        resp = responses[headers["WARC-Target-URI"]]
        assert headers["WARC-Concurrent-To"] == resp["WARC-Record-ID"]
        assert headers["WARC-Date"] == resp["WARC-Date"]
        assert http.protocol == "GET" and http.get_header("Host") == urlsplit(headers["WARC-Target-URI"]).netloc
        assert start <= datetime.fromisoformat(resp["WARC-Date"].replace("Z", "+00:00")) <= end


# --- discovery files list only captured pages -------------------------------------------


def _rss_links(url: str) -> list[str]:
    root = ET.parse(_file_for(url)).getroot()
    return [_strip_tracking(el.text or "") for el in root.iterfind("./channel/item/link")]


def _sitemap_locs(url: str) -> list[str]:
    root = ET.parse(_file_for(url)).getroot()
    return [(el.text or "").strip() for el in root.iter(f"{{{NS['sm']}}}loc")]


@pytest.mark.parametrize("feed", [f"{AJ}/xml/rss/all.xml", f"{REPOST}/feed/"])
def test_feed_items_are_captured(feed: str) -> None:
    links = _rss_links(feed)
    assert links
    assert set(links) - DELIBERATELY_MISSING <= _manifest_urls()


def test_aljazeera_feed_has_the_real_feeds_shape() -> None:
    root = ET.parse(_file_for(f"{AJ}/xml/rss/all.xml")).getroot()
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title") == "Al Jazeera – Breaking News, World News and Video from Al Jazeera"
    for item in channel.iterfind("item"):
        assert (item.findtext("link") or "").endswith("?traffic_source=rss")
        guid = item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "false"
        assert re.fullmatch(r"https://www\.aljazeera\.com/\?t=\d{10}", guid.text or "")
        assert (item.findtext("pubDate") or "").endswith("+0000")
        assert len(item.findall("category")) == 1 and item.find("author") is None


@pytest.mark.parametrize("sitemap", [f"{AJ}/sitemap.xml?yyyy=2026&mm=11&dd=19", f"{AJ}/sitemap.xml?yyyy=2026&mm=11&dd=18",
                                     f"{AJ}/news-sitemap.xml", f"{AJ}/sitemaps/article-new.xml"])
def test_sitemap_locs_are_captured(sitemap: str) -> None:
    locs = _sitemap_locs(sitemap)
    assert locs
    assert set(locs) <= _manifest_urls()


def test_robots_sitemaps_are_captured() -> None:
    text = _file_for(f"{AJ}/robots.txt").read_text(encoding="utf-8")
    sitemaps = re.findall(r"(?im)^Sitemap:\s*(\S+)", text)
    assert sitemaps and set(sitemaps) <= _manifest_urls()


# --- README's expectations match the pages ----------------------------------------------


def _expected_rows() -> list[dict[str, str]]:
    """Rows of the README's expected-extraction tables (URL path, title, dates, authors)."""
    rows = []
    for line in (SITE / "README.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| `(/[^`]+)` \| (.+?) \| (\S+Z) \| (\S+Z) \| (.+?) \|", line)
        if m:
            path, title, published, modified, authors = m.groups()
            base = REPOST if re.match(r"/\d{4}/", path) else AJ
            rows.append({"url": base + path, "title": title, "published": published, "modified": modified,
                         "authors": authors})
    return rows


def _json_ld(html: str) -> list[dict[str, object]]:
    blocks = re.findall(r'<script[^>]*type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    out: list[dict[str, object]] = []
    for block in blocks:
        data = json.loads(block)
        out.extend(data.get("@graph", [data]) if isinstance(data, dict) else data)
    return out


def _utc(value: str) -> str:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_readme_lists_every_article_page() -> None:
    rows = _expected_rows()
    assert len(rows) == 14  # 11 window articles, 2 from the day before, 1 repost
    assert {r["url"] for r in rows} <= _manifest_urls()


@pytest.mark.parametrize("row", _expected_rows(), ids=lambda r: r["url"].rstrip("/").rsplit("/", 1)[-1][:40])
def test_readme_expectations_match_page_metadata(row: dict[str, str]) -> None:
    html = _file_for(row["url"]).read_text(encoding="utf-8")
    article = next(d for d in _json_ld(html) if d.get("@type") in ("NewsArticle", "Article"))
    assert article["headline"] == row["title"]
    assert _utc(str(article["datePublished"])) == row["published"]
    assert _utc(str(article["dateModified"])) == row["modified"]
    authors = article["author"] if isinstance(article["author"], list) else [article["author"]]
    assert "; ".join(str(a["name"]) for a in authors) == row["authors"]
    assert f"<h1>{row['title']}</h1>" in html or f'entry-title">{row["title"]}<' in html


def test_window_articles_are_in_the_daily_sitemap() -> None:
    window = {r["url"] for r in _expected_rows() if r["published"].startswith("2026-11-19") and r["url"].startswith(AJ)}
    assert len(window) == 11
    assert window <= set(_sitemap_locs(f"{AJ}/sitemap.xml?yyyy=2026&mm=11&dd=19"))


@pytest.mark.parametrize("url,ld_type", [
    (f"{AJ}/news/liveblog/2026/11/19/live-cop31-climate-talks-enter-final-scheduled-day-in-antalya", "LiveBlogPosting"),
    (f"{AJ}/video/newsfeed/2026/11/19/drone-footage-shows-flooded-streets-after-storm-hits-sfax", "VideoObject"),
])
def test_non_articles_carry_no_news_article(url: str, ld_type: str) -> None:
    types = {d.get("@type") for d in _json_ld(_file_for(url).read_text(encoding="utf-8"))}
    assert ld_type in types and "NewsArticle" not in types


def test_files_are_utf8_and_reasonably_sized() -> None:
    for e in _manifest():
        data = (SITE / str(e["file"])).read_bytes()
        assert len(data) < 60_000, e["file"]
        data.decode("utf-8")  # every file is UTF-8
