"""A theme font to draw new text into a PDF with: measured, wrapped, and embedded with
only the glyphs used.

``workbook flatten`` draws a client's answers with it. The glyph ids are the font's
own (a subset that keeps them), so the codes drawn are glyph ids under Identity-H, and
a /ToUnicode map keeps the text selectable and searchable.
"""

from __future__ import annotations

import hashlib
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf


class SubsetFont:
    """The theme's regular face: measures text, and embeds itself as a Type0 font with only
    the glyphs used (glyph ids kept, so the codes drawn are the glyph ids)."""

    def __init__(self, data: bytes, leading: float = 1.15) -> None:
        from fontTools.ttLib import TTFont

        self.data = data
        self.leading = leading
        self.tt = TTFont(io.BytesIO(data))
        self.cmap = self.tt.getBestCmap() or {}
        self.order = {name: index for index, name in enumerate(self.tt.getGlyphOrder())}
        self.upm = self.tt["head"].unitsPerEm
        self.advance = {
            self.order[name]: metrics[0] for name, metrics in self.tt["hmtx"].metrics.items()
        }
        hhea = self.tt["hhea"]
        self.ascent = hhea.ascent / self.upm
        self.descent = -hhea.descent / self.upm

    def gid(self, char: str) -> int:
        name = self.cmap.get(ord(char))
        return self.order.get(name, 0) if name else 0

    def encode(self, text: str) -> bytes:
        return b"".join(self.gid(c).to_bytes(2, "big") for c in text)

    def width(self, text: str, size: float) -> float:
        return sum(self.advance.get(self.gid(c), 0) for c in text) * size / self.upm

    def block_height(self, lines: int, size: float) -> float:
        return (max(lines, 1) - 1) * size * self.leading + (self.ascent + self.descent) * size

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        """``text`` in lines no wider than ``width`` at ``size``: at spaces, and within a
        word longer than a line. Linear in the text (a returned file chooses its length)."""
        scale = size / self.upm
        space = self.advance.get(self.gid(" "), 0) * scale
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line, line_width = "", 0.0
            for word in paragraph.split(" "):
                word_width = self.width(word, size)
                if line and line_width + space + word_width <= width:
                    line, line_width = f"{line} {word}", line_width + space + word_width
                    continue
                if line:
                    lines.append(line)
                if word_width <= width:
                    line, line_width = word, word_width
                    continue
                line, line_width = "", 0.0  # a word longer than a line: cut between letters
                for char in word:
                    char_width = self.advance.get(self.gid(char), 0) * scale
                    if line and line_width + char_width > width:
                        lines.append(line)
                        line, line_width = "", 0.0
                    line, line_width = line + char, line_width + char_width
            lines.append(line)
        return lines

    def embed(self, pdf: pikepdf.Pdf, gids: set[int]) -> pikepdf.Object:
        import pikepdf
        from fontTools import subset
        from pikepdf import Array, Dictionary, Name

        options = subset.Options()
        options.retain_gids = True
        options.notdef_outline = True
        options.layout_features = []
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=sorted(gids | {0}))
        from fontTools.ttLib import TTFont

        tt = TTFont(io.BytesIO(self.data), recalcTimestamp=False)  # same input, same bytes
        subsetter.subset(tt)
        buffer = io.BytesIO()
        tt.save(buffer)
        tag = "".join(
            chr(65 + b % 26) for b in hashlib.sha256(repr(sorted(gids)).encode()).digest()[:6]
        )
        base = Name(f"/{tag}+{self.tt['name'].getDebugName(6) or 'Theme-Regular'}")
        head = self.tt["head"]
        scale = 1000 / self.upm
        descriptor = Dictionary(
            Type=Name.FontDescriptor,
            FontName=base,
            Flags=32,
            FontBBox=Array(
                [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
            ),
            ItalicAngle=0,
            Ascent=round(self.ascent * 1000),
            Descent=-round(self.descent * 1000),
            CapHeight=round(self.ascent * 700),
            StemV=80,
            FontFile2=pdf.make_stream(buffer.getvalue()),
        )
        widths = Array()
        for gid in sorted(gids):
            widths.append(gid)
            widths.append(Array([round(self.advance.get(gid, 0) * scale)]))
        cid = Dictionary(
            Type=Name.Font,
            Subtype=Name.CIDFontType2,
            BaseFont=base,
            CIDSystemInfo=Dictionary(
                Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
            ),
            FontDescriptor=pdf.make_indirect(descriptor),
            W=widths,
            CIDToGIDMap=Name.Identity,
        )
        font = Dictionary(
            Type=Name.Font,
            Subtype=Name.Type0,
            BaseFont=base,
            Encoding=Name("/Identity-H"),
            DescendantFonts=Array([pdf.make_indirect(cid)]),
            ToUnicode=pdf.make_stream(self._to_unicode(gids)),
        )
        return pdf.make_indirect(font)

    def _to_unicode(self, gids: set[int]) -> bytes:
        back: dict[int, int] = {}
        for code, name in sorted(self.cmap.items()):
            gid = self.order.get(name)
            if gid in gids and gid not in back and code < 0x10000:
                back[gid] = code
        entries = sorted(back.items())
        lines = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <FFFF>",
            "endcodespacerange",
        ]
        for start in range(0, len(entries), 100):
            chunk = entries[start : start + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            lines += [f"<{gid:04X}> <{code:04X}>" for gid, code in chunk]
            lines.append("endbfchar")
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return "\n".join(lines).encode("ascii")
