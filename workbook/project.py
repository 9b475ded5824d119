"""Where things are: a workbook project's folders, and the bundled theme and sample.

A project is a folder with ``workbook.yaml``, ``content/`` and optionally
``templates/`` (overrides of the default theme). The default theme and the
sample project ship inside the package (``workbook/_bundled``, put there by
the wheel build); in a source checkout they are the repository's own
``templates/``, ``content/`` and ``workbook.yaml``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from workbook.errors import WorkbookError

CONFIG_NAME = "workbook.yaml"
PROJECT_GITIGNORE = "/output/\n/packets/\n/progress/\n/.workbook-cache/\n"


def bundled_root() -> Path:
    """The folder holding the default ``templates/``, sample ``content/`` and ``workbook.yaml``."""
    here = Path(__file__).resolve().parent
    packaged = here / "_bundled"
    return packaged if packaged.is_dir() else here.parent


def default_theme() -> Path:
    return bundled_root() / "templates"


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def theme_dirs(self) -> list[Path]:
        """Template folders, most specific first: the project's, then the default."""
        dirs = []
        own = self.root / "templates"
        if own.is_dir():
            dirs.append(own.resolve())
        default = default_theme().resolve()
        if default not in dirs:
            dirs.append(default)
        return dirs

    def rel(self, path: Path) -> str:
        """A path as shown in messages: relative to the project, with '/'."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def theme_file(self, name: str) -> Path:
        """The first theme folder's copy of ``name`` (the project's wins)."""
        for folder in self.theme_dirs:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        raise WorkbookError(f"the theme has no file {name}")


def open_project(directory: str | Path) -> Project:
    root = Path(directory).expanduser()
    if not root.is_dir():
        raise WorkbookError(f"{root}: no such folder")
    root = root.resolve()
    if not (root / CONFIG_NAME).is_file():
        # 'workbook new' only makes a project in a new or empty folder
        start = (
            f"run 'workbook new {directory}' to start one here"
            if not any(root.iterdir())
            else "run 'workbook new my-workbook' to start one in a new folder"
        )
        raise WorkbookError(f"{root}: not a workbook project (no {CONFIG_NAME}); {start}")
    return Project(root)


def new_project(directory: str | Path) -> Project:
    """Copy the sample content and settings into a new (or empty) folder."""
    root = Path(directory).expanduser()
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise WorkbookError(f"{root}: already exists and is not empty; choose a new folder")
    source = bundled_root()
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source / "content", root / "content")
    shutil.copyfile(source / CONFIG_NAME, root / CONFIG_NAME)
    (root / ".gitignore").write_text(PROJECT_GITIGNORE, encoding="utf-8")
    return Project(root.resolve())
