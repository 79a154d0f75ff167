"""Near-duplicate fingerprints: MinHash over word shingles, and LSH bands to find candidates.

The signature is one-permutation MinHash (Li, Owen & Zhang 2012) with rotation densification
(Shrivastava & Li 2014): every shingle is hashed once and falls into one of ``BINS`` bins, each
bin keeps its smallest hash. That costs one hash per shingle, so pure Python keeps up with the
loader (classic MinHash needs ``BINS`` hashes per shingle). Two signatures agree in a bin with
probability equal to the Jaccard similarity of the two shingle sets.

Candidates are found with banding: the signature is cut into ``BANDS`` bands of ``ROWS`` bins;
articles sharing any whole band are compared. With 16 x 4, a pair at Jaccard 0.8 shares a band
with probability 0.9998, a pair at 0.3 with 0.12, so the database compares few pairs.

Everything here is deterministic (blake2b, no process-seeded ``hash()``): the same text gives the
same fingerprint on every machine and every run.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transforms.article import Article

# Version of the fingerprint recipe; stored with each fingerprint so a change of recipe can be
# detected and recomputed rather than silently compared with old signatures.
FINGERPRINT_VERSION = 1
SHINGLE_WORDS = 4  # word 4-grams: robust to small edits, specific enough to tell stories apart
BINS = 64
BANDS = 16
ROWS = BINS // BANDS
# Estimated Jaccard over shingles at or above which two articles are the same text (AMP copies,
# wire stories syndicated verbatim, a republished article with a new headline).
NEAR_DUPLICATE_JACCARD = 0.7

_VALUE_BITS = 56  # a bin's value; the bits above carry the densification offset, all < 2**63
_VALUE_MASK = (1 << _VALUE_BITS) - 1
_WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Fingerprint:
    """A text's MinHash signature (BINS non-negative ints < 2**63) and its LSH band keys."""

    signature: tuple[int, ...]
    bands: tuple[int, ...]  # BANDS signed 64-bit keys, one per band
    shingles: int  # how many distinct shingles the text had

    def similarity(self, other: Fingerprint) -> float:
        """Estimated Jaccard similarity of the two texts' shingle sets."""
        return estimate_jaccard(self.signature, other.signature)


@dataclass(frozen=True)
class ArticleFingerprint:
    """An article's fingerprint, computed where the article is made (the extraction workers, in
    parallel) so the load does not have to. It is only used while it still describes the article:
    same recipe version, same content hash (which covers the title and the body it was taken from).
    """

    version: int
    content_hash: str
    fingerprint: Fingerprint | None  # None: the article has no words to compare


def with_fingerprint(article: Article) -> Article:
    """The article with its fingerprint attached (what the extraction workers return)."""
    found = fingerprint(article_text(article.title, article.body))
    return replace(article, fingerprint=ArticleFingerprint(FINGERPRINT_VERSION, article.content_hash, found))


def article_fingerprint(article: Article) -> Fingerprint | None:
    """The article's fingerprint: the attached one while it is current, else computed now."""
    attached = article.fingerprint
    if attached is not None and attached.version == FINGERPRINT_VERSION \
            and attached.content_hash == article.content_hash:
        return attached.fingerprint
    return fingerprint(article_text(article.title, article.body))


def words(text: str) -> list[str]:
    """Lower-cased words, compatibility-normalized so typographic variants compare equal."""
    return _WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The set of word ``size``-grams; a text shorter than that is one shingle."""
    tokens = words(text)
    if not tokens:
        return set()
    if len(tokens) <= size:
        return {" ".join(tokens)}
    return {" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1)}


def fingerprint(text: str) -> Fingerprint | None:
    """The text's fingerprint, or None when it has no words to compare."""
    found = shingles(text)
    if not found:
        return None
    signature = minhash(found)
    return Fingerprint(signature, band_keys(signature), len(found))


def article_text(title: str, body: str) -> str:
    """What the fingerprint covers: the headline and the body (descriptions are often rewritten)."""
    return f"{title}\n{body}"


def minhash(items: set[str]) -> tuple[int, ...]:
    """One-permutation MinHash of a non-empty set, densified so no bin is left empty."""
    bins: list[int | None] = [None] * BINS
    for item in items:
        h = _hash64(item.encode("utf-8"))
        slot, value = h % BINS, (h // BINS) & _VALUE_MASK
        current = bins[slot]
        if current is None or value < current:
            bins[slot] = value
    return _densify(bins)


def _densify(bins: list[int | None]) -> tuple[int, ...]:
    # An empty bin borrows the value of the next filled bin to its right (circularly), tagged
    # with the distance so borrowed values only match values borrowed the same way.
    filled = [i for i, v in enumerate(bins) if v is not None]
    if not filled:
        raise ValueError("minhash needs at least one item")
    out: list[int] = []
    for i, value in enumerate(bins):
        if value is not None:
            out.append(value)
            continue
        distance = 1
        while bins[(i + distance) % BINS] is None:
            distance += 1
        borrowed = bins[(i + distance) % BINS]
        assert borrowed is not None
        out.append(borrowed | (distance << _VALUE_BITS))
    return tuple(out)


def band_keys(signature: tuple[int, ...]) -> tuple[int, ...]:
    """One signed 64-bit key per band (fits a PostgreSQL bigint); equal bands give equal keys."""
    keys = []
    for band in range(BANDS):
        chunk = signature[band * ROWS:(band + 1) * ROWS]
        payload = band.to_bytes(2, "big") + b"".join(v.to_bytes(8, "big") for v in chunk)
        keys.append(_to_signed(_hash64(payload)))
    return tuple(keys)


def estimate_jaccard(a: tuple[int, ...] | list[int], b: tuple[int, ...] | list[int]) -> float:
    """Share of bins where the two signatures agree."""
    if len(a) != len(b) or not a:
        raise ValueError(f"signatures must have the same, non-zero length (got {len(a)} and {len(b)})")
    return sum(x == y for x, y in zip(a, b)) / len(a)


def _hash64(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def _to_signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value
