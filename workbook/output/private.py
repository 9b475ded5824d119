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
from workbook.output.write import OUTPUT_MARKER
from workbook.project import Project

PRIVATE_GITIGNORE = "# {what} hold personal data: never commit them.\n*\n"
#: Carried by every folder this tool made for private files; only such a folder (or a new
#: or empty one) is written into.
PRIVATE_MARKER = ".workbook-private"
PRIVATE_MARKER_TEXT = (
    "Made by Goal Workbooks for files that hold personal data (client packets, "
    "progress reports).\nKeep this folder private; never publish or commit it.\n"
)
#: Places inside a project that must never hold personal data.
_PROJECT_PLACES = {
    "output": "the site's output folder",
    "content": "the content folder",
    "templates": "the templates folder",
}


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
        if (folder / OUTPUT_MARKER).is_file():
            raise WorkbookError(
                f"{shown(target)}: refusing to write {what} inside the site's output folder "
                f"({shown(folder)}); it holds personal data and that folder gets published. "
                f"{hint}"
            )
    if project is None:
        return
    for name, label in _PROJECT_PLACES.items():
        if resolved.is_relative_to((project.root / name).resolve()):
            raise WorkbookError(
                f"{shown(target)}: refusing to write {what} inside {label} ({name}/); it "
                f"holds personal data and could end up published. {hint}"
            )


def check_folder(folder: Path, what: str, hint: str, project: Project | None = None) -> None:
    """Refuse a folder to fill with private files unless it is new, empty, or one this
    tool made for them (it carries :data:`PRIVATE_MARKER`): never ``/``, a system folder, the
    home folder, a built site or a project's own folders, and never a folder of other
    files, whose names ours could replace."""
    refuse_published(folder, what, hint, project or enclosing_project(folder))
    resolved = folder.expanduser().absolute().resolve()
    _refuse_system(folder, resolved, what, hint)
    if resolved == Path.home().resolve():
        raise WorkbookError(
            f"{shown(folder)}: refusing to write {what} into your home folder; {hint}"
        )
    if resolved.exists() and not resolved.is_dir():
        raise WorkbookError(f"{shown(folder)}: exists and is not a folder")
    if resolved.is_dir() and any(resolved.iterdir()) and not ours(resolved):
        raise WorkbookError(
            f"{shown(folder)}: is not empty and was not made by Goal Workbooks; "
            f"refusing to write {what} among other files. Choose a new folder"
        )


def check_file(target: Path, what: str, hint: str, project: Project | None = None) -> None:
    """Refuse a file to write private data to: inside a published or system place, or
    one that exists already (it is never replaced)."""
    refuse_published(target, what, hint, project or enclosing_project(target.parent))
    _refuse_system(target.parent, target.expanduser().absolute().resolve().parent, what, hint)
    if target.exists() or target.is_symlink():
        raise WorkbookError(
            f"{shown(target)}: exists already; refusing to replace it. Choose "
            "another name, or move the old file away"
        )


def enclosing_project(folder: Path) -> Project | None:
    """The workbook project ``folder`` lies in, if any (a folder up the tree with a
    workbook.yaml and a content/ folder): its content/, templates/ and output/ are
    refused even when the command was not given the project."""
    resolved = folder.expanduser().absolute().resolve()
    for candidate in (resolved, *resolved.parents):
        if (candidate / "workbook.yaml").is_file() and (candidate / "content").is_dir():
            return Project(candidate)
    return None


def ours(folder: Path) -> bool:
    """A folder this tool made for private files (or, for packets, an older version did:
    it wrote its .gitignore and no marker yet)."""
    if (folder / PRIVATE_MARKER).is_file():
        return True
    ignore = folder / ".gitignore"
    return ignore.is_file() and ignore.read_text(
        encoding="utf-8", errors="replace"
    ) == PRIVATE_GITIGNORE.format(what="Client packets")


#: Folders of the operating system: never a place for a client's files.
SYSTEM_FOLDERS = tuple(
    Path(p)
    for p in (
        "/bin",
        "/boot",
        "/dev",
        "/etc",
        "/lib",
        "/lib32",
        "/lib64",
        "/libx32",
        "/proc",
        "/run",
        "/sbin",
        "/srv",
        "/sys",
        "/usr",
        "/var",
        "/opt",
        "/snap",
        "/System",
        "/Library",
    )
)


def _refuse_system(folder: Path, resolved: Path, what: str, hint: str) -> None:
    if resolved == Path(resolved.anchor):
        raise WorkbookError(
            f"{shown(folder)}: refusing to write {what} into the root folder; {hint}"
        )
    for system in SYSTEM_FOLDERS:
        if resolved == system or resolved.is_relative_to(system):
            raise WorkbookError(
                f"{shown(folder)}: refusing to write {what} into a system folder ({system}); {hint}"
            )


def private_folder(folder: Path, ignored_as: str | None = None) -> None:
    """Make ``folder`` if needed, private to this user, with this tool's marker; with
    ``ignored_as`` ("Client packets") a new folder also gets a ``.gitignore`` that ignores
    everything in it."""
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True, mode=0o700)
            if ignored_as:
                (folder / ".gitignore").write_text(
                    PRIVATE_GITIGNORE.format(what=ignored_as), encoding="utf-8"
                )
        if not (folder / PRIVATE_MARKER).is_file():
            (folder / PRIVATE_MARKER).write_text(PRIVATE_MARKER_TEXT, encoding="utf-8")
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


def write_private_files(folder: Path, files: dict[str, bytes], what: str) -> list[Path]:
    """Make ``folder`` private (when the tool makes it) and write each file into it,
    private; returns the paths written, in order."""
    private_folder(folder)
    written = []
    for name, data in files.items():
        write_private(folder / name, data, what)
        written.append(folder / name)
    return written


def next_free(folder: Path, stem: str, suffix: str = ".pdf") -> Path:
    """``folder/stem.pdf``, or ``stem-2.pdf``, ``stem-3.pdf``… rather than replace a file."""
    candidate = folder / f"{stem}{suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate
