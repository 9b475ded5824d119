"""Pydantic's errors turned into messages a person can act on, at their ``file:line``.

``validate(schema.Goal, source, report)`` checks a file's data against its model
(:mod:`workbook.content.schema`); each error becomes one problem at the line
the value was written on (``source.line(path)``), worded for the person who
wrote the file: "timeframe must look like '8 weeks', got 'soon'", "unknown key
'lable'; did you mean 'label'?".
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Annotated, Any, TypeVar, Union

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from workbook.content.schema import BLOCK_KINDS
from workbook.content.source import Source
from workbook.errors import Report

SLUG_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,40}\Z")  # a key shown without quotes

M = TypeVar("M", bound=BaseModel)

_TYPE_NAMES = {
    "string": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "list": "a list",
    "dict": "a mapping of 'key: value' lines",
    "model": "a mapping of 'key: value' lines",
}


def validate(model: type[M], source: Source, report: Report) -> M | None:
    """Validate ``source.data`` as ``model``; on failure add every problem to ``report``."""
    data = {} if source.data is None else source.data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [(_data_path(data, e["loc"]), e) for e in exc.errors(include_url=False)]
        messages = [(path, _message(model, data, path, error)) for path, error in errors]
        # A misspelt key is one mistake: say "did you mean 'summary'?" and not
        # also "missing required key 'summary'".
        suggested = {
            (*path[:-1], m.split("did you mean '")[1].split("'")[0])
            for path, m in messages
            if "did you mean '" in m
        }
        for (path, error), (_, message) in zip(errors, messages, strict=True):
            if error["type"] == "missing" and path in suggested:
                continue
            line = source.line(*path)
            if error.get("input", 0) is None and path:
                message = _comment_hint(source.written(line), path[-1]) or message
            report.add(source.rel, line, message)
        return None


def _comment_hint(written: str, key: Any) -> str | None:
    """'key: #8a3b9e' reads as a key with no value: YAML takes ' #' to the end of the
    line as a comment. Say so, rather than "must be text, got nothing"."""
    if not isinstance(key, str):
        return None
    match = re.match(rf"\s*(?:- )?{re.escape(key)}:\s+(#.*?)\s*$", written)
    if not match:
        return None
    shown = printable(match[1] if len(match[1]) <= 40 else match[1][:37] + "...")
    return (
        f"{key} has no value: YAML reads '{shown}' as a comment because it starts with "
        f"'#'; put the value in quotes: {key}: \"{shown}\""
    )


def lenient(model: type[M], data: Any) -> M | None:
    """``data`` as ``model``, keeping only the fields whose values are right on their own
    (the others get their defaults), without reporting anything: so the rules about one
    part of a file (a scale's anchors) are checked even when another part has the wrong
    shape, and every problem comes out in one pass. None when a required field is
    missing or wrong, or ``data`` is not a mapping."""
    if not isinstance(data, dict):
        return None
    values = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in data:
            if info.is_required():
                return None
            continue
        annotation = (
            Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        )
        try:
            values[name] = _adapter(annotation).validate_python(data[key])
        except ValidationError:
            if info.is_required():
                return None
    return model.model_construct(**values)


_ADAPTERS: dict[Any, TypeAdapter] = {}


def _adapter(annotation: Any) -> TypeAdapter:
    key = repr(annotation)
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(annotation)
    return _ADAPTERS[key]


def _data_path(data: Any, loc: tuple) -> tuple:
    """Pydantic's location, without union tags and other parts not in the data."""
    path: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and _int_key(part) in node:
            part = _int_key(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            if isinstance(node, dict) and not path_is_tag(part, node):
                path.append(part)  # a missing key: report it under its parent
            continue
        path.append(part)
    return tuple(path)


def path_is_tag(part: Any, node: dict) -> bool:
    return node.get("kind") == part or part in ("[key]",)


def _int_key(part: str) -> Any:
    try:
        return int(part)
    except ValueError:
        return part


def _name(path: tuple) -> str:
    """How to call the value at ``path`` in a message: 'title', 'measures item 2'."""
    for index in range(len(path) - 1, -1, -1):
        part = path[index]
        if isinstance(part, str):
            if not SLUG_KEY.match(part):
                part = f"'{printable(part)}'"
            items = [p for p in path[index + 1 :] if isinstance(p, int)]
            if items:
                return f"{part} item {items[0] + 1}"
            return part
    return "the file"


def printable(text: str) -> str:
    """``text`` with line breaks, tabs and other control characters written as escapes."""
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )


def _shown(value: Any) -> str:
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"'{printable(short)}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _message(model: type[BaseModel], data: Any, path: tuple, error: ErrorDetails) -> str:
    kind = error["type"]
    name = _name(path)
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "workbook":
        return error["msg"]
    if kind == "missing":
        key = path[-1] if path else "?"
        return f"missing required key '{printable(str(key))}'"
    if kind == "extra_forbidden":
        key = path[-1]
        allowed = sorted(_fields_at(model, data, path[:-1]))
        close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        shown = printable(str(key))
        if close:
            return f"unknown key '{shown}'; did you mean '{close[0]}'?"
        if allowed:
            return f"unknown key '{shown}'; allowed keys are: {', '.join(allowed)}"
        return f"unknown key '{shown}'"
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "").replace("'", "").replace(" or ", ", ")
        return f"{name} must be one of {expected}; got {_shown(value)}"
    if kind in ("union_tag_invalid",):
        expected = ctx.get("expected_tags", "").replace("'", "")
        return f"kind must be one of {expected}; got {_shown(ctx.get('tag'))}"
    if kind == "union_tag_not_found":
        return f"{name} needs a 'kind:' ({', '.join(BLOCK_KINDS)})"
    if kind == "string_pattern_mismatch":
        if (
            name in ("id", "area", "tags", "guidance", "sheet", "goal")
            or name.split(" ")[0]
            in (
                "tags",
                "guidance",
            )
            or "[a-z0-9]" in str(ctx.get("pattern"))
        ):
            return (
                f"{name} must be a slug (lower-case letters, digits and single hyphens, "
                f"like 'sleep-well'), got {_shown(value)}"
            )
        if name == "accent_color":
            return f"accent_color must be a hex colour like '#2f6f73', got {_shown(value)}"
        if name == "language":
            return f"language must be a language code like 'en' or 'es', got {_shown(value)}"
        return f"{name} has the wrong form, got {_shown(value)}"
    if kind == "string_too_short":
        return f"{name} must not be empty"
    if kind == "string_too_long":
        return f"{name} is longer than {ctx.get('max_length')} characters; shorten it"
    if kind == "too_short":
        need = ctx.get("min_length", 1)
        return f"{name} needs at least {need} item{'s' if need != 1 else ''}"
    if kind == "too_long":
        actual = ctx.get("actual_length")
        has = f"has {actual} items" if actual is not None else "has too many items"
        return f"{name} {has}; at most {ctx.get('max_length')} are allowed"
    if kind in ("int_from_float", "int_parsing", "int_type"):
        return f"{name} must be a whole number, got {_shown(value)}"
    if kind in ("float_parsing", "float_type"):
        return f"{name} must be a number, got {_shown(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"{name} must be true or false, got {_shown(value)}"
    if kind.endswith("_type"):
        wanted = _TYPE_NAMES.get(kind[: -len("_type")], kind[: -len("_type")])
        return f"{name} must be {wanted}, got {_shown(value)}"
    return f"{name}: {error['msg']}"  # pragma: no cover - a type we have not worded yet


def _fields_at(model: type[BaseModel], data: Any, path: tuple) -> set[str]:
    """The keys allowed in the mapping at ``path``, by walking the model's types."""
    annotation: Any = model
    node = data
    for part in path:
        annotation = _resolve(annotation, node)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            if field is None:
                return set()
            annotation = field.annotation
        else:
            args = typing.get_args(annotation)
            annotation = args[-1] if args else Any
        node = node[part] if isinstance(node, (dict, list)) else None
    annotation = _resolve(annotation, node)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return set(annotation.model_fields)
    return set()


def _resolve(annotation: Any, node: Any) -> Any:
    """Unwrap Annotated/Optional and pick the union member a 'kind' selects."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            chosen = members[0]
            for member in members:
                member = _resolve(member, node)
                if isinstance(member, type) and issubclass(member, BaseModel):
                    kind = member.model_fields.get("kind")
                    if kind is None or (
                        isinstance(node, dict)
                        and node.get("kind") in typing.get_args(kind.annotation)
                    ):
                        chosen = member
                        break
            annotation = chosen
        else:
            return annotation
