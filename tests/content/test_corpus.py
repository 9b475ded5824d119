"""Every bad input in tests/corpus/ gives its exact message, exit 1, and loses nothing.

A case is a folder: ``files/`` is copied over a fresh copy of the sample
project, ``make.py`` (when present) writes what is too big or too odd to keep
in git, and ``expected`` holds the exact lines ``workbook check`` and
``workbook build`` print. A case with a ``literal`` file instead must build,
and each ``page<TAB>text`` line in it names text the page must show as is.
"""

from __future__ import annotations

import contextlib
import html
import importlib.util
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import TESTS, tree_bytes
from workbook import BuildConfig, build
from workbook.commands.cli import main
from workbook.project import new_project

CORPUS = TESTS / "corpus"
CASES = sorted(path.name for path in CORPUS.iterdir() if path.is_dir())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project with a previous (HTML) output, to copy for every case."""
    root = new_project(tmp_path_factory.mktemp("corpus") / "sample").root
    build(BuildConfig(project_dir=root, pdf=False))
    return root


def prepare(case: Path, built: Path, target: Path) -> Path:
    shutil.copytree(built, target, symlinks=True)
    if (case / "files").is_dir():
        shutil.copytree(case / "files", target, dirs_exist_ok=True)
    if (case / "make.py").is_file():
        spec = importlib.util.spec_from_file_location(f"corpus_{case.name}", case / "make.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.make(target)
    return target


def cli(args: list[str], cwd: Path):
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, args)


def test_the_corpus_is_big_enough() -> None:
    assert len([c for c in CASES if (CORPUS / c / "expected").is_file()]) >= 40


@pytest.mark.parametrize("name", CASES)
def test_bad_input(name: str, built: Path, tmp_path: Path) -> None:
    case = CORPUS / name
    project = prepare(case, built, tmp_path / "project")
    before = tree_bytes(project / "output")
    if (case / "literal").is_file():
        _builds_and_shows_literally(case, project)
        return
    expected = (case / "expected").read_text(encoding="utf-8").splitlines()
    for args, summary in (
        (["check"], "fix them and run 'workbook check' again"),
        (["build", "--jobs", "1"], "nothing was written; the previous output is unchanged"),
    ):
        result = cli(args, project)
        lines = result.stderr.splitlines()
        assert result.exit_code == 1, result.output
        assert lines[:-1] == expected
        count = len(expected)
        if count == 1:
            summary = summary.replace("fix them", "fix it")
        assert lines[-1] == f"{count} problem{'s' if count != 1 else ''} found; {summary}"
        assert result.stdout == ""
        assert "Traceback" not in result.output and "Internal error" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert tree_bytes(project / "output") == before
    assert not list(project.glob(".output.*"))


def _builds_and_shows_literally(case: Path, project: Path) -> None:
    result = cli(["build", "--no-pdf"], project)
    assert result.exit_code == 0, result.output
    for line in (case / "literal").read_text(encoding="utf-8").splitlines():
        page, text = line.split("\t")
        assert html.escape(text, quote=False) in (project / "output" / page).read_text()
