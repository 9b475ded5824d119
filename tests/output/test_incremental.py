"""Incremental and parallel builds: only what changed is rebuilt, and the bytes are a clean build's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import REPO, tree_bytes, write
from workbook import BuildConfig, WorkbookError, build
from workbook.output.cache import CACHE_DIR

pytestmark = pytest.mark.slow


def mtimes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {path for path in after if before.get(path) != after[path]} | (set(before) - set(after))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project, built once with PDFs (a module-wide starting point)."""
    from workbook.project import new_project

    root = new_project(tmp_path_factory.mktemp("incremental") / "sample").root
    build(BuildConfig(project_dir=root))
    return root


@pytest.fixture
def project(sample: Path, tmp_path: Path) -> Path:
    """A copy of the built sample, cache and output included."""
    copy = tmp_path / "sample"
    shutil.copytree(sample, copy, symlinks=True)  # copy2 keeps the modification times
    return copy


def test_nothing_changed_renders_nothing(project: Path) -> None:
    before = mtimes(project / "output")
    result = build(BuildConfig(project_dir=project))
    assert result.up_to_date
    assert result.rendered == [] and result.written == []
    assert mtimes(project / "output") == before


def test_editing_one_goal_rebuilds_exactly_its_outputs(project: Path) -> None:
    before = mtimes(project / "output")
    goal = project / "content/goals/ease-anxiety.yaml"
    goal.write_text(
        goal.read_text().replace(
            "Slow breathing for five minutes", "Slow breathing for six minutes"
        )
    )
    result = build(BuildConfig(project_dir=project))
    goal_outputs = {
        "goals/ease-anxiety.html",
        "goals/ease-anxiety/worksheet.html",
        "goals/ease-anxiety/tracker.html",
        "goals/ease-anxiety/session-prep.html",
        "goals/ease-anxiety/gas.html",
        "downloads/ease-anxiety-worksheet.pdf",
        "downloads/ease-anxiety-tracker.pdf",
        "downloads/ease-anxiety-session-prep.pdf",
        "downloads/ease-anxiety-gas.pdf",
        "downloads/getting-started.pdf",  # the workbook that contains the goal
    }
    # the goal's outputs are rebuilt, the workbook holding it, and the pages listing every goal
    listing = {
        "index.html",
        "goals/index.html",
        "guidance/index.html",
        "sheets/index.html",
        "workbooks/index.html",
    }
    assert set(result.rendered) == goal_outputs | listing
    # of those, the files whose bytes differ are written; the strategies do not appear on
    # the worksheet, the goal rating sheet or the listing pages: those files keep their time
    written = goal_outputs - {
        "goals/ease-anxiety/worksheet.html",
        "downloads/ease-anxiety-worksheet.pdf",
        "goals/ease-anxiety/gas.html",
        "downloads/ease-anxiety-gas.pdf",
    }
    # and the search index, whose text of the goal changed
    index = {p for p in result.written if p.startswith("pagefind/")}
    assert index and "pagefind/pagefind-entry.json" in index
    assert set(result.written) - index == written
    assert {
        p for p in changed(before, mtimes(project / "output")) if not p.startswith("pagefind/")
    } == written


def test_editing_a_goal_title_changes_the_pages_that_list_it(project: Path) -> None:
    before = mtimes(project / "output")
    goal = project / "content/goals/sleep-routine.yaml"
    goal.write_text(
        goal.read_text().replace(
            "title: Settle into a steady sleep routine", "title: Sleep on a steady schedule"
        )
    )
    build(BuildConfig(project_dir=project))
    after = {
        p for p in changed(before, mtimes(project / "output")) if not p.startswith("pagefind/")
    }
    assert {
        "index.html",
        "goals/index.html",
        "sheets/index.html",
        "goals/sleep-routine.html",
        "downloads/sleep-routine-tracker.pdf",
    } <= after
    # its neighbour in the area links to it by title
    assert "goals/beat-procrastination.html" in after
    assert not any(p.startswith("downloads/ease-anxiety") for p in after)
    assert "downloads/getting-started.pdf" not in after


def test_editing_a_template_changes_every_page_using_it(project: Path) -> None:
    before = mtimes(project / "output")
    theme = project / "templates"
    theme.mkdir()
    default = REPO / "templates/goal.html"
    (theme / "goal.html").write_text(
        default.read_text().replace(
            '<section aria-labelledby="smart-title">',
            '<section aria-labelledby="smart-title" class="x">',
        )
    )
    result = build(BuildConfig(project_dir=project))
    goal_pages = {
        p
        for p in before
        if p.startswith("goals/") and p.count("/") == 1 and p != "goals/index.html"
    }
    assert len(goal_pages) == 9
    # the search index reads only the page's text, which did not change
    assert changed(before, mtimes(project / "output")) == goal_pages
    assert not [p for p in result.rendered if p.endswith(".pdf")]


def test_incremental_output_equals_a_clean_build(project: Path, tmp_path: Path) -> None:
    goal = project / "content/goals/ease-anxiety.yaml"
    goal.write_text(goal.read_text().replace("timeframe: 12 weeks", "timeframe: 10 weeks"))
    guide = project / "content/guidance/tracking-progress.md"
    guide.write_text(guide.read_text() + "\nOne more paragraph at the end.\n")
    build(BuildConfig(project_dir=project))
    build(BuildConfig(project_dir=project, clean=True, out=tmp_path / "clean"))
    assert tree_bytes(project / "output") == tree_bytes(tmp_path / "clean")


def test_deleting_the_cache_is_harmless(project: Path) -> None:
    before = tree_bytes(project / "output")
    times = mtimes(project / "output")
    shutil.rmtree(project / CACHE_DIR)
    build(BuildConfig(project_dir=project))
    assert tree_bytes(project / "output") == before
    assert mtimes(project / "output") == times  # same bytes: files kept as they were
    assert build(BuildConfig(project_dir=project)).up_to_date


def test_a_failed_build_keeps_the_cache(project: Path) -> None:
    manifest = (project / CACHE_DIR / "manifest.json").read_bytes()
    goal = project / "content/goals/ease-anxiety.yaml"
    text = goal.read_text()
    goal.write_text(text.replace("timeframe: 12 weeks", "timeframe: soon"))
    with pytest.raises(WorkbookError):
        build(BuildConfig(project_dir=project))
    assert (project / CACHE_DIR / "manifest.json").read_bytes() == manifest
    goal.write_text(text)
    assert build(BuildConfig(project_dir=project)).up_to_date


def test_an_output_file_changed_by_hand_is_rebuilt(project: Path) -> None:
    page = project / "output/goals/ease-anxiety.html"
    original = page.read_bytes()
    page.write_text("tampered")
    result = build(BuildConfig(project_dir=project))
    assert page.read_bytes() == original
    assert result.written == ["goals/ease-anxiety.html"]


def test_jobs_2_gives_the_same_bytes_as_jobs_1(small_project: Path, tmp_path: Path) -> None:
    write(
        small_project / "content/workbooks/mine.yaml",
        "title: Mine\ncontents:\n  - {guidance: smart-goals}\n  - {goal: ease-anxiety}\n"
        "  - {sheet: weekly-check-in}\n",
    )
    build(BuildConfig(project_dir=small_project, jobs=1, clean=True, out=tmp_path / "one"))
    build(BuildConfig(project_dir=small_project, jobs=2, clean=True, out=tmp_path / "two"))
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")
