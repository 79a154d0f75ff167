"""The daily report on a month of news: what it says (gaps, completeness, copies and lags, the
run's failures with reasons), that it is one self-contained page (inline SVG, nothing fetched,
page text escaped), and that it renders in a real headless Chromium (screenshot kept under
.data/artifacts/)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dags.tasks import daily_report
from tests.fixtures import PROJECT_ROOT
from tests.fixtures.analyst_month import DAG_RUN_ID, LAST_DAY, PLANET_GAPS, TAGESBLATT_FAILURE, AnalystMonth
from tests.fixtures.browser import chromium_driver

SCREENSHOT = PROJECT_ROOT / ".data" / "artifacts" / "daily-report.png"
DAY_START = datetime(2026, 11, 19, tzinfo=UTC)
DAY_END = datetime(2026, 11, 20, tzinfo=UTC)


@pytest.fixture(scope="module")
def report(month_db: tuple[str, AnalystMonth], tmp_path_factory: pytest.TempPathFactory) -> tuple[daily_report.ReportData, Path]:
    dsn, _ = month_db
    root = tmp_path_factory.mktemp("archive")
    result = daily_report.build_report("news_daily", DAG_RUN_ID, DAY_START, DAY_END, str(root), dsn)
    assert result["failed_crawls"] == ["tagesblatt"]
    return daily_report.gather(DAY_START, DAY_END, DAG_RUN_ID, dsn), Path(result["report"])


def test_the_report_finds_the_gaps_the_copies_and_the_failures(report: tuple[daily_report.ReportData, Path]) -> None:
    data, _ = report
    assert [d for s, d in data.gaps if s == "daily_planet"] == list(PLANET_GAPS)
    assert ("tagesblatt", LAST_DAY) in data.gaps  # its crawl failed: nothing that day
    assert not [d for s, d in data.gaps if s == "wire_copy"]  # nothing before its first article counts
    assert {s for s, _, _ in data.counts} == {"daily_planet", "tagesblatt", "wire_copy"}
    assert len({d for _, d, _ in data.counts}) == daily_report.TREND_DAYS
    completeness = {source: (n, undated, unsigned) for source, n, undated, unsigned in data.completeness}
    assert completeness["tagesblatt"] == (30, 0, 0)
    assert completeness["daily_planet"][1:] == (1, 18)  # one undated article; every third has no byline
    [copied] = data.copied
    assert (copied.source, copied.copies, copied.copy_sources, copied.lags) == ("daily_planet", 1, ["wire_copy"], ["2 h 00 min"])
    runs = {run.source: run for run in data.runs}
    assert runs["tagesblatt"].status == "failed" and runs["tagesblatt"].failure == TAGESBLATT_FAILURE
    assert runs["tagesblatt"].failed_by_reason == ["http_503: 6"]
    assert runs["daily_planet"].rejected_by_reason == ["not_article:liveblog: 1"]


def test_the_page_is_one_file_that_fetches_nothing(report: tuple[daily_report.ReportData, Path]) -> None:
    _, path = report
    html = path.read_text(encoding="utf-8")
    assert path.name == "scheduled__2026-11-20T04_00_00_00_00.html"
    assert html.count("<svg") == 3
    assert "<script" not in html
    assert "default-src 'none'" in html
    for attribute in ('src="http', "src='http", 'href="http', "@import", "url(http"):
        assert attribute not in html, attribute
    assert TAGESBLATT_FAILURE in html and "http_503: 6" in html and "+2 h 00 min" in html


def test_page_text_is_escaped(report: tuple[daily_report.ReportData, Path]) -> None:
    data, _ = report
    hostile = daily_report.CopiedStory("x", "<script>alert(1)</script> & co", "https://x.example/'\"><img src=x>",
                                       DAY_START, 1, ["<b>wire</b>"], ["1 h 00 min"])
    data.copied.append(hostile)
    try:
        html = daily_report.render(data)
    finally:
        data.copied.remove(hostile)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<img src=x>" not in html and "<b>wire</b>" not in html


def test_an_empty_warehouse_still_gives_a_page(clean_warehouse: str) -> None:
    data = daily_report.gather(DAY_START, DAY_END, "manual__nothing", clean_warehouse)
    html = daily_report.render(data)
    assert "No crawl recorded for this run." in html and "No story of the day was copied" in html


def test_the_report_renders_in_headless_chromium(report: tuple[daily_report.ReportData, Path]) -> None:
    _, path = report
    driver = chromium_driver(width=1280, height=1000)
    try:
        driver.get(path.as_uri())
        time.sleep(1)
        charts = driver.execute_script(
            "return [...document.querySelectorAll('div.chart svg')].map(s => {"
            "  const r = s.getBoundingClientRect(); return [s.parentElement.id, r.width, r.height,"
            "  s.querySelectorAll('path, rect, text').length]; })")
        visible_text = driver.find_element("tag name", "body").text
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1280, int(height) + 80)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOT))
        errors = [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]
    finally:
        driver.quit()
    assert [c[0] for c in charts] == ["articles-chart", "completeness-chart", "crawl-chart"]
    for chart_id, width, chart_height, marks in charts:
        assert width > 300 and chart_height > 80 and marks > 20, (chart_id, width, chart_height, marks)
    assert "News pipeline: 2026-11-19" in visible_text and "wire_copy +2 h 00 min" in visible_text
    assert errors == []  # no blocked request, no script error
    assert SCREENSHOT.stat().st_size > 30_000
    print(f"\nscreenshot of the daily report: {SCREENSHOT}")
