"""Broken source files, shown where ops look first: this file's DAG import error names each one.

news_daily and the per-source DAGs leave a broken source out and keep running the others. That
alone would be silent, so this file loads every source file strictly and fails to import while
any is broken: Airflow lists "Broken DAG: news_source_files.py" with the file, the field and what
is wrong, until the file is fixed. While every file is valid it defines no DAG (the `dag` word
is here for Airflow's safe-mode scan, which skips files that never mention it).
"""

from __future__ import annotations

from common.sources import SourceConfigError, read_registry


def _raise_for_broken_files() -> None:
    broken = read_registry().broken
    if broken:
        lines = [f"{len(broken)} source file(s) broken; their sources are disabled in every news DAG:"]
        lines += [f"  {error}" for error in broken.values()]
        raise SourceConfigError("\n".join(lines))


_raise_for_broken_files()
