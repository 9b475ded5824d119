"""One reader of a returned file's fields: ``progress`` and ``flatten`` see the same value.

Small forms are made here by hand with pikepdf (no build needed), with the shapes viewers
leave behind: a tick box whose value and appearance state disagree, one with only an
appearance state, a radio group, a widget that belongs to no field. Each is read by the
reader ``progress`` uses (:func:`workbook.returned.intake.take_in`) and drawn by
``flatten``, and the two must agree about every box.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from workbook.model.formdata import INFO_KEY
from workbook.returned.flatten import flatten_bytes
from workbook.returned.form import MAX_VALUE_CHARS, read_form, widget_on
from workbook.returned.intake import take_in

BOX = 12.0
# the stray widget is the point: pikepdf warns that it belongs to no field
pytestmark = pytest.mark.filterwarnings("ignore:This document has 1 form widget")


def _appearance(pdf: pikepdf.Pdf, drawing: bytes) -> pikepdf.Stream:
    stream = pikepdf.Stream(pdf, drawing)
    stream.Type, stream.Subtype = Name.XObject, Name.Form
    stream.BBox = Array([0, 0, BOX, BOX])
    return pdf.make_indirect(stream)


def _button(pdf: pikepdf.Pdf, page, x: float, on: str, **keys) -> Dictionary:
    widget = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Widget,
        Rect=Array([x, 700, x + BOX, 700 + BOX]),
        AP=Dictionary(
            N=Dictionary(
                {f"/{on}": _appearance(pdf, b"0 0 12 12 re f"), "/Off": _appearance(pdf, b"")}
            )
        ),
        **keys,
    )
    widget = pdf.make_indirect(widget)
    page.obj.Annots.append(widget)
    return widget


def make_form(path: Path) -> Path:
    """A page of buttons and one text field, each shaped as some viewer leaves it."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(612, 792))
    page = pdf.pages[0]
    page.obj.Annots = Array()
    fields = Array()
    # a tick box whose value says ticked and whose appearance state says not
    fields.append(
        _button(pdf, page, 50, "Yes", FT=Name.Btn, T=String("value_only"), V=Name.Yes, AS=Name.Off)
    )
    # a tick box with an appearance state only (no value)
    fields.append(_button(pdf, page, 80, "Yes", FT=Name.Btn, T=String("state_only"), AS=Name.Yes))
    # a tick box left empty
    fields.append(
        _button(pdf, page, 110, "Yes", FT=Name.Btn, T=String("empty"), V=Name.Off, AS=Name.Off)
    )
    # a radio group answered 2, whose widget for 1 still shows on
    group = pdf.make_indirect(
        Dictionary(FT=Name.Btn, Ff=1 << 15, T=String("scale"), V=Name("/2"), Kids=Array())
    )
    for number, x in ((1, 200), (2, 230), (3, 260)):
        kid = _button(
            pdf, page, x, str(number), Parent=group, AS=Name("/1") if number == 1 else Name.Off
        )
        group.Kids.append(kid)
    fields.append(group)
    # a text field
    text = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String("notes"),
            V=String("slept\r\nbetter"),
            DA=String("/Helv 10 Tf 0 g"),
            Rect=Array([50, 600, 300, 640]),
        )
    )
    page.obj.Annots.append(text)
    fields.append(text)
    # a widget on the page that belongs to no field of the form
    _button(pdf, page, 300, "Yes", FT=Name.Btn, T=String("stray"), V=Name.Yes, AS=Name.Yes)
    pdf.Root.AcroForm = Dictionary(Fields=fields)
    pdf.docinfo[Name(INFO_KEY)] = String("{}")
    pdf.save(path)
    return path


def test_the_reader_takes_the_value_and_falls_back_to_the_appearance_state(tmp_path: Path) -> None:
    with pikepdf.open(make_form(tmp_path / "form.pdf")) as pdf:
        form = read_form(pdf)
        assert form.values() == {
            "value_only": "Yes",
            "state_only": "Yes",
            "empty": "",
            "scale": "2",
            "notes": "slept\nbetter",
        }
        shown = {}
        for annot in pdf.pages[0].obj.Annots:
            if annot.get("/FT") == Name.Tx:
                continue
            found = form.widgets.get(annot.objgen)
            shown[float(annot.Rect[0])] = None if found is None else widget_on(annot, found)
    # the radio option 1 still shows on, but the group's value is 2; the stray widget is
    # no field at all
    assert shown == {50: True, 80: True, 110: False, 200: False, 230: True, 260: False, 300: None}


def _ink(path: Path, x: float) -> float:
    """The share of dark pixels inside the button box at ``x`` on page 1 (PDFium)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    image = pdf[0].render(scale=2).to_pil().convert("L")
    top = 792 - 700 - BOX
    crop = image.crop(
        (int(x * 2) + 2, int(top * 2) + 2, int((x + BOX) * 2) - 2, int((top + BOX) * 2) - 2)
    )
    histogram = crop.histogram()
    return sum(histogram[:128]) / sum(histogram)


def test_progress_reads_what_flatten_draws(tmp_path: Path) -> None:
    path = make_form(tmp_path / "form.pdf")
    taken = take_in(path, "form.pdf", INFO_KEY)
    assert taken.fields == {
        "value_only": "Yes",
        "state_only": "Yes",
        "empty": "",
        "scale": "2",
        "notes": "slept\nbetter",
    }
    copy = flatten_bytes(path, "form.pdf")
    assert (copy.ticks, copy.answers) == (3, 1)
    flat = tmp_path / "flat.pdf"
    flat.write_bytes(copy.data)
    with pikepdf.open(flat) as pdf:
        assert "/AcroForm" not in pdf.Root and not pdf.pages[0].obj.get("/Annots")
    drawn = {x: _ink(flat, x) > 0.05 for x in (50, 80, 110, 200, 230, 260, 300)}
    assert drawn == {50: True, 80: True, 110: False, 200: False, 230: True, 260: False, 300: False}


def test_a_value_longer_than_the_limit_is_cut_and_marked(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    text = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String("long"),
            V=String("x" * (MAX_VALUE_CHARS + 5)),
            Rect=Array([0, 0, 100, 20]),
        )
    )
    pdf.Root.AcroForm = Dictionary(Fields=Array([text]))
    form = read_form(pdf)
    assert len(form.fields[0].value) == MAX_VALUE_CHARS and form.fields[0].cut
