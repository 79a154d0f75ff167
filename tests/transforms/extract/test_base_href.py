"""`<base href>` is the base of a page's relative URLs (issue 12, item 8): the canonical URL and
the lead image resolve against it, as a browser resolves them; without one, against the page."""

from __future__ import annotations

import pytest

from tests.fixtures.harbour_story import BODY, extracted

PAGE_URL = "https://news.example.com/news/2026/03/06/breakwater-rebuilt"


def page(head: str) -> str:
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8>{head}"
            f"<title>Breakwater to be rebuilt</title></head><body><article>"
            f"<h1>Breakwater to be rebuilt</h1>{BODY}</article></body></html>")


@pytest.mark.parametrize(("base", "canonical", "expected"), [
    # A relative canonical with a base at the site root: not doubled under the page's folder.
    ('<base href="/">', "news/2026/03/06/breakwater-rebuilt", "https://news.example.com/news/2026/03/06/breakwater-rebuilt"),
    ('<base href="https://news.example.com/news/2026/">', "03/06/breakwater-rebuilt",
     "https://news.example.com/news/2026/03/06/breakwater-rebuilt"),
    # A relative base resolves against the page URL first.
    ('<base href="../../../">', "2026/03/06/breakwater-rebuilt", "https://news.example.com/news/2026/03/06/breakwater-rebuilt"),
    # No base: the page URL is the base.
    ("", "breakwater-rebuilt?ref=x", "https://news.example.com/news/2026/03/06/breakwater-rebuilt?ref=x"),
    # A base that is not http(s) is no base.
    ('<base href="javascript:void(0)">', "/news/2026/03/06/breakwater-rebuilt",
     "https://news.example.com/news/2026/03/06/breakwater-rebuilt"),
])
def test_the_canonical_url_resolves_against_base_href(base: str, canonical: str, expected: str) -> None:
    article = extracted(page(f'{base}<link rel="canonical" href="{canonical}">'), PAGE_URL)
    assert article.canonical_url == expected


def test_the_lead_image_resolves_against_base_href() -> None:
    head = ('<base href="https://static.example-cdn.net/site/">'
            '<meta property="og:image" content="images/breakwater.jpg">')
    article = extracted(page(head), PAGE_URL)
    assert article.image_url == "https://static.example-cdn.net/site/images/breakwater.jpg"


def test_og_url_resolves_against_base_href_too() -> None:
    article = extracted(page('<base href="/"><meta property="og:url" content="news/2026/03/06/breakwater-rebuilt">'),
                        PAGE_URL)
    assert article.canonical_url == "https://news.example.com/news/2026/03/06/breakwater-rebuilt"
