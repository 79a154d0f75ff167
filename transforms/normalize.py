"""Normalize text so that the same article always yields the same hash and word count."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable

# C0 and C1 control characters except tab and newline (CR is turned into newline first), plus the two noncharacters that
# XML (hence lxml) rejects; PostgreSQL refuses NUL in text outright.
# Lone UTF-16 surrogates cannot be encoded as UTF-8 at all. One character class for both, so
# a page is scanned once.
_UNSAFE_CHARS_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
# Horizontal whitespace, Unicode spaces included (NBSP, thin spaces), and BOMs left inline.
_SPACES_RE = re.compile(r"[^\S\n]+")
_BLANK_LINES_RE = re.compile(r"\n{3,}")
# A "word" for counting: a run of word characters, except that each CJK ideograph or kana
# counts alone (those scripts do not separate words with spaces).
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD_RE = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
# Plain \w+ runs: the words lines and markup are matched by, and the metric's tokens.
WORD_RE = re.compile(r"\w+")


def remove_control_chars(text: str) -> str:
    """Text without NUL/C0/C1 controls and lone surrogates; safe to hand to lxml."""
    # A whole page is scrubbed before parsing: each test below costs a scan where it finds
    # nothing (the usual case), where a replace or a substitution builds the text anew.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE_CHARS_RE.sub("", text) if _UNSAFE_CHARS_RE.search(text) else text


# Invisible marks that split a word for search and pattern matching: BOMs left inline, and soft
# hyphens (&shy;, a line-breaking hint German headlines set: "Deutsch&shy;land" is no match for
# "Deutschland" in ILIKE or full-text search).
_INVISIBLE_MARKS = str.maketrans({"\ufeff": None, "\u00ad": None})


def clean_text(text: str) -> str:
    """NFC text with no control characters or soft hyphens, single spaces, trimmed lines, ≤1 blank line."""
    text = remove_control_chars(text)
    if "\ufeff" in text or "\u00ad" in text:
        text = text.translate(_INVISIBLE_MARKS)
    text = unicodedata.normalize("NFC", text)
    lines = (_SPACES_RE.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES_RE.sub("\n\n", "\n".join(lines)).strip("\n")


# The extraction asks the length of the same body text at each step that may change it (about
# 75 times a page, over a handful of texts): the last few answers are kept.
WORD_COUNT_CACHE_SIZE = 32
WORD_COUNT_CACHED_MAX_CHARS = 1_000_000


def word_count(text: str) -> int:
    """Number of words; each CJK character counts as one."""
    return _remembered_word_count(text) if len(text) <= WORD_COUNT_CACHED_MAX_CHARS else _word_count(text)


def _word_count(text: str) -> int:
    return len(_WORD_RE.findall(text))


_remembered_word_count = functools.lru_cache(maxsize=WORD_COUNT_CACHE_SIZE)(_word_count)


def content_hash(
    title: str, description: str | None, body: str, authors: Iterable[str] = ()
) -> str:
    """sha256 hex over what a reader sees; a change in any of these is a new version."""
    payload = json.dumps(
        [title, description, body, list(authors)], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# The extraction rules key the same lines and element texts many times over one page (each rule
# matches the body's lines to the markup on its own): keys of line-sized texts are remembered
# across calls; a whole page's text is rarely keyed twice and would fill the memory.
WORD_KEY_CACHE_SIZE = 8192
WORD_KEY_CACHED_MAX_CHARS = 2000


def word_key(text: str) -> str:
    """A text's \\w+ words, case-folded and space-joined: how lines are matched to markup."""
    return _remembered_word_key(text) if len(text) <= WORD_KEY_CACHED_MAX_CHARS else _word_key(text)


def _word_key(text: str) -> str:
    return " ".join(WORD_RE.findall(text)).casefold()


_remembered_word_key = functools.lru_cache(maxsize=WORD_KEY_CACHE_SIZE)(_word_key)
