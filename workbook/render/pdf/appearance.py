"""Appearance streams for pre-filled text fields, drawn in the theme font.

A field's value shows in a viewer that draws fields itself, but a viewer that
only paints what the file holds (many printers, macOS Preview, flattening
tools) needs an appearance stream. qpdf's generator writes one byte per
character, which is wrong for WeasyPrint's fonts (Type0, Identity-H: two-byte
glyph ids), so we draw the text ourselves: each character becomes the glyph
id of the font embedded in the PDF, read from its own ``cmap``.
"""

from __future__ import annotations

import io
import re

import pikepdf
from fontTools.ttLib import TTFont
from pikepdf import Array, Dictionary, Name

from workbook.render.pdf.spec import MULTILINE

_DA = re.compile(r"/(\S+)\s+([\d.]+)\s+Tf")
_COLOUR = re.compile(r"([\d.]+\s+[\d.]+\s+[\d.]+\s+rg|[\d.]+\s+g)")


class _Font:
    """The glyph ids of one embedded Type0 font with an identity CID-to-GID map."""

    def __init__(self, font: pikepdf.Object) -> None:
        descendant = font.DescendantFonts[0]
        data = descendant.FontDescriptor.FontFile2.read_bytes()
        tt = TTFont(io.BytesIO(data))
        self.cmap = tt.getBestCmap() or {}
        self.ids = {name: index for index, name in enumerate(tt.getGlyphOrder())}
        self.identity = str(descendant.get("/CIDToGIDMap", "/Identity")) == "/Identity"

    def encode(self, text: str) -> bytes | None:
        if not self.identity:
            return None
        codes = []
        for char in text:
            name = self.cmap.get(ord(char))
            if name is None:
                return None  # a character the font lacks: leave it to the viewer
            codes.append(self.ids[name].to_bytes(2, "big"))
        return b"".join(codes)


def draw_field_values(pdf: pikepdf.Pdf) -> int:
    """Give every filled text field an appearance showing its value; returns how many."""
    acroform = pdf.Root.get("/AcroForm")
    if acroform is None:
        return 0
    fonts: dict[str, _Font | None] = {}
    resources = acroform.get("/DR", Dictionary()).get("/Font", Dictionary())
    drawn = 0
    for field in acroform.Fields:
        if field.get("/FT") != Name.Tx or not str(field.get("/V", "")):
            continue
        match = _DA.search(str(field.get("/DA", "")))
        if match is None or f"/{match[1]}" not in resources:
            continue
        key, size = match[1], float(match[2])
        if key not in fonts:
            try:
                fonts[key] = _Font(resources[f"/{key}"])
            except Exception:
                fonts[key] = None  # not a font we can read: the viewer draws the value
        font = fonts[key]
        if font is None:
            continue
        colour = _COLOUR.search(str(field.DA))
        stream = _appearance(
            pdf,
            field,
            str(field.V),
            font,
            key,
            resources[f"/{key}"],
            size,
            colour[1] if colour else "0 g",
        )
        if stream is not None:
            field.AP = Dictionary(N=stream)
            drawn += 1
    return drawn


def _appearance(
    pdf: pikepdf.Pdf,
    field: pikepdf.Object,
    value: str,
    font: _Font,
    key: str,
    font_ref: pikepdf.Object,
    size: float,
    colour: str,
) -> pikepdf.Object | None:
    x1, y1, x2, y2 = (float(v) for v in field.Rect)
    width, height = abs(x2 - x1), abs(y2 - y1)
    multiline = bool(int(field.get("/Ff", 0)) & MULTILINE)
    lines = value.split("\n") if multiline else [value.replace("\n", " ")]
    leading = size * 1.2
    y = height - 2 - size * 0.9 if multiline else (height - size * 0.7) / 2
    ops = [
        b"/Tx BMC",
        b"q",
        f"1 1 {width - 2:.2f} {height - 2:.2f} re W n".encode(),
        b"BT",
        colour.encode(),
        f"/{key} {size:g} Tf".encode(),
        f"2 {y:.2f} Td".encode(),
    ]
    for index, line in enumerate(lines):
        codes = font.encode(line)
        if codes is None:
            return None
        if index:
            ops.append(f"0 {-leading:.2f} Td".encode())
        ops.append(b"<" + codes.hex().encode() + b"> Tj")
    ops += [b"ET", b"Q", b"EMC"]
    stream = pikepdf.Stream(pdf, b"\n".join(ops))
    stream.Type = Name.XObject
    stream.Subtype = Name.Form
    stream.BBox = Array([0, 0, width, height])
    stream.Resources = Dictionary(Font=Dictionary({f"/{key}": font_ref}))
    return pdf.make_indirect(stream)
