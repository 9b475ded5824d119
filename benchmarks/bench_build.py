"""Benchmark: build the sample project with and without PDFs.

    python benchmarks/bench_build.py [--runs 3] [--project DIR]

Prints, for each kind of build, the documents written, pages, wall seconds
(median of the runs) and pages per second. A benchmark, not a test: it
never fails on timing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from workbook import BuildConfig, build
from workbook.project import new_project


def measure(project: Path, out: Path, runs: int, pdf: bool) -> dict:
    seconds, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = build(BuildConfig(project_dir=project, out=out, pdf=pdf))
        seconds.append(time.perf_counter() - started)
    wall = statistics.median(seconds)
    pages = result.html_pages + result.pdf_pages
    return {"documents": result.html_pages + result.pdf_files, "html": result.html_pages,
            "pdfs": result.pdf_files, "pdf_pages": result.pdf_pages, "pages": pages,
            "seconds": wall, "pages_per_second": pages / wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--project", type=Path, default=None,
                        help="a workbook project (default: a fresh copy of the sample)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = args.project or new_project(Path(tmp) / "sample").root
        out = Path(tmp) / "out"
        print(f"{'build':<16}{'documents':>10}{'pages':>8}{'seconds':>10}{'pages/s':>10}")
        for label, pdf in (("HTML only", False), ("HTML + PDFs", True)):
            m = measure(project, out, args.runs, pdf)
            detail = f"  ({m['html']} HTML, {m['pdfs']} PDFs with {m['pdf_pages']} pages)"
            print(f"{label:<16}{m['documents']:>10}{m['pages']:>8}{m['seconds']:>10.2f}"
                  f"{m['pages_per_second']:>10.1f}{detail}")


if __name__ == "__main__":
    main()
