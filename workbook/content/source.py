"""Reading content files: bytes → text → plain data with a line for every value.

YAML is parsed into events by PyYAML (libyaml when available), and our own
small composer turns the events into plain dicts, lists and scalars so that

* every key and list item remembers its line (``Source.line(path)``),
* duplicate keys are errors (PyYAML silently keeps the last one),
* scalars resolve the simple, unsurprising way: only ``true``/``false`` are
  booleans (``yes``, ``no``, ``on`` and ``off`` stay text), dates stay text,
* anchors, aliases and tags are refused, so an alias bomb never expands.

Sizes and nesting are bounded (see :data:`LIMITS`); a file beyond a limit is
an error, not a slow build.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceStartEvent,
)

#: Documented limits (README, "Limits").
LIMITS = {
    "yaml_bytes": 256 * 1024,
    "markdown_bytes": 1024 * 1024,
    "yaml_nodes": 20_000,
    "yaml_depth": 12,
}

Path_ = tuple[Any, ...]


class SourceError(Exception):
    """A problem reading one file; carries the line when known."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Source:
    """One content file's data plus the line of every key and item in it."""

    rel: str  # project-relative posix path, used in messages
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    first_line: int = 1
    digest: str = ""  # sha256 of the whole file's text: what the build cache keys on
    text: str = ""  # the YAML as written, for messages that quote a line
    # problems that do not stop the file being read (a duplicate key): (line, message)
    problems: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)  # likely mistakes

    def written(self, line: int) -> str:
        """File line ``line`` as written ('' past the end)."""
        lines = self.text.split("\n")
        index = line - self.first_line
        return lines[index] if 0 <= index < len(lines) else ""

    def __fingerprint__(self) -> tuple:
        return ("source", self.rel, self.digest)

    def line(self, *path: Any) -> int:
        """The line of the deepest part of ``path`` that exists in the file."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.first_line


# --------------------------------------------------------------------------- text


def read_text(path: Path, limit: int) -> str:
    """Read a UTF-8 text file, refusing binary, oversized and mis-encoded files."""
    size = path.stat().st_size
    if size > limit:
        raise SourceError(
            None,
            f"file is {_kib(size)}, larger than the limit of {_kib(limit)}; "
            "split it into smaller files",
        )
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise SourceError(None, "this is a binary file, not text; save it as UTF-8 text")
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark (Windows editors) is dropped
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(
            line,
            f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file with UTF-8 encoding",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _kib(n: int) -> str:
    return f"{n / 1024:.0f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MiB"


# --------------------------------------------------------------------------- YAML


def load_yaml(rel: str, text: str, first_line: int = 1) -> Source:
    """Parse ``text`` (a whole file or a front-matter block) into a Source.

    ``first_line`` is the file line where ``text`` starts, so that front
    matter reports the line in the Markdown file. One pass over libyaml's
    events builds the data and the line map together.
    """
    source = Source(rel, None, {}, first_line, text=text)
    try:
        source.data = _Builder(source, first_line - 1).build(yaml.parse(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, first_line - 1) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML always marks
        raise SourceError(None, f"could not read the YAML: {exc}") from None
    return source


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10x faster
_EMPTY = object()
_DUPLICATE = object()  # the key being read is a duplicate: its value is dropped


class _Builder:
    """Plain data from YAML events, refusing what we do not support."""

    def __init__(self, source: Source, offset: int) -> None:
        self.source = source
        self.offset = offset
        self.count = 0
        self._lines: list[str] | None = None  # the text's lines, split once when needed

    def line(self, event: Any) -> int:
        return event.start_mark.line + 1 + self.offset

    def build(self, events: Iterator[Any]) -> Any:
        # stack of [container, path, pending key, key line]
        stack: list[list[Any]] = []
        result: Any = _EMPTY
        documents = 0
        for event in events:
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise SourceError(
                        self.line(event),
                        "YAML syntax error: the file holds more "
                        "than one YAML document ('---'); keep one",
                    )
                continue
            if not isinstance(event, NodeEvent | CollectionEndEvent):
                continue
            self._check(event, len(stack))
            if isinstance(event, CollectionEndEvent):
                finished = stack.pop()[0]
                if not stack:
                    result = finished
                else:
                    self._add(stack, finished, event)
                continue
            path = self._path_for(stack)
            self.source.lines.setdefault(path, self.line(event))
            if isinstance(event, MappingStartEvent):
                stack.append([{}, path, _EMPTY, 0])
            elif isinstance(event, SequenceStartEvent):
                stack.append([[], path, _EMPTY, 0])
            elif isinstance(event, ScalarEvent):
                value = _scalar(event)
                self._check_run_on(event)
                if not stack:
                    result = value
                else:
                    self._add(stack, value, event)
        return None if result is _EMPTY else result

    def _check(self, event: Any, depth: int) -> None:
        if isinstance(event, AliasEvent):
            raise SourceError(
                self.line(event),
                f"YAML aliases (*{event.anchor}) are not supported; write the value out in full",
            )
        if isinstance(event, NodeEvent) and event.anchor:
            raise SourceError(
                self.line(event),
                f"YAML anchors (&{event.anchor}) are not supported; write the value out in full",
            )
        if isinstance(event, (ScalarEvent, CollectionStartEvent)) and _explicit_tag(event):
            tag = (event.tag or "").replace("tag:yaml.org,2002:", "!!")
            raise SourceError(
                self.line(event), f"YAML tags ({tag}) are not supported; remove the tag"
            )
        if isinstance(event, CollectionStartEvent) and depth >= LIMITS["yaml_depth"]:
            raise SourceError(
                self.line(event),
                f"nested more than {LIMITS['yaml_depth']} levels deep; flatten the structure",
            )
        self.count += 1
        if self.count > LIMITS["yaml_nodes"]:
            raise SourceError(
                self.line(event),
                f"more than {LIMITS['yaml_nodes']} YAML values in one file; split it up",
            )

    @staticmethod
    def _path_for(stack: list[list[Any]]) -> tuple:
        if not stack:
            return ()
        container, path, key, _ = stack[-1]
        if isinstance(container, list):
            return (*path, len(container))
        return (*path, key) if key is not _EMPTY else path

    def _add(self, stack: list[list[Any]], value: Any, event: Any) -> None:
        frame = stack[-1]
        container, path = frame[0], frame[1]
        if isinstance(container, list):
            container.append(value)
            return
        if frame[2] is _EMPTY:  # this value is a key
            line = self.line(event)
            if not isinstance(event, ScalarEvent):
                raise SourceError(line, "a key must be a plain word, not a list or mapping")
            if value is None or isinstance(value, (bool, float)):
                raise SourceError(line, f"'{event.value}' cannot be used as a key")
            if value in container:
                # reported, and the first value kept, so the rest of the file is checked too
                self.source.problems.append(
                    (
                        line,
                        f"duplicate key '{value}' (first on line "
                        f"{self.source.lines[(*path, value)]}); "
                        "keep only one",
                    )
                )
                frame[2] = _DUPLICATE
                return
            frame[2] = value
            # the key's line reads better in messages than its value's
            self.source.lines[(*path, value)] = line
            return
        if frame[2] is not _DUPLICATE:
            container[frame[2]] = value
        frame[2] = _EMPTY

    def _check_run_on(self, event: ScalarEvent) -> None:
        """A plain value that goes on over lines of which one starts with '- ' is most likely
        a list item indented too far, and merged into the item above it."""
        if event.start_mark is None or event.end_mark is None:  # (a parser always sets them)
            return
        start, end = event.start_mark.line, event.end_mark.line
        if event.style or end <= start:
            return
        if self._lines is None:
            self._lines = self.source.text.split("\n")
        lines = self._lines
        for index in range(start + 1, min(end, len(lines) - 1) + 1):
            if lines[index].lstrip().startswith("- "):
                self.source.warnings.append(
                    (
                        index + 1 + self.offset,
                        (
                            "this line starts with '- ' but is indented more than the item above, so "
                            "it is read as part of that item; if it is an item of its own, line its "
                            "'-' up with the one above"
                        ),
                    )
                )
                return


def _explicit_tag(event: Any) -> bool:
    if event.tag is None:
        return False
    if isinstance(event, ScalarEvent):
        return not (event.implicit[0] or event.implicit[1])
    return not event.implicit


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, offset: int) -> SourceError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 + offset if mark else None
    problem = (exc.problem or str(exc)).strip()
    lines = text.split("\n")
    bad_line = lines[mark.line] if mark and mark.line < len(lines) else ""
    if "\t" in bad_line[: len(bad_line) - len(bad_line.lstrip())] or "'\\t'" in problem:
        return SourceError(line, "tab character in YAML indentation; indent with spaces")
    hint = {
        "mapping values are not allowed here": (
            "a value contains ': ' — put the whole value in quotes"
        ),
        "mapping values are not allowed in this context": (
            "a value contains ': ' — put the whole value in quotes"
        ),
    }.get(problem)
    if hint and mark and (key := _over_indented_key(lines, mark.line)):
        return SourceError(
            line,
            f"'{key}:' is indented more than the line above, so YAML "
            "reads it as part of that line's value; line it up with the "
            "keys beside it",
        )
    if hint:
        return SourceError(line, f"YAML syntax error: {hint}")
    context = f" {exc.context}" if exc.context else ""
    return SourceError(
        line,
        f"YAML syntax error: {problem}{context}; check the indentation and quoting",
    )


_KEY_LINE = re.compile(r"(\s*)(?:- )?([A-Za-z0-9_-]+):(?:\s|$)")


def _over_indented_key(lines: list[str], index: int) -> str | None:
    """The key on line ``index`` when that line is indented deeper than the ``key: value``
    line above it: the mistake YAML reports as 'mapping values are not allowed here'."""
    here = _KEY_LINE.match(lines[index]) if index < len(lines) else None
    above = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
    there = _KEY_LINE.match(above)
    if not here or not there or not above[there.end() :].strip():
        return None  # not a key, or the line above holds no value on its own line
    return here[2] if len(here[1]) > len(there[1]) else None


_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")


def _scalar(event: ScalarEvent) -> Any:
    text = event.value
    if event.style:  # quoted or block scalar: always text (libyaml gives "" for plain)
        return text
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- front matter


@dataclass
class MarkdownFile:
    meta: Source
    body: str
    body_line: int  # file line where the body starts


def split_front_matter(rel: str, text: str) -> MarkdownFile:
    """Split ``---`` front matter from a Markdown body; both keep their lines."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise SourceError(
            1,
            "missing front matter: start the file with a '---' line, then 'title:' and "
            "'summary:', then another '---' line",
        )
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            meta = load_yaml(rel, "\n".join(lines[1:index]), first_line=2)
            if meta.data is None:
                meta.data = {}
            return MarkdownFile(meta, "\n".join(lines[index + 1 :]), index + 2)
    raise SourceError(1, "front matter is not closed: add a '---' line after it")


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, links followed, lies inside ``root`` (a link may lead out)."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True
