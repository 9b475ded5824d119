"""The four PDF engines clients fill our forms with, driven the way their viewers drive them.

* PDFium (Chrome, Edge, Android): ``pypdfium2``; the pointer moved to a widget's centre, a
  click there and one character event per character, as the browser sends them (without
  the move, PDFium keeps the value of a second field on a page but not its appearance).
* MuPDF (many mobile and desktop apps): ``pymupdf``, test-only (AGPL); its widget API for
  text, and the toggle a MuPDF viewer runs on a tap for ticks and radios.
* Poppler (Evince, Okular): Debian's GObject bindings under the system Python
  (``tests/poppler_forms.py``), since they cannot be pip-installed.
* pdf.js (Firefox): ``tests/pdfjs/forms.mjs`` under Node, through its annotation storage and
  ``saveDocument``.

Each engine can ``fill`` a file (name → value: text, ``True`` for a tick, the export value of
a radio option), ``read`` one back, and show what it draws: ``ink`` gives, for each widget we
asked about, how much the engine painted inside the widget's box (pixels darker than the page
for the three that render; for pdf.js, which needs a canvas to paint, the drawing operators
inside the widget's appearance in its print operator list).

``layout`` reads the widgets of a blank file with pikepdf once, so every engine is asked
about the same boxes.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf

TESTS = Path(__file__).parent
PDFJS = TESTS / "pdfjs"
SYSTEM_PYTHON = "/usr/bin/python3"
ENGINES = ("pdfium", "mupdf", "poppler", "pdfjs")
SCALE = 2  # renders at 144 dpi


#: One of each kind of PDF a client fills: a tracker, a worksheet, a session-prep sheet, a
#: goal rating sheet and a combined workbook.
FILES = (
    "ease-anxiety-tracker",
    "ease-anxiety-worksheet",
    "ease-anxiety-session-prep",
    "ease-anxiety-gas",
    "weekly-wellbeing",
    "getting-started",
)
NAME = "Zoë Núñez “Grüße” – ½"
LONG = "\n".join(f"Line {n}: mañana I will try the plan again, step by step." for n in range(1, 7))


def sample_values(widgets: list[Widget]) -> dict[str, object]:
    """What a client fills in: the first line field gets a name with accents, curly quotes
    and a dash, the last a number, the first box six long lines, a tick, a radio choice."""
    values: dict[str, object] = {}
    kinds: dict[str, list[Widget]] = {}
    for widget in widgets:
        kinds.setdefault(widget.kind, []).append(widget)
    texts = kinds.get("text", [])
    if texts:
        values[texts[0].name] = NAME
    if len(texts) > 1:
        values[texts[-1].name] = "12"
    if kinds.get("multiline"):
        values[kinds["multiline"][0].name] = LONG
    if kinds.get("checkbox"):
        values[kinds["checkbox"][0].name] = True
    if kinds.get("radio"):
        group = [w for w in kinds["radio"] if w.name == kinds["radio"][0].name]
        values[group[0].name] = group[min(2, len(group) - 1)].export
    return values


@dataclass(frozen=True)
class Widget:
    name: str  # the field's full name
    kind: str  # text | multiline | checkbox | radio
    page: int  # 0-based
    rect: tuple[float, float, float, float]  # x1, y1, x2, y2 in PDF points, normalised
    export: str  # a tick's on-state or a radio option's value; "" for text

    @property
    def centre(self) -> tuple[float, float]:
        return (self.rect[0] + self.rect[2]) / 2, (self.rect[1] + self.rect[3]) / 2


def _name(field: pikepdf.Dictionary) -> str:
    parts = []
    while field is not None:
        if "/T" in field:
            parts.append(str(field.T))
        field = field.get("/Parent")
    return ".".join(reversed(parts))


def _inherited(field: pikepdf.Dictionary, key: str):
    while field is not None:
        if key in field:
            return field[key]
        field = field.get("/Parent")
    return None


def layout(path: Path) -> list[Widget]:
    """Every widget of a PDF, in page order."""
    widgets = []
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages):
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") != pikepdf.Name.Widget:
                    continue
                x1, y1, x2, y2 = (float(v) for v in annot.Rect)
                rect = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
                kind_type = str(_inherited(annot, "/FT"))
                flags = int(_inherited(annot, "/Ff") or 0)
                export = ""
                if kind_type == "/Btn":
                    kind = "radio" if flags & (1 << 15) else "checkbox"
                    states = [str(k) for k in annot.AP.N if str(k) != "/Off"]
                    export = states[0].lstrip("/") if states else ""
                else:
                    kind = "multiline" if flags & (1 << 12) else "text"
                widgets.append(Widget(_name(annot), kind, number, rect, export))
    return widgets


def _lines(text: str) -> str:
    """PDFium and Poppler end lines with CR LF or CR, as PDF text may: one line break."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def fill(
    engine: str, src: Path, dst: Path, values: dict[str, object], widgets: list[Widget]
) -> None:
    {"pdfium": _fill_pdfium, "mupdf": _fill_mupdf, "poppler": _fill_poppler, "pdfjs": _fill_pdfjs}[
        engine
    ](src, dst, values, widgets)


def read(engine: str, path: Path, widgets: list[Widget]) -> dict[str, object]:
    """name → value for every field the engine reads as filled (text non-empty, tick on)."""
    return {
        "pdfium": _read_pdfium,
        "mupdf": _read_mupdf,
        "poppler": _read_poppler,
        "pdfjs": _read_pdfjs,
    }[engine](path, widgets)


def targets(values: dict[str, object], widgets: list[Widget]) -> list[Widget]:
    """The widgets that show ``values``: a text field's box, the chosen radio option's box."""
    chosen = []
    for widget in widgets:
        if widget.name not in values:
            continue
        value = values[widget.name]
        if widget.kind == "radio" and widget.export != value:
            continue
        chosen.append(widget)
    return chosen


# ------------------------------------------------------------------------------- PDFium


def _fill_pdfium(src, dst, values, widgets):
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(str(src))
    pdf.init_forms()
    handle = pdf.formenv.raw
    pages = {}  # one page object each, kept open: a viewer keeps its pages loaded
    for widget in targets(values, widgets):
        if widget.page not in pages:
            pages[widget.page] = pdf[widget.page]
        page = pages[widget.page]
        x, y = widget.centre
        raw.FORM_OnMouseMove(handle, page.raw, 0, x, y)  # a pointer moves there first
        raw.FORM_OnLButtonDown(handle, page.raw, 0, x, y)
        raw.FORM_OnLButtonUp(handle, page.raw, 0, x, y)
        if widget.kind in ("text", "multiline"):
            for char in str(values[widget.name]):
                raw.FORM_OnChar(handle, page.raw, 13 if char == "\n" else ord(char), 0)
        raw.FORM_ForceToKillFocus(handle)
    pdf.save(str(dst))
    for page in pages.values():
        page.close()
    pdf.close()


def _pdfium_text(getter, *args) -> str:
    import ctypes

    size = getter(*args, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    getter(*args, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), size)
    return buffer.raw[: size - 2].decode("utf-16-le")


def _read_pdfium(path, widgets):
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(str(path))
    pdf.init_forms()
    handle = pdf.formenv.raw
    found: dict[str, object] = {}
    for page in pdf:
        for index in range(raw.FPDFPage_GetAnnotCount(page.raw)):
            annot = raw.FPDFPage_GetAnnot(page.raw, index)
            if raw.FPDFAnnot_GetSubtype(annot) != raw.FPDF_ANNOT_WIDGET:
                raw.FPDFPage_CloseAnnot(annot)
                continue
            name = _pdfium_text(raw.FPDFAnnot_GetFormFieldName, handle, annot)
            kind = raw.FPDFAnnot_GetFormFieldType(handle, annot)
            if kind == raw.FPDF_FORMFIELD_CHECKBOX:
                if raw.FPDFAnnot_IsChecked(handle, annot):
                    found[name] = True
            elif kind == raw.FPDF_FORMFIELD_RADIOBUTTON:
                if raw.FPDFAnnot_IsChecked(handle, annot):
                    found[name] = _pdfium_text(raw.FPDFAnnot_GetFormFieldExportValue, handle, annot)
            else:
                value = _pdfium_text(raw.FPDFAnnot_GetFormFieldValue, handle, annot)
                if value:
                    found[name] = _lines(value)
            raw.FPDFPage_CloseAnnot(annot)
    pdf.close()
    return found


def _render_pdfium(path, pages):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    pdf.init_forms()
    images = {
        n: pdf[n].render(scale=SCALE, may_draw_forms=True).to_pil().convert("L") for n in pages
    }
    pdf.close()
    return images


# ------------------------------------------------------------------------------- MuPDF


def _fill_mupdf(src, dst, values, widgets):
    """Text through the widget API; ticks and radios with ``pdf_toggle_widget``, what a MuPDF
    viewer calls when the box is tapped (PyMuPDF's own radio setter left the group's value
    unset in 1.28, so Poppler read no choice)."""
    import pymupdf
    from pymupdf import mupdf

    doc = pymupdf.open(str(src))
    for page in doc:
        for widget in page.widgets():
            if widget.field_name not in values:
                continue
            value = values[widget.field_name]
            if widget.field_type == pymupdf.PDF_WIDGET_TYPE_TEXT:
                widget.field_value = value
                widget.update()
            elif widget.field_type in (
                pymupdf.PDF_WIDGET_TYPE_CHECKBOX,
                pymupdf.PDF_WIDGET_TYPE_RADIOBUTTON,
            ):
                wanted = value is True or widget.on_state() == value
                if wanted and widget.field_value in ("Off", False, "", None):
                    mupdf.pdf_toggle_widget(widget._annot.this)
    doc.save(str(dst))
    doc.close()


def _read_mupdf(path, widgets):
    import pymupdf

    found: dict[str, object] = {}
    doc = pymupdf.open(str(path))
    for page in doc:
        for widget in page.widgets():
            value = widget.field_value
            if widget.field_type == pymupdf.PDF_WIDGET_TYPE_CHECKBOX:
                if value not in ("Off", False, "", None):
                    found[widget.field_name] = True
            elif widget.field_type == pymupdf.PDF_WIDGET_TYPE_RADIOBUTTON:
                if value not in ("Off", False, "", None):
                    found[widget.field_name] = widget.on_state() if value is True else str(value)
            elif value:
                found[widget.field_name] = _lines(str(value))
    doc.close()
    return found


def _render_mupdf(path, pages):
    import pymupdf
    from PIL import Image

    doc = pymupdf.open(str(path))
    images = {}
    for n in pages:
        pix = doc[n].get_pixmap(matrix=pymupdf.Matrix(SCALE, SCALE))
        images[n] = Image.frombytes("RGB", (pix.width, pix.height), pix.samples).convert("L")
    doc.close()
    return images


# ------------------------------------------------------------------------------- Poppler


def _poppler(command: dict) -> dict:
    done = subprocess.run(
        [SYSTEM_PYTHON, str(TESTS / "poppler_forms.py")],
        input=json.dumps(command),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode:
        raise RuntimeError(f"poppler_forms.py failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def _fill_poppler(src, dst, values, widgets):
    _poppler(
        {
            "do": "fill",
            "src": str(src),
            "dst": str(dst),
            "targets": [
                {
                    "page": w.page,
                    "x": w.centre[0],
                    "y": w.centre[1],
                    "kind": w.kind,
                    "value": values[w.name] if w.kind in ("text", "multiline") else True,
                }
                for w in targets(values, widgets)
            ],
        }
    )


def _read_poppler(path, widgets):
    shown = _poppler(
        {
            "do": "read",
            "src": str(path),
            "widgets": [{"page": w.page, "x": w.centre[0], "y": w.centre[1]} for w in widgets],
        }
    )["widgets"]
    found: dict[str, object] = {}
    for widget, value in zip(widgets, shown, strict=True):
        if widget.kind == "checkbox" and value is True:
            found[widget.name] = True
        elif widget.kind == "radio" and value is True:
            found[widget.name] = widget.export
        elif widget.kind in ("text", "multiline") and value:
            found[widget.name] = _lines(value)
    return found


def _render_poppler(path, pages):
    from PIL import Image

    images = {}
    with tempfile.TemporaryDirectory() as folder:
        for n in pages:
            out = Path(folder) / f"p{n}"
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    str(72 * SCALE),
                    "-f",
                    str(n + 1),
                    "-l",
                    str(n + 1),
                    "-singlefile",
                    str(path),
                    str(out),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            images[n] = Image.open(f"{out}.png").convert("L")
            images[n].load()
    return images


# ------------------------------------------------------------------------------- pdf.js


def pdfjs_installed() -> Path:
    if not (PDFJS / "node_modules/pdfjs-dist").is_dir():
        subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=PDFJS, check=True)
    return PDFJS


def _pdfjs(command: dict) -> dict:
    pdfjs_installed()
    done = subprocess.run(
        ["node", "forms.mjs"],
        cwd=PDFJS,
        input=json.dumps(command),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode:
        raise RuntimeError(f"forms.mjs failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fill_pdfjs(src, dst, values, widgets):
    _pdfjs({"do": "fill", "src": str(src), "dst": str(dst), "values": values})


def _read_pdfjs(path, widgets):
    return _pdfjs({"do": "read", "src": str(path)})["values"]


# ------------------------------------------------------------------------------- ink


def ink(engine: str, path: Path, boxes: list[Widget]) -> list[float]:
    """How much the engine paints inside each box: dark pixels (a fraction of the box) for
    PDFium, MuPDF and Poppler; for pdf.js, drawing operators in the widget's appearance."""
    if engine == "pdfjs":
        drawn = _pdfjs(
            {
                "do": "ink",
                "src": str(path),
                "boxes": [{"page": w.page, "x": w.centre[0], "y": w.centre[1]} for w in boxes],
            }
        )["ops"]
        return [float(n) for n in drawn]
    render = {"pdfium": _render_pdfium, "mupdf": _render_mupdf, "poppler": _render_poppler}[engine]
    with pikepdf.open(path) as pdf:
        heights = {n: float(pdf.pages[n].mediabox[3]) for n in {w.page for w in boxes}}
    images = render(path, sorted(heights))
    amounts = []
    for widget in boxes:
        image = images[widget.page]
        x1, y1, x2, y2 = widget.rect
        top = heights[widget.page]
        box = (
            int(x1 * SCALE) + 2,
            int((top - y2) * SCALE) + 2,
            int(x2 * SCALE) - 2,
            int((top - y1) * SCALE) - 2,
        )
        histogram = image.crop(box).histogram()  # grey levels: 256 counts
        amounts.append(sum(histogram[:128]) / max(1, sum(histogram)))
    return amounts


def read_names(engine: str, path: Path, widgets: list[Widget]) -> set[str]:
    """The field names the engine sees in a blank file (pdf.js and PDFium by their own lists)."""
    if engine == "pdfjs":
        return set(_pdfjs({"do": "names", "src": str(path)})["names"])
    if engine == "mupdf":
        import pymupdf

        with pymupdf.open(str(path)) as doc:
            return {w.field_name for page in doc for w in page.widgets()}
    if engine == "pdfium":
        import pypdfium2 as pdfium
        import pypdfium2.raw as raw

        pdf = pdfium.PdfDocument(str(path))
        pdf.init_forms()
        names = set()
        for page in pdf:
            for index in range(raw.FPDFPage_GetAnnotCount(page.raw)):
                annot = raw.FPDFPage_GetAnnot(page.raw, index)
                if raw.FPDFAnnot_GetSubtype(annot) == raw.FPDF_ANNOT_WIDGET:
                    names.add(_pdfium_text(raw.FPDFAnnot_GetFormFieldName, pdf.formenv.raw, annot))
                raw.FPDFPage_CloseAnnot(annot)
        pdf.close()
        return names
    shown = _poppler({"do": "names", "src": str(path)})
    return set(shown["names"])
