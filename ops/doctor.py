"""Try one source before switching it on, without touching the warehouse.

    python -m ops.doctor bbc                                   # live, yesterday (UTC)
    python -m ops.doctor bbc --replay 'archive/*.warc.gz' --since 2026-11-19 --until 2026-11-19

Fetches (or replays from WARC files) the source's robots.txt, every feed and sitemap (date
templates expanded over the window, sitemap indexes followed), and reports what answered, how
many URLs each lists, how many of those fall in the window and how many pass the source's
allow/deny patterns; then fetches a sample of the article URLs and extracts them with the
pipeline's own extractor, reporting title, date, author and body completeness. It reads the
registry like the crawl does (NEWS_SOURCES_EXTRA_DIRS included, `enabled` ignored) and writes
nothing: no ops, raw or core row, no WARC. Exit status 0 when the source looks usable, 1 when
not (the report says why), 2 for an unknown source.

Live fetches are polite and safe: one at a time, the project's User-Agent, robots.txt obeyed
(5xx = disallow, RFC 9309), public addresses only, http(s) only, bodies capped.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from common.sources import Source, load_sources
from common.urls import article_url
from common.window import Window, window_from_args
from scrapers.discovery import (
    Discovered,
    candidate,
    expand_dated_sitemaps,
    in_window,
    parse_feed,
    parse_sitemap,
)
from scrapers.replay import index_archive, lookup_key, replay_paths
from scrapers.safety import check_addresses, check_scheme, resolve
from transforms.article import Article
from transforms.extract.decoding import decode_html
from transforms.extract.extractor import ExtractionHints, extract_article

MAX_BODY = 20 * 1024 * 1024
MAX_CHILD_SITEMAPS = 50  # of an index: enough to see what it lists, not a crawl
LIVE_DELAY_SECONDS = 1.0
MIN_BODY_WORDS = 150  # below this a news body is probably cut short (a teaser, a paywall)


@dataclass(frozen=True)
class Answer:
    url: str
    status: int | None  # None: no answer (the error says why)
    body: bytes = b""
    content_type: str | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200

    def describe(self) -> str:
        if self.status is None:
            return f"no answer ({self.error})"
        return f"HTTP {self.status}" + (f" ({self.error})" if self.error else "")


class ReplayFetcher:
    """Answers from WARC files, as the crawl's replay does (only the source's hosts)."""

    def __init__(self, pattern: str, source: Source) -> None:
        from warcio.archiveiterator import ArchiveIterator

        self._iterator = ArchiveIterator
        # Keyed as the crawl's replay keys them: the source's article key, trailing slash aside.
        self.key = functools.partial(article_url, source=source)
        self.index = index_archive(replay_paths(pattern), set(source.domains), key=self.key)

    def fetch(self, url: str) -> Answer:
        location = self.index.get(lookup_key(self.key(url)))
        if location is None:  # as in the crawl's replay: a miss is a 404
            return Answer(url, 404, error="not in the replay archive")
        with Path(location.path).open("rb") as stream:
            stream.seek(location.offset)
            record = next(iter(self._iterator(stream)))
            body = record.content_stream().read(MAX_BODY)
            http = record.http_headers
            status = int(http.get_statuscode()) if http else 200
            content_type = http.get_header("Content-Type") if http else None
        return Answer(url, status, body, content_type)


class LiveFetcher:
    """One polite request at a time, public http(s) addresses only."""

    def __init__(self, user_agent: str) -> None:
        self.user_agent = user_agent
        self._last = 0.0

    def fetch(self, url: str) -> Answer:
        try:
            check_scheme(url)
            host = urlsplit(url).hostname or ""
            check_addresses(host, resolve(host), allow_loopback=False)
        except Exception as exc:
            return Answer(url, None, error=str(exc) or type(exc).__name__)
        wait = self._last + LIVE_DELAY_SECONDS - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last = time.monotonic()
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Answer(url, response.status, response.read(MAX_BODY), response.headers.get("Content-Type"))
        except urllib.error.HTTPError as exc:
            return Answer(url, exc.code, b"", None)
        except (urllib.error.URLError, OSError) as exc:
            return Answer(url, None, error=type(getattr(exc, "reason", exc)).__name__)


Fetcher = ReplayFetcher | LiveFetcher


@dataclass
class DocumentReport:
    kind: str  # feed | sitemap
    url: str
    answer: str
    listed: int = 0
    in_window: int = 0
    passing: int = 0
    rejected: dict[str, int] = field(default_factory=dict)  # why -> URLs (in the window)

    def line(self) -> str:
        why = ", ".join(f"{n} {reason}" for reason, n in sorted(self.rejected.items()))
        return (f"  {self.kind:7} {self.url}: {self.answer}; {self.listed} URL(s) listed, {self.in_window} in the "
                f"window, {self.passing} pass allow/deny" + (f" (rejected: {why})" if why else ""))


@dataclass
class SampleReport:
    url: str
    article: Article | None
    problem: str = ""

    def line(self) -> str:
        if self.article is None:
            return f"  {self.url}: {self.problem}"
        a = self.article
        marks = [f"title {'ok' if a.title else 'MISSING'}",
                 f"date {a.published_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if a.published_at else "date MISSING",
                 f"author {', '.join(a.authors)}" if a.authors else "author MISSING",
                 f"body {a.word_count} words" + ("" if a.word_count >= MIN_BODY_WORDS else " (SHORT)")]
        return f"  {self.url}\n    {'; '.join(marks)}\n    title: {a.title[:100]}"


@dataclass
class Diagnosis:
    source: Source
    window: Window
    robots: list[str] = field(default_factory=list)
    documents: list[DocumentReport] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    samples: list[SampleReport] = field(default_factory=list)

    def problems(self) -> list[str]:
        found = []
        for document in self.documents:
            if not document.answer.startswith("HTTP 200"):
                found.append(f"{document.kind} {document.url} did not answer: {document.answer}")
        if not any(d.answer.startswith("HTTP 200") for d in self.documents):
            found.append("no feed or sitemap answered: the crawl would fail")
        elif not self.articles:
            found.append("no article URL in the window passes allow/deny: check [urls] and the window")
        extracted = [s.article for s in self.samples if s.article is not None]
        if self.samples and not extracted:
            found.append("no sampled page extracted as an article")
        for name, missing in (("title", [a for a in extracted if not a.title]),
                              ("date", [a for a in extracted if a.published_at is None]),
                              ("author", [a for a in extracted if not a.authors]),
                              ("body", [a for a in extracted if a.word_count < MIN_BODY_WORDS])):
            if missing:
                found.append(f"{name} missing or short on {len(missing)} of {len(extracted)} sampled articles")
        return found

    def report(self) -> str:
        extracted = [s.article for s in self.samples if s.article is not None]
        lines = [f"doctor {self.source.slug} ({self.source.name}), window {self.window}",
                 "robots.txt:", *self.robots, "feeds and sitemaps:", *[d.line() for d in self.documents],
                 f"article URLs in the window passing allow/deny: {len(self.articles)}",
                 f"sample: {len(self.samples)} fetched, {len(extracted)} extracted as articles", *[
                     s.line() for s in self.samples]]
        if extracted:
            n = len(extracted)
            lines.append(f"completeness: title {sum(bool(a.title) for a in extracted)}/{n}, "
                         f"date {sum(a.published_at is not None for a in extracted)}/{n}, "
                         f"author {sum(bool(a.authors) for a in extracted)}/{n}, "
                         f"body >= {MIN_BODY_WORDS} words {sum(a.word_count >= MIN_BODY_WORDS for a in extracted)}/{n}")
        problems = self.problems()
        lines.append("verdict: " + ("looks usable" if not problems else "PROBLEMS:"))
        lines.extend(f"  - {p}" for p in problems)
        return "\n".join(lines)


RobotsByHost = dict[str, urllib.robotparser.RobotFileParser | None]


def check_robots(source: Source, fetcher: Fetcher) -> tuple[list[str], RobotsByHost]:
    """One line per host, and a parser per host (None: nothing may be fetched there)."""
    from scrapers.settings import ROBOTSTXT_USER_AGENT

    lines: list[str] = []
    parsers: RobotsByHost = {}
    hosts = {urlsplit(u).hostname or "" for u in (*source.discovery.feeds, *source.discovery.sitemaps,
                                                    *source.discovery.dated_sitemaps)} | set(source.domains)
    configured = {*source.discovery.sitemaps, *source.discovery.dated_sitemaps}
    for host in sorted(hosts):
        url = f"https://{host}/robots.txt"
        answer = fetcher.fetch(url)
        parser: urllib.robotparser.RobotFileParser | None = urllib.robotparser.RobotFileParser(url)
        if answer.ok:
            parser.parse(answer.body.decode("utf-8", "replace").splitlines())  # type: ignore[union-attr]
            verdict = "rules read"
        elif answer.status is not None and 400 <= answer.status < 500:
            parser.allow_all = True  # type: ignore[union-attr]
            verdict = "none (4xx: everything allowed)"
        else:
            parser = None
            verdict = "unreachable: nothing may be fetched from this host (RFC 9309)"
        parsers[host] = parser
        lines.append(f"  {url}: {answer.describe()}; {verdict} [user agent {ROBOTSTXT_USER_AGENT}]")
        # What the site itself declares: a configured sitemap that 404s is usually a guessed path.
        declared = (parser.site_maps() if parser is not None and answer.ok else None) or []
        unused = [u for u in declared if u not in configured]
        if unused:
            lines.append(f"    declares sitemap(s) not configured: {', '.join(unused)}")
    return lines, parsers


def diagnose(source: Source, window: Window, fetcher: Fetcher, sample: int) -> Diagnosis:
    from scrapers.settings import ROBOTSTXT_USER_AGENT

    diagnosis = Diagnosis(source, window)
    diagnosis.robots, robots = check_robots(source, fetcher)

    def allowed(url: str) -> bool:
        host = urlsplit(url).hostname or ""
        if host not in robots:
            return True  # a host whose robots.txt was not read: not one of the source's
        parser = robots[host]
        return parser is not None and parser.can_fetch(ROBOTSTXT_USER_AGENT, url)

    def fetch(url: str) -> Answer:
        return fetcher.fetch(url) if allowed(url) else Answer(url, None, error="disallowed by robots.txt")

    found: dict[str, None] = {}
    documents = [("feed", u) for u in source.discovery.feeds]
    dated = expand_dated_sitemaps(source.discovery.dated_sitemaps, window, source.timezone)
    documents += [("sitemap", u) for u in (*source.discovery.sitemaps, *dated)]
    children_left = MAX_CHILD_SITEMAPS
    while documents:
        kind, url = documents.pop(0)
        answer = fetch(url)
        report = DocumentReport(kind, url, answer.describe())
        diagnosis.documents.append(report)
        if not answer.ok:
            continue
        if kind == "feed":
            items = parse_feed(answer.body)
        else:
            parsed = parse_sitemap(answer.body)
            items = parsed.urls
            for child in parsed.child_sitemaps:
                if children_left > 0 and (child.published is None or in_window(child, source, window)):
                    documents.append(("sitemap", child.url))
                    children_left -= 1
            if parsed.child_sitemaps and not items:
                report.answer += f" (index of {len(parsed.child_sitemaps)})"
        _count(report, items, source, window, found)
    diagnosis.articles = list(found)
    for url in diagnosis.articles[:sample]:
        diagnosis.samples.append(_sample(url, fetch(url), source))
    return diagnosis


def _count(report: DocumentReport, items: list[Discovered], source: Source, window: Window,
           found: dict[str, None]) -> None:
    report.listed = len(items)
    for item in items:
        if not in_window(item, source, window):
            continue
        report.in_window += 1
        url, why = candidate(item, source, window)
        if url is None:
            report.rejected[why] = report.rejected.get(why, 0) + 1
        else:
            report.passing += 1
            found.setdefault(url)


def _sample(url: str, answer: Answer, source: Source) -> SampleReport:
    if not answer.ok:
        return SampleReport(url, None, answer.describe())
    hints = ExtractionHints(prune_xpaths=source.prune_xpaths, naive_timezone=source.timezone,
                            language=source.language)
    result = extract_article(decode_html(answer.body, answer.content_type), url, source=source.slug,
                             fetched_at=datetime.now(UTC), hints=hints)
    if isinstance(result, Article):
        return SampleReport(url, result)
    return SampleReport(url, None, f"not loaded as an article: {result.reason} {result.detail}".strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="the source's slug")
    parser.add_argument("--replay", help="WARC file, glob or comma list to replay instead of the network")
    parser.add_argument("--since", help="window start, YYYY-MM-DD (default: yesterday, UTC)")
    parser.add_argument("--until", help="window end, YYYY-MM-DD, included")
    parser.add_argument("--sample", type=int, default=5, help="article pages to fetch and extract (5)")
    args = parser.parse_args(argv)
    sources = load_sources()
    source = sources.get(args.source)
    if source is None:
        print(f"unknown source {args.source!r}; configured: {', '.join(sorted(sources))}", file=sys.stderr)
        return 2
    window = window_from_args(args.since, args.until)
    if args.replay:
        fetcher: Fetcher = ReplayFetcher(args.replay, source)
    else:
        from scrapers.settings import USER_AGENT

        fetcher = LiveFetcher(USER_AGENT)
    diagnosis = diagnose(source, window, fetcher, args.sample)
    print(diagnosis.report())
    return 1 if diagnosis.problems() else 0


if __name__ == "__main__":
    sys.exit(main())
