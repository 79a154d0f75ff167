"""SQL statements kept as .sql files under sql/, read once when the module using them is imported.

A statement may hold generated pieces (e.g. a column list derived from a declaration) as
``{{name}}`` placeholders; a placeholder that is not given fails at import, not halfway through
a load.
"""

from __future__ import annotations

import re
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
_PLACEHOLDER_RE = re.compile(r"\{\{(\w+)\}\}")


def read_statement(relative_path: str, **pieces: str) -> str:
    """The text of sql/<relative_path> with its ``{{name}}`` placeholders filled from ``pieces``."""
    path = SQL_DIR / relative_path
    text = path.read_text(encoding="utf-8")
    missing = set(_PLACEHOLDER_RE.findall(text)) - set(pieces)
    if missing:
        raise ValueError(f"{path}: no value for the placeholder(s) {sorted(missing)}")
    return _PLACEHOLDER_RE.sub(lambda match: pieces[match[1]], text)
