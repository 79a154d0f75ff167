"""Log files on local disk: rotation at start-up and retention by age or count.

Used by `make up` (tools/stack.sh rotates each component's log before starting it, so the log of
a scheduler that crashed survives the restart) and by news_maintenance (task logs older than the
retention, rotated component logs beyond the count kept).

    python -m common.log_files rotate FOLDER NAME.log [NAME.log ...] --keep K

Rotation is numbered like logrotate's: ``scheduler.log`` becomes ``scheduler.log.1``, the older
``.1`` becomes ``.2`` and so on; what would become ``.K+1`` is deleted.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

ROTATED_SUFFIX = re.compile(r"^(?P<base>.+\.log)\.(?P<number>[1-9][0-9]*)$")


@dataclass(frozen=True)
class Removed:
    """What a retention pass deleted."""

    files: int = 0
    bytes: int = 0
    folders: int = 0

    def __add__(self, other: Removed) -> Removed:
        return Removed(self.files + other.files, self.bytes + other.bytes, self.folders + other.folders)

    def describe(self) -> str:
        return f"{self.files} file(s), {self.bytes} bytes, {self.folders} empty folder(s)"


def rotate(path: Path, keep: int) -> list[Path]:
    """Shift ``path`` to ``path.1`` (and each ``.n`` to ``.n+1``), keeping ``keep`` rotated files.

    An absent or empty log is left alone: there is nothing of a previous run to keep. Returns the
    rotated files deleted because they were past ``keep``. ``keep = 0`` keeps none (the log is
    then removed, the old behaviour of overwriting it).
    """
    if keep < 0:
        raise ValueError(f"keep must be 0 or more, got {keep}")
    if not path.is_file() or path.stat().st_size == 0:
        return []
    deleted = []
    for number in sorted(_rotated_numbers(path), reverse=True):
        older = path.with_name(f"{path.name}.{number}")
        if number >= keep:
            older.unlink()
            deleted.append(older)
        else:
            older.rename(path.with_name(f"{path.name}.{number + 1}"))
    if keep == 0:
        path.unlink()
        deleted.append(path)
    else:
        path.rename(path.with_name(f"{path.name}.1"))
    return deleted


def _rotated_numbers(path: Path) -> list[int]:
    numbers = []
    for sibling in path.parent.glob(f"{path.name}.*"):
        match = ROTATED_SUFFIX.match(sibling.name)
        if match and match["base"] == path.name and sibling.is_file():
            numbers.append(int(match["number"]))
    return numbers


def prune_rotated(folder: Path, keep: int, older_than: datetime | None = None) -> Removed:
    """Delete rotated logs (``*.log.N``) numbered past ``keep``, or last written before ``older_than``.

    The live logs (``*.log``) are never touched: a running component writes to them.
    """
    removed = Removed()
    if not folder.is_dir():
        return removed
    for path in sorted(folder.iterdir()):
        match = ROTATED_SUFFIX.match(path.name)
        if not match or path.is_symlink() or not path.is_file():
            continue
        stat = path.stat()
        too_old = older_than is not None and stat.st_mtime < older_than.timestamp()
        if int(match["number"]) > keep or too_old:
            path.unlink()
            removed += Removed(files=1, bytes=stat.st_size)
    return removed


def prune_older_than(folder: Path, older_than: datetime) -> Removed:
    """Delete every file under ``folder`` last written before ``older_than``, then the folders
    left empty. Symbolic links are neither followed nor deleted (they may point anywhere)."""
    removed = Removed()
    if not folder.is_dir():
        return removed
    cutoff = older_than.timestamp()
    for directory, subfolders, files in os.walk(folder, topdown=False):
        here = Path(directory)
        for name in files:
            path = here / name
            try:
                stat = path.lstat()
            except FileNotFoundError:  # removed meanwhile (another pass, Airflow itself)
                continue
            if path.is_symlink() or stat.st_mtime >= cutoff:
                continue
            path.unlink(missing_ok=True)
            removed += Removed(files=1, bytes=stat.st_size)
        for name in subfolders:
            sub = here / name
            if not sub.is_symlink() and _remove_if_empty(sub):
                removed += Removed(folders=1)
    return removed


def _remove_if_empty(folder: Path) -> bool:
    try:
        folder.rmdir()
    except OSError:  # not empty (or a task is writing into it right now)
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rotate log files (see the module's docstring).")
    commands = parser.add_subparsers(dest="command", required=True)
    rotate_parser = commands.add_parser("rotate", help="rotate NAME.log files in FOLDER")
    rotate_parser.add_argument("folder", type=Path)
    rotate_parser.add_argument("names", nargs="+")
    rotate_parser.add_argument("--keep", type=int, required=True)
    args = parser.parse_args(argv)
    rotated = 0
    for name in args.names:
        path = args.folder / name
        if path.is_file() and path.stat().st_size:
            rotated += 1
        for deleted in rotate(path, args.keep):
            print(f"removed {deleted}", file=sys.stderr)
    print(f"rotated {rotated} log(s) in {args.folder}, keeping {args.keep} each", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
