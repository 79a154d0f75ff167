"""Turn a captured HTML payload (bytes) into text, whatever its declared charset says.

Order of evidence: byte-order mark; then bytes that are valid UTF-8 (with non-ASCII in
them) are UTF-8, whatever is declared; then the HTTP ``Content-Type`` charset, then the
page's own ``<meta charset>`` / ``http-equiv`` / XML declaration. A declared charset is
only believed if the bytes actually decode with it; otherwise (or when nothing is
declared) the encoding is detected from the bytes. Labels are resolved the WHATWG way
(``latin-1`` means windows-1252), as browsers do.

Trafilatura gets this text, never bytes: its own guessing gets windows-1256 and other
legacy encodings wrong (trafilatura#231, #541).
"""

from __future__ import annotations

import codecs
import logging
import re

import charset_normalizer
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

from transforms.normalize import WORD_RE

logger = logging.getLogger(__name__)

# Pages are overwhelmingly UTF-8; this is the decoding of last resort, used only when
# neither a declaration nor detection gives one that decodes without errors.
FALLBACK_ENCODING = "utf-8"

# Detection on a whole multi-megabyte page is slow and no more accurate: the first
# 256 KiB carry more than enough non-ASCII text to recognise the encoding.
DETECTION_SAMPLE_BYTES = 256 * 1024

# Decoders that accept every byte sequence: "it decoded" proves nothing about them, so a
# declaration naming one is checked against detection before it is believed.
_PERMISSIVE_ENCODINGS = frozenset({"cp1252", "latin_1", "iso8859_1", "iso8859_15"})

# When detection scores several single-byte Latin codecs equally (common for short French
# or Spanish pages), undeclared pages are windows-1252 far more often than Central or
# Baltic code pages, and it is what browsers assume for them.
TIE_BREAK_ENCODING = "cp1252"

# A handful of non-ASCII words is too little evidence to overrule a declaration.
MOJIBAKE_MIN_WORDS = 5
# Share of non-ASCII words that are wholly accented letters above which a windows-1252
# reading is judged to be mojibake; real Western European text stays far below half.
MOJIBAKE_WORD_SHARE = 0.5

# A UTF-8 page with a few stray bytes that are not UTF-8 (a windows-1252 dash pasted into a
# template or an ad snippet: common in the wild) is read as UTF-8, each stray byte as
# windows-1252, when its valid multi-byte sequences outnumber the stray bytes this many times:
# text in a legacy code page forms valid UTF-8 sequences only by accident, far fewer than its
# invalid ones. Read whole in a legacy code page, every "für" of such a page becomes "fÃ¼r".
MOSTLY_UTF8_MIN_SEQUENCES = 3
MOSTLY_UTF8_RATIO = 3
_STRAY_BYTE_RE = re.compile("[\udc80-\udcff]")
_MULTIBYTE_RE = re.compile("[^\x00-\x7f\udc80-\udcff]")



def decode_html(body: bytes, content_type: str | None) -> str:
    """Decode an HTML payload to text, preferring declarations that the bytes agree with."""
    if not body:
        return ""
    bom_encoding, bom = read_bom(body)
    if bom_encoding is not None:
        return body[len(bom or b"") :].decode(bom_encoding, errors="replace")
    utf8 = None if body.isascii() else _strict_decode(body, "utf-8")
    if utf8 is not None:
        # Non-ASCII bytes that form valid UTF-8 are UTF-8 whatever the page declares: text in
        # a legacy code page almost never validates (its accented letters are not followed by
        # continuation bytes), while CMS templates keep "charset=iso-8859-1" long after the
        # content moved to UTF-8, which would turn every "für" into "fÃ¼r".
        return utf8
    mostly_utf8 = _mostly_utf8(body)
    if mostly_utf8 is not None:
        return mostly_utf8
    for encoding in _declared_encodings(body, content_type):
        text = _strict_decode(body, encoding)
        if text is not None and not _looks_misdeclared(text, encoding):
            return text
        logger.debug("declared charset %s does not fit the bytes; detecting", encoding)
    return _detect_and_decode(body)


def _mostly_utf8(body: bytes) -> str | None:
    """The body as UTF-8 with its few stray bytes read as windows-1252, or None where it is not
    overwhelmingly UTF-8 (see MOSTLY_UTF8_RATIO)."""
    text = body.decode("utf-8", errors="surrogateescape")
    stray = len(_STRAY_BYTE_RE.findall(text))
    sequences = len(_MULTIBYTE_RE.findall(text))
    if sequences < MOSTLY_UTF8_MIN_SEQUENCES or sequences < MOSTLY_UTF8_RATIO * stray:
        return None
    logger.debug("UTF-8 page with %d stray byte(s) not UTF-8: read as windows-1252", stray)
    return _STRAY_BYTE_RE.sub(_stray_byte_as_cp1252, text)


def _stray_byte_as_cp1252(match: re.Match[str]) -> str:
    byte = bytes([ord(match.group()) - 0xDC00])
    # The five bytes windows-1252 leaves undefined are C1 controls in ISO-8859-1 (stripped later).
    return byte.decode("cp1252", errors="ignore") or byte.decode("latin-1")


def _declared_encodings(body: bytes, content_type: str | None) -> list[str]:
    """Codec names declared by the HTTP header and by the page, in that order, deduplicated."""
    declared = [
        http_content_type_encoding(content_type) if content_type else None,
        html_body_declared_encoding(body),
    ]
    codecs_found: list[str] = []
    for label in declared:
        codec = _codec_name(label)
        if codec is not None and codec not in codecs_found:
            codecs_found.append(codec)
    return codecs_found


def _codec_name(label: str | None) -> str | None:
    """Python's canonical codec name for an encoding label, or None if unknown."""
    if not label:
        return None
    resolved = resolve_encoding(label)
    if resolved is None:
        return None
    try:
        return codecs.lookup(resolved).name
    except LookupError:
        return None


def _strict_decode(body: bytes, encoding: str) -> str | None:
    """The body decoded with ``encoding``, or None if any byte does not fit it."""
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_misdeclared(text: str, encoding: str) -> bool:
    """True when text decoded with a permissive codec reads as another script's bytes.

    Arabic, Cyrillic or Greek bytes read as windows-1252 come out as long words made
    only of accented Latin letters ("ÇáÚÑÈíÉ"); real French, German or Portuguese words
    mix accented letters with plain ones.
    """
    if encoding not in _PERMISSIVE_ENCODINGS:
        return False
    non_ascii_words = [w for w in WORD_RE.findall(text) if not w.isascii()]
    if len(non_ascii_words) < MOJIBAKE_MIN_WORDS:
        return False
    garbled = sum(1 for w in non_ascii_words if len(w) >= 4 and not any(c.isascii() for c in w))
    return garbled / len(non_ascii_words) > MOJIBAKE_WORD_SHARE


def _detected_codecs(body: bytes) -> list[str]:
    """Codecs that detection finds plausible, best first; windows-1252 wins a tie."""
    matches = list(charset_normalizer.from_bytes(body[:DETECTION_SAMPLE_BYTES]))
    if not matches:
        return []
    best = matches[0]
    tied = {m.encoding for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)}
    ordered = [TIE_BREAK_ENCODING] if TIE_BREAK_ENCODING in tied else []
    for match in matches:
        codec = _codec_name(match.encoding)
        if codec is not None and codec not in ordered:
            ordered.append(codec)
    return ordered


def _detect_and_decode(body: bytes) -> str:
    """Decode with the encoding detected from the bytes, falling back to lossy UTF-8."""
    if body.isascii():
        return body.decode("ascii")
    utf8 = _strict_decode(body, "utf-8")
    if utf8 is not None:
        return utf8
    for detected in _detected_codecs(body):
        text = _strict_decode(body, detected)
        if text is not None:
            return text
    logger.warning("could not detect the charset of a %d-byte page; decoding lossily", len(body))
    return body.decode(FALLBACK_ENCODING, errors="replace")
