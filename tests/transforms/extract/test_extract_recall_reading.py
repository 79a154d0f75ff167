"""The last reading: trafilatura's recall mode where its precision and default modes found
next to nothing on a page that says it is an article.

Pages are hand-written in the shape of a broken template (a sidebar's <aside> never closed,
so the story sits inside it: precision and default modes drop every <aside> whole) and of a
script-rendered page whose story never rendered; none is copied from a real site.
"""

from __future__ import annotations

import pytest

from tests.fixtures.harbour_story import FETCHED_AT, SENTENCES, extracted
from transforms.article import Article
from transforms.extract.extractor import extract_article
from transforms.extract.trace import recording

URL = "https://news.example/2026/03/04/harbour-story"
HEAD = '<head><meta charset="utf-8"><meta property="og:type" content="article"><title>Breakwater to be rebuilt</title></head>'
MENU = '<ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul>'
STORY = "".join(f"<p>{sentence}</p>" for sentence in SENTENCES[:4])
# What a script-rendered page shows where its story did not render: sentences, but no story.
SCRIPT_NOTICE = (
    "<p>This site needs JavaScript to show its stories, and your browser has it turned off at the moment.</p>"
    "<p>Please turn on JavaScript in your browser settings and reload the page to read the article you asked for.</p>"
    "<p>If the page still does not load, our help pages explain how to reach the newsroom by other means.</p>"
)


def story_inside_unclosed_sidebar(tagline: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="en">{HEAD}<body><header>{tagline}</header><div class="page">'
        f'<aside class="sidebar"><div class="sidebar-menu">{MENU}'
        '<div class="main-content"><article class="story"><h1>Breakwater to be rebuilt</h1>'
        f'<div class="article-content">{STORY}</div></article></div></aside></div></body></html>'
    )


@pytest.mark.parametrize("tagline", ["", '<div class="header-text">Your most important source for the harbour.</div>'])
def test_a_story_inside_an_unclosed_sidebar_is_read(tagline: str) -> None:
    # Before: "trafilatura found no content", or the header's tagline alone (an empty body).
    with recording() as removals:
        result = extracted(story_inside_unclosed_sidebar(tagline), URL)
    assert result.body.split("\n") == SENTENCES[:4]
    assert "Sport" not in result.body
    assert result.title == "Breakwater to be rebuilt"
    if tagline:
        noted = [r.line for r in removals if r.rule.startswith("recall_reading")]
        assert noted == ["Your most important source for the harbour."]


def test_a_notice_where_the_story_did_not_render_is_no_article() -> None:
    html = (
        f'<!DOCTYPE html><html lang="en">{HEAD}<body><div id="root"></div>'
        f'<aside class="sidebar"><div class="notice-wrap">{SCRIPT_NOTICE}</div></aside></body></html>'
    )
    result = extract_article(html, URL, source="test", fetched_at=FETCHED_AT)
    assert not isinstance(result, Article), result.body


def test_a_page_that_does_not_say_it_is_an_article_is_not_read_again() -> None:
    html = story_inside_unclosed_sidebar().replace('<meta property="og:type" content="article">', "")
    result = extract_article(html, URL, source="test", fetched_at=FETCHED_AT)
    assert not isinstance(result, Article)
