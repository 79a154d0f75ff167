"""Pages that are not articles: liveblogs, video pages, section fronts, paywall teasers, empty pages.

Each comes back as a ``Rejected`` with a reason, so it is recorded and never loaded as an
article.
"""

from __future__ import annotations

from typing import Any

from transforms.article import Rejected
from transforms.extract.page import (
    ARTICLE_TYPES,
    COLLECTION_TYPES,
    LIVEBLOG_TYPES,
    LIVEBLOG_URL_RE,
    VIDEO_TYPES,
    PageData,
    has_article_markup,
    node_types,
    og_type,
    url_part,
)
from transforms.normalize import word_count

# Below this many words what was extracted is a caption, teaser or leftover boilerplate,
# not an article; the shortest real wire briefs ("X has died, his family said on ...")
# run to 40+ words, so 30 keeps them while rejecting pages whose text did not render.
MIN_BODY_WORDS = 30
# A body under MIN_BODY_WORDS is still a post where it is all the text of the entry the page
# marks as its content, and at least this long (a caption or a "Loading" notice is shorter).
SHORT_POST_MIN_WORDS = 10
# A page marked isAccessibleForFree=false whose body is shorter than this is the teaser
# (a lede of 1-3 paragraphs); longer ones are the full text served to crawlers.
PAYWALL_TEASER_MAX_WORDS = 150
# A section front links to dozens of stories; an article without article markup that has
# this many links and under SECTION_MAX_BODY_WORDS words of text is a listing.
SECTION_MIN_LINKS = 30
SECTION_MAX_BODY_WORDS = 150

# A liveblog (a LiveBlogPosting, or a page at a liveblog URL that declares itself an article)
# is loaded when its server-rendered body holds this many words: a story or a liveblog whose
# updates are on the page, not the first short batch a script-fed liveblog renders server-side
# (Al Jazeera's: a few updates and a "Show more" button). Loaded liveblogs carry the flag
# LIVEBLOG_FLAG; a re-crawl that finds more of the text loads it as a new version.
LIVEBLOG_MIN_ARTICLE_WORDS = 300
LIVEBLOG_FLAG = "liveblog"
# An article whose structured data carries its text (``articleBody``, or its ``wordCount``) is
# whole where the extracted body is that long, within these bounds: a first batch of updates
# under an article node that holds only the summary is far longer than its declared text.
DECLARED_BODY_MIN_SHARE = 0.8
DECLARED_BODY_MAX_SHARE = 1.25

# --- page classification ---------------------------------------------------------------

def reject_by_markup(page: PageData) -> Rejected | None:
    """Rejections that markup alone decides: liveblog URLs without article markup, video pages.

    A liveblog URL alone is a weak signal (a story about a live event, a section named
    "live"), and a ``LiveBlogPosting`` may well be server-rendered in full: a page whose
    structured data says it is an article or a liveblog is judged on its body
    (``reject_by_content``) instead.
    """
    if _liveblog_url(page) and not has_article_markup(page):
        return Rejected(page.url, "not_article:liveblog", detail="liveblog URL")
    if not has_article_markup(page) and (page.types & VIDEO_TYPES or og_type(page).startswith("video")):
        return Rejected(page.url, "not_article:video", detail="video is the main entity")
    return None


def reject_by_content(page: PageData, words: int, *, entry_text: bool = False) -> Rejected | None:
    """Rejections that need the extracted body: section fronts, paywalls, empty pages, and
    liveblogs (declared, or at a liveblog URL) with no more than a first batch of updates. An
    article at a liveblog URL whose structured data declares a text as long as its body is
    whole by its own account, not a first batch.

    ``entry_text``: the body is the text of the page's own entry (the element the markup names
    as the post's or article's content), so a short body is a short post, not a leftover."""
    if is_liveblog(page) and words < LIVEBLOG_MIN_ARTICLE_WORDS:
        return Rejected(page.url, "not_article:liveblog",
                        detail=f"LiveBlogPosting, {words} words < {LIVEBLOG_MIN_ARTICLE_WORDS}")
    if _liveblog_url(page) and words < LIVEBLOG_MIN_ARTICLE_WORDS and not _whole_by_its_own_account(page, words):
        return Rejected(page.url, "not_article:liveblog",
                        detail=f"liveblog URL, {words} words < {LIVEBLOG_MIN_ARTICLE_WORDS}")
    if _is_section_page(page, words):
        return Rejected(page.url, "not_article:section_page", detail=f"{page.link_count} links, {words} words")
    if _is_paywalled(page) and words < PAYWALL_TEASER_MAX_WORDS:
        return Rejected(page.url, "not_article:paywall", detail=f"teaser of {words} words")
    if words < MIN_BODY_WORDS:
        if _has_video(page):
            return Rejected(page.url, "not_article:video", detail=f"video with {words} words of text")
        if _is_short_post(page, words, entry_text):
            return None
        return Rejected(page.url, "empty_body", detail=f"{words} words < {MIN_BODY_WORDS}")
    return None

def _is_short_post(page: PageData, words: int, entry_text: bool) -> bool:
    """A complete short post (a blog's two-line joke, a one-paragraph notice): the page says it
    is an article and the whole body is its entry's own text. A page whose text did not render
    (a JavaScript shell) leaves a caption or a notice outside any entry, and stays rejected."""
    return entry_text and words >= SHORT_POST_MIN_WORDS and has_article_markup(page)


def is_liveblog(page: PageData) -> bool:
    """True when the page's structured data declares the page itself a liveblog: a
    ``LiveBlogPosting`` node that names no other page (an article's JSON-LD may describe the
    site's live coverage elsewhere, a promo box's target, which makes the article no liveblog)."""
    return any(node_types(node) & LIVEBLOG_TYPES and not _names_another_page(node, page) for node in page.jsonld)


def _names_another_page(node: dict[str, Any], page: PageData) -> bool:
    """Whether the node gives its own URL and none of them is this page's (by path)."""
    entity = node.get("mainEntityOfPage")
    named = [node.get("url"), node.get("@id"), entity.get("@id") if isinstance(entity, dict) else entity]
    paths = {url_part(u.strip(), "path").rstrip("/") for u in named if isinstance(u, str) and "://" in u}
    paths.discard("")
    return bool(paths) and url_part(page.url, "path").rstrip("/") not in paths


def _whole_by_its_own_account(page: PageData, words: int) -> bool:
    """Whether the page's article node (not a liveblog's) declares its text, as ``articleBody``
    or ``wordCount``, and the body is that long: the page holds the whole article, whatever
    its URL says."""
    node = page.article
    if node is None or not node_types(node) & ARTICLE_TYPES or node_types(node) & LIVEBLOG_TYPES:
        return False
    declared = _declared_words(node)
    return declared >= MIN_BODY_WORDS and (
        DECLARED_BODY_MIN_SHARE * declared <= words <= DECLARED_BODY_MAX_SHARE * declared
    )


def _declared_words(node: dict[str, Any]) -> int:
    body = node.get("articleBody")
    if isinstance(body, str) and body.strip():
        return word_count(body)
    count = node.get("wordCount")
    if isinstance(count, bool):
        return 0
    if isinstance(count, int):
        return count
    return int(count) if isinstance(count, str) and count.strip().isdigit() else 0


def _liveblog_url(page: PageData) -> bool:
    return LIVEBLOG_URL_RE.search(url_part(page.url, "path")) is not None


def _is_section_page(page: PageData, words: int) -> bool:
    """A listing of stories: it says so in markup, has no article markup, and many links.

    Pages without any structured data are never judged listings: short blog posts on
    link-heavy templates look just like them (three such false positives in the aeb set).
    """
    if has_article_markup(page) or page.link_count < SECTION_MIN_LINKS:
        return False
    if page.types & COLLECTION_TYPES:
        return True
    says_webpage = bool(page.types & {"WebPage", "WebSite"}) or og_type(page) == "website"
    return says_webpage and words < SECTION_MAX_BODY_WORDS


def _is_paywalled(page: PageData) -> bool:
    """True when the article's JSON-LD says it is not free to read."""
    node = page.article or {}
    parts = node.get("hasPart")
    flags = [node.get("isAccessibleForFree")]
    parts = parts if isinstance(parts, list) else [parts]
    flags += [p.get("isAccessibleForFree") for p in parts if isinstance(p, dict)]
    return any(flag is False or (isinstance(flag, str) and flag.strip().lower() == "false") for flag in flags)


def _has_video(page: PageData) -> bool:
    return bool(page.types & VIDEO_TYPES) or page.has_video_player or bool(page.meta.get("og:video"))
