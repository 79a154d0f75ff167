"""Generate sql/README.md's generated parts from the database catalog and the example queries.

    python -m demo.data_dictionary            # rewrite sql/README.md
    python -m demo.data_dictionary --check    # exit 1 if sql/README.md is out of date

Both work on a scratch database on the configured server: migrated from sql/migrations/ (so the
dictionary is what a fresh warehouse has, whatever a local one accumulated) and loaded with the
offline demo's day (so every query in sql/queries/ is shown with its output on the demo data).
``--dsn`` uses an existing, already loaded database instead.

Only the text between ``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->``
markers is replaced; the prose around them is written by hand.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg2
import psycopg2.extensions

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
README = PROJECT_ROOT / "sql" / "README.md"
QUERIES_DIR = PROJECT_ROOT / "sql" / "queries"
DICTIONARY_SCHEMAS = ("marts", "core")
MAX_CELL = 60  # characters of a value shown in an output table; longer text is cut with "…"
MAX_ROWS = 15
_MARKER_RE = r"<!-- BEGIN GENERATED: {name} -->\n.*?<!-- END GENERATED: {name} -->"
_KINDS = {"r": "table", "p": "partitioned table", "v": "view", "m": "materialized view"}


@dataclass(frozen=True)
class ExampleQuery:
    path: Path
    title: str
    description: str
    sql: str

    @classmethod
    def read(cls, path: Path) -> ExampleQuery:
        text = path.read_text(encoding="utf-8").strip() + "\n"
        comments = []
        for line in text.splitlines():
            if not line.startswith("--"):
                break
            comments.append(line[2:].strip())
        if not comments:
            raise ValueError(f"{path.name}: start the query with a '-- Title' comment line, then a description")
        return cls(path, comments[0], " ".join(comments[1:]), text)


def example_queries(directory: Path = QUERIES_DIR) -> list[ExampleQuery]:
    return [ExampleQuery.read(p) for p in sorted(directory.glob("*.sql"))]


def run_query(cur: psycopg2.extensions.cursor, query: ExampleQuery) -> tuple[list[str], list[tuple[object, ...]]]:
    cur.execute("set time zone 'UTC'")
    cur.execute(query.sql)
    return [d.name for d in cur.description], list(cur.fetchall())


def format_value(value: object) -> str:
    """A value as psql would roughly show it, on one line, cut to MAX_CELL characters."""
    if value is None:
        text = ""
    elif isinstance(value, datetime):
        text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S+00") if value.tzinfo else value.isoformat(" ")
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, timedelta):
        hours, rest = divmod(int(value.total_seconds()), 3600)
        text = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    elif isinstance(value, bool):
        text = "t" if value else "f"
    elif isinstance(value, (list, tuple)):
        text = "{" + ",".join(format_value(v) for v in value) + "}"
    elif isinstance(value, Decimal):
        text = str(value)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "…"


def format_table(columns: Sequence[str], rows: Sequence[tuple[object, ...]]) -> str:
    """An aligned, psql-like text table, with the row count."""
    cells = [[format_value(v) for v in row] for row in rows[:MAX_ROWS]]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    more = f", first {MAX_ROWS} shown" if len(rows) > MAX_ROWS else ""
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''}{more})")
    return "\n".join(lines)


def queries_section(cur: psycopg2.extensions.cursor, queries: list[ExampleQuery]) -> str:
    parts = []
    for q in queries:
        columns, rows = run_query(cur, q)
        parts.append(
            f"### {q.title}\n\n{q.description}\n\n`sql/queries/{q.path.name}`:\n\n```sql\n{q.sql}```\n\n"
            f"Output on the demo data:\n\n```\n{format_table(columns, rows)}\n```\n"
        )
    return "\n".join(parts)


def dictionary_section(cur: psycopg2.extensions.cursor, schemas: Sequence[str] = DICTIONARY_SCHEMAS) -> str:
    parts = []
    for schema in schemas:
        cur.execute("select obj_description(%s::regnamespace, 'pg_namespace')", (schema,))
        parts.append(f"### Schema `{schema}`\n\n{_cell(cur.fetchone()[0])}\n")
        cur.execute(
            """select c.oid, c.relname, c.relkind, obj_description(c.oid, 'pg_class')
               from pg_class c where c.relnamespace = %s::regnamespace and c.relkind in ('r', 'p', 'v', 'm')
               order by c.relkind = 'r', c.relname""",
            (schema,),
        )
        for oid, name, kind, comment in cur.fetchall():
            parts.append(_relation(cur, f"{schema}.{name}", _KINDS[kind], oid, comment))
        parts.append(_functions(cur, schema))
    return "\n".join(p for p in parts if p)


def _relation(cur: psycopg2.extensions.cursor, name: str, kind: str, oid: int, comment: str | None) -> str:
    cur.execute(
        """select a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, col_description(a.attrelid, a.attnum)
           from pg_attribute a where a.attrelid = %s and a.attnum > 0 and not a.attisdropped order by a.attnum""",
        (oid,),
    )
    rows = [f"| `{col}` | {typ}{' not null' if notnull else ''} | {_cell(desc)} |"
            for col, typ, notnull, desc in cur.fetchall()]
    return (f"#### `{name}` ({kind})\n\n{_cell(comment)}\n\n| column | type | description |\n|---|---|---|\n"
            + "\n".join(rows) + "\n")


def _functions(cur: psycopg2.extensions.cursor, schema: str) -> str:
    cur.execute(
        """select p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
                  obj_description(p.oid, 'pg_proc')
           from pg_proc p where p.pronamespace = %s::regnamespace order by p.proname, p.oid""",
        (schema,),
    )
    functions = cur.fetchall()
    if not functions:
        return ""
    lines = [f"#### Functions in `{schema}`\n"]
    for name, arguments, result, comment in functions:
        lines.append(f"- `{schema}.{name}({arguments})` → `{' '.join(result.split())}`: {_cell(comment)}")
    return "\n".join(lines) + "\n"


def _cell(text: str | None) -> str:
    return (text or "**(no comment)**").replace("|", "\\|").replace("\n", " ")


def render(readme: str, sections: dict[str, str]) -> str:
    """``readme`` with each generated section replaced; refuses a README missing a marker pair."""
    for name, body in sections.items():
        pattern = re.compile(_MARKER_RE.format(name=re.escape(name)), re.S)
        if not pattern.search(readme):
            raise ValueError(f"sql/README.md lacks the markers <!-- BEGIN GENERATED: {name} --> ... "
                             f"<!-- END GENERATED: {name} -->; add them where the section goes")
        block = f"<!-- BEGIN GENERATED: {name} -->\n{body.rstrip()}\n<!-- END GENERATED: {name} -->"
        readme = pattern.sub(_literal(block), readme)
    return readme



def _literal(text: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement that inserts ``text`` as it is (no backslash escapes)."""
    return lambda _match: text


def generated_readme(dsn: str, readme: str) -> str:
    """The README with its generated sections made from the database at ``dsn``."""
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            sections = {"queries": queries_section(cur, example_queries()), "dictionary": dictionary_section(cur)}
        conn.rollback()
    finally:
        conn.close()
    return render(readme, sections)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if sql/README.md is out of date")
    parser.add_argument("--dsn", help="an existing migrated database loaded with the demo day (default: a scratch one)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    current = README.read_text(encoding="utf-8")
    if args.dsn:
        fresh = generated_readme(args.dsn, current)
    else:
        from demo.warehouse import demo_database

        with demo_database() as dsn:
            fresh = generated_readme(dsn, current)
    if fresh == current:
        print("sql/README.md is up to date")
        return 0
    if args.check:
        print("sql/README.md is out of date: run `python -m demo.data_dictionary`", file=sys.stderr)
        return 1
    README.write_text(fresh, encoding="utf-8")
    print("sql/README.md regenerated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
