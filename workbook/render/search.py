"""The site's search index, made by Pagefind.

Pagefind (https://pagefind.app, from the PyPI package ``pagefind[bin]``,
which ships its binary) reads the rendered pages and writes a static index
under ``pagefind/``: a small JavaScript library, a WebAssembly search engine
and index chunks fetched only when a query needs them. No server and no
third-party request is involved; ``assets/search.js`` on the search page
drives it.

Only what a template marks with ``data-pagefind-body`` (goals, guidance,
sheets, workbooks) is indexed; parts marked ``data-pagefind-ignore`` (tracker
grids, hidden field labels) are left out. The index is made from the pages in
memory, before anything is written, so it is swapped into place together with
the pages it describes.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from workbook.errors import WorkbookError


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("pagefind")
    except Exception:  # pragma: no cover - reported when the index is made
        return "unknown"


SEARCH_VERSION = f"pagefind {_version()}"

BUNDLE = SEARCH_FOLDER = "pagefind"

#: What templates mark as not for the index at all (the tracker grids): left out of
#: Pagefind's copy, which then reads a third of the bytes.
_SKIP, _END_SKIP = b"<!--search:skip-->", b"<!--/search:skip-->"

#: Files of Pagefind's own ready-made search interfaces; our theme has its own.
_UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


class SearchJob:
    """Pagefind, run in the background (it is a program of its own) while the PDFs render."""

    def __init__(self, files: dict[str, bytes]) -> None:
        executable = _pagefind()
        self.tmp = Path(tempfile.mkdtemp(prefix="workbook-search-"))
        self.bundle = self.tmp / "bundle"
        try:
            site = self.tmp / "site"
            for rel, data in files.items():
                if rel.endswith(".html") and rel != "404.html" and b"data-pagefind-body" in data:
                    target = site / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(_without_skipped(data))
            self.process = subprocess.Popen(
                [
                    str(executable),
                    "--site",
                    str(site),
                    "--output-path",
                    str(self.bundle),
                    "--keep-index-url",
                    "--silent",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=self.tmp,
            )
        except OSError as exc:
            self.cancel()
            raise WorkbookError(f"making the search index failed: {exc.strerror or exc}") from None

    def result(self) -> dict[str, bytes]:
        try:
            out, err = self.process.communicate()
            if self.process.returncode != 0 or not (self.bundle / "pagefind.js").is_file():
                output = (err or out).strip() or f"exit code {self.process.returncode}"
                raise WorkbookError(f"making the search index with Pagefind failed: {output}")
            return {
                f"{BUNDLE}/{path.relative_to(self.bundle).as_posix()}": path.read_bytes()
                for path in sorted(self.bundle.rglob("*"))
                if path.is_file() and not path.name.startswith(_UNUSED)
            }
        except OSError as exc:
            raise WorkbookError(f"making the search index failed: {exc.strerror or exc}") from None
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop Pagefind if it still runs and remove its temporary files."""
        process = getattr(self, "process", None)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _without_skipped(data: bytes) -> bytes:
    """``data`` without what lies between search:skip comments (a find, not a regular
    expression: 20 MB of tracker pages in 10 ms instead of 370)."""
    kept, position = [], 0
    while (start := data.find(_SKIP, position)) >= 0:
        end = data.find(_END_SKIP, start)
        if end < 0:
            break
        kept.append(data[position:start])
        position = end + len(_END_SKIP)
    kept.append(data[position:])
    return b"".join(kept)


def _pagefind() -> Path:
    try:
        from pagefind.service import get_executable
    except ImportError:  # pragma: no cover - a dependency of the package
        executable = None
    else:
        executable = get_executable()
    if executable is None or not Path(executable).is_file():
        raise WorkbookError(
            "the search index needs Pagefind, which is missing; "
            "install it with: pip install 'pagefind[bin]'"
        )
    return Path(executable)
