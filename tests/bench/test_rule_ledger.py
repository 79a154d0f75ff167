"""The rule ledger: what each body rule did over a corpus, judged by putting its lines back."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bench import evaluate
from bench.rule_ledger import RuleEffect, format_ledger, ledger, main, page_effects

STORY = (
    "The ferry company said on Tuesday that the evening crossing would run again from the first of May. "
    "Its two older boats were sold last year and the new one needed a longer pier on the island side. "
    "Islanders had asked for the evening service since the timetable was cut three winters ago."
)
MORE = (
    "The council will pay for half of the pier, and the company for the rest, according to the agreement. "
    "Tickets for the first week go on sale at the harbour office and on the company's website next Monday."
)


def _page(title: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta property="og:type" content="article">'
        f'<meta property="og:title" content="{title}"></head>'
        f"<body><article><h1>{title}</h1><p>{STORY}</p><p>{MORE}</p><p>Advertisement</p></article></body></html>"
    )


def write_corpus(root: Path) -> Path:
    """Two publishers' pages, each ending in an "Advertisement" line the credits rule removes.
    One page's expectation holds no such line (the rule helps it), the other's holds it as the
    story's last line (the rule harms it)."""
    corpus = root / "corpus" / "ferries"
    (corpus / "pages").mkdir(parents=True)
    cases = []
    for n, (host, expected) in enumerate([("a.example", f"{STORY}\n{MORE}"),
                                          ("b.example", f"{STORY}\n{MORE}\nAdvertisement")]):
        (corpus / "pages" / f"p{n}.html.gz").write_bytes(gzip.compress(_page(f"Evening ferry back {n}").encode()))
        cases.append({"id": f"ferries-{n}", "file": f"p{n}.html.gz", "url": f"https://{host}/news/{n}",
                      "crawl_date": "2026-04-02 08:00:00", "expected": {"body": expected}})
    (corpus / "cases.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    return corpus.parent


def test_a_rule_helps_where_its_lines_are_furniture_and_harms_where_the_story_holds_them(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path)
    helped_case, harmed_case = evaluate.load_cases(corpus / "ferries")
    [helped] = [e for e in page_effects(helped_case) if e.rule == "labels_and_credits"]
    [harmed] = [e for e in page_effects(harmed_case) if e.rule == "labels_and_credits"]
    assert (helped.rule, helped.publisher, helped.helped, helped.harmed) == ("labels_and_credits", "a.example", True, False)
    assert (harmed.rule, harmed.publisher, harmed.helped, harmed.harmed) == ("labels_and_credits", "b.example", False, True)
    assert helped.change < 0 < harmed.change


def test_ledger_counts_pages_and_publishers_and_names_what_falls_short() -> None:
    effects = [
        RuleEffect("signoffs", "c1", "one.example", -0.10),
        RuleEffect("signoffs", "c2", "two.example", -0.05),
        RuleEffect("signoffs", "c3", "two.example", 0.0),
        RuleEffect("top_furniture", "c1", "one.example", -0.20),
        RuleEffect("top_furniture", "c4", "three.example", 0.08),
        RuleEffect("safety_net (a wider reading)", "c5", "four.example", 0.0),
    ]
    rows = {row.rule: row for row in ledger(effects)}
    signoffs, furniture = rows["signoffs"], rows["top_furniture"]
    assert (signoffs.pages, signoffs.helped, signoffs.harmed, signoffs.publishers_helped) == (3, 2, 0, 2)
    assert signoffs.concerns() == []
    assert (furniture.helped, furniture.harmed, furniture.worst_case) == (1, 1, "c4")
    assert furniture.worst_change == pytest.approx(0.08)
    assert furniture.concerns() == ["helps 1 publisher(s)", "harms 1 page(s), helps 1", "costs c4 0.08 F1"]
    # A reading the safety net swapped is shown, not judged as a furniture rule.
    assert rows["safety_net (a wider reading)"].concerns() == []
    table = format_ledger(list(rows.values()))
    assert "| signoffs | 3 | 2 | 0 | 2 | 0 | – |" in table
    assert "rules short of the discipline" in table and "- top_furniture: helps 1 publisher(s)" in table


def test_cli_writes_the_table_for_a_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = write_corpus(tmp_path)
    report = tmp_path / "rules.md"
    assert main(["--corpus", str(corpus), "--output", str(report), "--workers", "1"]) == 0
    written = report.read_text(encoding="utf-8")
    assert "| labels_and_credits | 2 | 1 | 1 | 1 | 1 | ferries-1 (+" in written
    assert "- labels_and_credits: helps 1 publisher(s); harms 1 page(s), helps 1\n" in written
    # The headline above the story's text is taken out of both bodies: it is the title, kept apart.
    assert "| above_headline | 2 | 2 | 0 | 2 | 0 | – |" in written
    assert written.strip() in capsys.readouterr().out
    assert main(["--corpus", str(tmp_path / "absent")]) == 2
