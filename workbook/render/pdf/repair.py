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
* Checkboxes and radios get an explicit empty "Off" appearance and a
  ZapfDingbats caption, so readers that rebuild appearances draw a tick.

Page numbers may be stamped on (see workbook/pdfmerge.py).

Extra document-information entries (``info``) are added last: the data
``workbook progress`` reads a filled tracker with (see workbook/formdata.py).

We also refuse a PDF that embeds a font the theme did not declare: text that
silently fell back to another font is an error, not a surprise on paper.
"""

from __future__ import annotations

import io
import re

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from workbook.errors import WorkbookError
from workbook.render.pdf.stamp import stamp_numbers

RADIO_FLAG = 1 << 15
PUSHBUTTON_FLAG = 1 << 16


def repair(raw: bytes, *, labels: dict[str, str], name: str,
           font_families: tuple[str, ...], info: dict[str, str] | None = None, stamp: bool = False,
           overlay: bytes | None = None) -> bytes:
    """``stamp``: draw page numbers from ``overlay`` on each page, or with no overlay,
    leave an empty number on each for a workbook to fill (see workbook/pdfmerge.py)."""
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        check_fonts(pdf, name, font_families)
        acroform = pdf.Root.get("/AcroForm")
        if acroform is not None:
            _repair_fields(pdf, acroform, labels)
        _prune_dests(pdf)
        if stamp:
            stamp_numbers(pdf, overlay)
        for key, value in (info or {}).items():
            pdf.docinfo[Name(key)] = String(value)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()


def _repair_fields(pdf: pikepdf.Pdf, acroform: Dictionary, labels: dict[str, str]) -> None:
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
            field.DA = String(_clean_da(str(field.DA)))
        if field.get("/FT") == Name.Btn:
            off = off or _empty_appearance(pdf)
            radio = bool(int(field.get("/Ff", 0)) & RADIO_FLAG)
            if radio:
                _name_states_by_value(field)
            for widget in field.Kids if radio else [field]:
                if radio:
                    for key in ("/T", "/FT", "/TU", "/V"):
                        if key in widget:
                            del widget[key]
                _button_appearance(widget, off, radio=radio)
    acroform.Fields = fields


def _prune_dests(pdf: pikepdf.Pdf) -> None:
    """WeasyPrint names a destination after every element id (every form field);
    keep only those a link points at."""
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names or "/Names" not in names.Dests:
        return
    used = {str(annot.Dest) for page in pdf.pages for annot in page.obj.get("/Annots", [])
            if isinstance(annot.get("/Dest"), String)}
    items = names.Dests.Names
    kept = Array()
    for i in range(0, len(items), 2):
        if str(items[i]) in used:
            kept.append(items[i])
            kept.append(items[i + 1])
    names.Dests.Names = kept


def _name_states_by_value(group: Dictionary) -> None:
    """WeasyPrint names radio states 0, 1, 2… and keeps the values in /Opt; name
    each state after its value instead, so a filled scale reads back as its number."""
    options = [str(option) for option in group.get("/Opt", [])]
    if len(options) != len(group.Kids):
        return
    value = str(group.get("/V", "/Off"))
    for index, (widget, option) in enumerate(zip(group.Kids, options)):
        normal = widget.AP.N
        old, new = Name(f"/{index}"), Name("/" + option)
        if old in normal and old != new:
            normal[new] = normal[old]
            del normal[old]
        if str(widget.get("/AS")) == str(old):
            widget.AS = new
        if value == str(old):
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


def _button_appearance(widget: Dictionary, off: pikepdf.Stream, *, radio: bool) -> None:
    normal = widget.AP.N
    if "/Off" not in normal:
        normal.Off = off
    mk = widget.get("/MK") or Dictionary()
    mk.CA = String("l" if radio else "4")  # ZapfDingbats: dot, tick
    widget.MK = mk


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
    return sorted(set(c for c in chars if c.strip() and c.isprintable()))
