"""The article's language as an ISO 639-1 code: from markup, else from the text.

Markup is the publisher's own statement (``<html lang>``, JSON-LD ``inLanguage``,
``og:locale``); where it says nothing, or says only the CMS default English that the text
clearly contradicts, py3langid identifies the language of the body. It is
a naive Bayes classifier with a fixed model: the same text always gets the same answer
(no random seed, unlike langdetect), which keeps extraction deterministic.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from transforms.extract.page import META_LANGUAGE, PageData
from transforms.normalize import word_count

logger = logging.getLogger(__name__)

_LANGUAGE_RE = re.compile(r"^([a-zA-Z]{2})(?:[-_].*)?$")
# Below this many words a guess from the text is noise (a caption, a teaser).
MIN_DETECTION_WORDS = 20
# The opening of a body identifies its language as well as all of it, at a fraction of the cost.
DETECTION_SAMPLE_CHARS = 3000


# English is what the common CMSs declare until someone changes it (WordPress's lang="en-US",
# og:locale en_US): sites writing in Swahili, Xhosa or German keep it for years. A declared
# English is therefore checked against the text; any other declared language was chosen.
INSTALL_DEFAULT_LANGUAGE = "en"
# The text overrules that default only from this many words and this confidence on.
OVERRULE_MIN_WORDS = 80
OVERRULE_MIN_PROBABILITY = 0.99


def find_language(page: PageData, default: str | None, text: str = "") -> str | None:
    """ISO 639-1 code: markup (<html lang>, inLanguage, og:locale/meta), else the text, else ``default``.

    A declared English that the text clearly contradicts gives way to the text's language.
    """
    declared = language_from_markup(page)
    if declared == INSTALL_DEFAULT_LANGUAGE:
        return _clear_language_of(text) or declared
    return declared or language_from_text(text) or default


# The commonest English words: in English prose they are a fifth of all words or more, in
# other languages a few percent (German "in", Danish "at"). A text this English needs no
# classifier, which spares most pages declaring English the model's load (0.8 s a process,
# inside the first page's time limit) and its 1 ms a page.
_ENGLISH_FUNCTION_WORDS = frozenset(
    "the and of to a in is that for on was with it as at by said he she from are be has have this"
    " his her were will an or not but they who".split()
)
ENGLISH_FUNCTION_WORD_SHARE = 0.15


def _clear_language_of(text: str) -> str | None:
    """The text's language where it is long enough and the classifier is near certain."""
    sample = text[:DETECTION_SAMPLE_CHARS]
    words = re.findall(r"\w+", sample.casefold())
    if len(words) < OVERRULE_MIN_WORDS:
        return None
    if sum(w in _ENGLISH_FUNCTION_WORDS for w in words) >= ENGLISH_FUNCTION_WORD_SHARE * len(words):
        return INSTALL_DEFAULT_LANGUAGE
    code, probability = _identifier().classify(sample)
    return code if probability >= OVERRULE_MIN_PROBABILITY and re.fullmatch(r"[a-z]{2}", code or "") else None


@functools.cache
def _identifier() -> Any:
    """py3langid's model with normalised probabilities (its default scores are log-odds).

    Loaded on first use, once per process: pages that declare a language other than English
    never pay for it.
    """
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def warm_identifier() -> None:
    """Load the model now (the extraction pool's fork server does, so its workers share it)."""
    _identifier()


def language_from_markup(page: PageData) -> str | None:
    """The first two-letter code the page declares, lower-cased ("en-GB" -> "en")."""
    in_language = (page.article or {}).get("inLanguage")
    if isinstance(in_language, dict):
        in_language = in_language.get("alternateName") or in_language.get("name")
    candidates = [page.html_lang, in_language if isinstance(in_language, str) else None, *page.all_meta(META_LANGUAGE)]
    for candidate in candidates:
        match = _LANGUAGE_RE.match(candidate.strip()) if candidate else None
        if match:
            return match.group(1).lower()
    return None


def language_from_text(text: str) -> str | None:
    """The language py3langid finds in ``text``, or None when the text is too short."""
    sample = text[:DETECTION_SAMPLE_CHARS]
    if word_count(sample) < MIN_DETECTION_WORDS:
        return None
    code, _probability = _identifier().classify(sample)
    return code if re.fullmatch(r"[a-z]{2}", code or "") else None
