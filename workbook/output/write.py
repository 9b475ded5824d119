"""Stage 5: write the output folder, all or nothing.

The new site is written into a temporary sibling folder and swapped into
place only when every file is written, so a failed or interrupted build
leaves the previous output exactly as it was. The tool only ever replaces a
folder it made itself: each output folder carries a marker file, and a
non-empty folder without one is refused.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from workbook.errors import WorkbookError
from workbook.project import Project

OUTPUT_MARKER = ".workbook-output"
OUTPUT_MARKER_TEXT = "This folder is built by 'workbook build' and replaced on every build.\n"


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
        raise WorkbookError(
            f"{out}: refusing to build into {protected[resolved]}; "
            "choose an empty or new folder, e.g. --out output"
        )
    if root.is_relative_to(resolved):
        raise WorkbookError(f"{out}: refusing to build into a folder that contains the project")
    for folder in ("content", "templates"):
        if resolved.is_relative_to((root / folder).resolve()):
            raise WorkbookError(f"{out}: refusing to build inside the {folder} folder")
    if resolved.exists():
        if not resolved.is_dir():
            raise WorkbookError(f"{out}: exists and is not a folder")
        if any(resolved.iterdir()) and not (resolved / OUTPUT_MARKER).is_file():
            raise WorkbookError(
                f"{out}: is not empty and was not made by 'workbook build'; refusing to "
                "replace it. Choose another --out, or empty the folder yourself"
            )
    return resolved


def write_output(
    out_dir: Path,
    files: dict[str, bytes],
    copies: dict[str, Path],
    reuse: Sequence[str] = (),
) -> list[str]:
    """Write the new output folder and swap it into place; return the paths that changed.

    ``files`` maps paths to new bytes, ``copies`` to source files; ``reuse``
    lists unchanged files to take from the previous output. A file whose bytes
    are the same as before is hard-linked from the previous output, so its
    modification time does not change.
    """
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    except OSError as exc:
        raise WorkbookError(f"{out_dir}: cannot write there: {exc.strerror}") from None
    changed: list[str] = []
    try:
        for rel in sorted(reuse):
            _link_or_copy(out_dir / rel, staging / rel)
        for rel, data in sorted(files.items()):
            if not _keep_old(out_dir / rel, staging / rel, data):
                _write(staging / rel, data)
                changed.append(rel)
        for rel, source in sorted(copies.items()):
            if not _keep_old(out_dir / rel, staging / rel, source.read_bytes()):
                (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, staging / rel)
                changed.append(rel)
        if not _keep_old(
            out_dir / OUTPUT_MARKER, staging / OUTPUT_MARKER, OUTPUT_MARKER_TEXT.encode()
        ):
            (staging / OUTPUT_MARKER).write_text(OUTPUT_MARKER_TEXT, encoding="utf-8")
        _swap(staging, out_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise WorkbookError(
            f"{out_dir}: writing the output failed ({exc.strerror or exc}); "
            "the previous output is unchanged"
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(changed)


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _keep_old(old: Path, target: Path, data: bytes) -> bool:
    """Reuse the previous output's file when its bytes are ``data``."""
    try:
        if old.stat().st_size != len(data) or old.read_bytes() != data:
            return False
    except OSError:
        return False
    _link_or_copy(old, target)
    return True


def _link_or_copy(old: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(old, target)  # same file: content and modification time unchanged
    except OSError:
        shutil.copy2(old, target)


def _swap(staging: Path, out_dir: Path) -> None:
    """Put ``staging`` where ``out_dir`` is; the old folder goes only after that worked.

    Ctrl-C and SIGTERM wait until the two renames are done, so an interrupted
    build never leaves the output folder missing."""
    staging.chmod(0o755)
    with _signals_held():
        if not out_dir.exists():
            os.rename(staging, out_dir)
            return
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rename(out_dir, old / "output")
        try:
            os.rename(staging, out_dir)
        except BaseException:
            os.rename(old / "output", out_dir)
            shutil.rmtree(old, ignore_errors=True)
            raise
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _signals_held():
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def remove_leftovers(out_dir: Path) -> None:
    """Temporary folders of a build that was killed outright (SIGKILL, power cut)."""
    parent = out_dir.parent
    if not parent.is_dir():
        return
    for pattern in (f".{out_dir.name}.new-*", f".{out_dir.name}.old-*"):
        for folder in parent.glob(pattern):
            if folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def project_lock(project: Project) -> Iterator[None]:
    """One build at a time per project; a second one is told, not blocked."""
    folder = project.root / ".workbook-cache"
    folder.mkdir(exist_ok=True)
    path = folder / "build.lock"
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole build, closed below
    try:
        try:
            # a POSIX record lock: unlike flock(), forked PDF workers do not inherit it
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise WorkbookError(
                f"another build of this project is running (process {holder}); wait for it "
                "to finish, or stop it, then build again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()
