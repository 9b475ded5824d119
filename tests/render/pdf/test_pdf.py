"""The PDFs, checked by their properties: pages, fields, fonts, tags, text."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader, PdfWriter

from tests.helpers import TESTS, parse, run, tree_bytes, write
from workbook import BuildConfig, WorkbookError, build
from workbook.render.pdf.repair import embedded_fonts

LETTER = (612, 792)
A4 = (595, 842)
pytestmark = pytest.mark.slow


def downloads(out: Path) -> list[Path]:
    return sorted((out / "downloads").glob("*.pdf"))


def page_size(page) -> tuple[int, int]:
    box = page.mediabox
    return round(float(box.width)), round(float(box.height))


def test_one_pdf_per_sheet_and_workbook_linked_from_the_site(built_sample: Path) -> None:
    names = {p.name for p in downloads(built_sample)}
    assert len(names) == 9 * 3 + 3 + 4 + 1 + 1  # 3 goals have a goal rating sheet; 1 questionnaire
    assert {
        "ease-anxiety-worksheet.pdf",
        "ease-anxiety-tracker.pdf",
        "ease-anxiety-session-prep.pdf",
        "ease-anxiety-gas.pdf",
        "weekly-check-in.pdf",
        "getting-started.pdf",
    } <= names
    goal_page = (built_sample / "goals/ease-anxiety.html").read_text()
    assert 'href="../downloads/ease-anxiety-tracker.pdf"' in goal_page
    assert (
        'href="../downloads/weekly-check-in.pdf"'
        in (built_sample / "sheets/weekly-check-in.html").read_text()
    )
    assert (
        'href="../downloads/getting-started.pdf"'
        in (built_sample / "workbooks/getting-started.html").read_text()
    )


def test_pages_are_letter_with_wide_trackers_landscape(built_sample: Path) -> None:
    for path in downloads(built_sample):
        for page in PdfReader(path).pages:
            assert page_size(page) in (LETTER, LETTER[::-1]), path.name


def described_paper(path: Path) -> str:
    """The paper a PDF's own description says it is printed on (progress reads it)."""
    with pikepdf.open(path) as pdf:
        return json.loads(str(pdf.docinfo["/GoalWorkbooks"]))["site"]["paper"]


def test_a4_from_config_and_from_the_command_line(small_project: Path, tmp_path: Path) -> None:
    """The pages and the description each PDF carries name the same paper, whether it
    comes from workbook.yaml or from --paper (the description once said workbook.yaml's
    paper on pages made with --paper)."""
    config = small_project / "workbook.yaml"
    config.write_text(config.read_text().replace("paper: letter", "paper: a4"))
    build(BuildConfig(project_dir=small_project))
    for path in downloads(small_project / "output"):
        assert {page_size(p) for p in PdfReader(path).pages} == {A4}, path.name
        assert described_paper(path) == "a4", path.name
    build(BuildConfig(project_dir=small_project, paper="letter", out=tmp_path / "letter"))
    for path in downloads(tmp_path / "letter"):
        assert {page_size(p) for p in PdfReader(path).pages} == {LETTER}, path.name
        assert described_paper(path) == "letter", path.name
    packet = tmp_path / "packet.pdf"
    done = run(
        [
            "packet",
            str(small_project),
            "--goal",
            "ease-anxiety",
            "--client",
            "Sam",
            "--start",
            "2027-01-04",
            "--paper",
            "letter",
            "--out",
            str(packet),
        ],
        tmp_path,
    )
    assert done.exit_code == 0, done.output
    assert {page_size(p) for p in PdfReader(packet).pages} <= {LETTER, LETTER[::-1]}
    assert described_paper(packet) == "letter"


def html_controls(page: Path) -> dict[str, str]:
    """name → PDF field type expected for every control of an HTML sheet page."""
    expected = {}
    for control in parse(page).controls:
        kind = control.get("type", "textarea")
        expected[control["name"]] = "/Tx" if kind in ("text", "textarea") else "/Btn"
    return expected


@pytest.mark.parametrize(
    "sheet, pdf",
    [
        ("goals/ease-anxiety/worksheet.html", "ease-anxiety-worksheet.pdf"),
        ("goals/ease-anxiety/tracker.html", "ease-anxiety-tracker.pdf"),
        ("goals/build-self-esteem/tracker.html", "build-self-esteem-tracker.pdf"),
        ("goals/ease-anxiety/session-prep.html", "ease-anxiety-session-prep.pdf"),
        ("sheets/weekly-check-in.html", "weekly-check-in.pdf"),
        ("sheets/first-session-prep.html", "first-session-prep.pdf"),
    ],
)
def test_every_html_control_is_a_pdf_field(built_sample: Path, sheet: str, pdf: str) -> None:
    expected = html_controls(built_sample / sheet)
    fields = PdfReader(built_sample / "downloads" / pdf).get_fields()
    actual = {name: str(field.get("/FT")) for name, field in fields.items()}
    assert actual == expected
    for name, field in fields.items():
        assert field.get("/TU"), f"{name} has no tooltip"
        assert "." not in name


def test_scales_are_radio_groups_valued_by_number(built_sample: Path) -> None:
    fields = PdfReader(built_sample / "downloads/weekly-check-in.pdf").get_fields()
    scale = fields["weekly-check-in_week-overall"]
    assert int(scale["/Ff"]) & (1 << 15)  # radio
    assert scale["/TU"] == "How was this week overall?"
    assert scale["/_States_"] == [f"/{n}" for n in range(11)]


def test_a_scale_not_starting_at_zero_keeps_its_numbers(
    small_project: Path, tmp_path: Path
) -> None:
    write(
        small_project / "content/sheets/rate.yaml",
        """\
title: Rate it
kind: worksheet
blocks:
  - {kind: scale, id: level, label: Level, min: -2, max: 2}
  - {kind: scale, id: stars, label: Stars, min: 1, max: 5}
""",
    )
    build(BuildConfig(project_dir=small_project))
    pdf = small_project / "output/downloads/rate.pdf"
    fields = PdfReader(pdf).get_fields()
    assert fields["rate_level"]["/_States_"] == ["/-2", "/-1", "/0", "/1", "/2"]
    assert fields["rate_stars"]["/_States_"] == ["/1", "/2", "/3", "/4", "/5"]
    fill(pdf, tmp_path / "rated.pdf", {"rate_level": "/-1", "rate_stars": "/4"})
    fields = PdfReader(tmp_path / "rated.pdf").get_fields()
    assert (fields["rate_level"]["/V"], fields["rate_stars"]["/V"]) == ("/-1", "/4")


def test_workbook_fields_are_unique_and_complete(built_sample: Path) -> None:
    with pikepdf.open(built_sample / "downloads/getting-started.pdf") as pdf:
        names = [str(f.T) for f in pdf.Root.AcroForm.Fields]
    assert len(names) == len(set(names))
    assert "ease-anxiety_tracker_w12_d7_spells" in names
    assert "weekly-check-in_week-overall" in names
    assert "getting-started_cover-name" in names
    reader_names = PdfReader(built_sample / "downloads/getting-started.pdf").get_fields()
    assert set(reader_names) == set(names)  # no phantom radio-button fields


def fill(source: Path, target: Path, values: dict[str, str]) -> None:
    writer = PdfWriter(clone_from=PdfReader(source))
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    writer.write(target)


TRACKER_VALUES = {
    "ease-anxiety_tracker_name": "Ana Pérez",
    "ease-anxiety_tracker_date": "4 January 2027",
    "ease-anxiety_tracker_w01_d1_spells": "3",
    "ease-anxiety_tracker_w01_d1_peak": "7",
    "ease-anxiety_tracker_w01_d1_notes": "Busy day at work; ñandú café",
    "ease-anxiety_tracker_w01_d1_s2": "/Yes",
    "ease-anxiety_tracker_w12_d7_spells": "1",
    "ease-anxiety_tracker_w12_d7_notes": "Last day:\ncalm",
}


def test_filled_values_read_back(built_sample: Path, tmp_path: Path) -> None:
    filled = tmp_path / "filled.pdf"
    fill(built_sample / "downloads/ease-anxiety-tracker.pdf", filled, TRACKER_VALUES)
    fields = PdfReader(filled).get_fields()
    assert {name: fields[name].get("/V") for name in TRACKER_VALUES} == TRACKER_VALUES
    values = {
        "weekly-check-in_week-overall": "/7",
        "weekly-check-in_this-week_2": "/Yes",
        "weekly-check-in_went-better": "Walked twice.\nSlept better.",
    }
    fill(built_sample / "downloads/weekly-check-in.pdf", tmp_path / "check.pdf", values)
    fields = PdfReader(tmp_path / "check.pdf").get_fields()
    assert {name: fields[name].get("/V") for name in values} == values


def test_filled_tracker_flattened_shows_the_values(built_sample: Path, tmp_path: Path) -> None:
    filled, flat = tmp_path / "filled.pdf", tmp_path / "flat.pdf"
    fill(built_sample / "downloads/ease-anxiety-tracker.pdf", filled, TRACKER_VALUES)
    subprocess.run(
        ["qpdf", "--generate-appearances", "--flatten-annotations=all", str(filled), str(flat)],
        check=True,
    )
    with pikepdf.open(flat) as pdf:
        assert "/AcroForm" not in pdf.Root or not pdf.Root.AcroForm.get("/Fields")
    text = subprocess.run(
        ["pdftotext", "-layout", str(flat), "-"], capture_output=True, text=True, check=True
    ).stdout
    for value in ("Ana Pérez", "4 January 2027", "Busy day at work; ñandú café", "Last day:"):
        assert value in text
    first_day = next(line for line in text.splitlines() if line.strip().startswith("Day 1 "))
    assert re.search(r"Day 1\s+3\s+7\s+Busy day", first_day), first_day


def test_tagged_with_language_and_title(built_sample: Path) -> None:
    for name in ("ease-anxiety-tracker.pdf", "getting-started.pdf", "weekly-check-in.pdf"):
        with pikepdf.open(built_sample / "downloads" / name) as pdf:
            assert pdf.Root.MarkInfo.Marked is True
            assert "/StructTreeRoot" in pdf.Root
            assert str(pdf.Root.Lang) == "en"
            assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
            with pdf.open_metadata() as meta:
                assert meta.get("dc:title")
                assert "pdfuaid:part" in str(meta) or meta.get("pdfuaid:part") == "1"
    tracker = built_sample / "downloads/ease-anxiety-tracker.pdf"
    with pikepdf.open(tracker) as pdf, pdf.open_metadata() as meta:
        assert meta["dc:title"] == "Ease everyday anxiety – Tracker"


def test_qpdf_check_passes_and_no_javascript(built_sample: Path) -> None:
    for path in downloads(built_sample):
        done = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, f"{path.name}: {done.stdout} {done.stderr}"
        with pikepdf.open(path) as pdf:
            assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
            assert "/JavaScript" not in pdf.Root.get("/Names", {})
            for page in pdf.pages:
                for annot in page.get("/Annots", []):
                    assert "/A" not in annot or annot.A.S == "/URI" or annot.A.S == "/GoTo"


def test_fonts_are_the_theme_font_embedded(built_sample: Path) -> None:
    """Text is in the theme font; the one other font is the buttons' own tick and dot
    (every font embedded: tests/render/pdf/test_fonts.py)."""
    for path in downloads(built_sample):
        with pikepdf.open(path) as pdf:
            fonts = embedded_fonts(pdf)
            assert fonts, path.name
            for base, font in fonts.items():
                if font.Subtype == "/Type3":  # the tick a viewer that draws buttons draws
                    assert set(font.CharProcs.keys()) == {"/tick", "/dot"}, path.name
                    assert "/AcroForm" in pdf.Root
                    continue
                assert base.split("+", 1)[1].startswith("Atkinson-Hyperlegible"), (path.name, base)
                descriptor = font.DescendantFonts[0].FontDescriptor
                assert "/FontFile2" in descriptor, (path.name, base)


def test_text_is_selectable(built_sample: Path) -> None:
    text = subprocess.run(
        ["pdftotext", str(built_sample / "downloads/ease-anxiety-worksheet.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Ease everyday anxiety" in text
    assert "Riverside Counselling (sample)" in text  # running header
    assert "Page 1 of 2" in text
    assert "call your local emergency number" in text  # support note in the footer


def test_workbook_toc_matches_bookmarks(built_sample: Path) -> None:
    path = built_sample / "downloads/getting-started.pdf"
    reader = PdfReader(path)
    bookmarks = [
        (item.title, reader.get_destination_page_number(item) + 1)
        for item in reader.outline
        if not isinstance(item, list)
    ]
    toc_text = subprocess.run(
        ["pdftotext", "-layout", "-f", "2", "-l", "2", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    toc = []
    for line in toc_text.splitlines():
        match = re.match(
            r"\s*(GUIDE|WORKSHEET|TRACKER|SESSION PREP|QUESTIONNAIRE)\s+(.+?)\s*\.{3,}\s*(\d+)\s*$",
            line,
        )
        if match:
            toc.append((match[2].strip(), int(match[3])))
    assert len(toc) == 11
    assert ("Ease everyday anxiety: Tracker", 15) in toc
    assert bookmarks[0] == ("Contents", 2)
    assert bookmarks[1:] == toc
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    numbers = [int(n) for n in re.findall(r"Page (\d+) of 25", text)]
    assert numbers == list(range(2, 26))  # runs through; the cover has none
    assert len(reader.pages) == 25


def test_poppler_reads_every_pdf_without_a_complaint(built_sample: Path) -> None:
    for path in downloads(built_sample):
        done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
        assert done.returncode == 0 and done.stderr == "", (path.name, done.stderr[:300])


def _content(page: pikepdf.Page) -> bytes:
    """A page's own drawing, without the page number stamped on it."""
    streams = (
        page.obj.Contents if isinstance(page.obj.Contents, pikepdf.Array) else [page.obj.Contents]
    )
    return b"".join(s.read_bytes() for s in streams if "/WbStamp" not in s.stream_dict)


def test_a_workbook_reuses_its_sheets_pages_with_its_own_numbers(built_sample: Path) -> None:
    with (
        pikepdf.open(built_sample / "downloads/ease-anxiety-tracker.pdf") as own,
        pikepdf.open(built_sample / "downloads/getting-started.pdf") as workbook,
    ):
        inside = workbook.pages[14 : 14 + len(own.pages)]  # the tracker starts on page 15
        assert [_content(p) for p in inside] == [_content(p) for p in own.pages]

    def text(path: Path, page: int) -> str:
        return subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert "Page 1 of 5" in text(built_sample / "downloads/ease-anxiety-tracker.pdf", 1)
    workbook_page = text(built_sample / "downloads/getting-started.pdf", 15)
    assert "Page 15 of 25" in workbook_page and "Page 1 of 5" not in workbook_page


def test_a_sheet_linking_into_the_workbook_is_laid_out_for_it(small_project: Path) -> None:
    sheet = small_project / "content/sheets/weekly-check-in.yaml"
    sheet.write_text(
        sheet.read_text().replace(
            "intro: ", "intro: Read [the journaling guide](../guidance/journaling.md) first. ", 1
        )
    )
    write(
        small_project / "content/workbooks/week.yaml",
        "title: A week\ncontents:\n  - {guidance: journaling}\n  - {sheet: weekly-check-in}\n",
    )
    build(BuildConfig(project_dir=small_project))
    out = small_project / "output/downloads"

    def link_targets(path: Path) -> list:
        with pikepdf.open(path) as pdf:
            return [
                str(a.get("/Dest", ""))
                for page in pdf.pages
                for a in page.get("/Annots", [])
                if a.get("/Subtype") == "/Link"
            ]

    assert "guidance-journaling" in link_targets(out / "week.pdf")  # jumps inside the workbook
    with pikepdf.open(out / "week.pdf") as pdf:
        names = pdf.Root.Names.Dests.Names
        dests = {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}
        target = [p.obj.objgen for p in pdf.pages].index(dests["guidance-journaling"][0].objgen)
    page = subprocess.run(
        ["pdftotext", "-f", str(target + 1), "-l", str(target + 1), str(out / "week.pdf"), "-"],
        capture_output=True,
        text=True,
    ).stdout
    assert "GUIDE" in page and "Journaling" in page  # the guide's first page
    assert link_targets(out / "weekly-check-in.pdf") == []  # no site address: plain text
    done = subprocess.run(["qpdf", "--check", str(out / "week.pdf")], capture_output=True)
    assert done.returncode == 0


def test_pdfs_are_deterministic(small_project: Path, tmp_path: Path) -> None:
    build(BuildConfig(project_dir=small_project, out=tmp_path / "one"))
    build(BuildConfig(project_dir=small_project, out=tmp_path / "two"))
    one, two = tree_bytes(tmp_path / "one"), tree_bytes(tmp_path / "two")
    assert [k for k in one if k.endswith(".pdf")]
    assert one == two


def test_image_from_outside_the_project_is_refused(small_project: Path) -> None:
    write(
        small_project / "templates/pdf/sheet.html",
        '{% extends "pdf/base.html" %}\n{% block body %}\n<img src="file:///etc/hostname" alt="x">\n'
        "{% endblock %}\n",
    )
    with pytest.raises(WorkbookError) as info:
        build(BuildConfig(project_dir=small_project))
    assert [str(p) for p in info.value.problems] == [
        "templates/pdf/sheet.html:3: loads 'file:///etc/hostname' from outside the project; "
        "the site and PDFs may only use files inside the project"
    ]


def test_a_computed_path_outside_the_project_is_refused_when_rendering(small_project: Path) -> None:
    write(
        small_project / "templates/pdf/sheet.html",
        '{% extends "pdf/base.html" %}\n{% block body %}\n'
        '<img src="{{ "file:///etc/" ~ "hostname" }}" alt="x">\n{% endblock %}\n',
    )
    with pytest.raises(WorkbookError) as info:
        build(BuildConfig(project_dir=small_project))
    assert "refused to load '/etc/hostname' is outside the project" in str(info.value)


def test_character_missing_from_the_font_is_an_error_at_its_line(small_project: Path) -> None:
    goal = small_project / "content/goals/ease-anxiety.yaml"
    goal.write_text(goal.read_text().replace("Have fewer anxious spells", "Have fewer ☂ spells"))
    guide = small_project / "content/guidance/journaling.md"
    guide.write_text(guide.read_text() + "\nWrite it down ✍ every day.\n")
    with pytest.raises(WorkbookError) as info:
        build(BuildConfig(project_dir=small_project))
    lines = guide.read_text().count("\n")
    assert [str(p) for p in info.value.problems] == [
        "content/goals/ease-anxiety.yaml:3: '☂' (U+2602) not in the PDF font (Atkinson "
        "Hyperlegible); replace it, or add a font that has it to templates/pdf/fonts.css",
        f"content/guidance/journaling.md:{lines}: '✍' (U+270D) not in the PDF font (Atkinson "
        "Hyperlegible); replace it, or add a font that has it to templates/pdf/fonts.css",
    ]
    build(BuildConfig(project_dir=small_project, pdf=False))  # the site alone is fine


def test_pdf_font_check_catches_characters_from_templates(small_project: Path) -> None:
    write(
        small_project / "templates/pdf/sheet.html",
        '{% extends "pdf/base.html" %}\n{% block body %}<h1>{{ sheet.title }} ☂</h1>{% endblock %}\n',
    )
    with pytest.raises(WorkbookError) as info:
        build(BuildConfig(project_dir=small_project))
    assert "has no glyph for '☂', so DejaVu-Sans-Bold was used instead" in str(info.value)


PDFJS = TESTS / "pdfjs"


@pytest.fixture(scope="session")
def pdfjs() -> Path:
    """pdf.js (the engine of Firefox's and many web PDF viewers), installed from npm on first use."""
    if not (PDFJS / "node_modules/pdfjs-dist").is_dir():
        subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=PDFJS, check=True)
    return PDFJS


def test_pdfjs_reads_and_prints_filled_values(
    built_sample: Path, tmp_path: Path, pdfjs: Path
) -> None:
    filled = tmp_path / "filled.pdf"
    fill(built_sample / "downloads/ease-anxiety-tracker.pdf", filled, TRACKER_VALUES)
    done = subprocess.run(
        ["node", "print_values.mjs", str(filled)],
        cwd=pdfjs,
        capture_output=True,
        text=True,
        check=True,
    )
    shown = json.loads(done.stdout.strip().splitlines()[-1])  # pdf.js warns about canvas first
    assert shown["values"] == {name: value.lstrip("/") for name, value in TRACKER_VALUES.items()}
    for value in (
        "Ana Pérez",
        "4 January 2027",
        "3",
        "7",
        "Busy day at work; ñandú café",
        "Last day:",
        "calm",
    ):
        assert value in shown["printed"], value


def test_a_free_sheet_starts_with_the_name_and_date_lines_then_its_intro(
    built_sample: Path,
) -> None:
    for name in ("weekly-check-in", "mood-journal", "miracle-question", "first-session-prep"):
        text = " ".join(
            subprocess.run(
                ["pdftotext", str(built_sample / f"downloads/{name}.pdf"), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
        )
        intro = {
            "weekly-check-in": "Fill this in the evening",
            "mood-journal": "Take a couple",
            "miracle-question": "This exercise helps",
            "first-session-prep": "Fill in as much",
        }
        assert -1 < text.index("Name") < text.index("Date") < text.index(intro[name]), name


def _widgets(path: Path):
    with pikepdf.open(path) as pdf:
        assert pdf.Root.AcroForm.NeedAppearances is False  # viewers draw what the file holds
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") == "/Widget":
                    field = annot if "/FT" in annot else annot.Parent
                    x1, y1, x2, y2 = (float(v) for v in annot.Rect)
                    yield field, annot, abs(x2 - x1), abs(y2 - y1)


@pytest.mark.parametrize(
    "name",
    [
        "ease-anxiety-tracker",
        "ease-anxiety-session-prep",
        "ease-anxiety-gas",
        "weekly-check-in",
        "getting-started",
    ],
)
def test_buttons_are_big_drawn_by_every_viewer_and_named(built_sample: Path, name: str) -> None:
    for field, widget, width, height in _widgets(built_sample / f"downloads/{name}.pdf"):
        if field.FT == "/Btn":
            assert min(width, height) > 11.99, (name, str(field.T), width, height)
            assert "Tf" in str(field.DA), str(field.T)  # Poppler draws no tick without it
            states = {str(key) for key in widget.AP.N}
            radio = int(field.get("/Ff", 0)) & (1 << 15)
            assert "/Off" in states and len(states) == 2
            if not radio:
                assert states == {"/Yes", "/Off"}  # the state name qpdf and others accept
            else:
                assert str(widget.TU)  # each option its own accessible name
        elif field.FT == "/Tx":
            assert height > 13.99, (name, str(field.T), height)
            if int(field.get("/Ff", 0)) & (1 << 12):  # a box of lines: the answer fits
                assert re.search(r"\b0 Tf", str(field.DA)), str(field.DA)


def test_radio_options_say_what_they_mean(built_sample: Path) -> None:
    def names(path: Path, field_name: str) -> list[str]:
        with pikepdf.open(path) as pdf:
            group = next(f for f in pdf.Root.AcroForm.Fields if str(f.T) == field_name)
            return [str(kid.TU) for kid in group.Kids]

    prep = names(
        built_sample / "downloads/ease-anxiety-session-prep.pdf",
        "ease-anxiety_session-prep_closeness",
    )
    assert prep[:2] == ["0 of 10, not started", "1 of 10"] and prep[-1] == "10 of 10, goal reached"
    assert names(built_sample / "downloads/ease-anxiety-gas.pdf", "ease-anxiety_gas_level") == [
        "+2: Much more than expected",
        "+1: More than expected",
        "0: The expected outcome",
        "-1: Less than expected",
        "-2: Much less than expected",
    ]


def test_table_header_cells_have_a_scope(built_sample: Path) -> None:
    scopes = {}
    with pikepdf.open(built_sample / "downloads/ease-anxiety-tracker.pdf") as pdf:
        todo = [(pdf.Root.StructTreeRoot, None)]
        while todo:
            node, section = todo.pop()
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    if kid.S == "/TH":
                        key = (section, str(kid.A.Scope) if "/A" in kid else None)
                        scopes[key] = scopes.get(key, 0) + 1
                    todo.append((kid, str(kid.S) if kid.S in ("/THead", "/TBody") else section))
    assert set(scopes) == {("/THead", "/Column"), ("/TBody", "/Row")}, scopes


def test_a_workbook_embeds_one_font_file_per_face(built_sample: Path) -> None:
    files: dict[str, set] = {}
    with pikepdf.open(built_sample / "downloads/getting-started.pdf") as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                face = str(obj.FontName).split("+", 1)[-1]
                files.setdefault(face, set()).add(obj.FontFile2.objgen)
    assert files == {face: {next(iter(ids))} for face, ids in files.items()}, files
    assert set(files) >= {"Atkinson-Hyperlegible", "Atkinson-Hyperlegible-Bold"}
    text = subprocess.run(
        ["pdftotext", str(built_sample / "downloads/getting-started.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Preparing for your first session" in text and "Page 4 of 25" in text
