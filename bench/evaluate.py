"""Score the project's extraction against saved pages with expected output.

``python -m bench.evaluate [--corpus DIR]`` runs every page through the same code path
the pipeline uses (``ExtractionPool`` -> ``extract_one`` -> ``decode_html`` + ``extract_article``),
writes one JSON line of predictions per page to a path it prints, prints the scores per set,
and exits 1 when a score is below its floor in ``bench/eval_floors.toml``.

A corpus is a folder of sets, or one set: a set holds ``cases.jsonl`` and ``pages/`` (gzipped
HTML), the format of ``../shared/corpus`` (see its README, which also defines the metrics
implemented here). Where the default corpus is absent the evaluation says so and exits 0.

``--extractor trafilatura`` scores plain trafilatura (``bare_extraction`` with metadata, no
comments) through the same harness, for comparison.
"""

from __future__ import annotations

import argparse
import gzip
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

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
DEFAULT_FLOORS = Path(__file__).with_name("eval_floors.toml")
DEFAULT_OUTPUT_DIR = REPO_ROOT / ".data" / "eval"
# Pages without a crawl date (the aeb set) are judged as if fetched at this fixed moment, so
# that a run today and a run next year give the same output (dates after it are "future").
UNDATED_FETCH_TIME = datetime(2030, 1, 1, tzinfo=UTC)
METRICS = ("body_f1", "title_exact", "date", "authors")
_WORD_RE = re.compile(r"\w+")
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
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # metric -> (right, scored)

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
    context = multiprocessing.get_context("forkserver")
    with context.Pool(workers) as pool:
        return pool.map(_plain_trafilatura_one, [(c, read_page(c)) for c in cases], chunksize=4)


# --- scoring ---------------------------------------------------------------------------------


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Word 4-gram counts of a text, words being ``\\w+`` runs."""
    words = _WORD_RE.findall(text or "")
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


def same_title(predicted: str | None, expected: str) -> bool:
    """Exact after collapsing whitespace and case-folding."""
    return _fold(predicted or "") == _fold(expected)


def same_day(predicted: str | None, expected: str) -> bool:
    """The same calendar day in UTC (naive values are taken as UTC)."""
    if not predicted:
        return False
    try:
        return _utc(predicted).date() == _utc(expected).date()
    except ValueError:
        return False


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
    checks = {
        "title_exact": ("title", lambda p, e: same_title(p.title, e)),
        "date": ("published_at", lambda p, e: same_day(p.published_at, e)),
        "authors": ("authors", lambda p, e: same_authors(p.authors, e)),
    }
    for metric, (key, check) in checks.items():
        judged = [check(p, c.expected[key]) for c, p in zip(cases, predictions) if c.expected.get(key) is not None]
        if judged:
            setattr(score, metric, sum(judged) / len(judged))
            score.counts[metric] = (sum(judged), len(judged))
    return score


# --- floors and report ------------------------------------------------------------------------


def load_floors(path: Path) -> dict[str, dict[str, float]]:
    """Floors per set and metric from a TOML file: ``[fundus] body_f1 = 0.97``."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    floors: dict[str, dict[str, float]] = {}
    for set_name, table in data.items():
        if not isinstance(table, dict):
            raise ValueError(f"{path}: [{set_name}] must be a table of metric = floor")
        for metric, value in table.items():
            if metric not in METRICS or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"{path}: [{set_name}] {metric} = {value!r}: metrics are {METRICS}, floors 0..1")
        floors[set_name] = {m: float(v) for m, v in table.items()}
    return floors


def below_floors(scores: Iterable[SetScore], floors: Mapping[str, Mapping[str, float]]) -> list[str]:
    """One message per metric under its floor (a floored metric that was not measured counts)."""
    failures: list[str] = []
    for score in scores:
        for metric, floor in floors.get(score.name, {}).items():
            value = score.metric(metric)
            if value is None or value < floor:
                shown = "not measured" if value is None else f"{value:.4f}"
                failures.append(f"{score.name} {metric}: {shown} < floor {floor:.4f}")
    return failures


def format_table(scores: Iterable[SetScore]) -> str:
    """A Markdown table of the scores, one row per set."""
    rows = ["| set | cases | rejected | body P | body R | body F1 | title exact | date | authors |",
            "|---|---|---|---|---|---|---|---|---|"]
    for s in scores:
        cells = [s.body_precision, s.body_recall, s.body_f1, s.title_exact, s.date, s.authors]
        shown = ["–" if v is None else f"{v:.3f}" for v in cells]
        rows.append(f"| {s.name} | {s.cases} | {s.rejected} | " + " | ".join(shown) + " |")
    return "\n".join(rows)


@dataclass(frozen=True)
class EvalResult:
    scores: list[SetScore]
    output: Path
    failures: list[str]
    seconds: float


def evaluate(
    corpus: Path,
    *,
    output: Path | None = None,
    floors: Mapping[str, Mapping[str, float]] | None = None,
    workers: int | None = None,
    extractor: str = "project",
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
    scores: list[SetScore] = []
    start = 0
    for name, cases in sets:
        scores.append(score_set(name, cases, predictions[start : start + len(cases)]))
        start += len(cases)
    failures = below_floors(scores, floors or {})
    return EvalResult(scores, output, failures, time.monotonic() - started)


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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    corpus = args.corpus or DEFAULT_CORPUS
    if not corpus.is_dir():
        if args.corpus is None:
            print(f"[eval] no corpus at {corpus} (../shared is absent): evaluation skipped")
            return 0
        print(f"[eval] --corpus {corpus} is not a folder", file=sys.stderr)
        return 2
    floors = {} if args.no_floors or args.extractor != "project" else load_floors(args.floors)
    try:
        result = evaluate(corpus, output=args.output, floors=floors, workers=args.workers, extractor=args.extractor)
    except CorpusError as exc:
        print(f"[eval] {exc}", file=sys.stderr)
        return 2
    print(f"[eval] {args.extractor} extraction of {sum(s.cases for s in result.scores)} pages "
          f"in {result.seconds:.0f}s; predictions: {result.output}")
    print(format_table(result.scores))
    for failure in result.failures:
        print(f"[eval] BELOW FLOOR: {failure}", file=sys.stderr)
    if floors and not result.failures:
        print(f"[eval] every score is at or above its floor in {args.floors}")
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
