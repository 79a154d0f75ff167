"""What each body rule did over a corpus: on which pages, and for which publishers, the lines
it removed were furniture, and where they were text the page's expectation holds.

``python -m bench.rule_ledger [--corpus DIR]`` extracts every page with the rules' removals
recorded (as ``python -m bench.evaluate --explain`` does for one page). For each rule that
removed lines from a page, the page's body F1 is scored again with those lines put back at the
body's end: lower with them back means the rule helped the page (the lines were furniture),
higher means it harmed it (the expectation holds them). The table gives, per rule, the pages
and publishers helped and harmed and its worst page; the rules that fall short of issue 17's
discipline are listed under it (helping fewer than two publishers, harming as many pages as
they help, or costing a page more than ``MAX_PAGE_HARM``).

The figure is an estimate: a rule's lines are put back alone, in one place, and a line a rule
removed from a reading the pipeline later set aside counts as if it had stayed out.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from bench.evaluate import (
    DEFAULT_CORPUS,
    DEFAULT_OUTPUT_DIR,
    Case,
    CorpusError,
    Prediction,
    explain_case,
    find_sets,
    load_cases,
    page_f1,
)
from bench.stages import progress_enabled
from transforms.article import Article

logger = logging.getLogger(__name__)

# A change of a page's F1 smaller than this is no change (rounding in the shingle counts).
NO_CHANGE = 0.001
# Issue 17's discipline: a rule helps pages of at least this many publishers ...
MIN_PUBLISHERS_HELPED = 2
# ... and makes no page worse by more than this.
MAX_PAGE_HARM = 0.05
DEFAULT_REPORT = DEFAULT_OUTPUT_DIR / "rules.md"
# The safety net's notes name a reading the pipeline swapped for a wider one: the lines it left
# are no furniture a rule took out, so they are shown but not judged by the discipline.
REPLACED_READINGS = ("safety_net", "not_prose", "recall_reading")


@dataclass(frozen=True)
class RuleEffect:
    """One rule on one page: the page's body F1 with the rule's lines put back, minus without."""

    rule: str
    case_id: str
    publisher: str
    change: float

    @property
    def helped(self) -> bool:
        return self.change < -NO_CHANGE

    @property
    def harmed(self) -> bool:
        return self.change > NO_CHANGE


@dataclass(frozen=True)
class RuleRow:
    """A rule's effects over the corpus."""

    rule: str
    pages: int
    helped: int
    harmed: int
    publishers_helped: int
    publishers_harmed: int
    worst_change: float  # the largest F1 the rule cost one page (0 where it harmed none)
    worst_case: str | None

    def concerns(self) -> list[str]:
        """How the rule falls short of the discipline, if it does."""
        if self.rule.split(" ", 1)[0] in REPLACED_READINGS:
            return []
        found = []
        if self.publishers_helped < MIN_PUBLISHERS_HELPED:
            found.append(f"helps {self.publishers_helped} publisher(s)")
        if self.harmed and self.harmed >= self.helped:
            found.append(f"harms {self.harmed} page(s), helps {self.helped}")
        if self.worst_change > MAX_PAGE_HARM:
            found.append(f"costs {self.worst_case} {self.worst_change:.2f} F1")
        return found


def page_effects(case: Case) -> list[RuleEffect]:
    """What each rule that removed lines from ``case``'s page did to its body F1."""
    # The baseline is not needed here: a placeholder spares explain_case plain trafilatura's run.
    explanation = explain_case(case, Prediction(case.id, case.set_name, "article"))
    if not isinstance(explanation.result, Article):
        return []
    body = explanation.result.body
    scored = page_f1(body, case.expected)
    if scored is None:
        return []
    removed: dict[str, list[str]] = defaultdict(list)
    for removal in explanation.removals:
        removed[removal.rule].append(removal.line)
    effects = []
    for rule, lines in removed.items():
        restored = page_f1("\n".join([body, *lines]), case.expected)
        effects.append(RuleEffect(rule, case.id, case.publisher, (restored or 0.0) - scored))
    return effects


def ledger(effects: Iterable[RuleEffect]) -> list[RuleRow]:
    """One row per rule, the rules removing lines from most pages first."""
    by_rule: dict[str, list[RuleEffect]] = defaultdict(list)
    for effect in effects:
        by_rule[effect.rule].append(effect)
    rows = []
    for rule, found in by_rule.items():
        harmed = [e for e in found if e.harmed]
        worst = max(harmed, key=lambda e: e.change, default=None)
        rows.append(RuleRow(
            rule=rule, pages=len(found), helped=sum(e.helped for e in found), harmed=len(harmed),
            publishers_helped=len({e.publisher for e in found if e.helped}),
            publishers_harmed=len({e.publisher for e in harmed}),
            worst_change=worst.change if worst else 0.0, worst_case=worst.case_id if worst else None,
        ))
    return sorted(rows, key=lambda r: (-r.pages, r.rule))


def format_ledger(rows: Sequence[RuleRow]) -> str:
    """The ledger as a Markdown table, with the rules that fall short of the discipline under it."""
    out = ["| rule | pages | helped | harmed | publishers helped | publishers harmed | worst page |",
           "|---|---|---|---|---|---|---|"]
    for r in rows:
        worst = f"{r.worst_case} (+{r.worst_change:.2f} with its lines back)" if r.worst_case else "–"
        out.append(f"| {r.rule} | {r.pages} | {r.helped} | {r.harmed} | {r.publishers_helped} "
                   f"| {r.publishers_harmed} | {worst} |")
    short = [(r.rule, r.concerns()) for r in rows if r.concerns()]
    out.append("")
    out.append(f"rules short of the discipline (help >= {MIN_PUBLISHERS_HELPED} publishers, harm fewer pages than "
               f"they help, cost no page more than {MAX_PAGE_HARM} F1): {len(short)}")
    out.extend(f"- {rule}: {'; '.join(concerns)}" for rule, concerns in short)
    return "\n".join(out)


def measure(cases: Sequence[Case], workers: int | None = None) -> list[RuleEffect]:
    """Every rule's effect on every page, in worker processes (trafilatura is not thread-safe)."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        per_page = pool.map(page_effects, cases, chunksize=8)
        found = tqdm(per_page, total=len(cases), desc="rules", unit="page", leave=False,
                     disable=not progress_enabled())
        return [effect for effects in found for effect in effects]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rule_ledger", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None,
                        help=f"a corpus folder of sets, or one set (default: {DEFAULT_CORPUS})")
    parser.add_argument("--output", type=Path, default=DEFAULT_REPORT, help="where to write the table (Markdown)")
    parser.add_argument("--workers", type=int, default=None, help="extraction processes (default: one per core)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("trafilatura").setLevel(logging.ERROR)  # "discarding data" on short pages: not news here
    corpus = args.corpus or DEFAULT_CORPUS
    if not corpus.is_dir():
        print(f"[rules] no corpus at {corpus}", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        cases = [case for set_dir in find_sets(corpus) for case in load_cases(set_dir)]
    except CorpusError as exc:
        print(f"[rules] {exc}", file=sys.stderr)
        return 2
    table = format_ledger(ledger(measure(cases, args.workers)))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table + "\n", encoding="utf-8")
    print(f"[rules] {len(cases)} pages in {time.monotonic() - started:.0f}s; table: {args.output}")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
