"""Repairs to WeasyPrint's PDFs, with pikepdf.

What WeasyPrint 70 gets wrong or leaves out, and what we do about it:

* Radio groups: every button also carries the group's name and type and is
  listed in /AcroForm /Fields, so readers see phantom fields and can read the
  group back wrong. We make the buttons plain widgets of their group.
* Tooltips (/TU) come from <label> only in some cases; we set every field's
  tooltip from the label the sheet model gave it.
* The default appearance (/DA) of text fields carries a graphics-state
  operator that the PDF spec does not allow there; we keep only font and
  colour, so every reader (and qpdf's appearance generator) can use it.
* Buttons: WeasyPrint names a tick's on-state ``/on``, which qpdf and other
  tools reject (the PDF convention is ``/Yes``), draws no "Off" appearance and gives
  buttons no /DA. Every button gets ``/Yes`` (a radio option: its export value), an
  empty "Off" appearance next to WeasyPrint's drawn "on" one, and a /DA naming
  ``/ZaDb``: a viewer that draws a button itself (Poppler, when a file says
  ``/NeedAppearances true``, as the site's "Download filled PDF" must) draws the
  caption's tick or dot in the font of that name, and drew nothing without one.
  ``/ZaDb`` is our own Type 3 font of those two glyphs, drawn as paths
  (:func:`button_font`), not the standard ZapfDingbats, which no PDF embeds: every
  font of every PDF is embedded (PDF/UA-1 7.21.4.1, and what print shops ask).
* /NeedAppearances is set to false: every engine then draws the appearance
  streams the file holds and writes its own when the client types (measured
  with PDFium, MuPDF, Poppler and pdf.js; see the README, "PDF viewers"). With
  it true, Poppler and pdf.js saved no appearances, so a filled file printed
  blank in Preview, and qpdf could not flatten it without mangling the text.
* Multi-line text fields get font size 0 (fit to the box): a long answer
  shrinks instead of losing its last lines.
* Each radio option gets its own accessible name ("3 of 10", or its level);
  table header cells get /Scope (Column in the head, Row in the body).

Page numbers may be stamped on (:mod:`workbook.render.pdf.stamp`).

Extra document-information entries (``info``) are added last: the data
``workbook progress`` reads a filled tracker with (:mod:`workbook.model.formdata`).

We also refuse a PDF that embeds a font the theme did not declare: text that
silently fell back to another font is an error, not a surprise on paper.
"""

from __future__ import annotations

import io
import re

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from workbook.errors import WorkbookError
from workbook.model.fields import option_key
from workbook.render.pdf.spec import MULTILINE, RADIO, TICK
from workbook.render.pdf.stamp import stamp_numbers


def repair(
    raw: bytes,
    *,
    labels: dict[str, str],
    name: str,
    font_families: tuple[str, ...],
    info: dict[str, str] | None = None,
    stamp: bool = False,
    overlay: bytes | None = None,
) -> bytes:
    """``stamp``: draw page numbers from ``overlay`` on each page, or with no overlay,
    leave an empty number on each for a workbook to fill (:mod:`workbook.render.pdf.join`)."""
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        check_fonts(pdf, name, font_families)
        acroform = pdf.Root.get("/AcroForm")
        if acroform is not None:
            _repair_fields(pdf, acroform, labels)
        _scope_header_cells(pdf)
        _prune_dests(pdf)
        if stamp:
            stamp_numbers(pdf, overlay)
        for key, value in (info or {}).items():
            pdf.docinfo[Name(key)] = String(value)
        out = io.BytesIO()
        pdf.save(
            out,
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
        return out.getvalue()


def _repair_fields(pdf: pikepdf.Pdf, acroform: pikepdf.Object, labels: dict[str, str]) -> None:
    fields = Array()
    off = None
    for field in acroform.Fields:
        if "/Parent" in field:
            continue  # a radio button: listed through its group instead
        fields.append(field)
        field_name = str(field.get("/T", ""))
        if field_name in labels:
            field.TU = String(labels[field_name])
        if field.get("/FT") == Name.Tx and "/DA" in field:
            da = _clean_da(str(field.DA))
            if int(field.get("/Ff", 0)) & MULTILINE:
                da = re.sub(r"([\d.]+)\s+Tf", "0 Tf", da)
            field.DA = String(da)
        if field.get("/FT") == Name.Btn:
            off = off or _empty_appearance(pdf)
            radio = bool(int(field.get("/Ff", 0)) & RADIO)
            field.DA = String(f"{BUTTON_FONT} 0 Tf 0 g")
            if radio:
                _name_states_by_value(field)
            else:
                _rename_state(field, Name("/on"), Name(TICK))
            for widget in field.Kids if radio else [field]:
                if radio:
                    for key in ("/T", "/FT", "/TU", "/V"):
                        if key in widget:
                            del widget[key]
                    states = [str(k) for k in widget.AP.N.keys() if str(k) != "/Off"]  # noqa: SIM118 - pikepdf types iteration as Objects; keys() are str
                    spoken = labels.get(option_key(field_name, states[0][1:])) if states else None
                    if spoken:
                        widget.TU = String(spoken)
                _button_appearance(widget, off, radio=radio)
    acroform.Fields = fields
    acroform.NeedAppearances = False
    if off is not None:
        resources = acroform.get("/DR")
        if resources is None:
            resources = acroform.DR = Dictionary()
        if "/Font" not in resources:
            resources.Font = Dictionary()
        resources.Font[BUTTON_FONT] = button_font(pdf)


#: The name buttons' /DA gives their font: the one viewers look for a tick's glyph under.
BUTTON_FONT = "/ZaDb"
#: The caption codes of a tick and a radio dot (ZapfDingbats' "4" and "l", which viewers
#: put in /MK /CA), the glyph each draws (1000 units a side, centred), and its Unicode.
_BUTTON_GLYPHS = {
    ord("4"): ("tick", b"110 w 1 J 1 j 170 500 m 400 250 l 840 790 l S", 0x2713),
    ord("l"): (
        "dot",
        b"800 500 m 800 666 666 800 500 800 c 334 800 200 666 200 500 c "
        b"200 334 334 200 500 200 c 666 200 800 334 800 500 c f",
        0x25CF,
    ),
}


def button_font(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """A Type 3 font holding only a tick and a dot, drawn as paths: embedded by what it
    is, so a viewer that draws a button's caption draws ours and no PDF refers to a font
    it does not carry. It maps both glyphs to Unicode (✓ and ●) for PDF/UA."""
    first, last = min(_BUTTON_GLYPHS), max(_BUTTON_GLYPHS)
    procs, cmap = Dictionary(), []
    differences: list[object] = []
    for code, (name, drawing, unicode) in sorted(_BUTTON_GLYPHS.items()):
        procs[f"/{name}"] = pdf.make_stream(b"1000 0 0 0 1000 1000 d1 " + drawing)
        differences.extend([code, Name(f"/{name}")])
        cmap.append(f"<{code:02X}> <{unicode:04X}>")
    to_unicode = pdf.make_stream(
        (
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def "
            "/CMapName /GoalWorkbooks-Buttons def /CMapType 2 def "
            "1 begincodespacerange <00> <FF> endcodespacerange "
            f"{len(cmap)} beginbfchar {' '.join(cmap)} endbfchar "
            "endcmap CMapName currentdict /CMap defineresource pop end end"
        ).encode()
    )
    return pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.Type3,
            FontBBox=Array([0, 0, 1000, 1000]),
            FontMatrix=Array([0.001, 0, 0, 0.001, 0, 0]),
            CharProcs=procs,
            Encoding=Dictionary(Type=Name.Encoding, Differences=Array(differences)),
            FirstChar=first,
            LastChar=last,
            Widths=Array(
                [1000 if code in _BUTTON_GLYPHS else 0 for code in range(first, last + 1)]
            ),
            Resources=Dictionary(),
            ToUnicode=to_unicode,
        )
    )


def _rename_state(field: pikepdf.Object, old: Name, new: Name) -> None:
    """A button's state ``old`` becomes ``new``: its appearance, and its /AS and /V."""
    if old == new:
        return
    normal = field.AP.N
    if old in normal:
        normal[new] = normal[old]
        del normal[old]
    for key in ("/AS", "/V"):
        if field.get(key) == old:
            field[key] = new


def _scope_header_cells(pdf: pikepdf.Pdf) -> None:
    """Give every TH its /Scope: a column's header in a table's head, a row's elsewhere
    (the day names down a tracker's side), so screen readers announce the right one."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return
    todo: list[tuple[pikepdf.Object, str | None]] = [(tree, None)]
    seen: set[tuple[int, int]] = set()
    while todo:
        node, section = todo.pop()
        kids = node.get("/K")
        if kids is None:
            continue
        for kid in kids if isinstance(kids, Array) else [kids]:
            if not isinstance(kid, Dictionary) or "/S" not in kid:
                continue
            if kid.is_indirect:
                if kid.objgen in seen:
                    continue
                seen.add(kid.objgen)
            role = str(kid.S)
            if role == "/TH":
                kid.A = Dictionary(
                    O=Name.Table, Scope=Name.Column if section == "/THead" else Name.Row
                )
            todo.append((kid, role if role in ("/THead", "/TBody", "/TFoot") else section))


def _prune_dests(pdf: pikepdf.Pdf) -> None:
    """WeasyPrint names a destination after every element id (every form field);
    keep only those a link points at."""
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names or "/Names" not in names.Dests:
        return
    used = {
        str(annot.Dest)
        for page in pdf.pages
        for annot in page.obj.get("/Annots", [])
        if isinstance(annot.get("/Dest"), String)
    }
    items = names.Dests.Names
    kept = Array()
    for i in range(0, len(items), 2):
        if str(items[i]) in used:
            kept.append(items[i])
            kept.append(items[i + 1])
    names.Dests.Names = kept


def _name_states_by_value(group: pikepdf.Object) -> None:
    """WeasyPrint names radio states 0, 1, 2… and keeps the values in /Opt; name
    each state after its value instead, so a filled scale reads back as its number."""
    options = [str(option) for option in group.get("/Opt", [])]
    if len(options) != len(group.Kids):
        return
    value = group.get("/V", Name.Off)
    for index, (widget, option) in enumerate(zip(group.Kids, options, strict=True)):
        old, new = Name(f"/{index}"), Name("/" + option)
        _rename_state(widget, old, new)
        if value == old and old != new:
            group.V = new
    del group["/Opt"]


def _clean_da(da: str) -> str:
    """Keep the colour and font operators of a /DA string, drop the rest."""
    return re.sub(r"/[^\s/]+\s+gs\s*", "", da).strip()


def _empty_appearance(pdf: pikepdf.Pdf) -> pikepdf.Stream:
    stream = pikepdf.Stream(pdf, b"")
    stream.Type = Name.XObject
    stream.Subtype = Name.Form
    stream.BBox = Array([0, 0, 1, 1])
    return pdf.make_indirect(stream)


def _button_appearance(widget: pikepdf.Object, off: pikepdf.Stream, *, radio: bool) -> None:
    normal = widget.AP.N
    if "/Off" not in normal:
        normal.Off = off
    mk = widget.get("/MK") or Dictionary()
    # the caption a viewer that draws its own appearance would use: dot, tick
    mk.CA = String("l" if radio else "4")
    widget.MK = mk
    if "/D" in widget.get("/AP", Dictionary()):
        del widget.AP["/D"]


# --------------------------------------------------------------------------- fonts


def embedded_fonts(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
    """BaseFont name → font dictionary, for every font the document uses."""
    fonts: dict[str, pikepdf.Object] = {}
    resources = [page.obj.get("/Resources") for page in pdf.pages]
    acroform = pdf.Root.get("/AcroForm")
    if acroform is not None and "/DR" in acroform:
        resources.append(acroform.DR)
    for res in resources:
        if res is None or "/Font" not in res:
            continue
        for font in res.Font.values():
            fonts[str(font.get("/BaseFont", "?"))] = font
    return fonts


def check_fonts(pdf: pikepdf.Pdf, name: str, families: tuple[str, ...]) -> None:
    allowed = tuple(family.replace(" ", "-") for family in families)
    for base, font in embedded_fonts(pdf).items():
        plain = base.lstrip("/").split("+", 1)[-1]
        if not plain.startswith(allowed):
            chars = _characters(font)
            shown = "".join(chars[:12]) + ("…" if len(chars) > 12 else "")
            raise WorkbookError(
                f"{name}: the theme font ({', '.join(families)}) has no glyph for "
                f"{shown!r}, so {plain} was used instead; replace those characters or add a "
                "font that has them to the theme"
            )


def _characters(font: pikepdf.Object) -> list[str]:
    cmap = font.get("/ToUnicode")
    if cmap is None:
        return []
    text = cmap.read_bytes().decode("latin-1")
    chars: list[str] = []
    for hexes in re.findall(r"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]+)>", text):
        try:
            chars.append(bytes.fromhex(hexes).decode("utf-16-be"))
        except (ValueError, UnicodeDecodeError):
            continue
    return sorted({c for c in chars if c.strip() and c.isprintable()})
