"""Faults while writing, dangerous output folders, interruptions, concurrent builds,
and no network: in every case the previous output stays exactly as it was."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.helpers import run, tree_bytes, write
from workbook import BuildConfig, WorkbookError, build
from workbook.output import write as output_module


@pytest.fixture
def built(project: Path) -> Path:
    """The sample with an HTML-only output built once."""
    build(BuildConfig(project_dir=project, pdf=False))
    return project


def edit_a_goal(project: Path) -> None:
    goal = project / "content/goals/ease-anxiety.yaml"
    goal.write_text(goal.read_text().replace("Have fewer anxious spells", "Have fewer spells"))


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir() if p.name.startswith(".output."))


def test_disk_full_while_writing(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree_bytes(built / "output")
    edit_a_goal(built)
    real = Path.write_bytes
    calls = {"n": 0}

    def full(self: Path, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    # Pagefind writes temporary files too; leave it out of this test
    monkeypatch.setattr(
        "workbook.stages.SearchJob",
        lambda files: SimpleNamespace(result=dict, cancel=lambda: None),
    )
    with pytest.raises(WorkbookError) as info:
        build(BuildConfig(project_dir=built, pdf=False))
    assert str(info.value) == (
        f"{built / 'output'}: writing the output failed (No space left on "
        "device); the previous output is unchanged"
    )
    monkeypatch.undo()
    assert tree_bytes(built / "output") == before
    assert leftovers(built) == []


def test_output_folder_not_writable(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree_bytes(built / "output")
    edit_a_goal(built)

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(output_module, "tempfile", SimpleNamespace(mkdtemp=denied))
    with pytest.raises(WorkbookError) as info:
        build(BuildConfig(project_dir=built, pdf=False))
    assert str(info.value) == f"{built / 'output'}: cannot write there: Permission denied"
    monkeypatch.undo()
    assert tree_bytes(built / "output") == before


def test_a_failure_during_the_swap_puts_the_old_output_back(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree_bytes(built / "output")
    edit_a_goal(built)
    real = os.rename
    calls = {"n": 0}

    def second_rename_fails(src, dst):
        calls["n"] += 1
        if calls["n"] == 2:  # the new folder into place
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(src, dst)

    monkeypatch.setattr(output_module.os, "rename", second_rename_fails)
    with pytest.raises(WorkbookError):
        build(BuildConfig(project_dir=built, pdf=False))
    monkeypatch.undo()
    assert tree_bytes(built / "output") == before
    assert leftovers(built) == []


@pytest.mark.parametrize(
    "out, message",
    [
        (".", "refusing to build into the project folder"),
        ("content", "refusing to build into the content folder"),
        ("content/goals", "refusing to build inside the content folder"),
        ("templates", "refusing to build into the templates folder"),
        ("/", "refusing to build into the root folder"),
        ("..", "refusing to build into a folder that contains the project"),
    ],
)
def test_dangerous_output_folders_are_refused(built: Path, out: str, message: str) -> None:
    before = tree_bytes(built)
    result = run(["build", "--no-pdf", "--out", out], built)
    assert result.exit_code == 1
    assert message in result.stderr
    assert tree_bytes(built) == before


def test_home_folder_is_refused(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    write(home / "notes.txt", "mine")
    monkeypatch.setenv("HOME", str(home))
    result = run(["build", "--no-pdf", "--out", str(home)], built)
    assert result.exit_code == 1
    assert "refusing to build into your home folder" in result.stderr
    assert (home / "notes.txt").read_text() == "mine"


def test_a_folder_it_did_not_make_is_refused(built: Path) -> None:
    write(built / "site/index.html", "<p>someone else's site</p>")
    result = run(["build", "--no-pdf", "--out", "site"], built)
    assert result.exit_code == 1
    assert "is not empty and was not made by 'workbook build'" in result.stderr
    assert (built / "site/index.html").read_text() == "<p>someone else's site</p>"
    assert sorted(p.name for p in (built / "site").iterdir()) == ["index.html"]


def test_a_file_as_output_is_refused(built: Path) -> None:
    write(built / "notes.txt", "mine")
    result = run(["build", "--no-pdf", "--out", "notes.txt"], built)
    assert result.exit_code == 2  # a usage error
    assert "'--out': Directory 'notes.txt' is a file." in result.stderr
    assert (built / "notes.txt").read_text() == "mine"


def _start_build(project: Path, *args: str) -> subprocess.Popen:
    # Ctrl-C as on a terminal: a shell starts background jobs with SIGINT ignored, and a
    # process that inherits that keeps ignoring it (as it should), so reset it here
    return subprocess.Popen(
        [sys.executable, "-m", "workbook", "build", str(project), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_until_rendering(project: Path, process: subprocess.Popen) -> None:
    """Until the build has stored a rendered PDF: it is half way."""
    store = project / ".workbook-cache/pdf"
    for _ in range(600):
        if any(store.rglob("*.pdf")) or process.poll() is not None:
            return
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_build_keeps_the_previous_output(built: Path, sig: int, code: int) -> None:
    before = tree_bytes(built / "output")
    edit_a_goal(built)
    process = _start_build(built, "--clean")
    _wait_until_rendering(built, process)
    assert process.poll() is None, process.communicate()
    process.send_signal(sig)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert err.strip().splitlines()[-1] == (
        "Interrupted: nothing was written; the previous output is unchanged."
    )
    assert "Traceback" not in err
    assert tree_bytes(built / "output") == before
    assert leftovers(built) == []
    # no worker is left behind
    time.sleep(0.5)
    workers = subprocess.run(
        ["pgrep", "-f", f"workbook build {built}"], capture_output=True, text=True
    ).stdout.split()
    assert workers == []


@pytest.mark.slow
def test_two_builds_at_once(built: Path) -> None:
    first = _start_build(built, "--clean")
    _wait_until_rendering(built, first)
    assert first.poll() is None
    second = run(["build", "--no-pdf"], built)
    assert second.exit_code == 1
    assert second.stderr.startswith(
        f"another build of this project is running (process {first.pid}); wait for it to "
        "finish, or stop it, then build again"
    )
    _out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert run(["build"], built).exit_code == 0  # and the lock is free again


@pytest.mark.slow
def test_the_build_opens_no_network_connection(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access during the build")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    # one job: WeasyPrint runs in this process, under the guard
    result = build(BuildConfig(project_dir=project, jobs=1))
    assert result.pdf_files > 0
    assert attempts == []
