"""PDF workers never outlive the process that started them.

A script that calls ``build()`` and is killed runs none of our code on the way
out, so only the operating system can stop its workers: each asks Linux for
SIGTERM when its parent ends (``render/pdf/pool.py``). Checked with workers
forked from the script (the usual case) and with workers from the fork server
(what a process with threads gets).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = """\
import sys, threading, time
from workbook import BuildConfig, build
if sys.argv[2] == "forkserver":  # another thread: the pool uses the fork server
    threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
build(BuildConfig(project_dir=sys.argv[1], jobs=2, clean=True))
"""


def parents() -> dict[int, int]:
    """Every process on the machine → its parent."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def descendants(pid: int) -> set[int]:
    tree = parents()
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        children = {child for child, parent in tree.items() if parent == current}
        todo.extend(children - found)
        found |= children
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("start", ["fork", "forkserver"])
def test_killed_script_leaves_no_worker_behind(
    small_project: Path, tmp_path: Path, start: str
) -> None:
    script = tmp_path / "script.py"
    script.write_text(SCRIPT, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script), str(small_project), start],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        workers = descendants(process.pid)
        if len(workers) >= 2:  # both PDF workers (and, with a fork server, it too)
            break
        time.sleep(0.05)
    assert process.poll() is None, process.stderr.read().decode()
    assert len(workers) >= 2
    os.kill(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGTERM
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.1)
    left = {pid for pid in workers if alive(pid)}
    for pid in left:  # do not leave them running for the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert left == set()
