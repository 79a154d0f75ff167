"""The source registry: one validated TOML file per news source in this folder.

A source is data, not code. Loading fails with a ``SourceConfigError`` that names the file and
the field, so a typo in a config never becomes a silently empty crawl.
"""

from __future__ import annotations

import difflib
import functools
import logging
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

REGISTRY_DIR = Path(__file__).resolve().parents[1] / "scrapers" / "sources"
# Extra source folders (os.pathsep-separated), e.g. the demo's reposter site; later folders win.
EXTRA_DIRS_ENV = "NEWS_SOURCES_EXTRA_DIRS"
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
DATE_PLACEHOLDERS = ("{yyyy}", "{mm}", "{dd}", "{m}", "{d}")
# A bare host name as the crawl compares it with a URL's hostname: no scheme, port or path.
_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
HOSTNAME_PATTERN = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")
# Airflow takes these for a cron schedule besides five-field expressions.
CRON_PRESETS = frozenset({"@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly", "@annually",
                          "@midnight"})


class SourceConfigError(ValueError):
    """A source file is missing a field or has a wrong value."""


@dataclass(frozen=True)
class Politeness:
    """How hard we may hit the source's servers."""

    download_delay: float = 1.0  # seconds between requests to one domain
    concurrency_per_domain: int = 2
    max_error_rate: float = 0.5  # the crawl fails above this share of failed page fetches


@dataclass(frozen=True)
class Discovery:
    """Where article URLs come from."""

    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    # URLs with {yyyy} {mm} {dd} (zero-padded) or {m} {d} (not padded), expanded per day of the window.
    dated_sitemaps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Incremental:
    """What a run may skip because earlier runs did it."""

    # An article already captured is fetched again while its first capture is younger than this
    # (counted back from the run's window end), to pick up updates; 0 never re-fetches.
    revisit_hours: float = 0.0
    # A URL that keeps failing is given up this many days after its first failure (None: the
    # crawl's FAILED_URL_GIVE_UP_DAYS setting).
    give_up_days: float | None = None


CHECK_ACTIONS = ("fail", "warn", "off")


@dataclass(frozen=True)
class Quality:
    """The completeness checks the quality gate runs on each of the source's runs, and what a
    failing check does to the source's task: "fail" (the task fails and alerts), "warn" (an
    alert, the task succeeds) or "off"."""

    # How far back the gate looks for what is normal: crawled days for volume, runs for shares.
    baseline_days: int = 14
    # Volume: the window's articles per day below this share of the trailing daily median.
    min_volume_ratio: float = 0.25
    # Rise (absolute, 0..1) over the trailing median of the share of feed and sitemap URLs that
    # the allow/deny patterns reject (a redesign moves articles to URLs the patterns miss).
    allow_reject_jump: float = 0.3
    # Rise over the trailing median of the share of articles without a date, or without an author.
    missing_field_jump: float = 0.3
    on_zero_articles: str = "fail"
    on_low_volume: str = "warn"
    on_allow_reject_jump: str = "warn"
    on_missing_fields_jump: str = "warn"


@dataclass(frozen=True)
class Source:
    """One news source, as its TOML file describes it."""

    slug: str
    name: str
    domains: tuple[str, ...]
    language: str
    enabled: bool
    discovery: Discovery
    allow: tuple[re.Pattern[str], ...]
    deny: tuple[re.Pattern[str], ...] = ()
    # A regex with named groups year, month, day that dates an article from its URL.
    url_date: re.Pattern[str] | None = None
    timezone: str = "UTC"  # zone of dates the site prints without an offset
    politeness: Politeness = field(default_factory=Politeness)
    prune_xpaths: tuple[str, ...] = ()
    config_path: Path | None = None
    incremental: Incremental = field(default_factory=Incremental)
    # Query parameters the site adds for tracking beyond the common ones (DW's ``maca``).
    strip_params: tuple[str, ...] = ()
    # (pattern, replacement) pairs mapping variants (AMP) to the page the site marks canonical.
    canonical_rewrites: tuple[tuple[re.Pattern[str], str], ...] = ()
    # A cron expression (UTC): the source gets its own DAG news_source_<slug> on that schedule
    # instead of riding news_daily's. None: crawled by news_daily.
    schedule: str | None = None
    quality: Quality = field(default_factory=Quality)

    def is_article_url(self, url: str) -> bool:
        """True when the URL is on the source's domains, matches an allow pattern and no deny pattern."""
        from urllib.parse import urlsplit

        host = (urlsplit(url).hostname or "").lower()
        if host not in self.domains:
            return False
        if not any(p.search(url) for p in self.allow):
            return False
        return not any(p.search(url) for p in self.deny)


def load_source(path: Path) -> Source:
    """Parse and validate one source file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SourceConfigError(f"{path}: not valid TOML: {exc}") from exc
    return _build_source(data, path)


@dataclass(frozen=True)
class Registry:
    """Every source file read: the valid sources by slug, and the broken files with their error."""

    sources: dict[str, Source]
    broken: dict[Path, SourceConfigError]


def read_registry(dirs: list[Path] | None = None) -> Registry:
    """All source files in the registry folder plus extra folders, each validated on its own.

    A broken file disables only its own source: the others still load (one typo must not stop
    every crawl and DAG). Callers say so loudly; ``load_sources`` logs each broken file.
    """
    sources: dict[str, Source] = {}
    broken: dict[Path, SourceConfigError] = {}
    for folder in dirs if dirs is not None else source_dirs():
        for path in sorted(folder.glob("*.toml")):
            try:
                source = load_source(path)
            except SourceConfigError as exc:
                broken[path] = exc
                continue
            sources[source.slug] = source
    return Registry(sources, broken)


def load_sources(dirs: list[Path] | None = None, *, strict: bool = False) -> dict[str, Source]:
    """The valid sources, keyed by slug; each broken file is logged as an error and left out.

    ``strict`` raises the first broken file's error instead (validation commands and tests).
    """
    registry = read_registry(dirs)
    for path, error in registry.broken.items():
        if strict:
            raise error
        log.error("source file %s is broken and its source is disabled: %s", path, error)
    return registry.sources


def enabled_sources() -> list[Source]:
    """The sources switched on, in slug order."""
    return [s for _, s in sorted(load_sources().items()) if s.enabled]


def source_dirs() -> list[Path]:
    """The registry folder, then any folders named in NEWS_SOURCES_EXTRA_DIRS."""
    extra = [Path(p) for p in os.environ.get(EXTRA_DIRS_ENV, "").split(os.pathsep) if p]
    return [REGISTRY_DIR, *extra]


def _build_source(data: dict[str, Any], path: Path) -> Source:
    reader = _FieldReader(data, path)
    slug = reader.required("slug", str)
    if not SLUG_PATTERN.match(slug):
        raise SourceConfigError(f"{path}: slug {slug!r} must match {SLUG_PATTERN.pattern}")
    timezone = reader.optional("timezone", str, "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SourceConfigError(f"{path}: timezone {timezone!r} is not an IANA time zone") from exc
    discovery_reader = _FieldReader(reader.table("discovery"), path, "discovery")
    discovery = _build_discovery(discovery_reader)
    urls = _FieldReader(reader.table("urls"), path, "urls")
    politeness = _FieldReader(reader.table("politeness"), path, "politeness")
    extraction = _FieldReader(reader.table("extraction"), path, "extraction")
    incremental = _FieldReader(reader.table("incremental"), path, "incremental")
    quality = _FieldReader(reader.table("quality"), path, "quality")
    source = Source(
        slug=slug,
        name=reader.required("name", str),
        domains=_domains(reader),
        language=_language(reader),
        enabled=reader.required("enabled", bool),
        discovery=discovery,
        allow=urls.patterns("allow", required=True),
        deny=urls.patterns("deny"),
        url_date=_optional_pattern(urls, "date_pattern"),
        timezone=timezone,
        politeness=_build_politeness(politeness),
        prune_xpaths=_prune_xpaths(extraction),
        config_path=path,
        incremental=_build_incremental(incremental),
        quality=_build_quality(quality),
        strip_params=tuple(p.lower() for p in urls.optional_list("strip_params")),
        canonical_rewrites=_canonical_rewrites(urls),
        schedule=_schedule(reader),
    )
    # Last, once every reader has asked for the names it knows: a typo is refused, not ignored.
    for table in (reader, discovery_reader, urls, politeness, extraction, incremental, quality):
        table.refuse_unknown()
    if not (discovery.feeds or discovery.sitemaps or discovery.dated_sitemaps):
        raise SourceConfigError(f"{path}: [discovery] needs at least one feed or sitemap")
    return source


def _domains(reader: _FieldReader) -> tuple[str, ...]:
    """Bare host names: a URL, a port or a path here would never match a URL's hostname."""
    domains = tuple(d.strip().lower() for d in reader.required_list("domains"))
    for domain in domains:
        if not HOSTNAME_PATTERN.match(domain):
            hint = urlsplit(domain).hostname if "://" in domain else None
            raise SourceConfigError(
                f"{reader.where('domains')}: {domain!r} is not a bare host name"
                + (f" (write {hint!r}, without scheme or path)" if hint else " (no scheme, port or path)"))
    return domains


def _language(reader: _FieldReader) -> str:
    """An ISO 639-1 code, as the articles' language column stores it."""
    language = reader.required("language", str)
    if language not in iso_639_1_codes():
        close = difflib.get_close_matches(language.lower(), sorted(iso_639_1_codes()), n=1)
        raise SourceConfigError(
            f"{reader.where('language')}: {language!r} is not an ISO 639-1 code (two lower-case letters, "
            f"e.g. 'en', 'ar', 'de')" + (f"; did you mean {close[0]!r}?" if close else ""))
    return language


@functools.cache
def iso_639_1_codes() -> frozenset[str]:
    """The two-letter language codes CLDR (through Babel) knows."""
    from babel import Locale

    return frozenset(code for code in Locale("en").languages if isinstance(code, str) and len(code) == 2)


def _schedule(reader: _FieldReader) -> str | None:
    """A five-field cron expression (UTC) or one of Airflow's presets, checked with croniter."""
    schedule = reader.optional("schedule", str, None)
    if not schedule:
        return None
    from croniter import croniter

    text = schedule.strip()
    valid = text in CRON_PRESETS or (len(text.split()) == 5 and croniter.is_valid(text))
    if not valid:
        raise SourceConfigError(
            f"{reader.where('schedule')}: {schedule!r} is not a cron schedule: five fields "
            f"(minute hour day-of-month month day-of-week, e.g. '0 5 * * *') or one of {sorted(CRON_PRESETS)}")
    return text


def _build_politeness(reader: _FieldReader) -> Politeness:
    politeness = Politeness(
        download_delay=reader.optional("download_delay", float, 1.0),
        concurrency_per_domain=reader.optional("concurrency_per_domain", int, 2),
        max_error_rate=reader.optional("max_error_rate", float, 0.5),
    )
    if politeness.download_delay < 0:
        raise SourceConfigError(f"{reader.where('download_delay')} must be >= 0 seconds, "
                                f"got {politeness.download_delay}")
    if politeness.concurrency_per_domain < 1:
        raise SourceConfigError(f"{reader.where('concurrency_per_domain')} must be >= 1, "
                                f"got {politeness.concurrency_per_domain}")
    if not 0 <= politeness.max_error_rate <= 1:
        raise SourceConfigError(f"{reader.where('max_error_rate')} is a share of pages between 0 and 1 "
                                f"(0.2 = 20%), got {politeness.max_error_rate}")
    return politeness


def _prune_xpaths(reader: _FieldReader) -> tuple[str, ...]:
    """XPaths that compile: a bad one would otherwise fail every page's extraction later."""
    from lxml import etree

    xpaths = tuple(reader.optional_list("prune_xpaths"))
    for xpath in xpaths:
        try:
            etree.XPath(xpath)
        except etree.XPathError as exc:
            raise SourceConfigError(f"{reader.where('prune_xpaths')}: {xpath!r} is not a valid XPath: {exc}") from exc
    return xpaths


def _build_discovery(reader: _FieldReader) -> Discovery:
    path = reader.path
    dated = tuple(reader.optional_list("dated_sitemaps"))
    for template in dated:
        if not any(p in template for p in DATE_PLACEHOLDERS):
            raise SourceConfigError(
                f"{path}: discovery.dated_sitemaps entry {template!r} has none of {DATE_PLACEHOLDERS}"
            )
    urls = [*reader.optional_list("feeds"), *reader.optional_list("sitemaps"), *dated]
    for url in urls:
        if not url.startswith(("https://", "http://")):
            raise SourceConfigError(f"{path}: discovery URL {url!r} must be http(s)")
    return Discovery(
        feeds=tuple(reader.optional_list("feeds")),
        sitemaps=tuple(reader.optional_list("sitemaps")),
        dated_sitemaps=dated,
    )


def _build_quality(reader: _FieldReader) -> Quality:
    default = Quality()
    quality = Quality(
        baseline_days=reader.optional("baseline_days", int, default.baseline_days),
        min_volume_ratio=reader.optional("min_volume_ratio", float, default.min_volume_ratio),
        allow_reject_jump=reader.optional("allow_reject_jump", float, default.allow_reject_jump),
        missing_field_jump=reader.optional("missing_field_jump", float, default.missing_field_jump),
        on_zero_articles=reader.optional("on_zero_articles", str, default.on_zero_articles),
        on_low_volume=reader.optional("on_low_volume", str, default.on_low_volume),
        on_allow_reject_jump=reader.optional("on_allow_reject_jump", str, default.on_allow_reject_jump),
        on_missing_fields_jump=reader.optional("on_missing_fields_jump", str, default.on_missing_fields_jump),
    )
    if quality.baseline_days < 1:
        raise SourceConfigError(f"{reader.where('baseline_days')} must be at least 1")
    for name in ("min_volume_ratio", "allow_reject_jump", "missing_field_jump"):
        if not 0 < getattr(quality, name) <= 1:
            raise SourceConfigError(f"{reader.where(name)} must be in (0, 1], got {getattr(quality, name)!r}")
    for name in ("on_zero_articles", "on_low_volume", "on_allow_reject_jump", "on_missing_fields_jump"):
        if getattr(quality, name) not in CHECK_ACTIONS:
            raise SourceConfigError(f"{reader.where(name)} must be one of {CHECK_ACTIONS}, "
                                    f"got {getattr(quality, name)!r}")
    return quality


def _build_incremental(reader: _FieldReader) -> Incremental:
    revisit = reader.optional("revisit_hours", float, 0.0)
    give_up = reader.optional("give_up_days", float, None)
    if revisit < 0 or (give_up is not None and give_up <= 0):
        raise SourceConfigError(f"{reader.path}: [incremental] revisit_hours must be >= 0 and give_up_days > 0")
    return Incremental(revisit_hours=revisit, give_up_days=give_up)


def _canonical_rewrites(reader: _FieldReader) -> tuple[tuple[re.Pattern[str], str], ...]:
    """``canonical_rewrites = [["^https://amp\\.site/(.*)$", "https://www.site/\\1"]]``."""
    reader.known.add("canonical_rewrites")
    raw = reader.data.get("canonical_rewrites", [])
    pairs = []
    if not isinstance(raw, list):
        raise SourceConfigError(f"{reader.where('canonical_rewrites')} must be a list of [pattern, replacement]")
    for entry in raw:
        if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(e, str) for e in entry)):
            raise SourceConfigError(
                f"{reader.where('canonical_rewrites')}: each entry is [pattern, replacement], got {entry!r}")
        pairs.append((reader.compile("canonical_rewrites", entry[0]), entry[1]))
    return tuple(pairs)


def _optional_pattern(reader: _FieldReader, name: str) -> re.Pattern[str] | None:
    raw = reader.optional(name, str, "")
    if not raw:
        return None
    pattern = reader.compile(name, raw)
    missing = {"year", "month", "day"} - set(pattern.groupindex)
    if missing:
        raise SourceConfigError(f"{reader.where(name)} needs named groups {sorted(missing)}")
    return pattern


class _FieldReader:
    """Typed access to one TOML table, with errors naming the file and field."""

    def __init__(self, data: dict[str, Any], path: Path, prefix: str = "") -> None:
        self.data = data
        self.path = path
        self.prefix = prefix
        # Every name the loader asked this table for, present or not: what the file may contain.
        self.known: set[str] = set()

    def where(self, name: str) -> str:
        return f"{self.path}: field {self.prefix + '.' if self.prefix else ''}{name}"

    def refuse_unknown(self) -> None:
        """A key or table the loader never reads is a typo or a misplaced setting: say which."""
        for name in self.data:
            if name in self.known:
                continue
            kind = "table" if isinstance(self.data[name], dict) else "key"
            where = f"[{self.prefix}]" if self.prefix else "the top level"
            close = difflib.get_close_matches(name, sorted(self.known), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known here: {', '.join(sorted(self.known))}"
            raise SourceConfigError(f"{self.path}: unknown {kind} {name!r} in {where}{hint}")

    def required(self, name: str, kind: type) -> Any:
        self.known.add(name)
        if name not in self.data:
            typo = difflib.get_close_matches(name, [k for k in self.data if isinstance(k, str)], n=1, cutoff=0.6)
            raise SourceConfigError(f"{self.where(name)} is missing"
                                    + (f" (the file has {typo[0]!r}: a typo?)" if typo else ""))
        return self._typed(name, self.data[name], kind)

    def optional(self, name: str, kind: type, default: Any) -> Any:
        self.known.add(name)
        if name not in self.data:
            return default
        value = self.data[name]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        return self._typed(name, value, kind)

    def required_list(self, name: str) -> list[str]:
        values = self.optional_list(name)
        if not values:
            raise SourceConfigError(f"{self.where(name)} must be a non-empty list of strings")
        return values

    def optional_list(self, name: str) -> list[str]:
        self.known.add(name)
        values = self.data.get(name, [])
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise SourceConfigError(f"{self.where(name)} must be a list of non-empty strings")
        return values

    def table(self, name: str) -> dict[str, Any]:
        self.known.add(name)
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise SourceConfigError(f"{self.where(name)} must be a table")
        return value

    def patterns(self, name: str, required: bool = False) -> tuple[re.Pattern[str], ...]:
        raw = self.required_list(name) if required else self.optional_list(name)
        return tuple(self.compile(name, p) for p in raw)

    def compile(self, name: str, pattern: str) -> re.Pattern[str]:
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise SourceConfigError(f"{self.where(name)}: bad regex {pattern!r}: {exc}") from exc

    def _typed(self, name: str, value: Any, kind: type) -> Any:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise SourceConfigError(f"{self.where(name)} must be {kind.__name__}, got {value!r}")
        return value
