"""Writing files that hold personal data: client packets and progress reports.

The site's output is published; a packet with a client's name on it, or a
progress report, must never end up there. So, for every private file:

* it is refused inside a built site (any folder up the tree carrying the
  build's marker) and, when a project is known, inside its ``output/``,
  ``content/`` and ``templates/`` (the next build would publish or read it);
* a folder made for it is private to this user (0700), and may carry a
  ``.gitignore`` of its own so it is never committed;
* the file is written private (0600: ``mkstemp``'s mode) to a temporary name
  in the same folder and renamed into place, so it is whole or not there;
* messages name paths as the user typed them, never a person.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from workbook.errors import WorkbookError
from workbook.output.write import MARKER
from workbook.project import Project

GITIGNORE = "# {what} hold personal data: never commit them.\n*\n"
#: Places inside a project that must never hold personal data.
_PROJECT_PLACES = {"output": "the site's output folder", "content": "the content folder",
                   "templates": "the templates folder"}


def shown(path: Path) -> str:
    """A path for a message: relative to here when that is short, else absolute."""
    try:
        relative = os.path.relpath(path.expanduser().absolute())
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)
    return str(path.expanduser().absolute()) if relative.startswith("../..") else relative


def refuse_published(target: Path, what: str, hint: str, project: Project | None = None) -> None:
    """Raise WorkbookError if ``target`` lies where it could be published.

    ``what`` names the file in the message ("a packet"); ``hint`` says what to do
    instead."""
    resolved = target.expanduser().absolute().resolve()
    for folder in (resolved, *resolved.parents):
        if (folder / MARKER).is_file():
            raise WorkbookError(
                f"{shown(target)}: refusing to write {what} inside the site's output folder "
                f"({shown(folder)}); it holds personal data and that folder gets published. "
                f"{hint}")
    if project is None:
        return
    for name, label in _PROJECT_PLACES.items():
        if resolved.is_relative_to((project.root / name).resolve()):
            raise WorkbookError(
                f"{shown(target)}: refusing to write {what} inside {label} ({name}/); it "
                f"holds personal data and could end up published. {hint}")


def private_folder(folder: Path, ignored_as: str | None = None) -> None:
    """Make ``folder`` if needed, private to this user; with ``ignored_as`` ("Client
    packets") a new folder also gets a ``.gitignore`` that ignores everything in it."""
    if folder.is_dir():
        return
    try:
        folder.mkdir(parents=True, mode=0o700)
        if ignored_as:
            (folder / ".gitignore").write_text(GITIGNORE.format(what=ignored_as),
                                               encoding="utf-8")
    except OSError as exc:
        raise WorkbookError(f"{shown(folder)}: cannot make the folder: {exc.strerror}") from None


def write_private(path: Path, data: bytes, what: str = "the file") -> None:
    """Write ``data`` to ``path``, readable by this user only; whole or not at all."""
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=".private-", suffix=".tmp", dir=path.parent)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise WorkbookError(f"{shown(path)}: cannot write {what}: {exc.strerror}") from None
    except BaseException:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise


def next_free(folder: Path, stem: str, suffix: str = ".pdf") -> Path:
    """``folder/stem.pdf``, or ``stem-2.pdf``, ``stem-3.pdf``… rather than replace a file."""
    candidate = folder / f"{stem}{suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate
