"""A New York site whose feed writes its local time as GMT (RSS pubDate) or Z (Atom published):
every date is five hours early. Daily runs at 04:00 UTC, each seeing the feed as it stood when it
ran: an article published in the five hours after a run (23:00-04:00 in New York) is dated before
the next run's window, as if it belonged to the run that had gone before it existed. Each must
still be fetched once. A Berlin site making the same slip dates its articles an hour late: one
published just before a run is kept for the next. A real crawl of the fault server."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tests.fixtures.crawl_support import CrawlEnv, crawl_env, run_row
from tests.fixtures.fault_server import FaultServer, write_source

pytestmark = pytest.mark.crawl

__all__ = ["crawl_env"]  # the fixture, imported for pytest

EST = timedelta(hours=-5)
CET = timedelta(hours=1)
# path -> true publication time (UTC)
ARTICLES = {
    "/news/2026/11/18/ok-before": datetime(2026, 11, 19, 3, 0, tzinfo=UTC),  # 22:00 in New York
    "/news/2026/11/19/ok-early": datetime(2026, 11, 19, 6, 0, tzinfo=UTC),  # 01:00, after the 04:00 UTC run
    "/news/2026/11/19/ok-noon": datetime(2026, 11, 19, 17, 0, tzinfo=UTC),
    "/news/2026/11/19/ok-late": datetime(2026, 11, 20, 4, 30, tzinfo=UTC),  # 23:30, after the 04:00 UTC run
}
BERLIN_ARTICLES = {
    "/news/2026/11/19/ok-edge": datetime(2026, 11, 19, 3, 30, tzinfo=UTC),  # stamped 04:30, after the run
    "/news/2026/11/19/ok-noon": datetime(2026, 11, 19, 11, 0, tzinfo=UTC),
    "/news/2026/11/20/ok-night": datetime(2026, 11, 20, 3, 30, tzinfo=UTC),
}
RUNS = [datetime(2026, 11, day, 4, 0, tzinfo=UTC) for day in (18, 19, 20, 21)]
Feed = Callable[[FaultServer, datetime, dict[str, datetime], timedelta], tuple[str, bytes, dict[str, str]]]


def local_as_utc(moment: datetime, offset: timedelta) -> datetime:
    """The site's wall time, stamped as if it were UTC."""
    return (moment + offset).replace(tzinfo=UTC)


def rss(server: FaultServer, run_at: datetime, articles: dict[str, datetime],
        offset: timedelta) -> tuple[str, bytes, dict[str, str]]:
    items = "".join(f"<item><title>{path}</title><link>{server.url(path)}</link>"
                    f"<pubDate>{format_datetime(local_as_utc(published, offset), usegmt=True)}</pubDate></item>"
                    for path, published in articles.items() if published <= run_at)
    return ("application/rss+xml", ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                                    f"<title>Fault site</title><link>{server.base}/</link><description>t</description>"
                                    f"{items}</channel></rss>").encode(), {})


def atom(server: FaultServer, run_at: datetime, articles: dict[str, datetime],
         offset: timedelta) -> tuple[str, bytes, dict[str, str]]:
    stamp = lambda moment: local_as_utc(moment, offset).isoformat().replace("+00:00", "Z")  # noqa: E731
    entries = "".join(f'<entry><title>{path}</title><id>urn:{path}</id><link href="{server.url(path)}"/>'
                      f"<published>{stamp(published)}</published><updated>{stamp(published)}</updated></entry>"
                      for path, published in articles.items() if published <= run_at)
    return ("application/atom+xml", ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                                     f"<title>Fault site</title><id>urn:fault</id><updated>{stamp(run_at)}</updated>"
                                     f"{entries}</feed>").encode(), {})


def daily_runs(crawl_env: CrawlEnv, feed: Feed, timezone: str, articles: dict[str, datetime],
               offset: timedelta) -> tuple[Counter[str], list[int]]:
    """The articles' fetches and each run's captures over three daily runs."""
    with FaultServer() as server:
        path = write_source(crawl_env.sources, server, feeds=[server.url("/feed.xml.local")])
        path.write_text(path.read_text().replace('language = "en"\n', f'language = "en"\ntimezone = "{timezone}"\n'))
        captured = []
        for previous, run_at in zip(RUNS, RUNS[1:], strict=False):
            server.documents["/feed.xml.local"] = feed(server, run_at, articles, offset)
            run_id = crawl_env.crawl(since=previous.isoformat(), until=run_at.isoformat())
            crawl_env.load(run_id)  # seen means loaded
            captured.append(run_row(run_id)["pages_captured"])
        return Counter(server.paths("/news/")), captured


@pytest.mark.parametrize("feed", [rss, atom], ids=["rss_gmt", "atom_z"])
def test_local_times_stamped_as_utc_lose_no_article(crawl_env: CrawlEnv, feed: Feed) -> None:
    fetches, captured = daily_runs(crawl_env, feed, "America/New_York", ARTICLES, EST)
    assert fetches == Counter(list(ARTICLES)), fetches  # every article fetched, once
    assert captured == [1, 2, 1]


def test_local_times_east_of_utc_stamped_as_utc_are_fetched_by_the_next_run(crawl_env: CrawlEnv) -> None:
    fetches, captured = daily_runs(crawl_env, rss, "Europe/Berlin", BERLIN_ARTICLES, CET)
    assert fetches == Counter(list(BERLIN_ARTICLES)), fetches
    assert captured == [0, 2, 1]
