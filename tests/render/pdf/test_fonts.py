"""Every font in every PDF the tool writes is embedded (PDF/UA-1 7.21.4.1; print shops).

The PDFs of the sample's build, a client packet (pre-filled values drawn in the theme
font), a print-ready copy made by ``workbook flatten`` and the progress report: each font
dictionary in each file, read with pikepdf, carries its font program, and Poppler's
``pdffonts`` says so too. (A file a viewer fills may reference fonts of its own: MuPDF
draws typed answers in a Helvetica it does not embed; the print-ready copy draws them
again in the theme font.)
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest

from tests.helpers import fill, run

pytestmark = pytest.mark.slow

T = "ease-anxiety_tracker"


def fonts_without_their_program(path: Path) -> list[str]:
    missing = []
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/Font":
                continue
            if obj.get("/Subtype") == "/Type3":  # its glyphs are drawn in the file
                continue
            font = obj.DescendantFonts[0] if obj.get("/Subtype") == "/Type0" else obj
            descriptor = font.get("/FontDescriptor")
            if descriptor is None or not any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                missing.append(str(obj.get("/BaseFont", "?")))
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    # the columns are as wide as the dashes under their heads: name, type, encoding, emb...
    spans, start = [], 0
    for dashes in lines[1].split(" "):
        spans.append((start, start + len(dashes)))
        start += len(dashes) + 1
    emb = spans[3]
    missing += [
        row[: spans[0][1]].strip() for row in lines[2:] if row[emb[0] : emb[1]].strip() != "yes"
    ]
    return missing


@pytest.fixture(scope="module")
def written(built_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """One of each kind of PDF the tool writes, besides the build's own."""
    place = tmp_path_factory.mktemp("fonts")
    project = built_sample.parent
    packet = place / "packet.pdf"
    done = run(
        [
            "packet",
            str(project),
            "--goal",
            "ease-anxiety",
            "--questionnaire",
            "weekly-wellbeing",
            "--client",
            "Zoë Núñez",
            "--start",
            "2027-01-04",
            "--out",
            str(packet),
        ],
        place,
    )
    assert done.exit_code == 0, done.output
    tracker = fill(
        built_sample / "downloads/ease-anxiety-tracker.pdf",
        place / "filled.pdf",
        {
            f"{T}_date": "4 January 2027",
            f"{T}_w01_d1_spells": "3",
            f"{T}_w01_d1_s1": "/Yes",
            f"{T}_w01_d1_notes": "Slept well – “better” than last week",
        },
    )
    done = run(["flatten", str(tracker), "--out", str(place / "print.pdf")], place)
    assert done.exit_code == 0, done.output
    done = run(["progress", str(tracker), "--out", str(place / "report")], place)
    assert done.exit_code == 0, done.output
    return [packet, place / "print.pdf", place / "report/report.pdf"]


def test_every_font_of_every_built_pdf_is_embedded(built_sample: Path) -> None:
    pdfs = sorted((built_sample / "downloads").glob("*.pdf"))
    assert len(pdfs) > 30
    assert {path.name: fonts_without_their_program(path) for path in pdfs} == {
        path.name: [] for path in pdfs
    }


def test_every_font_of_packets_copies_and_reports_is_embedded(written: list[Path]) -> None:
    assert {path.name: fonts_without_their_program(path) for path in written} == {
        path.name: [] for path in written
    }


def test_the_check_finds_a_font_that_is_not_embedded(built_sample: Path, tmp_path: Path) -> None:
    """The check above can fail: a PDF given a plain ZapfDingbats is caught by both."""
    target = tmp_path / "with-zapf.pdf"
    with pikepdf.open(built_sample / "downloads/ease-anxiety-tracker.pdf") as pdf:
        font = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type1,
                BaseFont=pikepdf.Name.ZapfDingbats,
            )
        )
        pdf.Root.AcroForm.DR.Font[pikepdf.Name("/ZaDb")] = font
        pdf.pages[0].Resources.Font[pikepdf.Name("/ZaDb")] = font
        pdf.save(target)
    assert fonts_without_their_program(target) == ["/ZapfDingbats", "ZapfDingbats"]
