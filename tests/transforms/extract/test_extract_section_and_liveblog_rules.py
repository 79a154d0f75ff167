"""Sections (entities decoded, the site's name and the home page never a section) and the
liveblog rule (a liveblog URL alone never rejects a full article; a liveblog whose updates are on
the page is loaded, flagged, and only a first short batch is rejected), on hand-written pages.

Pages are written here in the shapes news sites use; none is copied from a real site.
"""

from __future__ import annotations

import json

import pytest

from tests.fixtures.harbour_story import BODY, FETCHED_AT, SENTENCES, extracted
from transforms.article import Rejected
from transforms.extract.extractor import extract_article

URL = "https://news.example/2026/03/04/harbour-story"


def page(head: str, body: str = BODY) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta property="og:type" content="article">'
        f'<meta property="og:site_name" content="Harbour Gazette">{head}</head>'
        f"<body><article><h1>Breakwater to be rebuilt</h1>{body}</article></body></html>"
    )


def breadcrumb(*names: str) -> str:
    items = [{"@type": "ListItem", "position": n + 1, "name": name, "item": f"https://news.example/{n}"}
             for n, name in enumerate(names)]
    return ('<script type="application/ld+json">'
            + json.dumps({"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items})
            + "</script>")


def test_entities_in_a_section_are_decoded() -> None:
    result = extracted(page('<meta property="article:section" content="My&amp;#x20;Europe">'), URL)
    assert result.section == "My Europe"


@pytest.mark.parametrize("home", ["Startseite", "Home", "Accueil", "Inicio", "Página inicial", "Voorpagina", "Harbour Gazette"])
def test_home_words_and_the_site_name_are_never_a_section(home: str) -> None:
    assert extracted(page(breadcrumb(home, "Coast")), URL).section == "Coast"
    assert extracted(page(f'<meta property="article:section" content="{home}">' + breadcrumb(home, "Coast")), URL).section == "Coast"
    assert extracted(page(f'<meta property="article:section" content="{home}">'), URL).section is None


@pytest.mark.parametrize("default", ["Uncategorized", "Allgemein", "Non classé", "Sin categoría", "Senza categoria"])
def test_wordpress_default_category_is_no_section(default: str) -> None:
    assert extracted(page(f'<meta property="article:section" content="{default}">' + breadcrumb("Home", "Coast")), URL).section == "Coast"
    assert extracted(page(f'<meta property="article:section" content="{default}">'), URL).section is None


def test_the_page_itself_in_its_breadcrumb_is_no_section() -> None:
    assert extracted(page(breadcrumb("Startseite", "Breakwater to be rebuilt")), URL).section is None
    assert extracted(page(breadcrumb("Inicio", "Coast", "Breakwater to be rebuilt")), URL).section == "Coast"
    # A template filling article:section with the post's own title.
    assert extracted(page('<meta property="article:section" content="Breakwater to be rebuilt">'), URL).section is None


LIVE_URL = "https://news.example/live/2026/03/04/harbour-story"


def news_article(body: str) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Breakwater to be rebuilt"}
    return page(f'<script type="application/ld+json">{json.dumps(data)}</script>', body)


def test_a_full_news_article_at_a_liveblog_url_is_an_article() -> None:
    long_body = "".join(f"<p>{s} {t}</p>" for s in SENTENCES for t in SENTENCES[:3])
    result = extracted(news_article(long_body), LIVE_URL)
    assert result.word_count >= 300


def test_a_short_first_batch_at_a_liveblog_url_is_rejected() -> None:
    result = extract_article(news_article(BODY), LIVE_URL, source="test", fetched_at=FETCHED_AT)
    assert isinstance(result, Rejected) and result.reason == "not_article:liveblog"


def liveblog_posting(body: str) -> str:
    data = {
        "@context": "https://schema.org", "@type": "LiveBlogPosting", "headline": "Storm live: the coast braces",
        "datePublished": "2026-03-04T06:00:00+01:00", "author": {"@type": "Person", "name": "Mara Quell"},
        "liveBlogUpdate": [{"@type": "BlogPosting", "headline": "Ferries stop", "articleBody": SENTENCES[0]}],
    }
    return page(f'<script type="application/ld+json">{json.dumps(data)}</script>', body)


def test_a_liveblog_posting_whose_updates_are_on_the_page_is_loaded_and_flagged() -> None:
    long_body = "".join(f"<p>{s} {t}</p>" for s in SENTENCES for t in SENTENCES[:3])
    result = extracted(liveblog_posting(long_body), URL)
    assert result.word_count >= 300
    assert "liveblog" in result.flags
    # The liveblog's own node gives the metadata, as an article's would.
    assert result.title == "Storm live: the coast braces"
    assert result.authors == ("Mara Quell",)
    assert result.published_at is not None and result.published_at.isoformat() == "2026-03-04T06:00:00+01:00"


def test_a_liveblog_posting_with_only_a_first_short_batch_is_rejected() -> None:
    result = extract_article(liveblog_posting(BODY), URL, source="test", fetched_at=FETCHED_AT)
    assert isinstance(result, Rejected) and result.reason == "not_article:liveblog"
    assert "LiveBlogPosting" in result.detail


def test_a_full_news_article_at_a_liveblog_url_is_not_flagged_a_liveblog() -> None:
    long_body = "".join(f"<p>{s} {t}</p>" for s in SENTENCES for t in SENTENCES[:3])
    assert "liveblog" not in extracted(news_article(long_body), LIVE_URL).flags
