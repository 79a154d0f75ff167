"""What a liveblog is, and what is no liveblog, on hand-written pages: a first batch of updates
(a script-fed liveblog's server-rendered part), a finished liveblog, and news articles that only
look live (a title about live music, a URL under a "live" section, a promo for the site's live
coverage in their structured data).

Loaded liveblogs are snapshots flagged ``liveblog``, a first short batch is rejected, and a page
whose structured data says it is an article is judged as one unless the page itself is declared a
liveblog. Pages are written here in the shapes news sites use; none is copied from a real site.
"""

from __future__ import annotations

import json
from typing import Any

from tests.fixtures.harbour_story import FETCHED_AT, SENTENCES, extracted
from transforms.article import Rejected
from transforms.extract.extractor import extract_article
from transforms.normalize import word_count

LIVE_URL = "https://news.example/news/liveblog/2026/3/6/live-storm-reaches-the-coast"
UPDATES = [
    ("Ferries suspended", "All ferry crossings to the islands were suspended at dawn after waves of six metres were "
     "measured off the northern cape, the port authority said."),
    ("Schools closed", "The regional council closed every school on the coast for the day and asked parents to keep "
     "children away from the promenade and the harbour walls."),
    ("Power cuts", "About twelve thousand homes lost power overnight when a line came down near the estuary; crews "
     "expect to reconnect most of them by the evening."),
    ("Rescue at sea", "A lifeboat crew brought three fishermen ashore after their boat lost its engine two miles out; "
     "all three were taken to hospital as a precaution."),
    ("Trains halted", "Rail services along the coastal line were halted after a fallen tree blocked the track between "
     "the two main stations, the operator said."),
    ("Flood warnings", "The weather service raised flood warnings for four river towns, where the water is expected to "
     "peak late in the afternoon with the high tide."),
    ("Shelters opened", "Three sports halls were opened as shelters for residents of the lowest streets, with camp beds, "
     "blankets and hot meals provided by volunteers."),
    ("Airport delays", "The regional airport reported delays of up to four hours and cancelled six short flights, "
     "advising passengers to check with their airline before travelling."),
]


def update_cards(updates: list[tuple[str, str]]) -> str:
    return "".join(
        f"<div class='card-live'><h2 class='card-live__title'>{title}</h2><p>{text}</p></div>" for title, text in updates
    )


def liveblog(updates: list[tuple[str, str]], *, coverage_end: str, listed: list[tuple[str, str]] | None = None,
             show_more: bool = True) -> str:
    """A LiveBlogPosting page in the shape script-fed liveblogs render server-side: the updates
    given, and a control that loads the rest."""
    data = {
        "@context": "https://schema.org", "@type": "LiveBlogPosting", "@id": LIVE_URL, "url": LIVE_URL,
        "headline": "Live: storm reaches the coast", "coverageStartTime": "2026-03-06T05:00:00Z",
        "coverageEndTime": coverage_end, "datePublished": "2026-03-06T05:00:00Z",
        "author": {"@type": "Person", "name": "Mara Quell"},
        "liveBlogUpdate": [{"@type": "BlogPosting", "headline": t, "articleBody": b} for t, b in (listed or updates)],
    }
    more = "<button class='show-more-button' aria-label='Load more posts'>Show more</button>" if show_more else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta property="og:type" content="article">'
        f'<script type="application/ld+json">{json.dumps(data)}</script></head>'
        "<body><main><h1>Live: storm reaches the coast</h1>"
        f"<div class='liveblog-timeline'>{update_cards(updates)}{more}</div></main></body></html>"
    )


def test_a_first_short_batch_of_a_running_liveblog_is_rejected() -> None:
    html = liveblog(UPDATES[:3], coverage_end="2026-03-07T05:00:00Z")
    result = extract_article(html, LIVE_URL, source="test", fetched_at=FETCHED_AT)
    assert isinstance(result, Rejected) and result.reason == "not_article:liveblog"


def test_a_long_first_batch_is_loaded_as_a_flagged_snapshot() -> None:
    # The page shows twenty updates and a control for more: indistinguishable in markup from a
    # liveblog whose updates are all server-rendered (it is a snapshot either way). It is loaded,
    # flagged, and a later fetch that finds other updates loads a new version.
    many = [(f"{title} ({n})", text) for n in range(3) for title, text in UPDATES]
    result = extracted(liveblog(many, coverage_end="2026-03-07T05:00:00Z"), LIVE_URL)
    assert result.word_count >= 300 and "liveblog" in result.flags
    assert all(text in result.body for _, text in UPDATES)


def test_a_finished_liveblog_with_its_updates_on_the_page_is_loaded_and_flagged() -> None:
    many = [(f"{title} ({n})", text) for n in range(2) for title, text in UPDATES]
    result = extracted(liveblog(many, coverage_end="2026-03-06T10:00:00Z", show_more=False), LIVE_URL)
    assert "liveblog" in result.flags
    assert result.title == "Live: storm reaches the coast"
    assert result.authors == ("Mara Quell",)
    assert result.published_at is not None and result.published_at.isoformat() == "2026-03-06T05:00:00+00:00"


def test_a_finished_liveblog_showing_a_short_batch_stays_rejected() -> None:
    # Coverage having ended says nothing of how much the page renders: a script-fed liveblog
    # shows its first batch after the end too, and its update list may mirror that batch.
    html = liveblog(UPDATES[:3], coverage_end="2026-03-06T10:00:00Z")
    result = extract_article(html, LIVE_URL, source="test", fetched_at=FETCHED_AT)
    assert isinstance(result, Rejected) and result.reason == "not_article:liveblog"


def news_article(url: str, title: str, paragraphs: list[str], also: tuple[dict[str, Any], ...] = (),
                 **declared: Any) -> str:
    """A NewsArticle page; ``also``: further JSON-LD blocks; ``declared``: more of its node's fields."""
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title, "url": url,
            "datePublished": "2026-03-05T18:00:00Z", **declared}
    blocks = [data, *also]
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(b)}</script>' for b in blocks)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta property="og:type" content="article">'
        f"{scripts}</head><body><article><h1>{title}</h1>{''.join(f'<p>{p}</p>' for p in paragraphs)}</article>"
        "</body></html>"
    )


LIVE_MUSIC = [
    "Live music returns to the old fish market on Saturday for the first time in ten years, the harbour trust said.",
    "Four local bands will play on a stage built over the quay, and the evening ends with a brass band at the pier.",
    "Tickets are free but must be booked online, because the hall holds no more than six hundred people at once.",
    "The trust hopes to hold a concert every month of the summer if the first one covers its costs.",
]


def test_a_news_article_with_live_in_its_title_is_an_article() -> None:
    url = "https://news.example/culture/2026/3/5/live-music-returns-to-the-fish-market"
    result = extracted(news_article(url, "Live music returns to the fish market", LIVE_MUSIC), url)
    assert "liveblog" not in result.flags
    assert all(p in result.body for p in LIVE_MUSIC)


def test_a_short_news_article_under_a_live_section_is_whole_by_its_own_account() -> None:
    # "live" is the site's section for concerts; the article's structured data carries its text.
    url = "https://news.example/live/2026/3/5/live-music-returns-to-the-fish-market"
    html = news_article(url, "Live music returns to the fish market", LIVE_MUSIC, articleBody=" ".join(LIVE_MUSIC))
    result = extracted(html, url)
    assert "liveblog" not in result.flags
    assert all(p in result.body for p in LIVE_MUSIC)
    # Declared as a word count instead, the same.
    counted = news_article(url, "Live music returns to the fish market", LIVE_MUSIC,
                           wordCount=word_count(" ".join(LIVE_MUSIC)))
    assert "liveblog" not in extracted(counted, url).flags


def test_a_short_article_at_a_liveblog_url_declaring_only_a_summary_is_a_first_batch() -> None:
    # The article node of a liveblog built on article markup carries the summary, not the
    # updates: a body far longer than its declared text is no proof of a whole article.
    updates = [text for _, text in UPDATES[:5]]
    html = news_article(LIVE_URL, "Storm reaches the coast", updates, articleBody=UPDATES[0][1])
    result = extract_article(html, LIVE_URL, source="test", fetched_at=FETCHED_AT)
    assert isinstance(result, Rejected) and result.reason == "not_article:liveblog"
    # Without any declared text, the liveblog URL's rule holds as before.
    result = extract_article(news_article(LIVE_URL, "Storm reaches the coast", updates), LIVE_URL,
                             source="test", fetched_at=FETCHED_AT)
    assert isinstance(result, Rejected) and result.reason == "not_article:liveblog"


def test_a_news_article_promoting_the_site_s_live_coverage_is_no_liveblog() -> None:
    url = "https://news.example/news/2026/3/6/breakwater-to-be-rebuilt"
    promo = {"@context": "https://schema.org", "@type": "LiveBlogPosting", "headline": "Live: storm reaches the coast",
             "url": LIVE_URL}
    html = news_article(url, "Breakwater to be rebuilt", SENTENCES[:4], also=(promo,))
    result = extracted(html, url)
    assert "liveblog" not in result.flags
    assert all(s in result.body for s in SENTENCES[:4])
    # The page's own liveblog node naming the page (by its path) is the page's.
    own = {**promo, "url": url.replace("https://", "http://")}
    result = extract_article(news_article(url, "Breakwater to be rebuilt", SENTENCES[:4], also=(own,)), url,
                             source="test", fetched_at=FETCHED_AT)
    assert isinstance(result, Rejected) and result.reason == "not_article:liveblog"
