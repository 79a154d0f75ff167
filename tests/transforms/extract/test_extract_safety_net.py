"""The safety net "never far below plain trafilatura", on hand-written pages and texts.

The texts are written here in the shape of a guide whose precision reading kept the
introduction and the conclusion but lost the tips between them; none is copied from a site.
"""

from __future__ import annotations

import lxml.html

from transforms.extract.safety_net import looks_short, widened
from transforms.extract.trace import recording, removed_by

INTRO = "Inner calm is a feeling that grows from within and no shop sells it, whatever the advert says."
MIDDLE = "Many readers find that it comes back slowly once they stop comparing themselves with others."
END = "In short: small habits, kept every day, matter more than any single grand resolution."
TIPS = [f"Tip {n}: write down three things that went well today, however small they were, before sleeping." for n in range(8)]


def test_lines_between_the_body_own_are_put_back() -> None:
    body = "\n".join([INTRO, MIDDLE, END])
    default = "\n".join([INTRO, MIDDLE, "Ten tips for inner calm:", *(f"- {t}" for t in TIPS), END])
    result = widened(body, default)
    assert result is not None
    assert result.split("\n") == [INTRO, MIDDLE, "Ten tips for inner calm:", *(f"- {t}" for t in TIPS), END]


def test_text_before_or_after_the_body_is_never_taken() -> None:
    # The next story below this one: as long, but not between the body's own lines.
    body = "\n".join([INTRO, MIDDLE, END])
    default = "\n".join([INTRO, MIDDLE, END, "Read next: how the harbour was rebuilt", *TIPS])
    assert widened(body, default) is None
    assert widened(body, "\n".join([*TIPS, INTRO, MIDDLE, END])) is None


def test_a_line_repeated_under_every_embed_is_furniture() -> None:
    notice = "Your privacy settings prevent external content such as graphics or tables from loading here."
    body = "\n".join([INTRO, MIDDLE, END])
    default = "\n".join([INTRO, notice, "Photo: Agency", notice, MIDDLE, notice, notice, notice, notice, END])
    assert widened(body, default) is None


def test_a_little_more_text_is_no_reason_to_switch() -> None:
    body = "\n".join([INTRO, MIDDLE, END])
    default = "\n".join([INTRO, TIPS[0], MIDDLE, END])
    assert widened(body, default) is None


def test_another_text_is_never_taken() -> None:
    # The default run read another part of the page: it does not keep the body's lines.
    body = "\n".join([INTRO, MIDDLE, END])
    assert widened(body, "\n".join([INTRO, *TIPS])) is None


def page(story: str, navigation: str = "") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(
        f"<html><body><nav>{navigation}</nav><main>{story}</main><footer><p>{MIDDLE * 20}</p></footer></body></html>"
    )


def test_a_body_holding_what_the_page_shows_is_not_short() -> None:
    story = "".join(f"<p>{line}</p>" for line in (INTRO, MIDDLE, END))
    # Navigation and the footer are never the story, however long they are.
    assert not looks_short(page(story, navigation="<ul>" + "".join(f"<li>{t}</li>" for t in TIPS) + "</ul>"),
                           "\n".join([INTRO, MIDDLE, END]))


def test_a_body_missing_most_of_the_page_paragraphs_is_short() -> None:
    story = f"<p>{INTRO}</p><h2>Ten tips</h2><ul>" + "".join(f"<li>{t}</li>" for t in TIPS * 3) + f"</ul><p>{END}</p>"
    assert looks_short(page(story), "\n".join([INTRO, END]))


def test_removals_are_recorded_only_while_recording() -> None:
    before, after = ["a", "b", "b", "c"], ["a", "b"]
    assert removed_by("rule", before, after) is after  # nothing recorded, nothing costs
    with recording() as removals:
        removed_by("labels", before, after)
        removed_by("none", after, after)
    assert [(r.rule, r.line) for r in removals] == [("labels", "b"), ("labels", "c")]
