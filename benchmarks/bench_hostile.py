"""Time and peak memory of `workbook progress` on every hostile returned file.

    python benchmarks/bench_hostile.py [--case NAME ...]

Builds the sample's ease-anxiety tracker, makes each case of tests/returned/hostile.py
from it, runs `workbook progress` on it in a process of its own and prints the exit
code, the wall time and the peak resident memory of that process and everything it
waited for (the parsing child included). Numbers to read, not targets: the tool's own
limits are 30 s and 1 GiB a file (README, "Returned PDFs and caseloads").
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.returned.hostile import CASES
from workbook import BuildConfig, build
from workbook.project import new_project

MEASURED = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", help="only these cases")
    names = parser.parse_args().case or sorted(CASES)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        root = new_project(base / "clinic").root
        for kind in ("goals", "sheets", "workbooks"):
            for path in (root / "content" / kind).iterdir():
                if path.stem != "ease-anxiety":
                    path.unlink()
        build(BuildConfig(project_dir=root))
        tracker = root / "output/downloads/ease-anxiety-tracker.pdf"
        print(f"{'case':34} {'exit':>4} {'seconds':>8} {'peak MiB':>9}")
        for name in names:
            make, _, _ = CASES[name]
            work = base / name
            work.mkdir()
            args = make(tracker, work)
            command = [sys.executable, "-m", "workbook", "progress", *args]
            if "--out" not in args:
                command += ["--out", str(work / "out")]
            peak = work / "peak"
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", MEASURED, str(peak), *command], cwd=work, timeout=600
            )
            seconds = time.perf_counter() - started
            print(
                f"{name:34} {done.returncode:>4} {seconds:>8.2f} "
                f"{int(peak.read_text()) / 1024:>9.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
