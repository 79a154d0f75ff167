"""What analysts could not reach before issue 15, now in the marts: extraction flags, rejected
pages, the sources' country, zone, newest article and last crawl, crawl health by the day the
crawls ran, clean sections, tags and authors beside the values as given, and a view without the
body. Every marts column is documented."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.analysts.conftest import rows
from tests.fixtures.analyst_month import (
    BACKFILL_DAY,
    BACKFILL_FAILURE,
    BACKFILL_STARTED,
    DAYS,
    LAST_DAY,
    PLANET_GAPS,
    TAGESBLATT_FAILURE,
    AnalystMonth,
)

Month = tuple[str, AnalystMonth]


def test_extraction_flags_are_in_the_marts(month_db: Month) -> None:
    dsn, month = month_db
    undated = [url for url, a in month.articles.items() if a.published_at is None]
    assert undated
    flagged = rows(dsn, "select url, flags from marts.story_articles where flags <> '{}' order by url")
    assert flagged == [(url, ["published_at_missing"]) for url in sorted(undated)]
    assert rows(dsn, "select count(*) from marts.articles where 'published_at_missing' = any(flags)") == [(len(undated),)]


def test_rejected_pages_with_reason_source_and_day(month_db: Month) -> None:
    dsn, _ = month_db
    found = rows(dsn, """select source, outcome, reason_kind, reason, count(*), count(distinct day), bool_or(is_loaded_now)
                         from marts.rejected_pages group by 1, 2, 3, 4""")
    assert found == [("daily_planet", "rejected", "not_article", "not_article:liveblog", DAYS - len(PLANET_GAPS),
                      DAYS - len(PLANET_GAPS), False)]
    # The day is the fetch's UTC day: the crawl of day D runs on D+1.
    assert rows(dsn, "select max(day) from marts.rejected_pages") == [(LAST_DAY + timedelta(days=1),)]


def test_sources_show_country_zone_newest_article_and_last_crawl(month_db: Month) -> None:
    dsn, _ = month_db
    found = {r[0]: r[1:] for r in rows(dsn, """select source, country, timezone, last_article_published_at::date,
                                                      last_run_status, last_run_failure from marts.sources""")}
    assert found["daily_planet"] == ("US", "America/New_York", LAST_DAY, "loaded", None)
    # Tagesblatt's last crawl is the failed backfill that ran after the failed daily crawl.
    assert found["tagesblatt"] == ("DE", "Europe/Berlin", LAST_DAY - timedelta(days=1), "failed", BACKFILL_FAILURE)
    assert found["wire_copy"][:2] == (None, "UTC")


def test_crawl_health_by_the_day_the_crawls_ran_shows_todays_backfill(month_db: Month) -> None:
    dsn, _ = month_db
    today = BACKFILL_STARTED.date()
    by_run_day = rows(dsn, """select source, crawl_runs, runs_failed, window_days, failures
                              from marts.crawl_health_by_run_day where day = %s order by source""", (today,))
    assert by_run_day == [
        ("daily_planet", 1, 0, [LAST_DAY], []),
        ("tagesblatt", 2, 2, [BACKFILL_DAY, LAST_DAY], sorted([BACKFILL_FAILURE, TAGESBLATT_FAILURE])),
        ("wire_copy", 1, 0, [LAST_DAY], []),
    ]
    # Grouped by the news day crawled, the backfill's failure sits a month back, out of "the last 7 days".
    assert rows(dsn, "select runs_failed, failures from marts.crawl_health where day = %s and source = 'tagesblatt'",
                (BACKFILL_DAY,)) == [(1, [BACKFILL_FAILURE])]
    assert rows(dsn, """select window_day, run_day from marts.crawl_runs where status = 'failed' order by 1""") == [
        (BACKFILL_DAY, today), (LAST_DAY, today)]


def test_sections_and_tags_clean_beside_the_values_as_given(month_db: Month) -> None:
    dsn, _ = month_db
    sections = dict(rows(dsn, "select distinct section_raw, section from marts.articles where source = 'daily_planet'"))
    assert sections == {"My&#x20;Europe": "my europe", "news_news": "news", "The Daily Planet": None,
                        "Startseite": None, "Politics": "politics"}
    tags = {tuple(raw): clean for raw, clean in rows(dsn, "select distinct tags, tags_clean from marts.articles where source = 'daily_planet'")}
    assert tags == {("Politics", "RSBI:HUMAN-RIGHTS", "AER"): ["Politics", "human rights", "AER"],
                    ("politics", "tag_1234", "COP31"): ["politics", "COP31"], ("Weather",): ["Weather"]}


@pytest.mark.parametrize(("section", "expected"), [
    ("My&#x20;Europe", "my europe"), ("Mobile Endger&auml;te", "mobile endgeräte"), ("news_news", "news"),
    ("World &gt; Europe", "world europe"), ("Home", None), ("planet", None), ("planet.example", None),
    ("  Sport  ", "sport"), ("", None), (None, None),
])
def test_clean_section_rules(month_db: Month, section: str | None, expected: str | None) -> None:
    dsn, _ = month_db
    assert rows(dsn, "select core.clean_section(%s, 'The Daily Planet', '{www.planet.example}')", (section,)) == [(expected,)]


@pytest.mark.parametrize(("tag", "expected"), [
    ("RSBI:HUMAN-RIGHTS", "human rights"), ("DPA:Bundestag", "Bundestag"), ("tag_1234", None), ("5f3e9a0c77", None),
    ("a1b2c3", None), ("2026", None), ("COP31", "COP31"), ("H5N1", "H5N1"), ("SPD", "SPD"), ("AfD", "AfD"),
    ("1&amp;1 Versatel", "1&1 Versatel"), ("Human rights", "Human rights"),
])
def test_clean_tag_rules(month_db: Month, tag: str, expected: str | None) -> None:
    dsn, _ = month_db
    assert rows(dsn, "select core.clean_tag(%s)", (tag,)) == [(expected,)]


@pytest.mark.parametrize(("name", "display", "kind"), [
    ("LOIS LANE", "Lois Lane", "person"), ("Inês  Carvalho", "Inês Carvalho", "person"),
    ("Tanvir Ahmed Chowdhury", "Tanvir Ahmed Chowdhury", "person"), ("Ronan McDonald", "Ronan McDonald", "person"),
    ("Associated Press", "Associated Press", "organisation"), ("BBC News", "BBC News", "organisation"),
    ("Al Jazeera Staff", "Al Jazeera Staff", "organisation"), ("Al Jazeera and news agencies", "Al Jazeera and news agencies", "organisation"),
    ("AFP", "AFP", "organisation"), ("dpa", "dpa", "organisation"), ("Reuters", "Reuters", "organisation"),
    ("Redaktion Tagesblatt", "Redaktion Tagesblatt", "organisation"),
    # Chinese, Japanese and Korean names have no space: one word is a person there, unless it
    # names a paper or an agency.
    ("岳弘彬", "岳弘彬", "person"), ("김혜진", "김혜진", "person"), ("朝日新聞デジタル", "朝日新聞デジタル", "organisation"),
    ("日刊現代", "日刊現代", "organisation"),
])
def test_authors_marked_person_or_organisation(month_db: Month, name: str, display: str, kind: str) -> None:
    dsn, _ = month_db
    assert rows(dsn, "select core.author_display_name(%s), core.author_kind(%s)", (name, name)) == [(display, kind)]


def test_authors_in_the_marts_with_kind_display_name_and_case_insensitive_order(month_db: Month) -> None:
    dsn, _ = month_db
    authors = rows(dsn, "select author, display_name, author_kind from marts.authors order by display_name, author")
    assert ("LOIS LANE", "Lois Lane", "person") in authors and ("Associated Press", "Associated Press", "organisation") in authors
    names = [str(author) for (author,) in rows(dsn, "select author from marts.authors order by author")]
    assert [n.casefold() for n in names] == sorted(n.casefold() for n in names)
    kinds = dict(rows(dsn, "select author_kind, count(distinct article_id) from marts.article_authors group by 1"))
    assert set(kinds) == {"person", "organisation"}
    assert rows(dsn, """select array_agg(display_name order by position), array_agg(author_kind order by position)
                        from marts.article_authors
                        where article_id = (select min(article_id) from marts.article_authors where author = 'Associated Press')
                        """) == [(["Lois Lane", "Associated Press"], ["person", "organisation"])]


def test_the_narrow_view_is_marts_articles_without_the_body(month_db: Month) -> None:
    dsn, _ = month_db
    columns = {t: [c for (c,) in rows(dsn, """select column_name from information_schema.columns
                                               where table_schema = 'marts' and table_name = %s order by ordinal_position""", (t,))]
               for t in ("articles", "articles_narrow")}
    assert columns["articles_narrow"] == [c for c in columns["articles"] if c != "body"]
    assert rows(dsn, "select count(*) from marts.articles_narrow") == rows(dsn, "select count(*) from marts.articles")


def test_every_marts_column_is_documented(month_db: Month) -> None:
    dsn, _ = month_db
    undocumented = rows(dsn, """select c.relname || '.' || a.attname from pg_class c
                                join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'marts'
                                join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                                where c.relkind in ('v', 'm', 'r') and col_description(c.oid, a.attnum) is null""")
    assert undocumented == []
    assert rows(dsn, """select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                        where n.nspname = 'marts' and obj_description(c.oid, 'pg_class') is null""") == []
