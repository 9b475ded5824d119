"""``workbook progress`` survives anything a client hands back.

Every case of :mod:`tests.returned.hostile` (made from a real built tracker) is run
as a user would run it, in a process of its own, and must: end with its exit code
and its message; print no traceback and no raw control character; write nothing
outside its output folder (and nothing at all when it fails); and end on its own
(the tool bounds time and memory itself: the timeout here only stops a hung test).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from tests.returned.hostile import CASES
from workbook import BuildConfig, build
from workbook.project import new_project

pytestmark = pytest.mark.slow


#: Runs a command and writes the peak resident memory (KiB) of it and everything it waited
#: for into a file: the command's own output is left exactly as it was.
MEASURED = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[2:]).returncode
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = new_project(tmp_path_factory.mktemp("hostile") / "clinic").root
    for folder in ("goals", "sheets", "workbooks"):
        for path in (root / "content" / folder).iterdir():
            if path.stem != "ease-anxiety":
                path.unlink()
    build(BuildConfig(project_dir=root))
    return root / "output/downloads/ease-anxiety-tracker.pdf"


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_returned_file(name: str, tracker: Path, tmp_path: Path) -> None:
    make, code, says = CASES[name]
    work = tmp_path / "work"
    work.mkdir()
    args = make(tracker, work)
    out = work / "out" if "--out" not in args else None
    before = files_under(work)
    command = [sys.executable, "-m", "workbook", "progress", *args]
    if out is not None:
        command += ["--out", str(out)]
    peak = tmp_path / "peak"
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, str(peak), *command],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
        errors="surrogateescape",
    )
    assert done.returncode == code, done.stderr
    assert says in done.stderr
    output = done.stdout + done.stderr
    assert "Traceback" not in output and "Internal error" not in output
    assert not any(c in output for c in "\x1b\x07\x00")  # escaped, never raw
    for line in done.stderr.splitlines():
        assert not line.startswith("hostile.pdf: all is well")  # no forged line
    made = files_under(work) - before
    if code != 0:
        assert made == set()
    else:
        assert made and all(path.startswith("out") for path in made), made
        assert not [p for p in made if ".private-" in p or p.endswith(".tmp")]
    assert not Path("/etc/wb-test").exists()
    # memory, not time: the largest process (the parsing child included) stayed bounded
    assert int(peak.read_text()) < 1.3 * 2**20, f"{int(peak.read_text()) // 1024} MiB"
    if name == "formula-in-a-note":
        with open(out / "progress.csv", newline="", encoding="utf-8") as stream:
            notes = [r["as_written"] for r in csv.DictReader(stream) if r["measure"] == "notes"]
        assert notes == ['\'=HYPERLINK("http://x.example/","click")']


#: The cases that hand over one file: `workbook flatten` takes those the same way.
ONE_FILE = sorted(
    name for name in CASES if not name.startswith("out-") and name != "the-same-tracker-twice"
)


@pytest.mark.parametrize("name", ONE_FILE)
def test_flatten_survives_the_same_files(name: str, tracker: Path, tmp_path: Path) -> None:
    """`workbook flatten` reads a returned file in the same bounded child: it flattens it
    or refuses it with a message, never a traceback, and writes only its copy."""
    make, _, _ = CASES[name]
    work = tmp_path / "work"
    (work / "out").mkdir(parents=True)
    source = make(tracker, work)[0]
    before = files_under(work)
    command = [sys.executable, "-m", "workbook", "flatten", source, "--out", "out/copy.pdf"]
    peak = tmp_path / "peak"
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, str(peak), *command],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
        errors="surrogateescape",
    )
    output = done.stdout + done.stderr
    assert done.returncode in (0, 1), output
    assert "Traceback" not in output and "Internal error" not in output
    assert not any(c in output for c in "\x1b\x07\x00")
    made = files_under(work) - before
    if done.returncode == 1:
        assert done.stderr.endswith("no copy was written\n") or "refusing" in done.stderr, output
        assert made == set()
    else:
        assert made == {"out/copy.pdf"}
        check = subprocess.run(
            ["qpdf", "--check", str(work / "out/copy.pdf")], capture_output=True, text=True
        )
        assert check.returncode in (0, 3), check.stdout  # 3: warnings only
    assert int(peak.read_text()) < 1.3 * 2**20, f"{int(peak.read_text()) // 1024} MiB"
    if name == "decompression-bomb":
        assert "is damaged, or made to cause harm: its form cannot be read" in done.stderr
    if name == "megabyte-note":  # flattened, and what could not be shown is said
        assert done.returncode == 0
        assert (
            "the answer is longer than 10,000 characters; the copy shows the first "
            "10,000" in done.stderr
        )
