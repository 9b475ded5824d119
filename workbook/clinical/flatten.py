"""``workbook flatten``: a print-ready copy of a filled PDF, for the client's record.

Every viewer draws a typed answer its own way: PDFium in a substitute font for
curly quotes and dashes, MuPDF in a Helvetica it does not embed and cut off at
the box's edge, and a printer may draw nothing at all. The copy draws every
answer itself, in the theme's own font, shrunk and wrapped until it fits its
box whole, draws every tick and chosen option, and then removes the form: no
field is left to change by accident, the text can be selected and searched,
and the tags stay (each answer takes its field's place in the structure tree).

The filled file is hostile input like any returned PDF: it is parsed only in
the bounded child of :mod:`workbook.clinical.intake`, at most
:data:`~workbook.clinical.intake.MAX_FIELDS` widgets and
:data:`~workbook.clinical.intake.MAX_VALUE_CHARS` characters of each value are
drawn, a box must be a sane rectangle, and only the theme's font (read by the
parent, never one from the file) is embedded.
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from workbook.clinical.intake import MAX_FIELD_DEPTH, MAX_FIELDS, MAX_VALUE_CHARS, Refused, in_child
from workbook.errors import Problem, WorkbookError
from workbook.model.formdata import INFO_KEY
from workbook.output.private import check_file, shown, write_private
from workbook.project import default_theme
from workbook.render.pdf.fonts import regular_face

MIN_SIZE = 4.0  # pt: below this an answer is no longer readable on paper
DEFAULT_SIZE = 10.0  # pt: for a field whose /DA asks for "fit" (0) or gives nothing
LEADING = 1.15
PAD = 2.0  # pt inside the box, each side
INK = b"0.07 g"
MULTILINE = 1 << 12
RADIO = 1 << 15
PUSHBUTTON = 1 << 16
HINT = "Give --out a new file name in a folder of your own."


@dataclass
class Flattened:
    """What the child sends back: the new PDF and what the user should know."""

    data: bytes
    answers: int  # text answers drawn
    ticks: int  # ticks and chosen options drawn
    warnings: list[str] = field(default_factory=list)


def flatten_file(path: Path, out: Path | None = None, *, shown_as: str | None = None,
                 check: bool = True) -> tuple[Path, Flattened]:
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


# --------------------------------------------------------------------------- in the child


def _flatten(pdf, font_bytes: bytes) -> Flattened:
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    acroform = pdf.Root.get("/AcroForm")
    if not isinstance(acroform, Dictionary) or not acroform.get("/Fields"):
        raise Refused("has no form fields; there is nothing to flatten")
    font = _Font(font_bytes)
    tree = _Tags(pdf)
    drawn_pages: list[tuple[object, list[tuple[bytes, object, str]]]] = []
    widgets = 0
    answers = ticks = 0
    warnings: list[str] = []
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if not isinstance(annots, Array):
            continue
        kept = Array()
        pieces: list[tuple[bytes, object, str]] = []  # (drawing, annotation, alt text)
        for annot in list(annots):
            if not isinstance(annot, Dictionary) or annot.get("/Subtype") != Name.Widget:
                kept.append(annot)
                continue
            widgets += 1
            if widgets > MAX_FIELDS:
                raise Refused(f"has more than {MAX_FIELDS:,} form fields, which no filled "
                              "sheet has; ask for the file again")
            box = _box(annot)
            drawing, alt = None, ""
            if box is not None:
                kind, flags, value = _field_of(annot)
                if kind == "/Tx" or kind == "/Ch":
                    if value:
                        drawing, problem = _text(font, box, value, flags, _da_size(annot))
                        alt = value
                        answers += 1
                        if problem:
                            warnings.append(f"{_field_name(annot)}: {problem}")
                elif kind == "/Btn" and not flags & PUSHBUTTON and _is_on(annot):
                    drawing = _dot(box) if flags & RADIO else _tick(box)
                    alt = "✓ " + str(annot.get("/TU", "")).strip() if flags & RADIO else "✓"
                    ticks += 1
            if drawing is not None:
                pieces.append((drawing, annot, alt.strip()))
            tree.forget_widget(annot, page.obj)
        page.obj.Annots = kept
        if pieces:
            drawn_pages.append((page, pieces))
    used = {gid for _, pieces in drawn_pages for text, _, _ in pieces
            for gid in _gids_in(text)}
    font_ref = font.embed(pdf, used) if used else None
    for page, pieces in drawn_pages:
        ops = [b"Q"]
        name = None
        if font_ref is not None:
            name = _add_font(page, font_ref)
        for drawing, annot, alt in pieces:
            mcid = tree.claim(page.obj, annot, alt)
            tag = b"/Span <</MCID %d>> BDC" % mcid if mcid is not None else b"/Artifact BMC"
            ops += [tag, b"q", drawing.replace(b"/FLAT", str(name).encode() if name else b"/F"),
                    b"Q", b"EMC"]
        page.contents_add(pikepdf.Stream(pdf, b"q"), prepend=True)
        page.contents_add(pikepdf.Stream(pdf, b"\n".join(ops)))
    del pdf.Root["/AcroForm"]
    if pdf.trailer.get("/Info") is not None and INFO_KEY in pdf.docinfo:
        del pdf.docinfo[INFO_KEY]  # a print copy: `workbook progress` reads the filled file
    out = io.BytesIO()
    pdf.remove_unreferenced_resources()
    pdf.save(out, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return Flattened(out.getvalue(), answers, ticks, warnings)


def _add_font(page, font_ref):
    """Put the answer font among the page's fonts under a name of its own (a fixed one,
    so the same file flattens to the same bytes)."""
    from pikepdf import Dictionary, Name

    resources = page.obj.get("/Resources")
    if not isinstance(resources, Dictionary):
        resources = page.obj.Resources = Dictionary()
    elif resources.is_indirect:  # shared with other pages: this page gets its own copy
        resources = page.obj.Resources = Dictionary(resources)
    fonts = resources.get("/Font")
    fonts = Dictionary(fonts) if isinstance(fonts, Dictionary) else Dictionary()
    number = 1
    while Name(f"/FlatF{number}") in fonts and fonts[f"/FlatF{number}"] != font_ref:
        number += 1
    name = Name(f"/FlatF{number}")
    fonts[name] = font_ref
    resources.Font = fonts
    return name


def _inherited(node, key: str):
    for _ in range(MAX_FIELD_DEPTH + 1):
        if node is None:
            return None
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def _field_name(annot) -> str:
    parts, node = [], annot
    for _ in range(MAX_FIELD_DEPTH + 1):
        if node is None:
            break
        if "/T" in node:
            parts.append(str(node.T)[:200])
        node = node.get("/Parent")
    return ".".join(reversed(parts)) or "a field"


def _field_of(annot) -> tuple[str, int, str]:
    """The field's type, flags and value as text ("" when empty)."""
    import pikepdf

    kind = str(_inherited(annot, "/FT") or "")
    try:
        flags = int(_inherited(annot, "/Ff") or 0)
    except (TypeError, ValueError):
        flags = 0
    value = _inherited(annot, "/V")
    if isinstance(value, pikepdf.String):
        text = str(value)
    elif isinstance(value, pikepdf.Array):  # a list box with several choices
        text = ", ".join(str(v) for v in list(value)[:50] if isinstance(v, pikepdf.String))
    else:
        text = ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")[:MAX_VALUE_CHARS]
    return kind, flags, "".join(c for c in text if c == "\n" or c.isprintable())


def _is_on(annot) -> bool:
    """A tick box or radio option is on when its appearance state is, or (for a viewer
    that set only the value) when the field's value names this widget's on-state."""
    import pikepdf

    state = annot.get("/AS")
    if isinstance(state, pikepdf.Name):
        return str(state) != "/Off"
    value = _inherited(annot, "/V")
    normal = annot.get("/AP", {}).get("/N") if isinstance(annot.get("/AP"), pikepdf.Dictionary) \
        else None
    if isinstance(value, pikepdf.Name) and isinstance(normal, pikepdf.Dictionary):
        return str(value) != "/Off" and value in normal
    return False


def _box(annot) -> tuple[float, float, float, float] | None:
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


def _da_size(annot) -> float:
    import re

    da = str(_inherited(annot, "/DA") or "")
    match = re.search(r"([\d.]+)\s+Tf", da)
    try:
        size = float(match[1]) if match else 0.0
    except ValueError:
        size = 0.0
    return size if 0 < size <= 72 else DEFAULT_SIZE


# --------------------------------------------------------------------------- drawing


def _text(font: "_Font", box, value: str, flags: int, size: float) -> tuple[bytes, str | None]:
    """The answer, wrapped and shrunk until it fits the box whole."""
    x, y, width, height = box
    inner_w, inner_h = width - 2 * PAD, height - 2 * PAD / 2
    chosen = None
    step = size
    while step >= MIN_SIZE - 1e-9:
        lines = font.wrap(value, inner_w, step)
        if font.block_height(len(lines), step) <= inner_h and \
                all(font.width(line, step) <= inner_w for line in lines):
            chosen = (step, lines)
            break
        step = round(step - 0.25, 2)
    problem = None
    if chosen is None:
        lines = font.wrap(value, inner_w, MIN_SIZE)
        chosen = (MIN_SIZE, lines)
        problem = (f"the answer is too long to show whole at {MIN_SIZE:g} pt; the copy shows "
                   "it running past its box")
    size, lines = chosen
    block = font.block_height(len(lines), size)
    if flags & MULTILINE:
        top = y + height - PAD / 2
    else:  # a one-line field: the answer sits in the middle, as viewers draw it
        top = y + (height + block) / 2
    baseline = top - font.ascent * size
    ops = [INK, b"BT", b"/FLAT %s Tf" % _num(size)]
    for index, line in enumerate(lines):
        ops.append(b"1 0 0 1 %s %s Tm" % (_num(x + PAD), _num(baseline - index * size * LEADING)))
        ops.append(b"<" + font.encode(line).hex().encode() + b"> Tj")
    ops.append(b"ET")
    missing = sorted(set(c for c in value if c not in "\n " and font.gid(c) == 0))
    if missing:
        shown_chars = "".join(missing[:8]).encode("unicode_escape").decode("ascii")
        problem = (problem + "; " if problem else "") + \
            f"the theme font has no glyph for {shown_chars}, shown as a box"
    return b"\n".join(ops), problem


def _tick(box) -> bytes:
    x, y, w, h = box
    side = min(w, h)
    cx, cy = x + w / 2, y + h / 2
    points = [(-0.32, 0.02), (-0.1, -0.25), (0.34, 0.3)]
    path = [b"%s %s %s" % (_num(cx + dx * side), _num(cy + dy * side), op)
            for (dx, dy), op in zip(points, (b"m", b"l", b"l"))]
    return b"\n".join([INK.replace(b" g", b" G"), b"%s w 1 J 1 j" % _num(side * 0.14),
                       *path, b"S"])


def _dot(box) -> bytes:
    x, y, w, h = box
    r = min(w, h) * 0.3
    cx, cy = x + w / 2, y + h / 2
    k = r * 0.5523  # a circle from four Bézier curves
    n = _num
    return b"\n".join([
        INK, b"%s %s m" % (n(cx + r), n(cy)),
        b"%s %s %s %s %s %s c" % (n(cx + r), n(cy + k), n(cx + k), n(cy + r), n(cx), n(cy + r)),
        b"%s %s %s %s %s %s c" % (n(cx - k), n(cy + r), n(cx - r), n(cy + k), n(cx - r), n(cy)),
        b"%s %s %s %s %s %s c" % (n(cx - r), n(cy - k), n(cx - k), n(cy - r), n(cx), n(cy - r)),
        b"%s %s %s %s %s %s c" % (n(cx + k), n(cy - r), n(cx + r), n(cy - k), n(cx + r), n(cy)),
        b"f"])


def _num(value: float) -> bytes:
    return (f"{value:.3f}".rstrip("0").rstrip(".") or "0").encode()


def _gids_in(drawing: bytes) -> set[int]:
    import re

    gids = set()
    for hexes in re.findall(rb"<([0-9a-f]*)> Tj", drawing):
        data = bytes.fromhex(hexes.decode())
        gids.update(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    return gids


class _Font:
    """The theme's regular face: measures text, and embeds itself as a Type0 font with only
    the glyphs used (glyph ids kept, so the codes drawn are the glyph ids)."""

    def __init__(self, data: bytes):
        from fontTools.ttLib import TTFont

        self.data = data
        self.tt = TTFont(io.BytesIO(data))
        self.cmap = self.tt.getBestCmap() or {}
        self.order = {name: index for index, name in enumerate(self.tt.getGlyphOrder())}
        self.upm = self.tt["head"].unitsPerEm
        self.advance = {self.order[name]: metrics[0]
                        for name, metrics in self.tt["hmtx"].metrics.items()}
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
        return (max(lines, 1) - 1) * size * LEADING + (self.ascent + self.descent) * size

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split(" "):
                candidate = f"{line} {word}" if line else word
                if self.width(candidate, size) <= width:
                    line = candidate
                    continue
                if line:
                    lines.append(line)
                line = ""
                while self.width(word, size) > width and len(word) > 1:  # a very long word
                    cut = len(word) - 1
                    while cut > 1 and self.width(word[:cut], size) > width:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                line = word
            lines.append(line)
        return lines

    def embed(self, pdf, gids: set[int]):
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
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(
            repr(sorted(gids)).encode()).digest()[:6])
        base = Name(f"/{tag}+{self.tt['name'].getDebugName(6) or 'Theme-Regular'}")
        head = self.tt["head"]
        scale = 1000 / self.upm
        descriptor = Dictionary(
            Type=Name.FontDescriptor, FontName=base, Flags=32,
            FontBBox=Array([round(v * scale) for v in (head.xMin, head.yMin, head.xMax,
                                                       head.yMax)]),
            ItalicAngle=0, Ascent=round(self.ascent * 1000), Descent=-round(self.descent * 1000),
            CapHeight=round(self.ascent * 700), StemV=80,
            FontFile2=pdf.make_stream(buffer.getvalue()))
        widths = Array()
        for gid in sorted(gids):
            widths.append(gid)
            widths.append(Array([round(self.advance.get(gid, 0) * scale)]))
        cid = Dictionary(
            Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=base,
            CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"),
                                     Ordering=pikepdf.String("Identity"), Supplement=0),
            FontDescriptor=pdf.make_indirect(descriptor), W=widths, CIDToGIDMap=Name.Identity)
        font = Dictionary(Type=Name.Font, Subtype=Name.Type0, BaseFont=base,
                          Encoding=Name("/Identity-H"),
                          DescendantFonts=Array([pdf.make_indirect(cid)]),
                          ToUnicode=pdf.make_stream(self._to_unicode(gids)))
        return pdf.make_indirect(font)

    def _to_unicode(self, gids: set[int]) -> bytes:
        back: dict[int, int] = {}
        for code, name in sorted(self.cmap.items()):
            gid = self.order.get(name)
            if gid in gids and gid not in back and code < 0x10000:
                back[gid] = code
        entries = sorted(back.items())
        lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
                 "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
                 "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
                 "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
        for start in range(0, len(entries), 100):
            chunk = entries[start:start + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            lines += [f"<{gid:04X}> <{code:04X}>" for gid, code in chunk]
            lines.append("endbfchar")
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return "\n".join(lines).encode("ascii")


class _Tags:
    """The file's structure tree, so each drawn answer takes its widget's place: the
    widget's element loses its object reference and gets the answer's marked content."""

    def __init__(self, pdf):
        import pikepdf

        self.pdf = pdf
        self.parents = None
        self.elements: dict[tuple[int, int], object] = {}  # widget → its element
        tree = pdf.Root.get("/StructTreeRoot")
        if isinstance(tree, pikepdf.Dictionary) and "/ParentTree" in tree:
            try:
                self.parents = pikepdf.NumberTree(tree.ParentTree)
            except (TypeError, ValueError, pikepdf.PdfError):
                self.parents = None

    def forget_widget(self, annot, page) -> None:
        """Remember the widget's element and take the widget out of it."""
        import pikepdf

        if self.parents is None or "/StructParent" not in annot or not annot.is_indirect:
            return
        try:
            element = self.parents[int(annot.StructParent)]
        except (KeyError, TypeError, ValueError, IndexError, pikepdf.PdfError):
            return
        if not isinstance(element, pikepdf.Dictionary):
            return
        kids = element.get("/K")
        items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        kept = pikepdf.Array([k for k in items if not (
            isinstance(k, pikepdf.Dictionary) and k.get("/Type") == pikepdf.Name.OBJR
            and k.get("/Obj") is not None and k.Obj.is_indirect and k.Obj.objgen == annot.objgen)])
        element.K = kept
        if element.get("/S") == pikepdf.Name.Form:
            element.S = pikepdf.Name.Span  # no longer a form field: the answer's text
        self.elements[annot.objgen] = element

    def claim(self, page, annot, alt: str) -> int | None:
        """A new marked-content id on ``page`` for the widget's drawing, or None (untagged)."""
        import pikepdf

        element = self.elements.get(annot.objgen) if annot.is_indirect else None
        if element is None or "/StructParents" not in page:
            return None
        try:
            key = int(page.StructParents)
            marks = self.parents[key]
        except (KeyError, TypeError, ValueError, IndexError, pikepdf.PdfError):
            return None
        if not isinstance(marks, pikepdf.Array):
            return None
        mcid = len(marks)
        marks.append(element)
        element.K.append(pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=page, MCID=mcid))
        if alt.startswith("✓"):
            element.Alt = pikepdf.String(alt)
        return mcid
