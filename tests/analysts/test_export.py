"""The marts exported to Parquet: read back by DuckDB and by the README's pandas recipe with the
same rows as the marts; a day re-exported replaces its partitions whole; `make export` and the
after-load export choose the right days; bad ranges are refused with a message."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import psycopg2
import pyarrow.parquet as pq
import pytest

from dags.tasks import export
from tests.analysts.conftest import rows
from tests.fixtures import PROJECT_ROOT
from tests.fixtures.analyst_month import FIRST_DAY, LAST_DAY, PLANET_GAPS, AnalystMonth
from tests.fixtures.s3_server import BUCKET, S3Server, s3_archive, s3_server

__all__ = ["s3_archive", "s3_server"]  # the moto S3 server's fixtures, imported for pytest
DAY_SQL = "(coalesce(published_at, first_seen_at) at time zone 'UTC')::date"


def mart(dsn: str, table: str) -> tuple[list[str], dict[int, tuple[Any, ...]]]:
    """The mart as PostgreSQL has it, with the partition day, keyed by article_id."""
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("set time zone 'UTC'")
            cur.execute(f"select *, {DAY_SQL} as day from marts.{table}")
            names = [d.name for d in cur.description]
            return names, {row[names.index("article_id")]: row for row in cur.fetchall()}
    finally:
        conn.close()


def exported(root: Path, table: str, names: list[str]) -> dict[int, tuple[Any, ...]]:
    """The export as DuckDB reads it, columns in the mart's order."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    columns = ", ".join(f'"{name}"' for name in names)
    found = con.execute(f"select {columns} from read_parquet('{root}/exports/{table}/*/*/*.parquet', "
                        "hive_partitioning = true)").fetchall()
    return {row[names.index("article_id")]: tuple(row) for row in found}


def files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture()
def export_root(tmp_path: Path) -> Path:
    return tmp_path / "archive"


def test_the_export_round_trips_through_duckdb_with_the_marts_rows(month_db: tuple[str, AnalystMonth], export_root: Path) -> None:
    dsn, _ = month_db
    result = export.export_days(export.days_between(FIRST_DAY, LAST_DAY + timedelta(days=1)), str(export_root), dsn)
    for table in export.TABLES:
        names, expected = mart(dsn, table)
        assert len(expected) > 100
        assert exported(export_root, table, names) == expected, table
        assert result.rows[table] == len(expected)
    # One file per source and day, in the Hive layout; the repost is in its own source's partition.
    partitions = sorted(p.parent.relative_to(export_root / "exports" / "story_articles")
                        for p in (export_root / "exports" / "story_articles").rglob("*.parquet"))
    assert Path("source=wire_copy/day=2026-11-19") in partitions
    assert Path(f"source=daily_planet/day={PLANET_GAPS[0]}") not in partitions  # nothing published that day
    assert not list(export_root.rglob("*.incoming"))


def test_the_readme_recipes_read_the_export(month_db: tuple[str, AnalystMonth], export_root: Path) -> None:
    dsn, _ = month_db
    export.export_days([LAST_DAY], str(export_root), dsn)
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Reading the export"):]
    recipe = re.search(r"```python\n(.*?)```", section, re.S)
    assert recipe, "README: the export recipe is a ```python block under '### Reading the export'"
    code = recipe.group(1).replace('".data/archive/exports"', repr(str(export_root / "exports")))
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md recipe", "exec"), namespace)  # the documented recipe, as written
    articles, per_source = namespace["articles"], namespace["per_source"]
    assert len(articles) == rows(dsn, f"select count(*) from marts.articles where {DAY_SQL} = %s", (LAST_DAY,))[0][0]
    assert set(articles["source"]) == {"daily_planet"}  # the wire's copy is folded into the daily's story
    assert dict(per_source.itertuples(index=False)) == {"daily_planet": 3, "wire_copy": 1}


def test_re_exporting_a_day_replaces_its_partitions_whole(month_db: tuple[str, AnalystMonth], export_root: Path) -> None:
    dsn, month = month_db
    days = [LAST_DAY - timedelta(days=1), LAST_DAY]
    export.export_days(days, str(export_root), dsn)
    before = files(export_root)
    again = export.export_days(days, str(export_root), dsn)
    assert files(export_root) == before  # byte for byte: repeating an export changes nothing
    assert again.partitions_removed == 0
    # A partition of that day without rows any more (say its story's original moved) disappears;
    # other days are left alone.
    ghost = export_root / "exports" / "articles" / "source=ghost" / "day=2026-11-19" / "articles.parquet"
    kept = export_root / "exports" / "articles" / "source=ghost" / "day=2026-11-01" / "articles.parquet"
    for path in (ghost, kept):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"stale")
    try:
        conn = psycopg2.connect(dsn)
        with conn, conn.cursor() as cur:
            cur.execute("update core.articles set title = 'Corrected headline' where url = %s", (month.copied_url,))
        conn.close()
        result = export.export_days([LAST_DAY], str(export_root), dsn)
        assert result.partitions_removed == 1
        assert not ghost.exists() and not ghost.parent.exists() and kept.exists()
        titles = duckdb.sql(f"select title from read_parquet('{export_root}/exports/articles/source=daily_planet/day=2026-11-19/*.parquet')").fetchall()
        assert ("Corrected headline",) in titles
        changed = {k for k, v in files(export_root).items() if before.get(k) != v}
        assert changed == {"exports/articles/source=daily_planet/day=2026-11-19/articles.parquet",
                           "exports/story_articles/source=daily_planet/day=2026-11-19/story_articles.parquet",
                           "exports/articles/source=ghost/day=2026-11-01/articles.parquet"}
    finally:
        conn = psycopg2.connect(dsn)
        with conn, conn.cursor() as cur:
            cur.execute("update core.articles set title = %s where url = %s",
                        (month.articles[month.copied_url].title, month.copied_url))
        conn.close()


def test_two_exports_of_the_same_days_at_once_leave_what_one_leaves(month_db: tuple[str, AnalystMonth], tmp_path: Path) -> None:
    dsn, _ = month_db
    days = [LAST_DAY - timedelta(days=n) for n in range(3)]
    alone, together = tmp_path / "alone", tmp_path / "together"
    export.export_days(days, str(alone), dsn)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(export.export_days, days, str(together), dsn) for _ in range(2)]:
            done.result()  # no error: each day is exported by one of them at a time
    assert files(together) == files(alone)


def test_after_a_load_the_days_its_runs_touched_are_exported(month_db: tuple[str, AnalystMonth], export_root: Path) -> None:
    dsn, month = month_db
    wire_run = month.runs[("wire_copy", LAST_DAY)]
    # The wire's copy belongs to a story of the daily: both articles' days, nothing else.
    assert export.days_touched_by_runs([wire_run], dsn) == [LAST_DAY]
    assert export.days_touched_by_runs([], dsn) == []
    tagesblatt_runs = [run for (source, _), run in month.runs.items() if source == "tagesblatt"]
    assert len(export.days_touched_by_runs(tagesblatt_runs, dsn)) == 15  # every other day of 30
    result = export.export_after_load([wire_run], str(export_root), dsn)
    assert result.days == [LAST_DAY]
    assert sorted(p.parent.parent.name + "/" + p.parent.name for p in export_root.rglob("*.parquet")) == [
        "source=daily_planet/day=2026-11-19", "source=daily_planet/day=2026-11-19",
        "source=wire_copy/day=2026-11-19"]


def test_make_export_exports_a_range_and_refuses_a_wrong_one(month_db: tuple[str, AnalystMonth], export_root: Path) -> None:
    dsn, _ = month_db
    env = {**os.environ, "NEWS_WAREHOUSE_DSN": dsn, "ARCHIVE_ROOT": str(export_root), "NEWS_PG_PORT": os.environ.get("NEWS_PG_PORT", "")}
    done = subprocess.run(["make", "--no-print-directory", "export", "SINCE=2026-11-18", "UNTIL=2026-11-20"],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "exported 2 day(s)" in done.stdout
    days = {p.parent.name for p in export_root.rglob("*.parquet")}
    assert days == {"day=2026-11-18", "day=2026-11-19"}
    for args, message in ((["SINCE=2026-11-20", "UNTIL=2026-11-18"], "UNTIL (2026-11-18) must be after SINCE"),
                          (["SINCE=2026-11-31", "UNTIL=2026-12-02"], "SINCE='2026-11-31' is not a day"),
                          (["SINCE=2026-11-18"], "give SINCE=YYYY-MM-DD UNTIL=YYYY-MM-DD")):
        refused = subprocess.run(["make", "--no-print-directory", "export", *args], cwd=PROJECT_ROOT, env=env,
                                 capture_output=True, text=True, timeout=300)
        assert refused.returncode != 0 and message in refused.stderr, (args, refused.stdout + refused.stderr)


def test_a_mart_column_of_an_unmapped_type_fails_with_its_name() -> None:
    with pytest.raises(export.ExportError, match=r"marts\.articles\.odd has a PostgreSQL type \(oid 3802\)"):
        export._arrow_type("articles", "odd", 3802)


def test_days_between_is_half_open() -> None:
    assert export.days_between(date(2026, 11, 18), date(2026, 11, 20)) == [date(2026, 11, 18), date(2026, 11, 19)]
    with pytest.raises(export.ExportError):
        export.days_between(date(2020, 1, 1), date(2031, 1, 1))


def test_the_export_to_s3_replaces_partitions_and_removes_emptied_ones(month_db: tuple[str, AnalystMonth], s3_server: S3Server,
                                                                       s3_archive: str) -> None:
    dsn, _ = month_db
    export.export_days([LAST_DAY], dsn=dsn)  # ARCHIVE_ROOT is s3://<bucket>/<prefix>
    prefix = f"{s3_archive}/exports"
    keys = s3_server.keys(prefix)
    assert sorted(keys) == [f"{prefix}/articles/source=daily_planet/day=2026-11-19/articles.parquet",
                            f"{prefix}/story_articles/source=daily_planet/day=2026-11-19/story_articles.parquet",
                            f"{prefix}/story_articles/source=wire_copy/day=2026-11-19/story_articles.parquet"]
    table = pq.read_table(io.BytesIO(s3_server.get(f"{prefix}/articles/source=daily_planet/day=2026-11-19/articles.parquet")))
    assert table.num_rows == rows(dsn, f"select count(*) from marts.articles where {DAY_SQL} = %s", (LAST_DAY,))[0][0]
    ghost = f"{prefix}/articles/source=ghost/day=2026-11-19/articles.parquet"
    s3_server.client().pipe_file(f"{BUCKET}/{ghost}", b"stale")
    result = export.export_days([LAST_DAY], dsn=dsn)
    assert result.partitions_removed == 1 and ghost not in s3_server.keys(prefix)
    assert s3_server.keys(prefix) == keys  # the same objects, the same sizes
