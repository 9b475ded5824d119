"""Stage 5: write the output folder, all or nothing.

The new site is written into a temporary sibling folder and swapped into
place only when every file is written, so a failed or interrupted build
leaves the previous output exactly as it was. The tool only ever replaces a
folder it made itself: each output folder carries a marker file, and a
non-empty folder without one is refused.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import WorkbookError
from .project import Project

MARKER = ".workbook-output"
MARKER_TEXT = "This folder is built by 'workbook build' and replaced on every build.\n"


def check_output_dir(out_dir: Path, project: Project) -> Path:
    """Refuse output folders whose replacement would destroy something else."""
    out = out_dir.expanduser().absolute()
    resolved = out.resolve()
    root = project.root
    protected = {
        root: "the project folder",
        (root / "content").resolve(): "the content folder",
        (root / "templates").resolve(): "the templates folder",
        Path.home().resolve(): "your home folder",
        Path(resolved.anchor): "the root folder",
    }
    if resolved in protected:
        raise WorkbookError(f"{out}: refusing to build into {protected[resolved]}; "
                            "choose an empty or new folder, e.g. --out output")
    if root.is_relative_to(resolved):
        raise WorkbookError(f"{out}: refusing to build into a folder that contains the project")
    for folder in ("content", "templates"):
        if resolved.is_relative_to((root / folder).resolve()):
            raise WorkbookError(f"{out}: refusing to build inside the {folder} folder")
    if resolved.exists():
        if not resolved.is_dir():
            raise WorkbookError(f"{out}: exists and is not a folder")
        if any(resolved.iterdir()) and not (resolved / MARKER).is_file():
            raise WorkbookError(
                f"{out}: is not empty and was not made by 'workbook build'; refusing to "
                "replace it. Choose another --out, or empty the folder yourself")
    return resolved


def write_output(out_dir: Path, files: dict[str, bytes], copies: dict[str, Path]) -> None:
    """Write ``files`` (path → bytes) and ``copies`` (path → source file) as ``out_dir``."""
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    except OSError as exc:
        raise WorkbookError(f"{out_dir}: cannot write there: {exc.strerror}") from None
    try:
        for rel, data in sorted(files.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for rel, source in sorted(copies.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        _swap(staging, out_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise WorkbookError(
            f"{out_dir}: writing the output failed ({exc.strerror or exc}); "
            "the previous output is unchanged") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out_dir: Path) -> None:
    """Put ``staging`` where ``out_dir`` is; the old folder goes only after that worked."""
    staging.chmod(0o755)
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.rename(out_dir, old / "output")
    try:
        os.rename(staging, out_dir)
    except BaseException:
        os.rename(old / "output", out_dir)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)
