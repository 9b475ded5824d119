"""Shared fixtures: fresh copies of the sample project, and one full build of it."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook import BuildConfig, build
from workbook.commands.cli import main
from workbook.project import new_project

REPO = Path(__file__).resolve().parent.parent

# Browser, local web server and npm checker fixtures (one Chromium for the whole session).
pytest_plugins = ["tests.browser"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the sample project (what `workbook new` makes)."""
    return new_project(tmp_path / "project").root


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """The sample cut down to one goal and one sheet (4 PDFs): quick to build."""
    root = new_project(tmp_path / "small").root
    keep = {"goals": {"ease-anxiety.yaml"}, "sheets": {"weekly-check-in.yaml"}, "workbooks": set()}
    for folder, names in keep.items():
        for path in (root / "content" / folder).iterdir():
            if path.name not in names:
                path.unlink()
    return root


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole sample project built once, with PDFs (letter paper)."""
    root = new_project(tmp_path_factory.mktemp("built") / "sample").root
    build(BuildConfig(project_dir=root))
    return root / "output"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(args: list[str], cwd: Path):
    """Run the CLI in-process from ``cwd``; returns click's Result (stdout, stderr, exit code)."""
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, args, catch_exceptions=True)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, for before/after comparisons."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


__all__ = ["REPO", "write", "run", "tree_bytes", "shutil"]
