"""The build cache: what was built from what, so unchanged work is not repeated.

Lives in ``<project>/.workbook-cache/`` and is always safe to delete.

* ``inputs_digest`` hashes every input of a build (workbook.yaml, every file
  under content/, every theme file, this package's code, the WeasyPrint
  version and the build options). If it matches the last successful build and
  the output folder is intact, there is nothing to do.
* Otherwise every output gets a **key**: a hash of everything its template can
  see (:func:`fingerprint` of its context) plus the templates it uses. An
  output whose key is unchanged is not rendered again: the file is taken
  from the previous output (hard link, so its modification time stays) or,
  for PDFs, from the cache's own copy.
* Rendered PDFs (sheets, workbooks and workbook parts) and page counts are
  stored under their key as they finish, so they survive a failed build.

Outputs are only ever what a clean build would write: keys cover all inputs
of a render, and a template only sees its context.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

from workbook.project import Project

CACHE_FORMAT = 2  # 2: page layouts stored with page counts
CACHE_DIR = ".workbook-cache"


# --------------------------------------------------------------------------- hashing


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest_file(path: Path) -> str:
    return digest_bytes(path.read_bytes())


def _code_digest() -> str:
    """This package's own code, every subpackage of it: a change to the engine
    invalidates everything. (A module moved into a new folder is still covered.)"""
    package = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(version("weasyprint").encode())
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


CODE_DIGEST = _code_digest()


def tree_digest(paths: list[Path], base: Path | None = None) -> str:
    h = hashlib.sha256()
    for path in paths:
        name = path.relative_to(base).as_posix() if base else path.as_posix()
        h.update(name.encode() + b"\0" + digest_file(path).encode() + b"\0")
    return h.hexdigest()


def files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file())


def theme_digest(project: Project) -> str:
    """The theme's files (the project's and the default) and this engine's code."""
    h = hashlib.sha256(f"{CACHE_FORMAT}:{CODE_DIGEST}".encode())
    for folder in project.theme_dirs:
        h.update(b"theme:" + tree_digest(files_under(folder), folder).encode())
    return h.hexdigest()


def inputs_digest(project: Project, options: dict[str, Any], theme: str) -> str:
    """Everything a build reads, in one hash."""
    h = hashlib.sha256(f"{theme}:{json.dumps(options, sort_keys=True)}".encode())
    h.update(
        b"config:"
        + (digest_file(project.config_path) if project.config_path.is_file() else "").encode()
    )
    h.update(b"content:" + tree_digest(files_under(project.content_dir), project.root).encode())
    return h.hexdigest()


# --------------------------------------------------------------------------- fingerprints


def fingerprint(*values: Any) -> str:
    """A hash of plain data and content objects, as a template could see them."""
    h = hashlib.sha256()
    for value in values:
        _feed(h, value)
    return h.hexdigest()


def _feed(h: hashlib._Hash, value: Any) -> None:
    method = getattr(value, "__fingerprint__", None)
    if method is not None and not isinstance(value, type):
        h.update(b"F")
        _feed(h, method())
    elif value is None or isinstance(value, (bool, int, float, str)):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, (list, tuple)):
        h.update(f"[{len(value)}".encode())
        for item in value:
            _feed(h, item)
        h.update(b"]")
    elif isinstance(value, dict):
        h.update(f"{{{len(value)}".encode())
        for key in sorted(value, key=repr):
            _feed(h, key)
            _feed(h, value[key])
        h.update(b"}")
    elif hasattr(value, "model_dump_json"):  # a pydantic model (not imported: kept light)
        h.update(type(value).__name__.encode() + value.model_dump_json().encode())
    elif dataclasses.is_dataclass(value):
        h.update(type(value).__name__.encode())
        for f in dataclasses.fields(value):
            h.update(f.name.encode())
            _feed(h, getattr(value, f.name))
    elif isinstance(value, Path):
        h.update(b"path:" + str(value).encode())
    else:
        raise TypeError(f"cannot fingerprint {type(value).__name__}")


# --------------------------------------------------------------------------- the cache


@dataclasses.dataclass
class OutputRecord:
    """What the manifest remembers of one output file: its key, and how to tell it is
    untouched (size and modification time)."""

    key: str
    size: int
    mtime_ns: int


class Cache:
    """The manifest of the last successful build and the store of rendered PDFs."""

    def __init__(self, project: Project, *, clean: bool = False) -> None:
        self.root = project.root / CACHE_DIR
        self.inputs = ""
        self.theme = ""  # the theme digest of the last successful build (its templates compiled)
        self.outputs: dict[str, OutputRecord] = {}
        self.used: set[str] = set()  # PDF keys this build produced or reused
        if clean:
            self.wipe()
        else:
            self._load()

    def _load(self) -> None:
        try:
            data = json.loads((self.root / "manifest.json").read_text(encoding="utf-8"))
            if data.get("format") != CACHE_FORMAT:
                return
            self.inputs = data["inputs"]
            self.theme = data.get("theme", "")
            self.outputs = {path: OutputRecord(**entry) for path, entry in data["outputs"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            self.inputs, self.theme, self.outputs = "", "", {}  # unreadable: start afresh

    # -- whole build

    def up_to_date(self, inputs: str, out_dir: Path) -> bool:
        """Nothing changed since the last build and its output is still there, untouched."""
        return (
            bool(self.outputs)
            and inputs == self.inputs
            and all(self.intact(out_dir, path) for path in self.outputs)
        )

    def intact(self, out_dir: Path, path: str) -> bool:
        entry = self.outputs.get(path)
        if entry is None:
            return False
        try:
            stat = (out_dir / path).stat()
        except OSError:
            return False
        return stat.st_size == entry.size and stat.st_mtime_ns == entry.mtime_ns

    def reusable(self, out_dir: Path, path: str, key: str) -> bool:
        """The previous output's file for ``path`` was built from ``key`` and is untouched."""
        entry = self.outputs.get(path)
        return entry is not None and entry.key == key and self.intact(out_dir, path)

    # -- rendered PDFs, stored under their key

    def _stored(self, key: str) -> Path:
        return self.root / "pdf" / key[:2] / key

    def pages(self, key: str) -> int | None:
        """The page count of the PDF stored under ``key``, if there is one."""
        found = self.layout(key)
        return None if found is None else found[0]

    def layout(self, key: str) -> tuple[int, str] | None:
        """The page count and layout ('P'/'L' a page) of the PDF stored under ``key``."""
        try:
            pages, _, layout = self._stored(key).with_suffix(".pages").read_text().partition("\n")
            found = int(pages), layout.strip()
        except (OSError, ValueError):
            return None
        self.used.add(key)
        return found

    def get_pdf(self, key: str) -> tuple[bytes, int, str] | None:
        """The PDF stored under ``key``, its page count and layout."""
        known = self.layout(key)
        if known is None:
            return None
        try:
            return self._stored(key).with_suffix(".pdf").read_bytes(), *known
        except OSError:
            return None

    def put_pdf(self, key: str, data: bytes, pages: int, layout: str = "") -> None:
        """Store a rendered PDF at once, so it survives if the build fails later."""
        stored = self._stored(key)
        _atomic_write(stored.with_suffix(".pdf"), data)
        _atomic_write(stored.with_suffix(".pages"), f"{pages}\n{layout}".encode())
        self.used.add(key)

    # -- finishing

    def commit(
        self, inputs: str, theme: str, out_dir: Path, keys: dict[str, str], *, pdfs: bool
    ) -> None:
        """Record a successful build: ``keys`` maps every output path to its key.

        After a build with PDFs, stored PDFs it did not use are deleted."""
        outputs = {}
        for path, key in keys.items():
            stat = (out_dir / path).stat()
            outputs[path] = OutputRecord(key, stat.st_size, stat.st_mtime_ns)
        self.inputs, self.theme, self.outputs = inputs, theme, outputs
        if pdfs:
            for stored in files_under(self.root / "pdf"):
                if stored.stem not in self.used:
                    stored.unlink(missing_ok=True)
        data = {
            "format": CACHE_FORMAT,
            "inputs": inputs,
            "theme": theme,
            "outputs": {path: dataclasses.asdict(entry) for path, entry in sorted(outputs.items())},
        }
        _atomic_write(
            self.root / "manifest.json", json.dumps(data, indent=0, sort_keys=True).encode("utf-8")
        )
        readme = self.root / "README.txt"
        if not readme.exists():
            readme.write_text(
                "Build cache of 'workbook build'. Safe to delete; it is rebuilt "
                "as needed. 'workbook build --clean' ignores it.\n",
                encoding="utf-8",
            )

    def wipe(self) -> None:
        """Forget everything (the lock of the running build stays)."""
        if not self.root.is_dir():
            return
        for path in self.root.iterdir():
            if path.name == "build.lock":
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
