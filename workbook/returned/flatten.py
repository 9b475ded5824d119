"""``workbook flatten``: a print-ready copy of a filled PDF, for the client's record.

Every viewer draws a typed answer its own way: PDFium in a substitute font for
curly quotes and dashes, MuPDF in a Helvetica it does not embed and cut off at
the box's edge, and a printer may draw nothing at all. The copy draws every
answer itself, in the theme's own font, shrunk and wrapped until it fits its
box whole, draws every tick and chosen option, and then removes the form: no
field is left to change by accident, the text can be selected and searched,
and the tags stay (each answer takes its field's place in the structure tree).

The filled file is hostile input like any returned PDF: it is parsed only in
the bounded child of :mod:`workbook.returned.intake`, at most
:data:`~workbook.returned.form.MAX_FIELDS` widgets and
:data:`~workbook.returned.form.MAX_VALUE_CHARS` characters of each value are
drawn, a box must be a sane rectangle, and only the theme's font (read by the
parent, never one from the file) is embedded.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.errors import Problem, WorkbookError
from workbook.model.formdata import INFO_KEY
from workbook.output.private import check_file, write_private
from workbook.project import default_theme
from workbook.render.pdf.fonts import regular_face
from workbook.render.pdf.spec import MULTILINE, PUSHBUTTON, RADIO
from workbook.render.pdf.subset import SubsetFont
from workbook.render.pdf.widgettags import WidgetTags
from workbook.returned.form import (
    MAX_FIELD_DEPTH,
    MAX_FIELDS,
    MAX_VALUE_CHARS,
    FieldValue,
    read_form,
    widget_on,
)
from workbook.returned.intake import Refused, in_child

if TYPE_CHECKING:
    import pikepdf

#: A widget's rectangle: x, y, width, height.
Box = tuple[float, float, float, float]
MIN_SIZE = 4.0  # pt: below this an answer is no longer readable on paper
DEFAULT_SIZE = 10.0  # pt: for a field whose /DA asks for "fit" (0) or gives nothing
LEADING = 1.15
PAD = 2.0  # pt inside the box, each side
INK = b"0.07 g"
HINT = "Give --out a new file name in a folder of your own."


@dataclass
class Flattened:
    """What the child sends back: the new PDF and what the user should know."""

    data: bytes
    answers: int  # text answers drawn
    ticks: int  # ticks and chosen options drawn
    warnings: list[str] = field(default_factory=list)


def flatten_file(
    path: Path, out: Path | None = None, *, shown_as: str | None = None, check: bool = True
) -> tuple[Path, Flattened]:
    """Write the print-ready copy of ``path`` to ``out`` (default: ``NAME-print.pdf``
    beside it, never replacing a file); returns where and what was drawn."""
    name = shown_as or str(path)
    target = out if out is not None else path.with_name(f"{path.stem}-print.pdf")
    if check:
        check_file(target, "a filled copy", HINT)
    flattened = flatten_bytes(path, name)
    write_private(target, flattened.data, "the copy")
    return target, flattened


def flatten_bytes(path: Path, shown_as: str) -> Flattened:
    """The flattened copy of the filled PDF at ``path``, made in the bounded child."""
    font = regular_face(default_theme() / "pdf/fonts.css").read_bytes()
    flattened = in_child(path, shown_as, _flatten, font)
    if not isinstance(flattened, Flattened):  # pragma: no cover - the child sends nothing else
        raise WorkbookError([Problem(shown_as, None, "cannot be flattened")])
    return flattened


def print_copies(inputs: list[tuple[Path, str]], taken: set[str]) -> dict[str, bytes]:
    """A print-ready copy of each file, named ``NAME-print.pdf`` (``NAME-2-print.pdf``
    when two files share a name, or a name in ``taken``)."""
    copies: dict[str, bytes] = {}
    for path, shown_as in inputs:
        stem = _safe_stem(path.stem)
        name, number = f"{stem}-print.pdf", 2
        while name in copies or name in taken:
            name, number = f"{stem}-{number}-print.pdf", number + 1
        copies[name] = flatten_bytes(path, shown_as).data
    return copies


def _safe_stem(stem: str) -> str:
    """A file name's stem as a name in the report's folder: letters, digits, - and _ only
    (a returned file's name may hold anything)."""
    kept = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem)[:80].strip("-.")
    return kept or "file"


# --------------------------------------------------------------------------- in the child


def _flatten(pdf: pikepdf.Pdf, font_bytes: bytes) -> Flattened:
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    acroform = pdf.Root.get("/AcroForm")
    if not isinstance(acroform, Dictionary) or not acroform.get("/Fields"):
        if pdf.get_warnings():  # e.g. a form in an object stream that inflates without end
            raise Refused(
                "is damaged, or made to cause harm: its form cannot be read. Ask for the file again"
            )
        raise Refused("has no form fields; there is nothing to flatten")
    form = read_form(pdf)
    if form.too_many:
        raise Refused(
            f"has more than {MAX_FIELDS:,} form fields, which no filled sheet has; ask for the "
            "file again"
        )
    font = SubsetFont(font_bytes, LEADING)
    tree = WidgetTags(pdf)
    drawn_pages: list[tuple[pikepdf.Page, list[tuple[bytes, Dictionary, str]]]] = []
    widgets = 0
    answers = ticks = 0
    warnings = [
        f"{f.name}: the answer is longer than {MAX_VALUE_CHARS:,} characters; the copy shows "
        f"the first {MAX_VALUE_CHARS:,}"
        for f in form.fields
        if f.cut
    ]
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if not isinstance(annots, Array):
            continue
        kept = Array()
        pieces: list[tuple[bytes, Dictionary, str]] = []  # (drawing, annotation, alt text)
        for annot in list(annots):
            if not isinstance(annot, Dictionary) or annot.get("/Subtype") != Name.Widget:
                kept.append(annot)
                continue
            widgets += 1
            if widgets > MAX_FIELDS:
                raise Refused(
                    f"has more than {MAX_FIELDS:,} form fields, which no filled "
                    "sheet has; ask for the file again"
                )
            found = form.widgets.get(annot.objgen) if annot.is_indirect else None
            drawing, alt = None, ""
            if found is not None:
                drawing, alt, problem = _drawing(font, annot, found)
                if problem:
                    warnings.append(f"{found.name}: {problem}")
                if drawing is not None and alt.startswith("✓"):
                    ticks += 1
                elif drawing is not None:
                    answers += 1
            if drawing is not None:
                pieces.append((drawing, annot, alt.strip()))
            tree.forget_widget(annot, page.obj)
        page.obj.Annots = kept
        if pieces:
            drawn_pages.append((page, pieces))
    used = {gid for _, pieces in drawn_pages for text, _, _ in pieces for gid in _gids_in(text)}
    font_ref = font.embed(pdf, used) if used else None
    for page, pieces in drawn_pages:
        ops = [b"Q"]
        name = None
        if font_ref is not None:
            name = _add_font(page, font_ref)
        for drawing, annot, alt in pieces:
            mcid = tree.claim(page.obj, annot, alt)
            tag = b"/Span <</MCID %d>> BDC" % mcid if mcid is not None else b"/Artifact BMC"
            ops += [
                tag,
                b"q",
                drawing.replace(b"/FLAT", str(name).encode() if name else b"/F"),
                b"Q",
                b"EMC",
            ]
        page.contents_add(pikepdf.Stream(pdf, b"q"), prepend=True)
        page.contents_add(pikepdf.Stream(pdf, b"\n".join(ops)))
    del pdf.Root["/AcroForm"]
    if pdf.trailer.get("/Info") is not None and INFO_KEY in pdf.docinfo:
        del pdf.docinfo[INFO_KEY]  # a print copy: `workbook progress` reads the filled file
    out = io.BytesIO()
    pdf.remove_unreferenced_resources()
    pdf.save(
        out,
        deterministic_id=True,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    return Flattened(out.getvalue(), answers, ticks, warnings)


def _add_font(page: pikepdf.Page, font_ref: pikepdf.Object) -> pikepdf.Name:
    """Put the answer font among the page's fonts under a name of its own (a fixed one,
    so the same file flattens to the same bytes)."""
    from pikepdf import Dictionary, Name

    found = page.obj.get("/Resources")
    if not isinstance(found, Dictionary):
        resources = page.obj.Resources = Dictionary()
    elif found.is_indirect:  # shared with other pages: this page gets its own copy
        resources = page.obj.Resources = _copy(found)
    else:
        resources = found
    shared = resources.get("/Font")
    fonts = _copy(shared) if isinstance(shared, Dictionary) else Dictionary()
    number = 1
    while Name(f"/FlatF{number}") in fonts and fonts[f"/FlatF{number}"] != font_ref:
        number += 1
    name = Name(f"/FlatF{number}")
    fonts[name] = font_ref
    resources.Font = fonts
    return name


def _copy(dictionary: pikepdf.Dictionary) -> pikepdf.Dictionary:
    """A new dictionary with the same entries (the values are not copied)."""
    import pikepdf

    return pikepdf.Dictionary({key: dictionary[key] for key in dictionary.keys()})  # noqa: SIM118


def _drawing(
    font: SubsetFont, annot: pikepdf.Dictionary, found: FieldValue
) -> tuple[bytes | None, str, str]:
    """How one widget of a field is drawn on the copy: its answer or its tick (nothing
    when it is empty or off), its alt text, and a problem to tell the user."""
    if found.kind in ("/Tx", "/Ch"):
        value = "".join(c for c in found.value if c == "\n" or c.isprintable())
        if not value:
            return None, "", ""
        box = _box(annot)
        if box is None:
            return None, "", "its box is not a sane rectangle, so the answer cannot be drawn"
        drawing, problem = _text(font, box, value, found.flags, _da_size(annot))
        return drawing, value, problem or ""
    if found.kind != "/Btn" or found.flags & PUSHBUTTON or not widget_on(annot, found):
        return None, "", ""
    box = _box(annot)
    if box is None:
        return None, "", "its box is not a sane rectangle, so the tick cannot be drawn"
    spoken = str(annot.get("/TU", ""))[:200].strip()  # the file's: bounded
    radio = found.flags & RADIO
    return (_dot(box) if radio else _tick(box)), (f"✓ {spoken}" if radio else "✓"), ""


def _inherited(node: pikepdf.Dictionary, key: str) -> pikepdf.Object | None:
    """``key`` of a widget or the nearest field above it that has it (``/DA``)."""
    import pikepdf

    for _ in range(MAX_FIELD_DEPTH + 1):
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        if not isinstance(parent, pikepdf.Dictionary):
            return None
        node = parent
    return None


def _box(annot: pikepdf.Dictionary) -> Box | None:
    """The widget's rectangle (x, y, width, height), or None if it is no sane box."""
    try:
        x1, y1, x2, y2 = (float(v) for v in annot.Rect)
    except (AttributeError, TypeError, ValueError):
        return None
    values = (x1, y1, x2, y2)
    if not all(math.isfinite(v) and abs(v) < 14_400 for v in values):
        return None
    x, y = min(x1, x2), min(y1, y2)
    width, height = abs(x2 - x1), abs(y2 - y1)
    if width < 1 or height < 1:
        return None
    return x, y, width, height


def _da_size(annot: pikepdf.Dictionary) -> float:
    import re

    da = str(_inherited(annot, "/DA") or "")
    match = re.search(r"([\d.]+)\s+Tf", da)
    try:
        size = float(match[1]) if match else 0.0
    except ValueError:
        size = 0.0
    return size if 0 < size <= 72 else DEFAULT_SIZE


# --------------------------------------------------------------------------- drawing


def _text(
    font: SubsetFont, box: Box, value: str, flags: int, size: float
) -> tuple[bytes, str | None]:
    """The answer, wrapped and shrunk until it fits the box whole."""
    x, y, width, height = box
    inner_w, inner_h = width - 2 * PAD, height - 2 * PAD / 2
    chosen = None
    step = size
    while step >= MIN_SIZE - 1e-9:
        lines = font.wrap(value, inner_w, step)
        if font.block_height(len(lines), step) <= inner_h and all(
            font.width(line, step) <= inner_w for line in lines
        ):
            chosen = (step, lines)
            break
        step = round(step - 0.25, 2)
    problem = None
    if chosen is None:
        lines = font.wrap(value, inner_w, MIN_SIZE)
        chosen = (MIN_SIZE, lines)
        problem = (
            f"the answer is too long to show whole at {MIN_SIZE:g} pt; the copy shows "
            "it running past its box"
        )
    size, lines = chosen
    block = font.block_height(len(lines), size)
    # a box of lines starts at its top; a one-line answer sits in the middle, as viewers
    # draw it
    top = y + height - PAD / 2 if flags & MULTILINE else y + (height + block) / 2
    baseline = top - font.ascent * size
    ops = [INK, b"BT", b"/FLAT %s Tf" % _num(size)]
    for index, line in enumerate(lines):
        ops.append(b"1 0 0 1 %s %s Tm" % (_num(x + PAD), _num(baseline - index * size * LEADING)))
        ops.append(b"<" + font.encode(line).hex().encode() + b"> Tj")
    ops.append(b"ET")
    missing = sorted({c for c in value if c not in "\n " and font.gid(c) == 0})
    if missing:
        shown_chars = "".join(missing[:8]).encode("unicode_escape").decode("ascii")
        problem = (
            problem + "; " if problem else ""
        ) + f"the theme font has no glyph for {shown_chars}, shown as a box"
    return b"\n".join(ops), problem


def _tick(box: Box) -> bytes:
    x, y, w, h = box
    side = min(w, h)
    cx, cy = x + w / 2, y + h / 2
    points = [(-0.32, 0.02), (-0.1, -0.25), (0.34, 0.3)]
    path = [
        b"%s %s %s" % (_num(cx + dx * side), _num(cy + dy * side), op)
        for (dx, dy), op in zip(points, (b"m", b"l", b"l"), strict=True)
    ]
    return b"\n".join([INK.replace(b" g", b" G"), b"%s w 1 J 1 j" % _num(side * 0.14), *path, b"S"])


def _dot(box: Box) -> bytes:
    x, y, w, h = box
    r = min(w, h) * 0.3
    cx, cy = x + w / 2, y + h / 2
    k = r * 0.5523  # a circle from four Bézier curves
    n = _num
    return b"\n".join(
        [
            INK,
            b"%s %s m" % (n(cx + r), n(cy)),
            b"%s %s %s %s %s %s c" % (n(cx + r), n(cy + k), n(cx + k), n(cy + r), n(cx), n(cy + r)),
            b"%s %s %s %s %s %s c" % (n(cx - k), n(cy + r), n(cx - r), n(cy + k), n(cx - r), n(cy)),
            b"%s %s %s %s %s %s c" % (n(cx - r), n(cy - k), n(cx - k), n(cy - r), n(cx), n(cy - r)),
            b"%s %s %s %s %s %s c" % (n(cx + k), n(cy - r), n(cx + r), n(cy - k), n(cx + r), n(cy)),
            b"f",
        ]
    )


def _num(value: float) -> bytes:
    return (f"{value:.3f}".rstrip("0").rstrip(".") or "0").encode()


def _gids_in(drawing: bytes) -> set[int]:
    import re

    gids: set[int] = set()
    for hexes in re.findall(rb"<([0-9a-f]*)> Tj", drawing):
        data = bytes.fromhex(hexes.decode())
        gids.update(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))
    return gids
