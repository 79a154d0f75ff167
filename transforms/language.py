"""The article's language as an ISO 639-1 code: from markup, else from the text."""

from __future__ import annotations

import re

from transforms.page import META_LANGUAGE, PageData


_LANGUAGE_RE = re.compile(r"^([a-zA-Z]{2})(?:[-_].*)?$")

def find_language(page: PageData, default: str | None) -> str | None:
    """ISO 639-1 code: <html lang>, JSON-LD inLanguage, og:locale/meta, else the source's."""
    in_language = (page.article or {}).get("inLanguage")
    if isinstance(in_language, dict):
        in_language = in_language.get("alternateName") or in_language.get("name")
    candidates = [page.html_lang, in_language if isinstance(in_language, str) else None, *page.all_meta(META_LANGUAGE)]
    for candidate in candidates:
        match = _LANGUAGE_RE.match(candidate.strip()) if candidate else None
        if match:
            return match.group(1).lower()
    return default
