"""Closing promotions of the publisher's own channels: the short last paragraph that asks the
reader to follow the site on a social network or messenger, or to install its app ("Join our
Telegram channel", "Síguenos en Instagram, Facebook y X", "Download our app for iOS and Android").

Found by where its links go, in any language: to a profile or channel on a social network or
messenger (a bare account path, not a post the story quotes) or to an app store's page. Only
the run of such paragraphs at the very end of the body goes, each short: the story reports on
social networks in sentences that link to posts, and does not end on a profile link.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html

from transforms.extract.trace import note
from transforms.normalize import word_key

# Networks and messengers where a publisher keeps a profile or channel, and the app stores.
PROFILE_HOSTS = frozenset({
    "t.me", "telegram.me", "wa.me", "whatsapp.com", "facebook.com", "fb.com", "instagram.com", "twitter.com",
    "x.com", "tiktok.com", "youtube.com", "linkedin.com", "threads.net", "bsky.app", "pinterest.com",
    "news.google.com",
})
APP_STORE_HOSTS = frozenset({"apps.apple.com", "itunes.apple.com", "play.google.com"})
# A profile or channel path: one or two segments ("/site", "/channel/UC123", "/company/site"),
# where a quoted post has more ("/site/status/123", "/p/abc" is two but a post: see _POST_PARTS).
PROFILE_MAX_SEGMENTS = 2
_POST_PARTS = frozenset({"status", "p", "reel", "watch", "posts", "video", "photo", "photos", "shorts", "statuses"})
PROMO_MAX_WORDS = 40
MAX_TRAILING = 2
# A paragraph trafilatura broke at its markup's line breaks spans at most this many lines.
SPLIT_MAX_LINES = 8
_BLOCK_TAGS = frozenset({"p", "div", "li", "section", "aside"})
# A channel's address is absolute ("https://t.me/site", "//instagram.com/site").
_ABSOLUTE = ("http://", "https://", "//")
# What every such address contains (lower-cased; a case-insensitive alternation costs ten times
# as much): the cheap test on each link before parsing its address.
_CHANNEL_HINT_RE = re.compile(
    r"t\.me|telegram|wa\.me|whatsapp|facebook|fb\.com|instagram|twitter|x\.com|tiktok|youtube|linkedin|threads"
    r"|bsky|pinterest|news\.google|apple\.com|play\.google"
)


def without_channel_promos(tree: lxml.html.HtmlElement, text: str) -> str:
    """``text`` without the channel promotions it ends on."""
    last = next((key for line in reversed(text.split("\n")) if (key := word_key(line))), "")
    if not last or len(last.split()) > PROMO_MAX_WORDS:
        return text  # most bodies end on a paragraph of the story: the page's links are not read
    promos = channel_promo_paragraphs(tree)
    if not promos:
        return text
    lines = text.split("\n")
    keys = [word_key(line) for line in lines]
    end = len(lines)
    dropped = 0
    while end > 1 and dropped < MAX_TRAILING:
        while end > 1 and not keys[end - 1]:
            end -= 1
        span = _promo_span(keys, end, promos)
        if not span:
            break
        end -= span
        dropped += 1
    if not dropped or not any(keys[:end]):
        return text
    note("channel_promo", [line for line in lines[end:] if line.strip()])
    return "\n".join(lines[:end])


def _promo_span(keys: list[str], end: int, promos: set[str]) -> int:
    """How many lines before ``end`` make up one promotion (trafilatura breaks a paragraph at
    the line breaks of its markup: "Follow us on" / "Telegram," / "Instagram" ...), or 0."""
    joined = ""
    for count in range(1, min(SPLIT_MAX_LINES, end - 1) + 1):
        joined = f"{keys[end - count]} {joined}".strip()
        if len(joined.split()) > PROMO_MAX_WORDS:
            return 0
        if joined in promos:
            return count
    return 0


def channel_promo_paragraphs(tree: lxml.html.HtmlElement) -> set[str]:
    """The word keys of the paragraphs holding a link to a profile, channel or app page
    (one walk over the page's links)."""
    found: set[str] = set()
    seen: set[int] = set()  # a footer's row of network icons is one block, read once
    held: list[lxml.html.HtmlElement] = []  # keeps the blocks alive while their id()s are compared
    hinted = _CHANNEL_HINT_RE.search
    for link in tree.iter("a"):
        href = link.get("href")
        # Most links are relative (the site's own pages) and no channel: the prefix test first.
        if not href or not href.startswith(_ABSOLUTE) or not hinted(href.lower()) or not is_channel_link(href):
            continue
        block = next((a for a in link.iterancestors() if a.tag in _BLOCK_TAGS), None)
        if block is None or id(block) in seen:
            continue
        seen.add(id(block))
        held.append(block)
        if key := word_key(block.text_content()):
            found.add(key)
    return found


def is_channel_link(href: str) -> bool:
    """Whether ``href`` goes to a profile or channel on a network, or to an app store's page."""
    if not href.startswith(_ABSOLUTE):
        return False
    try:
        parts = urlsplit(href if not href.startswith("//") else f"https:{href}")
    except ValueError:  # a malformed address ("https://[ccpa-preferences]/") goes nowhere
        return False
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    if host in APP_STORE_HOSTS:
        return True
    if host not in PROFILE_HOSTS:
        return False
    segments = [s for s in parts.path.split("/") if s]
    return 0 < len(segments) <= PROFILE_MAX_SEGMENTS and not _POST_PARTS.intersection(s.lower() for s in segments)
