"""Our PDFs in the four engines clients fill them with (see tests/engines.py).

For each of a tracker, a worksheet, a session-prep sheet, a goal rating sheet and a
workbook, each engine fills in non-ASCII text, a six-line answer, a tick and a radio
choice and saves; then every engine must read those values back, every engine must
paint each answer and tick (ink in the box, against the blank file), and
``workbook flatten`` must draw every answer whole inside its box, every tick, and
leave no field and a file qpdf accepts.
"""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

import pikepdf
import pytest

from tests import engines
from workbook.returned.flatten import flatten_file

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def blank_ink(built_sample: Path):
    """Ink each engine paints in each target box of each blank file (the reference)."""

    @cache
    def ink(name: str, engine: str) -> tuple[float, ...]:
        source = built_sample / "downloads" / f"{name}.pdf"
        widgets = engines.layout(source)
        return tuple(
            engines.ink(engine, source, engines.targets(engines.sample_values(widgets), widgets))
        )

    return ink


@pytest.mark.parametrize("filler", engines.ENGINES)
@pytest.mark.parametrize("name", engines.FILES)
def test_filled_in_one_engine_reads_and_shows_in_all_four_and_flattens(
    built_sample: Path, tmp_path: Path, blank_ink, name: str, filler: str
) -> None:
    source = built_sample / "downloads" / f"{name}.pdf"
    widgets = engines.layout(source)
    values = engines.sample_values(widgets)
    assert len(values) >= 3, name  # every file has text, and all but the worksheet a tick
    boxes = engines.targets(values, widgets)
    filled = tmp_path / f"{filler}.pdf"
    engines.fill(filler, source, filled, values, widgets)

    for reader in engines.ENGINES:
        read = engines.read(reader, filled, widgets)
        assert {key: read.get(key) for key in values} == values, (filler, reader)
    for viewer in engines.ENGINES:
        shown = engines.ink(viewer, filled, boxes)
        blank = blank_ink(name, viewer)
        unseen = [
            box.name for box, ink, before in zip(boxes, shown, blank, strict=True) if ink <= before
        ]
        assert not unseen, f"{filler}-filled {name}: {viewer} shows nothing in {unseen}"

    printed, flattened = flatten_file(filled, tmp_path / "print.pdf", check=False)
    assert flattened.warnings == []
    texts = [box for box in boxes if box.kind in ("text", "multiline")]
    ticks = [box for box in boxes if box.kind in ("checkbox", "radio")]
    assert (flattened.answers, flattened.ticks) == (len(texts), len(ticks))
    _answers_whole_in_their_boxes(printed, texts, values)
    flat_ink = engines.ink("poppler", printed, ticks)
    assert all(ink > 0.05 for ink in flat_ink), flat_ink  # a tick is drawn in each box
    with pikepdf.open(printed) as pdf:
        assert "/AcroForm" not in pdf.Root
        assert not any(
            annot.get("/Subtype") == "/Widget"
            for page in pdf.pages
            for annot in page.obj.get("/Annots", [])
        )
        assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root
    check = subprocess.run(["qpdf", "--check", str(printed)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def _answers_whole_in_their_boxes(path: Path, texts: list[engines.Widget], values: dict) -> None:
    """Every word of each answer is drawn, in order, and each word lies inside its box."""
    done = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    )
    root = ElementTree.fromstring(done.stdout.replace('xmlns="http://www.w3.org/1999/xhtml"', ""))
    pages = root.findall(".//page")
    with pikepdf.open(path) as pdf:
        tops = [float(page.mediabox[3]) for page in pdf.pages]
    for box in texts:
        x1, y1, x2, y2 = box.rect
        top = tops[box.page]
        inside = []
        for word in pages[box.page].findall("word"):
            wx1, wy1, wx2, wy2 = (float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))
            cx, cy = (wx1 + wx2) / 2, top - (wy1 + wy2) / 2
            if x1 <= cx <= x2 and y1 <= cy <= y2:
                inside.append(word.text)
                assert x1 - 0.5 <= wx1 and wx2 <= x2 + 0.5, (box.name, word.text)
                assert top - wy2 >= y1 - 0.5 and top - wy1 <= y2 + 0.5, (box.name, word.text)
        assert inside == str(values[box.name]).split(), (box.name, inside)
