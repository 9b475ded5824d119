"""The one reader of a returned file's form: every field's value, read one way.

``workbook progress`` (through :mod:`workbook.returned.intake`), ``workbook flatten`` and
``progress --copies`` all take a field's value from here, so the report and the printed
copy can never disagree about what a client answered. It runs inside the bounded child
(the file is hostile): each field is visited once (a ``/Kids`` loop ends), no deeper
than :data:`MAX_FIELD_DEPTH`, at most :data:`MAX_FIELDS` fields, each value at most
:data:`MAX_VALUE_CHARS` characters.

What a field's value is:

* a text or choice field: its ``/V`` as text (line breaks written ``\\n`` whatever the
  viewer wrote; a list box's several choices joined with ", ");
* a tick box or radio group: the name of its chosen state (``Yes``, ``3``, ``-1``), from
  its ``/V``; a viewer that set only a widget's appearance state (``/AS``) and no value
  is read by that widget's state. ``Off`` is empty.

A widget is drawn as chosen (:func:`widget_on`) exactly when its on-state is the field's
value, so a print-ready copy shows what the report reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf

MAX_FIELDS = 200_000  # filled fields; a 6-month tracker has 1,640, a 528-page workbook 45,669
MAX_VALUE_CHARS = 10_000
MAX_FIELD_DEPTH = 8  # our fields are flat; a viewer may add a level or two
MAX_NAME_CHARS = 200


@dataclass
class FieldValue:
    """One field as read: plain data, so it can leave the child process."""

    name: str  # the full name, parts joined by "."
    kind: str  # /Tx, /Btn, /Ch (a signature or an unknown type: "")
    flags: int
    value: str  # "" when empty or off
    cut: bool = False  # the value was longer than MAX_VALUE_CHARS and is cut there


@dataclass
class Form:
    """Every field of a file's form, and which field each widget belongs to."""

    fields: list[FieldValue] = field(default_factory=list)
    widgets: dict[tuple[int, int], FieldValue] = field(default_factory=dict)  # objgen → field
    too_many: bool = False  # there were more than MAX_FIELDS; the rest were not read

    def values(self) -> dict[str, str]:
        """Field name → value, the first field of a name winning."""
        found: dict[str, str] = {}
        for f in self.fields:
            found.setdefault(f.name, f.value)
        return found


def read_form(pdf: pikepdf.Pdf) -> Form:
    """Walk the form's field tree once, within the limits above."""
    import pikepdf

    form = Form()
    acroform = pdf.Root.get("/AcroForm")
    if not isinstance(acroform, pikepdf.Dictionary):
        return form
    roots = acroform.get("/Fields")
    if not isinstance(roots, pikepdf.Array):
        return form
    seen: set[tuple[int, int]] = set()
    todo = [(node, "", "", 0, 0) for node in reversed(list(roots))]
    while todo:
        node, prefix, kind, flags, depth = todo.pop()
        if not isinstance(node, pikepdf.Dictionary) or depth > MAX_FIELD_DEPTH:
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        name = _text(node.get("/T"))[:MAX_NAME_CHARS] if "/T" in node else ""
        full = f"{prefix}.{name}" if prefix and name else (name or prefix)
        kind = str(node.get("/FT", kind) or "")
        flags = _flags(node.get("/Ff"), flags)
        kids = node.get("/Kids")
        named = (
            [kid for kid in kids if isinstance(kid, pikepdf.Dictionary) and "/T" in kid]
            if isinstance(kids, pikepdf.Array)
            else []
        )
        if named:  # a field with fields inside: each of them is read in turn
            todo.extend((kid, full, kind, flags, depth + 1) for kid in reversed(named))
            continue
        if not full:
            continue
        if len(form.fields) >= MAX_FIELDS:
            form.too_many = True
            break
        widgets = _widgets(node, kids)
        found = FieldValue(full[:MAX_NAME_CHARS], kind, flags, "")
        found.value, found.cut = _value(node, kind, widgets)
        form.fields.append(found)
        for widget in widgets:
            if widget.is_indirect:
                form.widgets[widget.objgen] = found
    return form


def widget_on(widget: pikepdf.Dictionary, found: FieldValue) -> bool:
    """Whether a tick box's or radio option's widget shows as chosen: its on-state is the
    field's value."""
    return bool(found.value) and found.value in _on_states(widget)


# --------------------------------------------------------------------------- pieces


def _widgets(node: pikepdf.Dictionary, kids: object) -> list[pikepdf.Dictionary]:
    """The widget annotations of a field: the field itself when the two are one
    dictionary, else its kids (which carry no name of their own)."""
    import pikepdf

    if node.get("/Subtype") == pikepdf.Name.Widget:
        return [node]
    if not isinstance(kids, pikepdf.Array):
        return []
    return [kid for kid in list(kids)[:MAX_FIELDS] if isinstance(kid, pikepdf.Dictionary)]


def _value(node: pikepdf.Dictionary, kind: str, widgets: list) -> tuple[str, bool]:
    import pikepdf

    value = node.get("/V")
    if kind == "/Btn":
        if isinstance(value, pikepdf.Name):
            state = str(value)[1:]
            return ("" if state == "Off" else state[:MAX_VALUE_CHARS]), False
        for widget in widgets:  # no value: a viewer that set only the appearance state
            state = widget.get("/AS")
            if isinstance(state, pikepdf.Name) and str(state) != "/Off":
                return str(state)[1:][:MAX_VALUE_CHARS], False
        return "", False
    text = _text(value)
    return text[:MAX_VALUE_CHARS], len(text) > MAX_VALUE_CHARS


def _on_states(widget: pikepdf.Dictionary) -> set[str]:
    import pikepdf

    appearance = widget.get("/AP")
    normal = appearance.get("/N") if isinstance(appearance, pikepdf.Dictionary) else None
    if not isinstance(normal, pikepdf.Dictionary):
        return set()
    return {str(key)[1:] for key in list(normal.keys())[:20] if str(key) != "/Off"}


def _flags(value: object, inherited: int) -> int:
    try:
        return int(value) if value is not None else inherited  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return inherited


def _text(value: object) -> str:
    """A PDF value as text; at most a little over MAX_VALUE_CHARS, so a cut can be told."""
    import pikepdf

    if value is None:
        return ""
    if isinstance(value, pikepdf.Name):
        text = str(value)[1:]
        return "" if text == "Off" else text[: MAX_VALUE_CHARS + 1]
    if isinstance(value, pikepdf.String):  # a line break is CR LF or CR in some viewers
        text = str(value)[: MAX_VALUE_CHARS * 2]
        return text.replace("\r\n", "\n").replace("\r", "\n")[: MAX_VALUE_CHARS + 1]
    if isinstance(value, pikepdf.Array):  # a list box with several choices
        chosen = [_text(v) for v in list(value)[:50] if isinstance(v, pikepdf.String)]
        return ", ".join(chosen)[: MAX_VALUE_CHARS + 1]
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)[:40]  # a number where text belongs: as written
    return ""
