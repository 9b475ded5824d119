"""Reading content files: bytes → text → plain data with a line for every value.

YAML is parsed with PyYAML's *safe* composer, then turned into plain dicts,
lists and scalars by our own walk so that

* every key and list item remembers its line (``Source.line(path)``),
* duplicate keys are errors (PyYAML silently keeps the last one),
* scalars resolve the simple, unsurprising way: only ``true``/``false`` are
  booleans (``yes``, ``no``, ``on`` and ``off`` stay text), dates stay text,
* anchors, aliases and tags are refused, so an alias bomb never expands.

Sizes and nesting are bounded (see :data:`LIMITS`); a file beyond a limit is
an error, not a slow build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    CollectionEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceStartEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

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

    def __init__(self, line: int | None, message: str):
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
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
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
    matter reports the line in the Markdown file.
    """
    offset = first_line - 1
    try:
        _prescan(text, offset)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, offset) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML always marks
        raise SourceError(None, f"could not read the YAML: {exc}") from None
    source = Source(rel, None, {}, first_line)
    if node is None:
        return source
    source.data = _to_python(node, (), source, offset)
    return source


def _prescan(text: str, offset: int) -> None:
    """Refuse aliases, tags, huge and deep documents before building anything."""
    count = depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 + offset
        if isinstance(event, AliasEvent):
            raise SourceError(
                line,
                f"YAML aliases (*{event.anchor}) are not supported; write the value out in full",
            )
        if isinstance(event, NodeEvent) and event.anchor:
            raise SourceError(
                line,
                f"YAML anchors (&{event.anchor}) are not supported; write the value out in full",
            )
        if isinstance(event, (ScalarEvent, CollectionStartEvent)) and _explicit_tag(event):
            raise SourceError(
                line, f"YAML tags ({event.tag}) are not supported; remove the tag"
            )
        if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            depth += 1
            if depth > LIMITS["yaml_depth"]:
                raise SourceError(
                    line,
                    f"nested more than {LIMITS['yaml_depth']} levels deep; flatten the structure",
                )
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
        count += 1
        if count > LIMITS["yaml_nodes"]:
            raise SourceError(
                line,
                f"more than {LIMITS['yaml_nodes']} YAML values in one file; split it up",
            )


def _explicit_tag(event: Any) -> bool:
    if event.tag is None:
        return False
    if isinstance(event, ScalarEvent):
        return not (event.implicit[0] or event.implicit[1])
    return not event.implicit


def _syntax_error(exc: yaml.MarkedYAMLError, offset: int) -> SourceError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 + offset if mark else None
    problem = (exc.problem or str(exc)).strip()
    if "\t" in problem or "'\\t'" in problem:
        return SourceError(line, "tab character in YAML indentation; indent with spaces")
    hint = {
        "mapping values are not allowed here": (
            "a value contains ': ' — put the whole value in quotes"
        ),
        "expected a single document in the stream": (
            "the file holds more than one YAML document ('---'); keep one"
        ),
    }.get(problem)
    if hint:
        return SourceError(line, f"YAML syntax error: {hint}")
    context = f" {exc.context}" if exc.context else ""
    return SourceError(
        line,
        f"YAML syntax error: {problem}{context}; check the indentation and quoting",
    )


_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")


def _scalar(node: ScalarNode) -> Any:
    text = node.value
    if node.style is not None:  # quoted or block scalar: always text
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


def _to_python(node: Any, path: Path_, source: Source, offset: int) -> Any:
    source.lines.setdefault(path, node.start_mark.line + 1 + offset)
    if isinstance(node, ScalarNode):
        return _scalar(node)
    if isinstance(node, SequenceNode):
        items = []
        for index, child in enumerate(node.value):
            items.append(_to_python(child, path + (index,), source, offset))
        return items
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1 + offset
            if not isinstance(key_node, ScalarNode):
                raise SourceError(line, "a key must be a plain word, not a list or mapping")
            key = _scalar(key_node)
            if key is None or isinstance(key, (bool, float)):
                raise SourceError(line, f"'{key_node.value}' cannot be used as a key")
            if key in result:
                raise SourceError(
                    line,
                    f"duplicate key '{key}' (first on line {source.lines[path + (key,)]}); "
                    "keep only one",
                )
            source.lines[path + (key,)] = line
            # the key's line (set above) wins over the value's: it reads better
            result[key] = _to_python(value_node, path + (key,), source, offset)
        return result
    raise SourceError(node.start_mark.line + 1 + offset, "unsupported YAML value")  # pragma: no cover


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
