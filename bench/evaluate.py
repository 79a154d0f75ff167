"""Score the project's extraction against saved pages with expected output.

``python -m bench.evaluate [--corpus DIR]`` runs every page through the same code path
the pipeline uses (``ExtractionPool`` -> ``extract_one`` -> ``decode_html`` + ``extract_article``),
writes one JSON line of predictions per page to a path it prints, prints the scores per set,
and exits 1 when a score is below its floor in ``bench/eval_floors.toml``.

A corpus is a folder of sets, or one set: a set holds ``cases.jsonl`` and ``pages/`` (gzipped
HTML), the format of ``../shared/corpus`` (see its README, which also defines the metrics
implemented here). Where the default corpus is absent the evaluation says so and exits 0.

``--extractor trafilatura`` scores plain trafilatura (``bare_extraction`` with metadata, no
comments) through the same harness, for comparison. The project's run is always set beside
plain trafilatura's on the same pages (cached in ``.data/eval`` by page content and
trafilatura version): every page whose body F1 is more than ``WORSE_MARGIN`` below
trafilatura's is listed with the rule that removed the text, where a rule did, and scores are
also given per publisher. ``--explain CASE_ID`` shows, for one page, which rule removed
which lines.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import multiprocessing
import re
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from transforms.article import Article, Rejected
from transforms.extract.extractor import ExtractionHints
from transforms.extract.pool import ExtractionPool, PageJob
from transforms.extract.trace import Removal, recording
from transforms.normalize import WORD_RE

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
DEFAULT_FLOORS = Path(__file__).with_name("eval_floors.toml")
DEFAULT_OUTPUT_DIR = REPO_ROOT / ".data" / "eval"
# Pages without a crawl date (the aeb set) are judged as if fetched at this fixed moment, so
# that a run today and a run next year give the same output (dates after it are "future").
UNDATED_FETCH_TIME = datetime(2030, 1, 1, tzinfo=UTC)
METRICS = ("body_f1", "title_exact", "date", "authors", "pages_worse")
# Metrics whose floor is a ceiling: the score must not be above it.
CEILING_METRICS = frozenset({"pages_worse"})
SHINGLE_SIZE = 4


class CorpusError(ValueError):
    """The corpus folder is not in the expected format; the message names the file."""


@dataclass(frozen=True)
class Case:
    """One saved page and what extraction should find in it."""

    set_name: str
    id: str
    path: Path
    url: str
    fetched_at: datetime
    expected: Mapping[str, Any]
    publisher: str = ""


@dataclass(frozen=True)
class Prediction:
    """What extraction returned for one case, as written to the predictions file."""

    id: str
    set: str
    status: str  # "article" or "rejected"
    reason: str | None = None
    body: str = ""
    title: str | None = None
    authors: tuple[str, ...] = ()
    published_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> str:
        record = {
            "id": self.id, "set": self.set, "status": self.status, "reason": self.reason,
            "body": self.body, "title": self.title, "authors": list(self.authors),
            "published_at": self.published_at, **self.extra,
        }
        return json.dumps(record, ensure_ascii=False, sort_keys=False)


@dataclass
class SetScore:
    """Scores of one set; a metric is None where no case of the set has an expectation for it."""

    name: str
    cases: int = 0
    rejected: int = 0
    body_precision: float | None = None
    body_recall: float | None = None
    body_f1: float | None = None
    title_exact: float | None = None
    date: float | None = None
    authors: float | None = None
    pages_worse: int | None = None  # pages whose body F1 is WORSE_MARGIN below plain trafilatura's
    # ... of which rejected as not articles where the expectation is no full article (not counted)
    rejected_not_article: int | None = None
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # metric -> (right, scored)
    # Expectations no prediction can match ("2022-29-11" as a date), left out of the metric: (case id, key)
    unreadable: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def metric(self, name: str) -> float | None:
        return getattr(self, name)


# --- the corpus ---------------------------------------------------------------------------------


def find_sets(corpus: Path) -> list[Path]:
    """Set folders of a corpus: the folder itself if it holds cases.jsonl, else its subfolders."""
    if (corpus / "cases.jsonl").is_file():
        return [corpus]
    sets = sorted(p for p in corpus.iterdir() if (p / "cases.jsonl").is_file())
    if not sets:
        raise CorpusError(f"{corpus}: no cases.jsonl in it or in any subfolder; see ../shared/corpus/README.md")
    return sets


def load_cases(set_dir: Path) -> list[Case]:
    """The cases of one set, in file order."""
    cases: list[Case] = []
    lines = (set_dir / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{set_dir / 'cases.jsonl'}:{number}"
        try:
            raw = json.loads(line)
            case = Case(
                set_name=set_dir.name,
                id=str(raw["id"]),
                path=set_dir / "pages" / raw["file"],
                url=str(raw["url"]),
                fetched_at=_fetch_time(raw.get("crawl_date")),
                expected=raw.get("expected") or {},
                publisher=str(raw.get("publisher") or urlsplit(str(raw["url"])).hostname or "unknown"),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CorpusError(f"{where}: not a case ({type(exc).__name__}: {exc})") from exc
        if not case.path.is_file():
            raise CorpusError(f"{where}: page file {case.path} is missing")
        cases.append(case)
    return cases


def _fetch_time(raw: str | None) -> datetime:
    """The case's crawl date as aware UTC (naive values are UTC); a fixed time when absent."""
    if not raw:
        return UNDATED_FETCH_TIME
    moment = datetime.fromisoformat(raw)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def read_page(case: Case) -> bytes:
    """The page as captured (gzip-compressed on disk, or plain)."""
    data = case.path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


# --- running the extraction --------------------------------------------------------------------


def hints_by_domain() -> dict[str, tuple[str, ExtractionHints]]:
    """Configured sources by domain: a page on a source's domain gets that source's hints.

    This is what the pipeline does for pages it crawls itself; pages of other sites get the
    defaults, as a newly added source without extraction settings would.
    """
    from common.sources import load_sources  # the registry; imported late to keep this module light
    from transforms.load.run import hints_for

    found: dict[str, tuple[str, ExtractionHints]] = {}
    for source in load_sources().values():
        hints = hints_for(source)
        for domain in source.domains:
            found[domain] = (source.slug, hints)
    return found


def jobs_for(cases: Sequence[Case], by_domain: Mapping[str, tuple[str, ExtractionHints]]) -> Iterator[PageJob]:
    """One pipeline job per case, keyed by the case's position."""
    for index, case in enumerate(cases):
        host = (urlsplit(case.url).hostname or "").lower()
        slug, hints = by_domain.get(host, (f"eval:{case.set_name}", ExtractionHints()))
        yield PageJob(key=index, url=case.url, body=read_page(case), content_type=None,
                      source=slug, fetched_at=case.fetched_at, hints=hints)


def predict(cases: Sequence[Case], workers: int | None = None) -> list[Prediction]:
    """Predictions of the project's extraction for every case, in case order."""
    by_domain = hints_by_domain()
    predictions: list[Prediction] = []
    with ExtractionPool(workers) as pool:
        for job, result in pool.map(jobs_for(cases, by_domain)):
            predictions.append(_prediction(cases[job.key], result))
    return predictions


def _prediction(case: Case, result: Article | Rejected) -> Prediction:
    if isinstance(result, Rejected):
        return Prediction(case.id, case.set_name, "rejected", reason=result.reason,
                          extra={"detail": result.detail})
    extra = {
        "url": result.url,
        "description": result.description,
        "modified_at": _iso(result.modified_at),
        "language": result.language,
        "section": result.section,
        "tags": list(result.tags),
        "image_url": result.image_url,
        "canonical_url": result.canonical_url,
        "original_source": result.original_source,
        "word_count": result.word_count,
        "flags": list(result.flags),
    }
    return Prediction(case.id, case.set_name, "article", body=result.body, title=result.title,
                      authors=result.authors, published_at=_iso(result.published_at), extra=extra)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _plain_trafilatura_one(args: tuple[Case, bytes]) -> Prediction:
    """Plain trafilatura 2.x on one page, as the corpus README measured it (the baseline)."""
    import trafilatura
    from trafilatura.settings import Document

    case, html = args
    document = trafilatura.bare_extraction(html, url=case.url, include_comments=False, with_metadata=True)
    if not isinstance(document, Document):
        return Prediction(case.id, case.set_name, "rejected", reason="no_content")
    authors = tuple(a.strip() for a in (document.author or "").split(";") if a.strip())
    return Prediction(case.id, case.set_name, "article", body=document.text or "", title=document.title,
                      authors=authors, published_at=document.date)


def predict_plain_trafilatura(cases: Sequence[Case], workers: int | None = None) -> list[Prediction]:
    """Baseline predictions: trafilatura on the raw bytes, no project code, in case order."""
    if not cases:
        return []
    context = multiprocessing.get_context("forkserver")
    with context.Pool(workers) as pool:
        return pool.map(_plain_trafilatura_one, [(c, read_page(c)) for c in cases], chunksize=4)


def _page_key(case: Case) -> str:
    return f"{case.set_name}/{case.id}/{hashlib.sha256(case.path.read_bytes()).hexdigest()}/{case.url}"


def _prediction_from_record(record: Mapping[str, Any]) -> Prediction:
    return Prediction(
        id=record["id"], set=record["set"], status=record["status"], reason=record.get("reason"),
        body=record.get("body") or "", title=record.get("title"), authors=tuple(record.get("authors") or ()),
        published_at=record.get("published_at"),
    )


def cached_plain_trafilatura(cases: Sequence[Case], cache_dir: Path, workers: int | None = None) -> list[Prediction]:
    """Plain trafilatura's predictions, computed once per page content and trafilatura version.

    The baseline never changes while the pages and trafilatura do not, and computing it costs
    as much as the project's own run; a cache entry that does not parse is computed again.
    """
    import trafilatura

    cache = cache_dir / f"trafilatura-{trafilatura.__version__}.jsonl"
    known: dict[str, Prediction] = {}
    if cache.is_file():
        for line in cache.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
                known[record["key"]] = _prediction_from_record(record)
            except (ValueError, KeyError, TypeError):
                logger.warning("skipping a damaged line of %s", cache)
    keys = [_page_key(case) for case in cases]
    missing = [(key, case) for key, case in zip(keys, cases) if key not in known]
    if missing:
        fresh = predict_plain_trafilatura([case for _, case in missing], workers)
        cache_dir.mkdir(parents=True, exist_ok=True)
        with cache.open("a", encoding="utf-8") as out:
            for (key, _), prediction in zip(missing, fresh):
                known[key] = prediction
                record = json.loads(prediction.as_json())
                out.write(json.dumps({"key": key, **record}, ensure_ascii=False) + "\n")
    return [known[key] for key in keys]


# --- scoring ---------------------------------------------------------------------------------


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Word 4-gram counts of a text, words being ``\\w+`` runs."""
    words = WORD_RE.findall(text or "")
    return Counter(tuple(words[i : i + SHINGLE_SIZE]) for i in range(len(words) - SHINGLE_SIZE + 1))


def body_scores(pairs: Iterable[tuple[str, str]]) -> tuple[float, float, float]:
    """Precision, recall and F1 of predicted vs expected bodies, the benchmark's way.

    Per page, precision and recall from shingle-count overlaps; precision is averaged over
    pages with any predicted shingle, recall over pages with any expected shingle.
    """
    precisions: list[float] = []
    recalls: list[float] = []
    for predicted, expected in pairs:
        got, want = shingles(predicted), shingles(expected)
        overlap = sum((got & want).values())
        if got:
            precisions.append(overlap / sum(got.values()))
        if want:
            recalls.append(overlap / sum(want.values()))
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass(frozen=True)
class SnippetCounts:
    """trafilatura's evaluation counts for one page or a sum of pages."""

    tp: int = 0  # `with` snippets found
    fn: int = 0  # `with` snippets missing
    fp: int = 0  # `without` snippets found
    tn: int = 0  # `without` snippets missing

    def __add__(self, other: SnippetCounts) -> SnippetCounts:
        return SnippetCounts(self.tp + other.tp, self.fn + other.fn, self.fp + other.fp, self.tn + other.tn)


def _has_snippets(expected: Mapping[str, Any]) -> bool:
    return bool(expected.get("with") or expected.get("without"))


def _collapsed(text: str) -> str:
    return " ".join((text or "").split())


def snippet_counts(text: str, expected: Mapping[str, Any]) -> SnippetCounts:
    """Which ``with`` / ``without`` snippets the text holds (whitespace collapsed, exact substring)."""
    haystack = _collapsed(text)
    found_with = [_collapsed(s) in haystack for s in expected.get("with") or ()]
    found_without = [_collapsed(s) in haystack for s in expected.get("without") or ()]
    return SnippetCounts(
        tp=sum(found_with), fn=len(found_with) - sum(found_with),
        fp=sum(found_without), tn=len(found_without) - sum(found_without),
    )


def snippet_scores(pages: Iterable[tuple[str, Mapping[str, Any]]]) -> tuple[float, float, float]:
    """Precision, recall and F1 with counts summed over all pages (trafilatura's evaluation)."""
    total = SnippetCounts()
    for text, expected in pages:
        total = total + snippet_counts(text, expected)
    precision = total.tp / (total.tp + total.fp) if total.tp + total.fp else 0.0
    recall = total.tp / (total.tp + total.fn) if total.tp + total.fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def page_f1(text: str, expected: Mapping[str, Any]) -> float | None:
    """One page's body F1 by its set's metric (shingles for a full body, else snippets);
    None where the case expects no body."""
    if expected.get("body"):
        got, want = shingles(text), shingles(expected["body"])
        overlap = sum((got & want).values())
        total = sum(got.values()) + sum(want.values())
        return 2 * overlap / total if total else 1.0
    if _has_snippets(expected):
        counts = snippet_counts(text, expected)
        judged = 2 * counts.tp + counts.fp + counts.fn
        return 2 * counts.tp / judged if judged else 1.0
    return None


def same_title(predicted: str | None, expected: str) -> bool:
    """Exact after collapsing whitespace and case-folding."""
    return _fold(predicted or "") == _fold(expected)


def same_day(predicted: str | None, expected: str) -> bool:
    """The same calendar day: in UTC when the expectation is a moment (naive values are UTC);
    where it is a bare day ("2022-02-08", the page's own local day, as in the traf set), the
    day of the prediction in the offset it was given with, the page's own."""
    if not predicted:
        return False
    try:
        if _is_bare_day(expected):
            return datetime.fromisoformat(predicted.strip()).date() == datetime.fromisoformat(expected.strip()).date()
        return _utc(predicted).date() == _utc(expected).date()
    except ValueError:
        return False


def is_readable_date(expected: str) -> bool:
    """Whether an expected date is an ISO 8601 date or moment. A key such as "2022-29-11" or
    "2022-11-1" (seen in the traf set) could be a swap or a truncation; no extractor can match it,
    so it is listed apart rather than counted as every extractor's miss."""
    try:
        datetime.fromisoformat(expected.strip())
    except ValueError:
        return False
    return True


def _is_bare_day(text: str) -> bool:
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()) is not None


def same_authors(predicted: Iterable[str], expected: Iterable[str]) -> bool:
    """The same set of names, case-folded."""
    return {_fold(a) for a in predicted} == {_fold(a) for a in expected}


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip())
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def score_set(name: str, cases: Sequence[Case], predictions: Sequence[Prediction]) -> SetScore:
    """Every metric for which the set has expectations."""
    score = SetScore(name=name, cases=len(cases), rejected=sum(p.status != "article" for p in predictions))
    bodies = [(p.body, c.expected["body"]) for c, p in zip(cases, predictions) if c.expected.get("body")]
    if bodies:
        score.body_precision, score.body_recall, score.body_f1 = body_scores(bodies)
    snippets = [(p.body, c.expected) for c, p in zip(cases, predictions) if _has_snippets(c.expected)]
    if snippets and not bodies:
        score.body_precision, score.body_recall, score.body_f1 = snippet_scores(snippets)
    checks = {
        "title_exact": ("title", lambda p, e: same_title(p.title, e)),
        "date": ("published_at", lambda p, e: same_day(p.published_at, e)),
        "authors": ("authors", lambda p, e: same_authors(p.authors, e)),
    }
    for metric, (key, check) in checks.items():
        expected = [(c, p, c.expected[key]) for c, p in zip(cases, predictions) if c.expected.get(key) is not None]
        if key == "published_at":
            readable = [is_readable_date(e) for _, _, e in expected]
            if unreadable := [(c.id, e) for (c, _, e), ok in zip(expected, readable) if not ok]:
                score.unreadable[metric] = unreadable
            expected = [item for item, ok in zip(expected, readable) if ok]
        judged = [check(p, e) for _, p, e in expected]
        if judged:
            setattr(score, metric, sum(judged) / len(judged))
            score.counts[metric] = (sum(judged), len(judged))
    return score


# --- explaining one page --------------------------------------------------------------------

# Lines trafilatura kept that the project's run never had: its own trafilatura runs
# (precision mode, the page pruned of furniture by shape) did not return them.
NOT_RETURNED = "not returned by the pipeline's trafilatura runs"


@dataclass(frozen=True)
class Explanation:
    """What the project did with one page: the lines each rule removed, and which of the
    lines plain trafilatura kept are missing from the body, and why."""

    case: Case
    result: Article | Rejected
    removals: list[Removal]
    baseline: Prediction
    lost: list[tuple[str, str]]  # (line plain trafilatura kept, the rule that removed it)

    def main_rule(self) -> str:
        """The rule that removed the most words of what plain trafilatura kept."""
        if isinstance(self.result, Rejected):
            return self.result.reason
        words: Counter[str] = Counter()
        for line, rule in self.lost:
            words[rule] += len(WORD_RE.findall(line))
        return words.most_common(1)[0][0] if words else "none (different text, no line lost)"


def _line_key(text: str) -> str:
    return " ".join(WORD_RE.findall(text.casefold()))


def explain_case(case: Case, baseline: Prediction | None = None) -> Explanation:
    """Extract one page in this process with the rules' removals recorded."""
    from transforms.extract.decoding import decode_html
    from transforms.extract.extractor import extract_article

    page = read_page(case)
    host = (urlsplit(case.url).hostname or "").lower()
    slug, hints = hints_by_domain().get(host, (f"eval:{case.set_name}", ExtractionHints()))
    with recording() as removals:
        result = extract_article(decode_html(page, None), case.url, source=slug, fetched_at=case.fetched_at,
                                 hints=hints)
    baseline = baseline or _plain_trafilatura_one((case, page))
    body = _line_key(result.body) if isinstance(result, Article) else ""
    removed_by_key = {_line_key(r.line): r.rule for r in removals}
    lost: list[tuple[str, str]] = []
    for line in baseline.body.split("\n"):
        key = _line_key(line)
        if not key or key in body:
            continue
        rule = result.reason if isinstance(result, Rejected) else removed_by_key.get(key, NOT_RETURNED)
        lost.append((line, rule))
    return Explanation(case, result, removals, baseline, lost)


def format_explanation(explanation: Explanation) -> str:
    """The explanation as text for a terminal."""
    case, result = explanation.case, explanation.result
    out = [f"{case.id} ({case.set_name}, {case.publisher}) {case.url}"]
    if isinstance(result, Rejected):
        out.append(f"REJECTED: {result.reason} ({result.detail})")
    else:
        out.append(f"body: {result.word_count} words; title {result.title!r}; published {_iso(result.published_at)}; "
                   f"authors {list(result.authors)}; flags {list(result.flags)}")
    f1 = page_f1(result.body if isinstance(result, Article) else "", case.expected)
    base = page_f1(explanation.baseline.body, case.expected)
    if f1 is not None and base is not None:
        out.append(f"page body F1 {f1:.3f}; plain trafilatura {base:.3f}")
    out.append(f"lines removed by rules ({len(explanation.removals)}):")
    out.extend(f"  [{r.rule}] {r.line[:160]}" for r in explanation.removals)
    out.append(f"lines plain trafilatura kept that the body lacks ({len(explanation.lost)}):")
    out.extend(f"  [{rule}] {line[:160]}" for line, rule in explanation.lost)
    return "\n".join(out)


# --- floors and report ------------------------------------------------------------------------


def load_floors(path: Path) -> dict[str, dict[str, float]]:
    """Floors per set and metric from a TOML file: ``[fundus] body_f1 = 0.97``; a ceiling
    metric (``pages_worse = 2``) is a count of pages."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    floors: dict[str, dict[str, float]] = {}
    for set_name, table in data.items():
        if not isinstance(table, dict):
            raise ValueError(f"{path}: [{set_name}] must be a table of metric = floor")
        for metric, value in table.items():
            if metric in CEILING_METRICS:
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ValueError(f"{path}: [{set_name}] {metric} = {value!r}: a ceiling counts pages, 0 or more")
            elif metric not in METRICS or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"{path}: [{set_name}] {metric} = {value!r}: metrics are {METRICS}, floors 0..1")
        floors[set_name] = {m: float(v) for m, v in table.items()}
    return floors


def below_floors(scores: Iterable[SetScore], floors: Mapping[str, Mapping[str, float]]) -> list[str]:
    """One message per metric under its floor (a floored metric that was not measured counts)."""
    failures: list[str] = []
    for score in scores:
        for metric, floor in floors.get(score.name, {}).items():
            value = score.metric(metric)
            if metric in CEILING_METRICS:
                if value is None or value > floor:
                    shown = "not measured" if value is None else f"{value}"
                    failures.append(f"{score.name} {metric}: {shown} > ceiling {floor:g}")
            elif value is None or value < floor:
                shown = "not measured" if value is None else f"{value:.4f}"
                failures.append(f"{score.name} {metric}: {shown} < floor {floor:.4f}")
    return failures


def format_table(scores: Iterable[SetScore]) -> str:
    """A Markdown table of the scores, one row per set."""
    rows = ["| set | cases | rejected | body P | body R | body F1 | title exact | date | authors "
            "| worse than trafilatura | rejected as not articles |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in scores:
        cells = [s.body_precision, s.body_recall, s.body_f1, s.title_exact, s.date, s.authors]
        shown = ["–" if v is None else f"{v:.3f}" for v in cells]
        worse = "–" if s.pages_worse is None else str(s.pages_worse)
        not_articles = "–" if s.rejected_not_article is None else str(s.rejected_not_article)
        rows.append(f"| {s.name} | {s.cases} | {s.rejected} | " + " | ".join(shown) + f" | {worse} | {not_articles} |")
    return "\n".join(rows)


def format_unreadable(scores: Iterable[SetScore]) -> list[str]:
    """The expectations left out of a metric because they are not dates, one line per set and metric."""
    return [f"{s.name} {metric}: {len(keys)} expected values are not dates, not scored: "
            + ", ".join(f"{case_id} {key!r}" for case_id, key in keys)
            for s in scores for metric, keys in s.unreadable.items()]


def format_comparison(result: EvalResult, publishers_shown: int = 10) -> str:
    """The pages far below plain trafilatura, and the publishers furthest below it."""
    rejected = [w for w in result.worse if w.not_article]
    worse = [w for w in result.worse if not w.not_article]
    out = [f"pages with body F1 more than {WORSE_MARGIN} below plain trafilatura's: {len(worse)}"]
    out.extend(f"  {w.case.set_name} {w.case.id} ({w.case.publisher}): {w.f1:.3f} vs {w.baseline_f1:.3f}, "
               f"removed by: {w.rule}" for w in worse)
    out.append(f"rejected as not an article (expected body under {NOT_ARTICLE_MAX_EXPECTED_WORDS} words or "
               f"snippets only; not counted above): {len(rejected)}")
    out.extend(f"  {w.case.set_name} {w.case.id} ({w.case.publisher}): {w.rule}, "
               f"plain trafilatura {w.baseline_f1:.3f}" for w in rejected)
    behind = sorted((p for p in result.publishers if p.baseline_f1 is not None),
                    key=lambda p: p.f1 - (p.baseline_f1 or 0))
    if behind:
        out.append("publishers furthest below plain trafilatura (mean page body F1; all in the report):")
        out.extend(f"  {p.set_name} {p.publisher} ({p.pages} pages): {p.f1:.3f} vs {p.baseline_f1:.3f}"
                   for p in behind[:publishers_shown])
    return "\n".join(out)


def format_publishers(publishers: Iterable[PublisherScore]) -> str:
    """Every publisher's mean page body F1 beside plain trafilatura's, as a Markdown table."""
    rows = ["| set | publisher | pages | body F1 | plain trafilatura |", "|---|---|---|---|---|"]
    for p in publishers:
        base = "–" if p.baseline_f1 is None else f"{p.baseline_f1:.3f}"
        rows.append(f"| {p.set_name} | {p.publisher} | {p.pages} | {p.f1:.3f} | {base} |")
    return "\n".join(rows)


@dataclass(frozen=True)
class WorsePage:
    """A page where the project's body F1 is more than WORSE_MARGIN below plain trafilatura's."""

    case: Case
    f1: float
    baseline_f1: float
    rule: str  # what removed the text trafilatura kept, as far as the trace tells
    not_article: bool = False  # rejected as not an article, and the expectation agrees (``is_not_article``)


@dataclass(frozen=True)
class PublisherScore:
    set_name: str
    publisher: str
    pages: int
    f1: float  # mean page body F1
    baseline_f1: float | None


@dataclass(frozen=True)
class EvalResult:
    scores: list[SetScore]
    output: Path
    failures: list[str]
    seconds: float
    worse: list[WorsePage] = field(default_factory=list)
    publishers: list[PublisherScore] = field(default_factory=list)


# A page counts as worse than plain trafilatura when its body F1 is more than this below.
WORSE_MARGIN = 0.2
# An expected body under this many words is a teaser, a caption or a video's description: the
# page is no full article, and rejecting it as one (FAULTS 15) is right, not a loss. The same
# bound as the pipeline's paywall teaser; a longer expected body is a full text, and a page
# rejected with it counts as worse whatever the reason.
NOT_ARTICLE_MAX_EXPECTED_WORDS = 150


def is_not_article(case: Case, prediction: Prediction) -> bool:
    """Whether the pipeline rejected the page as not an article (a section front, a paywall
    teaser, a video page, a liveblog) and the expectation holds no full article's text.

    A set with snippets only (no expected body) is judged by the rejection alone; the reason is
    the markup's own statement (a CollectionPage, an og:type video, isAccessibleForFree=false).
    A short body (``empty_body``) is never one: short posts are articles.
    """
    if prediction.status != "rejected" or not (prediction.reason or "").startswith("not_article:"):
        return False
    body = case.expected.get("body")
    return not body or len(WORD_RE.findall(body)) < NOT_ARTICLE_MAX_EXPECTED_WORDS


def compare_with_baseline(
    cases: Sequence[Case], predictions: Sequence[Prediction], baseline: Sequence[Prediction]
) -> tuple[list[tuple[Case, float, float]], list[PublisherScore]]:
    """Pages far below the baseline, and mean page F1 per publisher beside the baseline's."""
    worse: list[tuple[Case, float, float]] = []
    by_publisher: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for case, mine, theirs in zip(cases, predictions, baseline):
        f1 = page_f1(mine.body, case.expected)
        if f1 is None:
            continue
        base = page_f1(theirs.body, case.expected) or 0.0
        by_publisher.setdefault((case.set_name, case.publisher), []).append((f1, base))
        if f1 < base - WORSE_MARGIN:
            worse.append((case, f1, base))
    publishers = [
        PublisherScore(set_name, publisher, len(pairs), sum(p for p, _ in pairs) / len(pairs),
                       sum(b for _, b in pairs) / len(pairs))
        for (set_name, publisher), pairs in sorted(by_publisher.items())
    ]
    return worse, publishers


def evaluate(
    corpus: Path,
    *,
    output: Path | None = None,
    floors: Mapping[str, Mapping[str, float]] | None = None,
    workers: int | None = None,
    extractor: str = "project",
    compare: bool = True,
    cache_dir: Path | None = None,
) -> EvalResult:
    """Run, write predictions, score every set of ``corpus``, and check the floors."""
    started = time.monotonic()
    sets = [(d.name, load_cases(d)) for d in find_sets(corpus)]
    all_cases = [case for _, cases in sets for case in cases]
    runner = predict if extractor == "project" else predict_plain_trafilatura
    predictions = runner(all_cases, workers)
    output = output or DEFAULT_OUTPUT_DIR / f"predictions-{extractor}.jsonl"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("".join(p.as_json() + "\n" for p in predictions), encoding="utf-8")
    worse: list[WorsePage] = []
    publishers: list[PublisherScore] = []
    if compare and extractor == "project":
        baseline = cached_plain_trafilatura(all_cases, cache_dir or output.parent, workers)
        far_below, publishers = compare_with_baseline(all_cases, predictions, baseline)
        by_id = {p.id: p for p in baseline}
        mine = {p.id: p for p in predictions}
        worse = [WorsePage(c, f1, base, explain_case(c, by_id[c.id]).main_rule(), is_not_article(c, mine[c.id]))
                 for c, f1, base in far_below]
    scores: list[SetScore] = []
    start = 0
    for name, cases in sets:
        score = score_set(name, cases, predictions[start : start + len(cases)])
        if compare and extractor == "project":
            score.pages_worse = sum(w.case.set_name == name and not w.not_article for w in worse)
            score.rejected_not_article = sum(w.case.set_name == name and w.not_article for w in worse)
        scores.append(score)
        start += len(cases)
    failures = below_floors(scores, floors or {})
    return EvalResult(scores, output, failures, time.monotonic() - started, worse, publishers)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None,
                        help=f"a corpus folder of sets, or one set (default: {DEFAULT_CORPUS})")
    parser.add_argument("--output", type=Path, default=None, help="where to write the predictions (JSON lines)")
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS, help="TOML floors per set and metric")
    parser.add_argument("--no-floors", action="store_true", help="print the scores only, never fail")
    parser.add_argument("--workers", type=int, default=None, help="extraction processes (default: one per core)")
    parser.add_argument("--extractor", choices=("project", "trafilatura"), default="project",
                        help="'trafilatura' scores plain trafilatura through the same harness, for comparison")
    parser.add_argument("--no-compare", action="store_true",
                        help="do not set the run beside plain trafilatura's (no pages-worse count or publisher table)")
    parser.add_argument("--explain", metavar="CASE_ID", default=None,
                        help="show which rule removed which lines of one case, and what plain trafilatura kept")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    corpus = args.corpus or DEFAULT_CORPUS
    if not corpus.is_dir():
        if args.corpus is None:
            print(f"[eval] no corpus at {corpus} (../shared is absent): evaluation skipped")
            return 0
        print(f"[eval] --corpus {corpus} is not a folder", file=sys.stderr)
        return 2
    if args.explain:
        return _explain(corpus, args.explain)
    floors = {} if args.no_floors or args.extractor != "project" else load_floors(args.floors)
    try:
        result = evaluate(corpus, output=args.output, floors=floors, workers=args.workers, extractor=args.extractor,
                          compare=not args.no_compare)
    except CorpusError as exc:
        print(f"[eval] {exc}", file=sys.stderr)
        return 2
    print(f"[eval] {args.extractor} extraction of {sum(s.cases for s in result.scores)} pages "
          f"in {result.seconds:.0f}s; predictions: {result.output}")
    print(format_table(result.scores))
    for line in format_unreadable(result.scores):
        print(f"[eval] {line}")
    if result.publishers:
        report = result.output.with_name(result.output.stem + "-publishers.md")
        report.write_text(format_publishers(result.publishers) + "\n", encoding="utf-8")
        print(format_comparison(result))
        print(f"[eval] per-publisher scores: {report}")
    for failure in result.failures:
        print(f"[eval] BELOW FLOOR: {failure}", file=sys.stderr)
    if floors and not result.failures:
        print(f"[eval] every score is at or above its floor in {args.floors}")
    return 1 if result.failures else 0


def _explain(corpus: Path, case_id: str) -> int:
    try:
        cases = [case for set_dir in find_sets(corpus) for case in load_cases(set_dir) if case.id == case_id]
    except CorpusError as exc:
        print(f"[eval] {exc}", file=sys.stderr)
        return 2
    if not cases:
        print(f"[eval] no case {case_id!r} in {corpus}", file=sys.stderr)
        return 2
    print(format_explanation(explain_case(cases[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
