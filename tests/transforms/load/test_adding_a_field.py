"""The worked example of the README's "Adding a field to an article", run for real.

On a copy of the project's packages, a field ``subtitle`` is added by editing exactly: the Article
record, one extractor function (and the keyword that passes its result), the column declaration,
and one new migration. A page is then extracted and loaded in a child process on a fresh
warehouse, and the field must arrive in core.articles and core.article_versions. An edit that no
longer applies (the code it patches moved) fails here: update the README's example with it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from common.migrate import MIGRATIONS_DIR, discover

PROJECT = Path(__file__).resolve().parents[3]
PAGE = PROJECT / "tests" / "fixtures" / "extract" / "aljazeera_article.html"
SUBTITLE = "The 1890s tower stays, with new oak beams"

ARTICLE_FIELD = ("    flags: tuple[str, ...] = ()", "    subtitle: str | None = None\n    flags: tuple[str, ...] = ()")
EXTRACTOR_FUNCTION = '''

def find_subtitle(page: PageData) -> str | None:
    """The page's subtitle meta, on one line."""
    return single_line(page.first_meta(("subtitle",)))
'''
EXTRACTOR_CALL = [("    find_title,\n", "    find_title,\n    find_subtitle,\n"),
                  ("        flags=flags,\n    )", "        subtitle=find_subtitle(page),\n        flags=flags,\n    )")]
COLUMN = ('    Column("flags", "text[]", on_update=FLAGS_ON_UPDATE),',
          '    Column("subtitle", "text", max_chars=300, checks=(nfc_text,), history=History.KEPT),\n'
          '    Column("flags", "text[]", on_update=FLAGS_ON_UPDATE),')
MIGRATION = """alter table core.articles add column subtitle text
    constraint articles_subtitle_nfc check (subtitle is nfc normalized and length(subtitle) <= 300);
alter table core.article_versions add column subtitle text;
comment on column core.articles.subtitle is 'Subtitle the page declares.';
"""

CHILD = """
import json, sys, uuid
from datetime import UTC, datetime
from dataclasses import replace
from common.migrate import apply_migrations
from common.warehouse import transaction
from transforms.article import Article
from transforms.extract.extractor import extract_article
from transforms.load.articles import check_article, load_articles

apply_migrations()
html = open(sys.argv[1], encoding="utf-8").read()
url = "https://www.aljazeera.com/news/2026/3/4/harbour-town-votes-to-keep-its-wooden-lighthouse"
article = extract_article(html, url, source="aljazeera", fetched_at=datetime(2026, 3, 5, tzinfo=UTC))
assert isinstance(article, Article), article
run_id = str(uuid.uuid4())
with transaction() as cur:
    cur.execute("insert into ops.sources (source, name, domains, language, enabled) "
                "values ('aljazeera', 'Al Jazeera', '{www.aljazeera.com}', 'en', true)")
    cur.execute("insert into ops.crawl_runs (crawl_run_id, source, window_start, window_end, started_at, finished_at, "
                "finish_reason, status) values (%s, 'aljazeera', '2026-03-04', '2026-03-05', now(), now(), 'finished', "
                "'captured')", (run_id,))
    counts = load_articles(cur, [article], run_id)
    cur.execute("select a.subtitle, v.subtitle from core.articles a join core.article_versions v using (article_id)")
    stored = cur.fetchall()
print(json.dumps({"extracted": article.subtitle, "new": counts.new, "stored": stored,
                  "too_long": check_article(replace(article, subtitle="x" * 301))}))
"""


def patch(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path.name}: the worked example's edit no longer applies ({old.strip()!r})"
    path.write_text(text.replace(old, new), encoding="utf-8")


def add_the_field(copy: Path) -> None:
    patch(copy / "transforms" / "article.py", *ARTICLE_FIELD)
    metadata = copy / "transforms" / "extract" / "metadata.py"
    metadata.write_text(metadata.read_text(encoding="utf-8") + EXTRACTOR_FUNCTION, encoding="utf-8")
    for old, new in EXTRACTOR_CALL:
        patch(copy / "transforms" / "extract" / "extractor.py", old, new)
    patch(copy / "transforms" / "load" / "columns.py", *COLUMN)
    next_version = discover(MIGRATIONS_DIR)[-1].version + 1
    (copy / "sql" / "migrations" / f"{next_version:04d}_article_subtitle.sql").write_text(MIGRATION, encoding="utf-8")


def test_a_field_is_added_by_the_declaration_one_extractor_function_and_one_migration(
    fresh_database: str, tmp_path: Path
) -> None:
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__")
    for package in ("common", "transforms", "sql"):
        shutil.copytree(PROJECT / package, copy / package, ignore=ignore)
    add_the_field(copy)
    page = tmp_path / "page.html"
    html = PAGE.read_text(encoding="utf-8")
    with_subtitle = html.replace("<head>", f'<head>\n<meta name="subtitle" content="{SUBTITLE}"/>', 1)
    page.write_text(with_subtitle, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(copy), "NEWS_WAREHOUSE_DSN": fresh_database}
    child = subprocess.run([sys.executable, "-c", CHILD, str(page)], cwd=copy, env=env, capture_output=True,
                           text=True, timeout=300)
    assert child.returncode == 0, child.stderr[-3000:]
    result = json.loads(child.stdout.strip().splitlines()[-1])
    assert result == {"extracted": SUBTITLE, "new": 1, "stored": [[SUBTITLE, SUBTITLE]],
                      "too_long": "subtitle_too_long: 301 characters, at most 300"}
