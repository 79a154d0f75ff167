"""URL identity: the same article always gets the same key, whichever link led to it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

if TYPE_CHECKING:
    from common.sources import Source

logger = logging.getLogger(__name__)

# Only these are ever fetched or stored as article keys (file:, data:, ftp:, s3: never are).
ALLOWED_SCHEMES = frozenset({"http", "https"})

# Query parameters that only say how a reader arrived (campaigns, click ids, newsletter
# ids): the same article behind different ones must get one key. Exact names,
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

    Credentials never belong in a stored key.
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


def article_url(url: str, source: Source) -> str:
    """The key an article URL is fetched and stored under.

    The site's canonical-page rewrites (AMP variants) first, then the common normalization
    (tracking parameters, fragments, default ports), then the source's own tracking parameters.
    """
    url = url.strip()
    for pattern, replacement in source.canonical_rewrites:
        rewritten = pattern.sub(replacement, url, count=1)
        if rewritten != url:
            url = rewritten
            break
    url = normalize_url(url)
    if source.strip_params and "?" in url:
        parts = urlsplit(url)
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if k.lower() not in source.strip_params]
        url = urlunsplit(parts._replace(query=urlencode(kept)))
    return url
