"""The command line: messages on stderr, exit codes, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.helpers import REPO, run, tree_bytes, write


def test_new_then_check_then_build(tmp_path: Path) -> None:
    result = run(["new", "clinic"], tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "clinic/workbook.yaml").is_file()
    assert (tmp_path / "clinic/content/goals/ease-anxiety.yaml").is_file()
    assert "/output/" in (tmp_path / "clinic/.gitignore").read_text()

    result = run(["check", "clinic"], tmp_path)
    assert result.exit_code == 0
    assert result.stdout == (
        "No problems found: 9 goals, 6 guidance pages, 4 sheets, 1 workbook, 1 questionnaire.\n"
    )  # one workbook, not "1 workbooks"

    result = run(["build", "clinic", "--no-pdf"], tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "into clinic/output" in result.stdout
    assert (tmp_path / "clinic/output/index.html").is_file()


def test_new_refuses_a_folder_with_files(tmp_path: Path) -> None:
    write(tmp_path / "busy/notes.txt", "mine")
    result = run(["new", "busy"], tmp_path)
    assert result.exit_code == 1
    assert result.stderr == "busy: already exists and is not empty; choose a new folder\n"
    assert (tmp_path / "busy/notes.txt").read_text() == "mine"


def test_check_lists_every_problem_and_exits_1(project: Path) -> None:
    goal = project / "content/goals/ease-anxiety.yaml"
    goal.write_text(
        goal.read_text()
        .replace("timeframe: 12 weeks", "timeframe: soon")
        .replace("area: emotional-wellbeing", "area: feelings")
    )
    result = run(["check"], project)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "content/goals/ease-anxiety.yaml:2: unknown area 'feelings'; areas are: personal-growth, "
        "emotional-wellbeing, relationships, behaviour-change (areas are set in workbook.yaml)\n"
        "content/goals/ease-anxiety.yaml:10: timeframe must look like '8 weeks', got 'soon'\n"
        "2 problems found; fix them and run 'workbook check' again\n"
    )


def test_paths_in_messages_are_relative_to_where_you_are(project: Path) -> None:
    goal = project / "content/goals/ease-anxiety.yaml"
    goal.write_text(goal.read_text().replace("timeframe: 12 weeks", "timeframe: soon"))
    result = run(["check", project.name], project.parent)
    assert result.stderr.startswith(
        f"{project.name}/content/goals/ease-anxiety.yaml:10: timeframe must look like"
    )


def test_build_error_keeps_output_and_exits_1(project: Path) -> None:
    assert run(["build", "--no-pdf"], project).exit_code == 0
    before = tree_bytes(project / "output")
    write(project / "content/sheets/bad.yaml", "title: [unclosed\n")
    result = run(["build", "--no-pdf"], project)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "1 problem found; nothing was written; the previous output is unchanged"
    )
    assert "Traceback" not in result.output
    assert tree_bytes(project / "output") == before


def test_not_a_project(tmp_path: Path) -> None:
    result = run(["build"], tmp_path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{tmp_path}: not a workbook project (no workbook.yaml); "
        "run 'workbook new .' to start one here\n"
    )
    assert run(["new", "."], tmp_path).exit_code == 0  # what it said works


def test_not_a_project_in_a_folder_of_other_files(tmp_path: Path) -> None:
    write(tmp_path / "notes.txt", "mine")
    result = run(["check"], tmp_path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{tmp_path}: not a workbook project (no workbook.yaml); "
        "run 'workbook new my-workbook' to start one in a new folder\n"
    )
    assert run(["new", "my-workbook"], tmp_path).exit_code == 0  # what it said works


def test_refuses_to_build_over_a_folder_it_did_not_make(project: Path) -> None:
    write(project / "mine/important.txt", "keep me")
    result = run(["build", "--no-pdf", "--out", "mine"], project)
    assert result.exit_code == 1
    assert "is not empty and was not made by 'workbook build'" in result.stderr
    assert (project / "mine/important.txt").read_text() == "keep me"
    result = run(["build", "--no-pdf", "--out", "content"], project)
    assert result.exit_code == 1
    assert "refusing to build into the content folder" in result.stderr


def test_module_entry_point_has_no_traceback_on_bad_content(project: Path) -> None:
    write(project / "content/goals/bad.yaml", "- just\n- a list\n")
    done = subprocess.run(
        [sys.executable, "-m", "workbook", "check", str(project)], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "bad.yaml:1: the file must be a mapping of 'key: value' lines" in done.stderr


@pytest.mark.slow
def test_non_editable_install_can_make_and_build_a_project(tmp_path: Path) -> None:
    """`pip install .` (a real wheel) ships the theme and sample inside the package."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    python = env_dir / "bin" / "python"
    # Dependencies come from the running environment (no second download); the
    # package itself is built as a wheel from the source tree and installed.
    site_packages = subprocess.run(
        [sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    target = tmp_path / "installed"
    subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(REPO),
        ],
        check=True,
    )
    assert (target / "workbook/_bundled/templates/base.html").is_file()
    assert (target / "workbook/_bundled/content/goals/ease-anxiety.yaml").is_file()
    env = {**os.environ, "PYTHONPATH": f"{target}{os.pathsep}{site_packages}"}
    work = tmp_path / "elsewhere"
    work.mkdir()
    for args in (["new", "x"], ["build", "x"]):
        done = subprocess.run(
            [python, "-m", "workbook", *args], cwd=work, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    out = work / "x/output"
    assert (out / "index.html").is_file()
    assert (out / "downloads/ease-anxiety-tracker.pdf").is_file()
    assert (out / "assets/fonts/AtkinsonHyperlegible-Regular.ttf").is_file()
