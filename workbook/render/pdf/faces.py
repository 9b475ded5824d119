"""One font file per face in a joined workbook.

Each part of a workbook embeds its own copy of each face: the whole regular
face when the part has form fields (so any character can be typed), a subset
of the glyphs it shows otherwise. Identical files are stored once by the join,
but the subsets all differ: the sample's 24-page workbook carried the regular
face six times and the bold face eleven times. WeasyPrint's subsets keep the
glyph ids of the font they came from (the CIDs are the glyph ids), so the
subsets of one face can be merged into one font holding every glyph any part
uses, and every part's font can point at it.

A face is merged only when that is safe: every copy is a TrueType font file
with an identity CID-to-glyph map, and a glyph present in two copies has the
same outline in both (hinting aside: subsets drop it). Otherwise its copies
are left as they are.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from typing import TYPE_CHECKING, Any

import pikepdf

from workbook.render.pdf.trees import font_descriptors

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont


def face_of(descriptor: pikepdf.Dictionary) -> str:
    """The face a font descriptor embeds: its font name without the subset tag."""
    return str(descriptor.get("/FontName", "")).lstrip("/").split("+", 1)[-1]


def merged_faces(parts: list[bytes]) -> dict[str, bytes]:
    """Face name → the stream dictionary and compressed bytes of one font file holding
    every glyph the parts use of it, for each face embedded more than once."""
    from fontTools.ttLib import TTFont

    copies: dict[str, dict[bytes, bytes]] = {}  # face → digest → font file
    unsafe: set[str] = set()
    for data in parts:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for descriptor in font_descriptors(pdf):
                face = face_of(descriptor)
                program = descriptor.get("/FontFile2")
                if program is None:
                    unsafe.add(face)
                    continue
                raw = program.read_bytes()
                copies.setdefault(face, {})[hashlib.sha256(raw).digest()] = raw
            for font in _cid_fonts(pdf):
                if str(font.get("/CIDToGIDMap", "/Identity")) != "/Identity":
                    unsafe.add(face_of(font.FontDescriptor))
    merged = {}
    for face, programs in copies.items():
        if face in unsafe or len(programs) < 2:
            continue
        fonts = [TTFont(io.BytesIO(p), recalcTimestamp=False) for p in programs.values()]
        font = _merge(fonts)
        if font is None:
            continue
        out = io.BytesIO()
        font.save(out)
        merged[face] = out.getvalue()
    return merged


def stream_parts(program: bytes) -> tuple[bytes, bytes]:
    """A FontFile2 stream's dictionary and data for the join's output."""
    data = zlib.compress(program, 9)
    return (b"<< /Filter /FlateDecode /Length %d /Length1 %d >>" % (len(data), len(program)), data)


def _cid_fonts(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        for font in (
            page.obj.get("/Resources", pikepdf.Dictionary())
            .get("/Font", pikepdf.Dictionary())
            .values()
        ):
            for descendant in font.get("/DescendantFonts", []):
                if "/FontDescriptor" in descendant:
                    yield descendant


def _merge(fonts: list[TTFont]) -> TTFont | None:
    """The copy with the most glyph slots, with every glyph the others have filled in;
    None if two copies disagree about a glyph (then they are not subsets of one font).
    Glyphs are matched by id: a subset names the glyphs it dropped ``glyphNNNNN``, so
    names differ between copies; a copied composite glyph's parts are renamed."""
    import copy

    fonts = sorted(fonts, key=lambda f: len(f.getGlyphOrder()), reverse=True)
    base = fonts[0]
    if any("glyf" not in font for font in fonts):
        return None
    order = base.getGlyphOrder()
    glyf, hmtx = base["glyf"], base["hmtx"]
    for other in fonts[1:]:
        theirs_order = other.getGlyphOrder()
        if len(theirs_order) > len(order):
            return None
        for gid, name in enumerate(theirs_order):
            theirs = other["glyf"][name]
            if theirs.numberOfContours == 0:
                continue  # empty there: nothing to bring
            mine = glyf[order[gid]]
            if mine.numberOfContours != 0:
                if _outline(mine, base) != _outline(theirs, other):
                    return None
                continue
            glyph = copy.deepcopy(theirs)
            if glyph.isComposite():
                for component in glyph.components:
                    component.glyphName = order[other.getGlyphID(component.glyphName)]
            glyf[order[gid]] = glyph
            hmtx[order[gid]] = other["hmtx"][name]
    return base


def _outline(glyph: Any, font: TTFont) -> tuple:
    """What a glyph draws, by glyph id, without its hinting: the points and contours, or
    for a composite its parts and their placement."""
    glyph.expand(font["glyf"])
    if glyph.isComposite():
        return tuple(
            (
                font.getGlyphID(c.glyphName),
                c.x,
                c.y,
                getattr(c, "transform", None) and tuple(map(tuple, c.transform)),
            )
            for c in glyph.components
        )
    return (
        tuple(glyph.endPtsOfContours),
        tuple(glyph.coordinates),
        tuple(flag & 1 for flag in glyph.flags),
    )
