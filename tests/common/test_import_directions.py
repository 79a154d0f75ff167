"""Import directions: ui -> dags -> (scrapers, transforms) -> common, enforced by import-linter's contracts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.fixtures import PROJECT_ROOT

PACKAGES = ("common", "scrapers", "transforms", "dags", "ops", "ui")


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_project_keeps_its_import_directions() -> None:
    result = lint_imports(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_crawl_module_importing_extraction_breaks_the_contract(tmp_path: Path) -> None:
    """The contracts bite: a copy of the tree where the crawl imports extraction fails the lint."""
    for package in PACKAGES:
        shutil.copytree(PROJECT_ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.toml", "site", "replay"))
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "scrapers" / "shortcut.py").write_text("from transforms.extract import extractor\n")
    (tmp_path / "common" / "upward.py").write_text("import scrapers.settings\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "scrapers.shortcut -> transforms.extract.extractor" in result.stdout
    assert "common.upward -> scrapers.settings" in result.stdout
