from __future__ import annotations

from pathlib import Path

import pytest

from common.sources import SourceConfigError, load_source, load_sources
from tests.fixtures import PROJECT_ROOT

VALID = """
slug = "example"
name = "Example News"
domains = ["www.example.com"]
language = "en"
enabled = true
[discovery]
feeds = ["https://www.example.com/feed.xml"]
[urls]
allow = ['^https://www\\.example\\.com/news/\\d{4}/']
deny = ['/video/']
date_pattern = '/(?P<year>\\d{4})/(?P<month>\\d{2})/(?P<day>\\d{2})/'
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "example.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_shipped_source_is_valid() -> None:
    sources = load_sources([PROJECT_ROOT / "scrapers" / "sources", PROJECT_ROOT / "demo" / "sources"], strict=True)
    assert {"aljazeera", "news_repost"} <= set(sources)
    aljazeera = sources["aljazeera"]
    assert aljazeera.enabled and aljazeera.discovery.feeds and aljazeera.discovery.dated_sitemaps


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.aljazeera.com/news/2026/11/19/some-story", True),
        ("https://www.aljazeera.com/features/2026/1/2/a-feature", True),
        ("https://www.aljazeera.com/program/2026/11/19/a-show", False),
        ("https://www.aljazeera.com/news/", False),
        ("https://www.aljazeera.com.evil.example/news/2026/11/19/x", False),
        ("https://www.aljazeera.com/tag/migration/", False),
    ],
)
def test_aljazeera_article_urls(url: str, expected: bool) -> None:
    assert load_sources()["aljazeera"].is_article_url(url) is expected


def test_valid_file_loads(tmp_path: Path) -> None:
    source = load_source(write(tmp_path, VALID))
    assert source.slug == "example" and source.politeness.download_delay == 1.0
    assert source.is_article_url("https://www.example.com/news/2026/11/19/x")
    assert not source.is_article_url("https://www.example.com/news/2026/video/x")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('name = "Example News"\n', ""), "field name is missing"),
        (('enabled = true', 'enabled = "yes"'), "field enabled must be bool"),
        (("allow = ['^https", "allow = ['(^https"), "field urls.allow: bad regex"),
        (('slug = "example"', 'slug = "Bad Slug"'), "slug 'Bad Slug' must match"),
        (("(?P<day>", "(?P<dd>"), "needs named groups \\['day'\\]"),
        (('feeds = ["https://www.example.com/feed.xml"]', 'feeds = ["file:///etc/passwd"]'), "must be http"),
        (('feeds = ["https://www.example.com/feed.xml"]', ""), "needs at least one feed or sitemap"),
    ],
)
def test_bad_files_name_the_file_and_field(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = write(tmp_path, VALID.replace(*change))
    with pytest.raises(SourceConfigError, match=message) as error:
        load_source(path)
    assert str(path) in str(error.value)
