"""The evaluation harness: metrics as ../shared/corpus/README.md defines them, floors, and a
run of ``python -m bench.evaluate`` on a small corpus written here."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bench import evaluate
from bench.evaluate import (
    SetScore,
    below_floors,
    body_scores,
    load_floors,
    main,
    same_authors,
    same_day,
    same_title,
)

OTHER = (
    "The council expects the repairs to cost more than four million euros, most of it from a regional fund. "
    "Residents along the seafront will be able to follow the progress at a public meeting every month."
)
STORY = (
    "The harbour authority said on Monday that the old breakwater would be rebuilt before the winter storms. "
    "Engineers found that the foundations had shifted by almost a metre since the last survey was carried out. "
    "Fishing crews have been asked to moor their boats in the northern basin while the work goes on."
)


def test_body_scores_average_precision_and_recall_over_pages() -> None:
    # Page 1 perfect; page 2 predicted half of it (precision 1, recall 7/15); page 3 predicted nothing.
    full = "a b c d e f g h i j k l m n o p q r"
    half = "a b c d e f g h i j"
    precision, recall, f1 = body_scores([(full, full), (half, full), ("", full)])
    assert precision == pytest.approx(1.0)  # page 3 has no predicted shingle: not in the precision average
    assert recall == pytest.approx((1 + 7 / 15 + 0) / 3)
    assert f1 == pytest.approx(2 * precision * recall / (precision + recall))


def test_body_shingles_count_repeats() -> None:
    _, recall, _ = body_scores([("a b c d", "a b c d a b c d")])
    assert recall == pytest.approx(1 / 5)  # 5 expected shingles, one matched once


def test_title_day_and_author_matching() -> None:
    assert same_title("  Harbour   TO be rebuilt ", "harbour to be rebuilt")
    assert not same_title(None, "x")
    assert same_day("2024-04-28T23:30:00-02:00", "2024-04-29 01:30:00")  # both 29 April in UTC
    assert not same_day("2024-04-28T23:30:00+00:00", "2024-04-29")
    assert not same_day(None, "2024-04-29") and not same_day("not a date", "2024-04-29")
    assert same_authors(["Jane DOE", "Sam Okafor"], ["sam okafor", "jane doe"])
    assert not same_authors(["Jane Doe"], ["Jane Doe", "Sam Okafor"])


def test_floors_file_checked_and_compared(tmp_path: Path) -> None:
    floors = tmp_path / "floors.toml"
    floors.write_text("[news]\nbody_f1 = 0.9\ntitle_exact = 1.0\n", encoding="utf-8")
    loaded = load_floors(floors)
    ok = SetScore("news", body_f1=0.95, title_exact=1.0)
    low = SetScore("news", body_f1=0.85, title_exact=None)
    assert below_floors([ok], loaded) == []
    failures = below_floors([low], loaded)
    assert any("body_f1: 0.8500 < floor 0.9000" in f for f in failures)
    assert any("title_exact: not measured" in f for f in failures)
    floors.write_text("[news]\nbody_recall = 0.9\n", encoding="utf-8")
    with pytest.raises(ValueError, match="body_recall"):
        load_floors(floors)


def test_repo_floors_meet_the_issue_targets() -> None:
    """The floors kept in the repo are at least issue 4's targets, every one of them now met (never lowered)."""
    floors = load_floors(evaluate.DEFAULT_FLOORS)
    targets = {
        "aeb": {"body_f1": 0.975},
        "fundus": {"body_f1": 0.970, "title_exact": 0.95, "date": 0.98, "authors": 0.90},
        "aljazeera": {"body_f1": 0.99, "title_exact": 1.0, "date": 1.0, "authors": 1.0},
    }
    for set_name, metrics in targets.items():
        for metric, target in metrics.items():
            assert floors[set_name][metric] >= target, (set_name, metric)
    # Issue 17: every set has a ceiling on pages far below plain trafilatura (lowered as pages are fixed).
    assert all("pages_worse" in metrics for metrics in floors.values()), floors


def write_corpus(root: Path) -> Path:
    """A one-set corpus in ../shared/corpus's format: two hand-written pages."""
    corpus = root / "corpus" / "mini"
    (corpus / "pages").mkdir(parents=True)
    cases = []
    for n in range(2):
        html = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta property="og:type" content="article">'
            f'<meta property="og:title" content="Harbour story {n}"><meta name="author" content="Jane Doe">'
            '<meta property="article:published_time" content="2026-03-04T10:00:00+01:00"></head>'
            f"<body><article><h1>Harbour story {n}</h1><p>{STORY}</p><p>{OTHER}</p></article></body></html>"
        )
        (corpus / "pages" / f"p{n}.html.gz").write_bytes(gzip.compress(html.encode()))
        cases.append({"id": f"mini-{n}", "file": f"p{n}.html.gz", "url": f"https://mini.example/{n}",
                      "crawl_date": "2026-03-05 08:00:00",
                      "expected": {"body": f"{STORY}\n{OTHER}", "title": f"Harbour story {n}",
                                   "authors": ["Jane Doe"], "published_at": "2026-03-04T09:00:00+00:00"}})
    (corpus / "cases.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    return corpus.parent


def test_cli_scores_a_corpus_writes_predictions_and_checks_floors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = write_corpus(tmp_path)
    output = tmp_path / "predictions.jsonl"
    floors = tmp_path / "floors.toml"
    floors.write_text("[mini]\nbody_f1 = 0.99\ntitle_exact = 1.0\ndate = 1.0\nauthors = 1.0\n", encoding="utf-8")
    assert main(["--corpus", str(corpus), "--output", str(output), "--floors", str(floors), "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    assert str(output) in printed and "| mini | 2 | 0 |" in printed
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["mini-0", "mini-1"]
    assert rows[0]["title"] == "Harbour story 0" and rows[0]["authors"] == ["Jane Doe"]
    # The page's own offset is kept (the same instant as the expected 09:00 UTC).
    assert rows[0]["published_at"] == "2026-03-04T10:00:00+01:00" and rows[0]["language"] == "en"

    floors.write_text("[mini]\nbody_f1 = 0.99\ntitle_exact = 1.0\ndate = 1.0\nauthors = 1.0\nbody_f1_x = 1\n", encoding="utf-8")
    with pytest.raises(ValueError):
        main(["--corpus", str(corpus), "--output", str(output), "--floors", str(floors)])


def test_cli_fails_below_a_floor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = write_corpus(tmp_path)
    case_file = corpus / "mini" / "cases.jsonl"
    cases = [json.loads(line) for line in case_file.read_text(encoding="utf-8").splitlines()]
    cases[0]["expected"]["title"] = "A different headline"
    case_file.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    floors = tmp_path / "floors.toml"
    floors.write_text("[mini]\ntitle_exact = 1.0\n", encoding="utf-8")
    assert main(["--corpus", str(corpus), "--output", str(tmp_path / "p.jsonl"), "--floors", str(floors)]) == 1
    assert "BELOW FLOOR: mini title_exact: 0.5000" in capsys.readouterr().err


def test_absent_default_corpus_is_skipped_with_a_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(evaluate, "DEFAULT_CORPUS", tmp_path / "shared" / "corpus")
    assert main([]) == 0
    assert "evaluation skipped" in capsys.readouterr().out


def test_bad_corpus_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "cases.jsonl").write_text('{"id": "x", "file": "missing.html.gz", "url": "https://x.example/"}\n')
    assert main(["--corpus", str(tmp_path)]) == 2
    assert "missing.html.gz is missing" in capsys.readouterr().err
    assert main(["--corpus", str(tmp_path / "nope")]) == 2


def test_snippet_metric_sums_counts_over_pages() -> None:
    pages = [
        ("The harbour  will be\nrebuilt. Share this article", {"with": ["harbour will be rebuilt", "storms"], "without": ["Share this article"]}),
        ("Fishing crews moor in the north.", {"with": ["Fishing crews"], "without": ["Subscribe now"]}),
    ]
    counts = [evaluate.snippet_counts(text, expected) for text, expected in pages]
    assert counts[0] == evaluate.SnippetCounts(tp=1, fn=1, fp=1, tn=0)
    assert counts[1] == evaluate.SnippetCounts(tp=1, fn=0, fp=0, tn=1)
    precision, recall, f1 = evaluate.snippet_scores(pages)
    assert (precision, recall) == pytest.approx((2 / 3, 2 / 3)) and f1 == pytest.approx(2 / 3)
    assert evaluate.page_f1(*pages[0]) == pytest.approx(2 / 4)
    assert evaluate.page_f1("", {"with": ["x"], "without": []}) == 0.0
    assert evaluate.page_f1("anything", {}) is None


def test_a_bare_expected_day_is_the_page_own_local_day() -> None:
    # 23:30 at UTC-02:00 is the 29th in UTC but the 28th where the page was published.
    assert same_day("2024-04-28T23:30:00-02:00", "2024-04-28")
    assert not same_day("2024-04-28T23:30:00-02:00", "2024-04-29")
    assert same_day("2024-04-29T00:30:00+02:00", "2024-04-29")


def test_pages_worse_is_a_ceiling(tmp_path: Path) -> None:
    path = tmp_path / "floors.toml"
    path.write_text("[news]\npages_worse = 0\nbody_f1 = 0.5\n", encoding="utf-8")
    floors = load_floors(path)
    path.write_text("[news]\npages_worse = 1.5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="counts pages"):
        load_floors(path)
    assert below_floors([SetScore("news", body_f1=0.9, pages_worse=0)], floors) == []
    failures = below_floors([SetScore("news", body_f1=0.9, pages_worse=2)], floors)
    assert failures == ["news pages_worse: 2 > ceiling 0"]
    assert "not measured" in below_floors([SetScore("news", body_f1=0.9)], floors)[0]


def test_pages_far_below_the_baseline_and_publishers_are_reported(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path)
    cases = evaluate.load_cases(corpus / "mini")
    good = [evaluate.Prediction(c.id, "mini", "article", body=c.expected["body"]) for c in cases]
    lost = [good[0], evaluate.Prediction(cases[1].id, "mini", "article", body=STORY)]
    worse, publishers = evaluate.compare_with_baseline(cases, lost, good)
    assert [(c.id, round(f1, 2), base) for c, f1, base in worse] == [("mini-1", 0.74, 1.0)]
    assert [(p.publisher, p.pages) for p in publishers] == [("mini.example", 2)]


def test_explain_names_the_rule_that_removed_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = write_corpus(tmp_path)
    page = corpus / "mini" / "pages" / "p0.html.gz"
    html = gzip.decompress(page.read_bytes()).decode()
    page.write_bytes(gzip.compress(html.replace("</article>", "<p>Advertisement</p></article>").encode()))
    assert main(["--corpus", str(corpus), "--explain", "mini-0"]) == 0
    shown = capsys.readouterr().out
    assert "mini-0 (mini, mini.example)" in shown
    assert "[labels_and_credits] Advertisement" in shown
    assert main(["--corpus", str(corpus), "--explain", "nope"]) == 2


def _case(expected: dict[str, object]) -> evaluate.Case:
    return evaluate.Case("mini", "mini-9", Path("p9.html.gz"), "https://mini.example/9",
                         evaluate.UNDATED_FETCH_TIME, expected, "mini.example")


def test_a_page_rejected_as_not_an_article_is_counted_apart_only_where_the_expectation_agrees() -> None:
    teaser = _case({"body": "A lede of a few words behind the paywall. " * 3})
    full = _case({"body": STORY * 12})
    snippets = _case({"with": ["Dubious sellers"], "without": []})
    paywall = evaluate.Prediction("mini-9", "mini", "rejected", reason="not_article:paywall")
    assert evaluate.is_not_article(teaser, paywall)
    assert evaluate.is_not_article(snippets, paywall)
    # A full text in the expectation: the rejection is a loss, whatever it is called.
    assert not evaluate.is_not_article(full, evaluate.Prediction("mini-9", "mini", "rejected",
                                                                 reason="not_article:liveblog"))
    # A short body is no statement that the page is not an article.
    assert not evaluate.is_not_article(teaser, evaluate.Prediction("mini-9", "mini", "rejected", reason="empty_body"))
    assert not evaluate.is_not_article(teaser, evaluate.Prediction("mini-9", "mini", "article", body="x"))


def test_rejections_as_not_articles_are_listed_apart_from_pages_worse() -> None:
    case = _case({"body": "A lede of a few words behind the paywall."})
    other = _case({"body": STORY})
    result = evaluate.EvalResult([], Path("p.jsonl"), [], 0.0, worse=[
        evaluate.WorsePage(case, 0.0, 0.9, "not_article:paywall", not_article=True),
        evaluate.WorsePage(other, 0.1, 0.9, "empty_body"),
    ])
    shown = evaluate.format_comparison(result)
    assert "more than 0.2 below plain trafilatura's: 1\n" in shown
    assert "rejected as not an article" in shown and ": 1\n  mini mini-9 (mini.example): not_article:paywall" in shown


def test_an_expected_date_that_is_no_date_is_listed_apart_not_scored() -> None:
    cases = [evaluate.Case("mini", f"mini-{i}", Path(f"p{i}.html.gz"), f"https://mini.example/{i}",
                           evaluate.UNDATED_FETCH_TIME, {"published_at": day}, "mini.example")
             for i, day in enumerate(["2022-11-29", "2022-29-11", "2022-11-1", "2022-11-30"])]
    predictions = [evaluate.Prediction(c.id, "mini", "article", published_at="2022-11-29T10:00:00+01:00")
                   for c in cases]
    score = evaluate.score_set("mini", cases, predictions)
    assert score.counts["date"] == (1, 2)  # the two readable keys: one right, one wrong
    assert score.unreadable == {"date": [("mini-1", "2022-29-11"), ("mini-2", "2022-11-1")]}
    assert evaluate.format_unreadable([score]) == [
        "mini date: 2 expected values are not dates, not scored: mini-1 '2022-29-11', mini-2 '2022-11-1'"]
