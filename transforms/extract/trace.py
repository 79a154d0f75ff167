"""Which rule removed which body lines: a record kept only while someone asks for it.

The extraction's line rules call ``removed_by(rule, before, after)`` with the lines they were
given and the lines they kept. Outside ``recording()`` that is a no-op returning ``after``, so
the pipeline pays nothing for it; inside, every removed line is recorded with the rule's name
(``python -m transforms.evaluate --explain`` and the evaluation's report of pages that lost
text read it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Removal:
    """One line a rule took out of the body."""

    rule: str
    line: str


_recorder: ContextVar[list[Removal] | None] = ContextVar("body_line_removals", default=None)


@contextmanager
def recording() -> Iterator[list[Removal]]:
    """Record the removals made inside the block into the list it yields."""
    removals: list[Removal] = []
    token = _recorder.set(removals)
    try:
        yield removals
    finally:
        _recorder.reset(token)


def removed_by(rule: str, before: list[str], after: list[str]) -> list[str]:
    """``after``, having recorded the lines of ``before`` missing from it under ``rule``."""
    removals = _recorder.get()
    if removals is None or len(after) == len(before) and after == before:
        return after
    left = Counter(after)
    for line in before:
        if left[line] > 0:
            left[line] -= 1
        else:
            removals.append(Removal(rule, line))
    return after


def note(rule: str, lines: list[str]) -> None:
    """Record ``lines`` as removed by ``rule`` (for rules that replace text wholesale)."""
    removals = _recorder.get()
    if removals is not None:
        removals.extend(Removal(rule, line) for line in lines)
