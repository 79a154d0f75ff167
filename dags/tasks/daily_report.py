"""The daily report: one static HTML page per news_daily run, written to the archive store.

What a person wants to see after a run, without writing SQL: articles per source per day over
the last 30 days with the days a source published nothing highlighted, how complete the
articles are (dates and bylines missing), the day's most-copied stories with their copies and
how long after the original each appeared, and the run's crawl health with its failures and
their reasons.

One file, nothing to fetch: the charts are drawn by Vega-Altair and rendered to inline SVG by
vl-convert at build time, the styles are inline, and a Content-Security-Policy forbids the page
any request at all. Text from the pages (titles, failure reasons) is escaped by Jinja.

    <ARCHIVE_ROOT>/reports/<dag_id>/<run_id>.html

    python -m dags.tasks.daily_report --until 2026-11-20 [--dag-run-id ID]
"""

from __future__ import annotations

import argparse
import logging
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import altair as alt
import jinja2
import vl_convert

from common import archive_store
from common.warehouse import connect

log = logging.getLogger(__name__)

REPORT_FOLDER = "reports"
TREND_DAYS = 30
MOST_COPIED = 10
TEMPLATE = Path(__file__).with_name("daily_report.html.j2")
GAP_COLOR = "#d62728"

# A day without articles counts as a gap from the source's first article on: a source added
# last week has no gaps before it.
COUNTS_SQL = """
with since as (
    select source, min(day) as first_day from marts.daily_source_counts group by source
)
select s.source, d.day::date, coalesce(c.articles, 0)
from marts.sources s
join since f on f.source = s.source
cross join generate_series(%(first)s::date, %(last)s::date, interval '1 day') as d(day)
left join marts.daily_source_counts c on c.source = s.source and c.day = d.day::date
where d.day >= f.first_day and (s.enabled or c.articles is not null)
order by 1, 2
"""

COMPLETENESS_SQL = """
select a.source, count(*)::integer,
       (count(*) filter (where a.published_at is null))::integer,
       (count(*) filter (where cardinality(a.authors) = 0))::integer
from core.articles a
where (coalesce(a.published_at, a.first_seen_at) at time zone 'UTC')::date between %(first)s and %(last)s
group by 1
order by 1
"""

COPIED_SQL = """
select o.story_id, o.source, o.title, o.url, o.published_at, o.copies,
       coalesce(array_agg(c.source order by c.published_at nulls last, c.article_id)
                filter (where c.article_id is not null), '{}'),
       coalesce(array_agg(extract(epoch from c.published_at - o.published_at)::bigint
                          order by c.published_at nulls last, c.article_id)
                filter (where c.article_id is not null), '{}')
from marts.articles o
left join marts.story_articles c on c.story_id = o.story_id and not c.is_original
where o.copies > 0 and o.published_at >= %(start)s and o.published_at < %(end)s
group by o.story_id, o.source, o.title, o.url, o.published_at, o.copies
order by o.copies desc, o.published_at, o.story_id
limit %(limit)s
"""

RUNS_SQL = """
select r.source, r.status, r.pages_fetched, coalesce(r.articles_new, 0), coalesce(r.articles_updated, 0),
       coalesce(r.pages_rejected, 0), coalesce(r.urls_failed, 0), r.failure,
       coalesce((select array_agg(f.reason || ': ' || f.n order by f.n desc, f.reason)
                 from (select reason, count(*) as n from ops.failed_urls
                       where last_crawl_run_id = r.crawl_run_id group by reason) f), '{}'),
       coalesce((select array_agg(x.reason || ': ' || x.n order by x.n desc, x.reason)
                 from (select extraction_reason as reason, count(*) as n from raw.captures
                       where crawl_run_id = r.crawl_run_id and extraction_status in ('rejected', 'failed')
                       group by 1) x), '{}')
from ops.crawl_runs r
where r.dag_run_id = %(dag_run_id)s
order by r.source, r.finished_at
"""


@dataclass(frozen=True)
class CopiedStory:
    source: str
    title: str
    url: str
    published_at: datetime | None
    copies: int
    copy_sources: list[str]
    lags: list[str]  # "2 h 05 min" after the original, one per copy, or "undated"


@dataclass(frozen=True)
class RunHealth:
    source: str
    status: str
    pages_fetched: int
    articles_new: int
    articles_updated: int
    pages_rejected: int
    urls_failed: int
    failure: str | None
    failed_by_reason: list[str]
    rejected_by_reason: list[str]


@dataclass
class ReportData:
    day_start: datetime
    day_end: datetime
    dag_run_id: str | None
    counts: list[tuple[str, date, int]] = field(default_factory=list)
    completeness: list[tuple[str, int, int, int]] = field(default_factory=list)
    copied: list[CopiedStory] = field(default_factory=list)
    runs: list[RunHealth] = field(default_factory=list)

    @property
    def gaps(self) -> list[tuple[str, date]]:
        return [(source, day) for source, day, n in self.counts if n == 0]


def report_location(dag_id: str, run_id: str, archive_root: str | None = None) -> str:
    """Where the report of a run is written; known before the run ends (alerts link to it)."""
    safe_run_id = re.sub(r"[^A-Za-z0-9._-]+", "_", run_id)
    root = archive_root or archive_store.archive_root()
    return archive_store.join(root, REPORT_FOLDER, dag_id, f"{safe_run_id}.html")


def gather(day_start: datetime, day_end: datetime, dag_run_id: str | None, dsn: str | None = None) -> ReportData:
    """Everything the page shows, read in one snapshot."""
    last = (day_end - timedelta(microseconds=1)).astimezone(UTC).date()
    first = last - timedelta(days=TREND_DAYS - 1)
    data = ReportData(day_start, day_end, dag_run_id)
    conn = connect(dsn)
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn, conn.cursor() as cur:
            cur.execute(COUNTS_SQL, {"first": first, "last": last})
            data.counts = [(s, d, n) for s, d, n in cur.fetchall()]
            cur.execute(COMPLETENESS_SQL, {"first": first, "last": last})
            data.completeness = [(s, n, undated, unsigned) for s, n, undated, unsigned in cur.fetchall()]
            cur.execute(COPIED_SQL, {"start": day_start, "end": day_end, "limit": MOST_COPIED})
            data.copied = [CopiedStory(source, title, url, published, copies, list(sources), [_lag(x) for x in lags])
                           for _, source, title, url, published, copies, sources, lags in cur.fetchall()]
            if dag_run_id:
                cur.execute(RUNS_SQL, {"dag_run_id": dag_run_id})
                data.runs = [RunHealth(source, status, pages, new, updated, rejected, failed, failure,
                                       list(failed_by_reason), list(rejected_by_reason))
                             for source, status, pages, new, updated, rejected, failed, failure,
                             failed_by_reason, rejected_by_reason in cur.fetchall()]
    finally:
        conn.close()
    return data


def _lag(seconds: int | None) -> str:
    if seconds is None:
        return "undated"
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    hours, minutes = divmod(seconds // 60, 60)
    return f"{sign}{hours} h {minutes:02d} min"


def _svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an inline SVG element (no script, no web font, nothing fetched)."""
    svg = vl_convert.vegalite_to_svg(chart.to_json())
    return re.sub(r"^<\?xml[^>]*>\s*", "", svg)


def articles_chart(data: ReportData) -> str:
    most = max((n for _, _, n in data.counts), default=0)
    # White numbers on the red gaps and on the darkest blues, where dark ones would not show.
    values = [{"source": s, "day": d.isoformat(), "articles": n, "gap": n == 0, "light_text": n == 0 or n > 0.6 * most}
              for s, d, n in data.counts]
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("day:O", title=None, axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("source:N", title=None))
    cells = base.mark_rect(stroke="white").encode(
        color=alt.condition("datum.gap", alt.value(GAP_COLOR),
                            alt.Color("articles:Q", scale=alt.Scale(scheme="blues"), title="articles")),
        tooltip=["source:N", "day:O", "articles:Q"])
    labels = base.mark_text(fontSize=9).encode(
        text=alt.Text("articles:Q"),
        color=alt.condition("datum.light_text", alt.value("white"), alt.value("#333333")))
    return _svg((cells + labels).properties(width=900, height=alt.Step(26),
                                            title="Articles per source per UTC day (red: none that day)"))


def completeness_chart(data: ReportData) -> str:
    values = []
    for source, articles, undated, unsigned in data.completeness:
        values.append({"source": source, "missing": "no publication date", "share": undated / articles})
        values.append({"source": source, "missing": "no author", "share": unsigned / articles})
    chart = alt.Chart(alt.Data(values=values)).mark_bar().encode(
        x=alt.X("share:Q", title="share of the source's articles", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("missing:N", title=None),
        row=alt.Row("source:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        color=alt.Color("missing:N", legend=None, scale=alt.Scale(range=["#ff7f0e", "#9467bd"])))
    return _svg(chart.properties(width=500, height=alt.Step(16),
                                 title=f"Completeness over the last {TREND_DAYS} days"))


def crawl_chart(data: ReportData) -> str:
    values = []
    for run in data.runs:
        articles = run.articles_new + run.articles_updated
        for outcome, n in (("loaded as articles", articles), ("rejected", run.pages_rejected),
                           ("failed to fetch", run.urls_failed)):
            values.append({"source": run.source, "outcome": outcome, "pages": n})
    chart = alt.Chart(alt.Data(values=values)).mark_bar().encode(
        x=alt.X("sum(pages):Q", title="pages"), y=alt.Y("source:N", title=None),
        color=alt.Color("outcome:N", scale=alt.Scale(domain=["loaded as articles", "rejected", "failed to fetch"],
                                                     range=["#2ca02c", "#bcbd22", GAP_COLOR])))
    return _svg(chart.properties(width=500, height=alt.Step(22), title="This run's pages by outcome"))


def render(data: ReportData) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE.parent), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    charts = {"articles": articles_chart(data) if data.counts else None,
              "completeness": completeness_chart(data) if data.completeness else None,
              "crawl": crawl_chart(data) if data.runs else None}
    return env.get_template(TEMPLATE.name).render(
        data=data, charts=charts, day=data.day_start.astimezone(UTC).date(), trend_days=TREND_DAYS,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        gaps=sorted(data.gaps, key=lambda gap: (gap[1], gap[0]), reverse=True))  # newest first


def write_report(html: str, location: str) -> str:
    """Put the page at ``location`` in one step; the location."""
    with tempfile.TemporaryDirectory(prefix="news-report-") as work:
        work_file = Path(work) / "report.html"
        work_file.write_text(html, encoding="utf-8")
        archive_store.publish(work_file, location)
    return location


def build_report(dag_id: str, run_id: str, day_start: datetime, day_end: datetime,
                 archive_root: str | None = None, dsn: str | None = None) -> dict[str, Any]:
    """news_daily's report task: gather, render, write; where it went and what it shows."""
    data = gather(day_start, day_end, run_id, dsn)
    location = write_report(render(data), report_location(dag_id, run_id, archive_root))
    failed = [r.source for r in data.runs if r.status == "failed"]
    log.info("daily report: %s (%d gap(s) in %d days, %d copied stories, failed crawls: %s)",
             _viewable(location), len(data.gaps), TREND_DAYS, len(data.copied), failed or "none")
    return {"report": location, "gaps": len(data.gaps), "copied_stories": len(data.copied), "failed_crawls": failed}


def _viewable(location: str) -> str:
    return location if archive_store.is_remote(location) else Path(location).as_uri()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--until", required=True, help="end of the reported day (YYYY-MM-DD, exclusive, UTC)")
    parser.add_argument("--dag-run-id", help="the run whose crawl health is shown")
    parser.add_argument("--dag-id", default="news_daily")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    end = datetime.combine(date.fromisoformat(args.until), datetime.min.time(), UTC)
    result = build_report(args.dag_id, args.dag_run_id or f"manual__{args.until}", end - timedelta(days=1), end)
    print(result["report"])


if __name__ == "__main__":
    main()
