"""The article's columns, declared once: the load's staging table, COPY rows, upsert, version
history and checks are all derived from ``ARTICLE_COLUMNS``.

Adding a field to an article: add it to ``transforms.article.Article``, fill it in the extractor,
declare it here (name, SQL type, limits, whether its history is kept), and add the column to
``core.articles`` (and ``core.article_versions`` when its history is kept) in a new numbered
migration. Nothing else in the load names the columns one by one.

The columns the load itself writes (``version``, ``first_seen_at``, ``last_seen_at``,
``crawl_run_id``) are not the article's and stay written out in ``sql/load/upsert_articles.sql``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from enum import Enum
from typing import Any

from transforms.article import Article

# A check returns why the warehouse would refuse the value (e.g. "title_empty"), or None.
# It gets the Article field's name, its value and the whole article (times compare to the fetch).
Check = Callable[[str, Any, Article], "str | None"]


class History(Enum):
    """What ``core.article_versions`` keeps of a column."""

    CURRENT_ONLY = "current_only"  # core.articles holds the current value, versions do not
    KEPT = "kept"  # each version stores its value
    COMPARED = "compared"  # kept, and named in changed_fields when it differs from the last version


# COPY text-format encoders per SQL type: typed columns, so the server parses no JSON per article.
def _copy_text(value: str | None) -> str:
    """A field of COPY's text format: backslash, tab, newline and carriage return escaped; \\N is NULL."""
    if value is None:
        return "\\N"
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    return value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_text_array(items: Iterable[str]) -> str:
    """A text[] literal ({"a","b"}, each element quoted, quote and backslash escaped) as a COPY field."""
    elements = ('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"' for item in items)
    return _copy_text("{" + ",".join(elements) + "}")


def _copy_timestamptz(moment: datetime | None) -> str:
    return _copy_text(moment.isoformat() if moment else None)


def _copy_integer(number: int | None) -> str:
    return "\\N" if number is None else str(int(number))


COPY_ENCODERS: dict[str, Callable[[Any], str]] = {
    "text": _copy_text,
    "text[]": _copy_text_array,
    "timestamptz": _copy_timestamptz,
    "integer": _copy_integer,
}


@dataclass(frozen=True)
class Column:
    """One column of ``core.articles`` that the extraction fills."""

    name: str
    sql_type: str  # a key of COPY_ENCODERS
    attribute: str = ""  # the Article field it comes from; empty: the same as name
    max_chars: int | None = None  # the schema's length limit (a CHECK constraint in the migrations)
    checks: tuple[Check, ...] = ()
    history: History = History.CURRENT_ONLY
    updated: bool = True  # False: written when the URL is first loaded, never changed by a later load
    # The value a later load writes, as SQL over the stored row (a.) and the new one (excluded.);
    # empty: the new value.
    on_update: str = ""

    @property
    def field(self) -> str:
        return self.attribute or self.name

    def value(self, article: Article) -> Any:
        return getattr(article, self.field)

    def copy_field(self, article: Article) -> str:
        return COPY_ENCODERS[self.sql_type](self.value(article))

    def problem(self, article: Article) -> str | None:
        """Why the schema would refuse this column's value, or None."""
        value = self.value(article)
        if self.max_chars is not None and value is not None and len(value) > self.max_chars:
            return f"{self.field}_too_long: {len(value)} characters, at most {self.max_chars}"
        for check in self.checks:
            found = check(self.field, value, article)
            if found:
                return found
        return None


# Checks, mirroring the schema's constraints so that a bad page is named before anything is written.
_HTTP_RE = re.compile(r"^https?://")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
_HASH_RE = re.compile(r"^[0-9a-f]{64}$")
MAX_NAME_CHARS = 300  # one author or tag


def http_url(field: str, value: str | None, article: Article) -> str | None:
    if value is not None and not _HTTP_RE.match(value):
        what = "URL" if field == "url" else field.replace("_", " ").replace(" url", " URL")
        return f"{field}_not_http: the {what} must start with http:// or https://"
    return None


def not_blank(field: str, value: str, article: Article) -> str | None:
    return f"{field}_empty" if not value.strip() else None


def nfc_text(field: str, value: str | None, article: Article) -> str | None:
    """Text PostgreSQL can hold (no NUL) in the normal form the constraints require (NFC)."""
    if value is None:
        return None
    if "\x00" in value:
        return f"{field}_has_nul"
    if not unicodedata.is_normalized("NFC", value):
        return f"{field}_not_nfc"
    return None


def names(field: str, values: Sequence[str], article: Article) -> str | None:
    """A list of names (authors, tags): each 1 to MAX_NAME_CHARS characters of NFC text."""
    for name in values:
        if not name or len(name) > MAX_NAME_CHARS:
            return f"{field}_invalid: each name needs 1 to {MAX_NAME_CHARS} characters (got {len(name)})"
        problem = nfc_text(field, name, article)
        if problem:
            return problem
    return None


def iso_639_1(field: str, value: str | None, article: Article) -> str | None:
    if value is not None and not _LANGUAGE_RE.match(value):
        return f"{field}_invalid: {value[:20]!r} is not an ISO 639-1 code"
    return None


def sha256_hex(field: str, value: str, article: Article) -> str | None:
    return None if _HASH_RE.match(value) else f"{field}_invalid: expected 64 lower-case hex digits"


def not_negative(field: str, value: int, article: Article) -> str | None:
    return f"{field}_negative" if value < 0 else None


def aware(field: str, value: datetime | None, article: Article) -> str | None:
    if value is not None and value.tzinfo is None:
        return f"{field}_naive: times must carry a time zone"
    return None


def not_after_fetch(field: str, value: datetime | None, article: Article) -> str | None:
    """Extraction never keeps a date after the fetch; the schema refuses one."""
    if value is None or article.fetched_at.tzinfo is None:
        return None  # a naive fetch time is reported by its own column
    if value > article.fetched_at:
        return f"{field}_after_fetch: {value.isoformat()} is after the fetch at {article.fetched_at.isoformat()}"
    return None


URL_CHARS = 2048

# A later version of the page that no longer says when the story was published, or only its day,
# says less than the stored date, not something else: the stored date, and its flags, stay. The
# page is the authority when it gives a date at least as precise (a correction of the date).
_DATE_WEAKER = ("(a.published_at is not null and (excluded.published_at is null"
                " or ('published_at_day_only' = any(excluded.flags) and not 'published_at_day_only' = any(a.flags))))")
PUBLISHED_AT_ON_UPDATE = f"case when {_DATE_WEAKER} then a.published_at else excluded.published_at end"
FLAGS_ON_UPDATE = (f"case when {_DATE_WEAKER} then"
                   " array(select f from unnest(excluded.flags) f where not starts_with(f, 'published_at_'))"
                   " || array(select f from unnest(a.flags) f where starts_with(f, 'published_at_'))"
                   " else excluded.flags end")

ARTICLE_COLUMNS: tuple[Column, ...] = (
    Column("url", "text", max_chars=URL_CHARS, checks=(http_url,), updated=False),
    Column("source", "text", updated=False),
    Column("canonical_url", "text", max_chars=URL_CHARS, checks=(http_url,)),
    Column("title", "text", max_chars=1000, checks=(not_blank, nfc_text), history=History.COMPARED),
    Column("description", "text", max_chars=10_000, checks=(nfc_text,), history=History.COMPARED),
    Column("body", "text", max_chars=1_000_000, checks=(nfc_text,), history=History.COMPARED),
    Column("authors", "text[]", checks=(names,), history=History.COMPARED),
    Column("published_at", "timestamptz", checks=(aware, not_after_fetch), on_update=PUBLISHED_AT_ON_UPDATE),
    Column("modified_at", "timestamptz", checks=(aware, not_after_fetch), history=History.KEPT),
    Column("language", "text", checks=(iso_639_1,)),
    Column("section", "text", max_chars=200, checks=(nfc_text,)),
    Column("tags", "text[]", checks=(names,)),
    Column("image_url", "text", max_chars=URL_CHARS),
    Column("original_source", "text", max_chars=URL_CHARS),
    Column("word_count", "integer", checks=(not_negative,)),
    Column("content_hash", "text", checks=(sha256_hex,), history=History.KEPT),
    Column("extractor", "text"),
    Column("flags", "text[]", on_update=FLAGS_ON_UPDATE),
    Column("last_fetched_at", "timestamptz", attribute="fetched_at", checks=(aware,)),
)

# Article fields that are not columns of core.articles.
NOT_STORED = frozenset({"fingerprint"})  # derived data, stored in core.article_fingerprints


def article_problem(article: Article, columns: Sequence[Column] = ARTICLE_COLUMNS) -> str | None:
    """The first column whose value the schema would refuse, and why; None when all are fine."""
    for column in columns:
        problem = column.problem(article)
        if problem:
            return problem
    return None


def copy_row(ordinal: int, article: Article, columns: Sequence[Column] = ARTICLE_COLUMNS) -> str:
    """One COPY text-format line: the ordinal, then the columns in declaration order."""
    return "\t".join([str(ordinal), *(column.copy_field(article) for column in columns)]) + "\n"


def column_lists(columns: Sequence[Column] = ARTICLE_COLUMNS) -> dict[str, str]:
    """The generated pieces of the load's SQL, by the placeholder name its .sql files use."""
    kept = [c for c in columns if c.history is not History.CURRENT_ONLY]
    compared = [c for c in columns if c.history is History.COMPARED]
    returned_anyway = {"url", "content_hash", "last_fetched_at"}  # upsert_articles.sql returns these itself
    return {
        "stage_columns": ",\n    ".join(f"{c.name} {c.sql_type}" for c in columns),
        "article_columns": ", ".join(c.name for c in columns),
        "updated_columns": ",\n        ".join(f"{c.name} = {c.on_update or 'excluded.' + c.name}"
                                            for c in columns if c.updated),
        "returned_kept_columns": ", ".join(f"a.{c.name}" for c in kept if c.name not in returned_anyway),
        "kept_columns": ", ".join(c.name for c in kept),
        "upserted_kept_columns": ", ".join(f"u.{c.name}" for c in kept),
        "changed_field_tests": ",\n               ".join(
            f"case when u.{c.name} is distinct from p.{c.name} then '{c.name}' end" for c in compared),
    }


def unstored_article_fields(columns: Sequence[Column] = ARTICLE_COLUMNS) -> set[str]:
    """Article fields no column takes and that are not declared as NOT_STORED (should be none)."""
    return {f.name for f in fields(Article)} - {c.field for c in columns} - NOT_STORED
