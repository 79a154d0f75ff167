"""The safety net's second case: a body that is not prose (an occupancy calendar, a recipe's
ingredient grid) is set beside trafilatura's default reading of the page, which plain
trafilatura would have returned (transforms.extract.safety_net, transforms.extract.body).

Pages and texts are written here in the shapes of a holiday-rental listing and a recipe; none
is copied from a site.
"""

from __future__ import annotations

from typing import Any

import pytest

import transforms.extract.body as body
from tests.fixtures.harbour_story import SENTENCES, extracted
from tests.fixtures.not_prose_pages import LISTING_STORY, RECIPE_STEPS, recipe, rental_listing
from transforms.extract.safety_net import looks_unlike_prose, more_prose, prose_words
from transforms.extract.trace import recording

CALENDAR = "\n".join([
    "| March 2026 | | | | | | |",
    "| Mo | Tu | We | Th | Fr | Sa | Su |",
    *(f"| {' | '.join(str(d) for d in range(start, start + 7))} |" for start in (2, 9, 16, 23)),
] * 6)
INGREDIENTS = "\n".join(["Zutaten", *(f"{n}\ng\nMehl" for n in (250, 125, 100)), "2\nEL\nZucker", "3\nEier"] * 5)


def test_a_calendar_and_an_ingredient_grid_are_not_prose() -> None:
    assert prose_words(CALENDAR) == 0
    assert looks_unlike_prose(CALENDAR)
    assert looks_unlike_prose(INGREDIENTS)
    # A caption over the widget does not make it prose.
    assert looks_unlike_prose("Availability of the cottage for the coming season, week by week\n" + CALENDAR)


@pytest.mark.parametrize("text", [
    "\n".join(SENTENCES),
    # Headings, a short list and a data table between the paragraphs are still a story.
    "\n".join([SENTENCES[0], "The figures", "| Year | Cost |", "| 2025 | 3.1m |", SENTENCES[1], "- Harbour",
               SENTENCES[2], SENTENCES[3]]),
    # A story set in a layout table: each cell is a paragraph.
    "\n".join(f"| {s} | {t} |" for s, t in zip(SENTENCES, reversed(SENTENCES), strict=True)),
    # Scripts that do not put spaces between words: every character is a word.
    "港湾局は月曜日、冬の嵐が来る前に古い防波堤を再建すると発表した。\n技術者によると、基礎は前回の調査以来一メートル近く動いていた。",
    "",
])
def test_running_text_is_prose(text: str) -> None:
    assert not looks_unlike_prose(text)


def test_the_default_reading_is_taken_where_it_holds_the_story_beside_a_widget() -> None:
    default = "\n".join(["About the cottage", *LISTING_STORY])
    assert more_prose(CALENDAR, default) == default
    # The widget's caption need not be in it: a caption is no story of its own.
    assert more_prose("Occupancy of the cottage this year, week by week\n" + CALENDAR, default) == default


def test_a_little_more_prose_is_no_reason_to_switch() -> None:
    assert more_prose(CALENDAR, "\n".join(LISTING_STORY[:2])) is None


def test_a_body_with_a_story_of_its_own_is_replaced_only_by_a_reading_that_keeps_it() -> None:
    ours = "\n".join([*SENTENCES, *SENTENCES[:2], CALENDAR, CALENDAR, CALENDAR])
    assert looks_unlike_prose(ours)
    other = "\n".join(LISTING_STORY * 3)  # another text: the story is not in it
    assert more_prose(ours, other) is None
    wider = "\n".join([*SENTENCES, *SENTENCES[:2], *LISTING_STORY * 3])
    assert more_prose(ours, wider) == wider


def test_a_listing_whose_only_article_is_its_calendar_gives_its_description() -> None:
    result = extracted(rental_listing(), "https://rentals.example/cottages/dune-cottage")
    assert all(line in result.body for line in LISTING_STORY)


def test_a_recipe_read_as_its_ingredient_grid_gives_its_steps() -> None:
    with recording() as removals:
        result = extracted(recipe(), "https://kuchen.example/rezept/apfelkuchen-vom-blech")
    assert all(step in result.body for step in RECIPE_STEPS)
    # The grid the default reading leaves out is recorded as the rule's (``make eval --explain``).
    assert any(r.rule.startswith("not_prose") and r.line.strip() == "Mehl" for r in removals)


def test_a_prose_article_pays_no_default_run(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[tuple[bool, bool]] = []
    real = body._trafilatura_document

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append((kwargs["favor_precision"], kwargs.get("fast", False)))
        return real(*args, **kwargs)

    monkeypatch.setattr(body, "_trafilatura_document", counted)
    page = ("<html lang='en'><head><title>Breakwater to be rebuilt</title></head><body>"
            "<article><h1>Breakwater to be rebuilt</h1><div class='story'>"
            + "".join(f"<p>{s}</p>" for s in SENTENCES * 2)
            + "<table><tr><td>2025</td><td>3.1m</td></tr><tr><td>2026</td><td>4.2m</td></tr></table>"
            + "</div></article></body></html>")
    extracted(page, "https://harbour.example/news/2026/03/05/breakwater")
    assert (False, False) not in runs  # no default-mode (non-fast, balanced) run
    runs.clear()
    extracted(rental_listing(), "https://rentals.example/cottages/dune-cottage")
    assert (False, False) in runs
