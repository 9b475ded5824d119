"""Shared fixtures: fresh copies of the sample project, and one full build of it.

Helpers that tests call (write a file, run the CLI, parse a page) are in
:mod:`tests.helpers`; fixtures are here, where pytest finds them.

The fast loop is ``python -m pytest -m "not slow"``: a test is slow when it is marked so,
or when it asks for a fixture that builds the sample with its PDFs, starts Chromium or the
preview server, or installs the npm tools (:data:`SLOW_FIXTURES`); CI runs every test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbook import BuildConfig, build
from workbook.project import new_project

# Browser, local web server and npm checker fixtures (one Chromium for the whole session).
pytest_plugins = ["tests.browser"]

#: Fixtures that make a test slow: a build with every PDF, Chromium, the preview server, npm.
SLOW_FIXTURES = frozenset(
    {"built_sample", "browser", "sample_site", "web_tools", "preview", "pdfjs"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


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
