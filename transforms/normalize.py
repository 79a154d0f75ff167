"""Normalize URLs and text so that the same article always yields the same key and hash."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

logger = logging.getLogger(__name__)

# Query parameters that only say how a reader arrived (campaigns, click ids, newsletter
# ids): the same article behind different ones must get one key (FAULTS 19). Exact names,
# compared case-insensitively.
TRACKING_PARAMS = frozenset(
    {
        "traffic_source",  # Al Jazeera RSS links
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "igshid", "igsh", "li_fat_id", "epik",
        "mc_cid", "mc_eid",  # Mailchimp
        "ocid", "cmpid", "cmp", "icid", "smid", "sr_share", "xtor", "ito",
        "_ga", "_gl", "mkt_tok", "ncid", "ref_src", "ref_url",
    }
)
# Parameter families recognised by prefix: Google/Matomo/Piwik/AT Internet/comScore/
# HubSpot/internal-tracking campaign parameters.
TRACKING_PARAM_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "ns_", "itm_", "hsa_", "oly_")

# Ports a scheme implies; writing them out makes a different string for the same URL.
DEFAULT_PORTS = {"http": 80, "https": 443}

# C0 and C1 control characters except tab and newline (CR is turned into newline first), plus the two noncharacters that
# XML (hence lxml) rejects; PostgreSQL refuses NUL in text outright (FAULTS 12).
# Lone UTF-16 surrogates cannot be encoded as UTF-8 at all. One character class for both:
# a page is scanned once (a whole page took 1.8 ms in two passes).
_UNSAFE_CHARS_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
# Horizontal whitespace, Unicode spaces included (NBSP, thin spaces), and BOMs left inline.
_SPACES_RE = re.compile(r"[^\S\n]+")
_BLANK_LINES_RE = re.compile(r"\n{3,}")
# A "word" for counting: a run of word characters, except that each CJK ideograph or kana
# counts alone (those scripts do not separate words with spaces).
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD_RE = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def normalize_url(url: str) -> str:
    """The article's key: lower-case scheme/host, no fragment, default port or trackers."""
    url = url.strip()
    if not _has_scheme_and_host(url):
        return url
    try:
        canonical = canonicalize_url(url, keep_fragments=False)
        parts = urlsplit(canonical)
        netloc = _without_default_port(parts.scheme, parts.netloc)
        query = _without_tracking(parts.query)
    except ValueError:
        logger.debug("URL kept as given, it does not parse: %r", url)
        return url
    return urlunsplit((parts.scheme, netloc, parts.path or "/", query, ""))


def _has_scheme_and_host(url: str) -> bool:
    """True for absolute URLs; anything else is not ours to rewrite."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return bool(parts.scheme and parts.netloc)


def is_tracking_param(name: str) -> bool:
    """True for query parameters that identify a campaign or click, not content."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PARAM_PREFIXES)


def _without_default_port(scheme: str, netloc: str) -> str:
    """The netloc without credentials, and without a port that repeats the scheme's default.

    Credentials never belong in a stored key (FAULTS 29).
    """
    netloc = netloc.rpartition("@")[2]
    host, sep, port = netloc.rpartition(":")
    if sep and port.isdigit() and DEFAULT_PORTS.get(scheme) == int(port):
        return host
    return netloc


def _without_tracking(query: str) -> str:
    """The query string minus tracking parameters; order is canonicalize_url's sorted one."""
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if not is_tracking_param(name)]
    return urlencode(kept)


def remove_control_chars(text: str) -> str:
    """Text without NUL/C0/C1 controls and lone surrogates; safe to hand to lxml."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE_CHARS_RE.sub("", text)


def clean_text(text: str) -> str:
    """NFC text with no control characters, single spaces, trimmed lines, ≤1 blank line."""
    text = remove_control_chars(text)
    text = unicodedata.normalize("NFC", text.replace("\ufeff", ""))
    lines = (_SPACES_RE.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES_RE.sub("\n\n", "\n".join(lines)).strip("\n")


def word_count(text: str) -> int:
    """Number of words; each CJK character counts as one."""
    return len(_WORD_RE.findall(text))


def content_hash(
    title: str, description: str | None, body: str, authors: Iterable[str] = ()
) -> str:
    """sha256 hex over what a reader sees; a change in any of these is a new version."""
    payload = json.dumps(
        [title, description, body, list(authors)], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
