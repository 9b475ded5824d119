"""`workbook progress`: filled trackers and goal ratings in, a CSV, charts and a report out."""

from __future__ import annotations

import base64
import csv
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from pypdf import PdfReader

from tests.helpers import REPO, fill, run, write
from workbook import BuildConfig, build
from workbook.clinical.gas import t_score
from workbook.project import new_project
from workbook.render import colours

pytestmark = pytest.mark.slow
GOALS = ("ease-anxiety", "sleep-routine", "healthy-boundaries")
T = "ease-anxiety_tracker"


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The PDFs of a project with three goals that have 'gas:' levels."""
    root = new_project(tmp_path_factory.mktemp("progress") / "clinic").root
    for folder in ("goals", "sheets", "workbooks"):
        for path in (root / "content" / folder).iterdir():
            if path.stem not in GOALS:
                path.unlink()
    build(BuildConfig(project_dir=root))
    return root / "output/downloads"


# Four weeks of an anxiety tracker, as a client might fill it in: fewer spells and lower
# peaks over time, some days left empty, one word where a number belongs, one 12 on 0-10.
SPELLS = {
    1: [4, 3, 5, None, 3, 4, 2],
    2: [3, 3, None, None, 2, 3, 2],
    3: [2, "lots", 2, 1, None, 2, 1],
    4: [1, 2, 1, 1, 0, None, 1],
}
PEAK = {
    1: [7, 6, 8, None, 6, 7, 5],
    2: [6, 6, None, None, 5, 12, 4],
    3: [5, 5, 4, 4, None, 4, 3],
    4: [3, 4, 3, 3, 2, None, 3],
}


def four_weeks(start_line: str = "4 January 2027", weeks=(1, 2, 3, 4)) -> dict[str, str]:
    values = {f"{T}_name": "Ana Pérez", f"{T}_date": start_line}
    for number, w in enumerate(weeks, start=1):
        for d in range(1, 8):
            spells, peak = SPELLS[w][d - 1], PEAK[w][d - 1]
            if spells is not None:
                values[f"{T}_w{number:02d}_d{d}_spells"] = str(spells)
                if d % 2:
                    values[f"{T}_w{number:02d}_d{d}_s1"] = "/Yes"
                if w >= 3:
                    values[f"{T}_w{number:02d}_d{d}_s4"] = "/Yes"
            if peak is not None:
                values[f"{T}_w{number:02d}_d{d}_peak"] = str(peak)
    notes = {1: (3, "Meeting at work, felt it all day"), 4: (5, "Went to a party and stayed!")}
    for number, w in enumerate(weeks, start=1):
        if w in notes:
            values[f"{T}_w{number:02d}_d{notes[w][0]}_notes"] = notes[w][1]
    return values


def rows(folder: Path) -> list[dict[str, str]]:
    with open(folder / "progress.csv", newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_progress_of_four_weeks_with_gaps(downloads: Path, tmp_path: Path) -> None:
    fill(downloads / "ease-anxiety-tracker.pdf", tmp_path / "tracker.pdf", four_weeks())
    result = run(["progress", "tracker.pdf"], tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "tracker.pdf: week 2, Sat Jan 16: 'Strongest anxiety (0-10)' is 12, outside the scale "
        "0–10; left out\n"
        "tracker.pdf: week 3, Tue Jan 19: 'Anxious spells today' is 'lots', not a whole number; "
        "left out\n"
    )
    assert result.stdout == (
        "Ease everyday anxiety: filled in on 23 of 28 days\n"
        "Wrote progress.csv, report.html, report.pdf and 2 charts to progress/ (2 warnings "
        "above, also listed in the report).\n"
    )
    assert "Ana" not in result.output
    out = tmp_path / "progress"
    table = rows(out)
    by_key = {(r["date"], r["measure"]): r for r in table}
    assert by_key[("2027-01-04", "spells")] | {} == {
        "goal": "ease-anxiety",
        "date": "2027-01-04",
        "week": "1",
        "day": "1",
        "measure": "spells",
        "label": "Anxious spells today",
        "kind": "count",
        "value": "4",
        "as_written": "4",
        "problem": "",
        "file": "tracker.pdf",
    }
    assert by_key[("2027-01-19", "spells")]["value"] == ""
    assert by_key[("2027-01-19", "spells")]["as_written"] == "lots"
    assert by_key[("2027-01-19", "spells")]["problem"] == (
        "'Anxious spells today' is 'lots', not a whole number; left out"
    )
    assert by_key[("2027-01-16", "peak")]["as_written"] == "12"
    assert by_key[("2027-01-16", "peak")]["value"] == ""
    assert by_key[("2027-01-06", "notes")]["as_written"] == "Meeting at work, felt it all day"
    assert ("2027-01-07", "spells") not in by_key  # an empty day has no rows
    spells = [float(r["value"]) for r in table if r["measure"] == "spells" and r["value"]]
    assert len(spells) == 22 and sum(spells) == 21 + 13 + 8 + 6
    assert sum(1 for r in table if r["measure"] == "s1") == 14
    # the report: first and latest weekly averages, the change, the target
    report = (out / "report.html").read_text()
    text = " ".join(pdftotext(out / "report.pdf").split())
    assert len(PdfReader(out / "report.pdf").pages) == 1
    for shown in (report, text):
        assert "Anxious spells today" in shown
        assert "3.5 (week 1)" in shown and "1 (week 4)" in shown  # 21/6 and 6/6
        assert "−2.5, better" in shown
        assert "6.5 (week 1)" in shown and "3 (week 4)" in shown and "−3.5" in shown
        assert "22 of 28 days" in shown
        assert "Slow breathing for five minutes 14 days" in " ".join(
            shown.replace('<span class="count">', "").replace("</span>", "").split()
        )
        assert "Went to a party and stayed!" in shown
        assert "Ana Pérez" in shown
    assert ">Yes<" in report
    for name in ("ease-anxiety-spells.svg", "ease-anxiety-peak.svg"):
        svg = ET.parse(out / name).getroot()
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        assert "http" not in (out / name).read_text().replace("http://www.w3.org/2000/svg", "")
    assert "target 2" in (out / "ease-anxiety-spells.svg").read_text()


def test_trackers_one_after_another(downloads: Path, tmp_path: Path) -> None:
    """Undated trackers follow each other in the order given; dated ones go by date."""
    first = four_weeks("", weeks=(1, 2))
    second = four_weeks("", weeks=(3, 4))
    fill(downloads / "ease-anxiety-tracker.pdf", tmp_path / "a.pdf", first)
    fill(downloads / "ease-anxiety-tracker.pdf", tmp_path / "b.pdf", second)
    result = run(["progress", "a.pdf", "b.pdf", "--out", "undated"], tmp_path)
    assert result.exit_code == 0, result.output
    table = rows(tmp_path / "undated")
    assert {(r["file"], r["week"]) for r in table if r["measure"] == "spells"} == {
        ("a.pdf", "1"),
        ("a.pdf", "2"),
        ("b.pdf", "3"),
        ("b.pdf", "4"),
    }
    assert {r["date"] for r in table} == {""}
    assert "Ease everyday anxiety: filled in on 23 of 28 days" in result.stdout
    fill(
        downloads / "ease-anxiety-tracker.pdf",
        tmp_path / "a.pdf",
        first | {f"{T}_date": "2027-01-04"},
    )
    fill(
        downloads / "ease-anxiety-tracker.pdf",
        tmp_path / "b.pdf",
        second | {f"{T}_date": "January 18, 2027"},
    )
    result = run(["progress", "b.pdf", "a.pdf", "--out", "dated"], tmp_path)
    assert result.exit_code == 0, result.output
    by_key = {(r["date"], r["measure"]): r for r in rows(tmp_path / "dated")}
    assert by_key[("2027-01-18", "spells")]["file"] == "b.pdf"
    assert by_key[("2027-01-18", "spells")]["day"] == "15"
    assert by_key[("2027-01-31", "spells")]["value"] == "1"
    fill(downloads / "ease-anxiety-tracker.pdf", tmp_path / "b.pdf", second)
    result = run(["progress", "a.pdf", "b.pdf"], tmp_path)
    assert result.exit_code == 1
    assert result.stderr == (
        "b.pdf: its tracker for 'Ease everyday anxiety' has no start date but a.pdf's has one; "
        "write the start date on its start date line so the two can be put in order\n"
        "1 problem found; nothing was written\n"
    )


def test_goal_attainment_t_score(downloads: Path, tmp_path: Path) -> None:
    # ease-anxiety has weight 2, the others 1. Levels +1, 0, -1:
    # T = 50 + 10 * (2*1 + 0 - 1) / sqrt(0.7 * (4+1+1) + 0.3 * (2+1+1)**2) = 50 + 10/3
    for goal, level in (
        ("ease-anxiety", "/1"),
        ("sleep-routine", "/0"),
        ("healthy-boundaries", "/-1"),
    ):
        fill(
            downloads / f"{goal}-gas.pdf",
            tmp_path / f"{goal}.pdf",
            {f"{goal}_gas_level": level, f"{goal}_gas_date": "2027-03-29"},
        )
    result = run(
        ["progress", "ease-anxiety.pdf", "sleep-routine.pdf", "healthy-boundaries.pdf"], tmp_path
    )
    assert result.exit_code == 0, result.output
    assert "Goal attainment: T-score 53.3 over 3 rated goals\n" in result.stdout
    report = pdftotext(tmp_path / "progress/report.pdf")
    assert "53.3" in report and "T-score over 3 rated goals" in report
    assert "+1 More than expected" in report and "-1 Less than expected" in report
    levels = {
        r["goal"]: r["value"] for r in rows(tmp_path / "progress") if r["measure"] == "gas-level"
    }
    assert levels == {"ease-anxiety": "1", "sleep-routine": "0", "healthy-boundaries": "-1"}
    assert t_score([(1, 2), (0, 1), (-1, 1)]) == pytest.approx(50 + 10 / 3)
    assert t_score([(2, 1)]) == pytest.approx(70)
    assert t_score([(0, 1), (0, 3)]) == 50


def test_files_that_cannot_be_used_are_each_named(downloads: Path, tmp_path: Path) -> None:
    write(tmp_path / "notes.pdf", "not a pdf at all")
    blank = pikepdf.new()
    blank.add_blank_page()
    blank.save(tmp_path / "other.pdf")
    (tmp_path / "folder.pdf").mkdir()
    with pikepdf.open(downloads / "ease-anxiety-tracker.pdf") as pdf:
        pdf.save(tmp_path / "locked.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
        del pdf.docinfo["/GoalWorkbooks"]
        pdf.save(tmp_path / "stripped.pdf")
    result = run(
        [
            "progress",
            "notes.pdf",
            "other.pdf",
            "missing.pdf",
            "folder.pdf",
            "locked.pdf",
            "stripped.pdf",
            str(downloads / "ease-anxiety-worksheet.pdf"),
        ],
        tmp_path,
    )
    assert result.exit_code == 1
    worksheet = str(downloads / "ease-anxiety-worksheet.pdf")
    assert result.stderr == (
        "notes.pdf: is not a PDF, or it is damaged; ask for the file again\n"
        "other.pdf: is not a tracker or goal rating sheet made by Goal Workbooks\n"
        "missing.pdf: no such file\n"
        "folder.pdf: is a folder; give the PDF files in it\n"
        "locked.pdf: is protected with a password; save a copy without one and read that\n"
        "stripped.pdf: has tracker fields but not the description Goal Workbooks puts in its "
        "PDFs (it was made by an older version, or saved by a program that removes it); fill "
        "in a tracker downloaded again\n"
        f"{worksheet}: holds a worksheet, not a tracker, goal rating sheet or questionnaire; "
        "progress reads trackers, goal rating sheets and questionnaires\n"
        "7 problems found; nothing was written\n"
    )
    assert "Traceback" not in result.output
    assert not (tmp_path / "progress").exists()


def test_a_tracker_from_a_changed_goal(downloads: Path, tmp_path: Path) -> None:
    root = downloads.parent.parent
    goal = root / "content/goals/ease-anxiety.yaml"
    before = goal.read_text()
    goal.write_text(
        before.replace(
            "    max: 10\n    anchors: {0: calm, 5: hard to ignore, 10: worst ever}",
            "    max: 5\n    anchors: {0: calm}",
        )
    )
    try:
        build(BuildConfig(project_dir=root, out=tmp_path / "changed"))
    finally:
        goal.write_text(before)
    fill(downloads / "ease-anxiety-tracker.pdf", tmp_path / "old.pdf", four_weeks("", (1, 2)))
    fill(
        tmp_path / "changed/downloads/ease-anxiety-tracker.pdf",
        tmp_path / "new.pdf",
        {f"{T}_w01_d1_spells": "2", f"{T}_w01_d1_peak": "3"},
    )
    result = run(["progress", "old.pdf", "new.pdf"], tmp_path)
    assert result.exit_code == 1
    assert result.stderr == (
        "new.pdf: its tracker for 'Ease everyday anxiety' was made from a changed version of "
        "the goal ('peak' is now 0–5, was 0–10), so it cannot be combined with old.pdf; run "
        "progress on them separately\n"
        "1 problem found; nothing was written\n"
    )


def test_half_filled_and_empty_files(downloads: Path, tmp_path: Path) -> None:
    fill(
        downloads / "ease-anxiety-tracker.pdf",
        tmp_path / "half.pdf",
        {
            f"{T}_date": "next monday",
            f"{T}_w01_d1_spells": "3",
            f"{T}_w01_d1_peak": "6",
            f"{T}_w01_d2_spells": "2",  # no peak that day
            f"{T}_w01_d4_notes": "Forgot the numbers, but a calm day",
        },
    )
    fill(downloads / "sleep-routine-tracker.pdf", tmp_path / "empty.pdf", {})
    fill(downloads / "sleep-routine-gas.pdf", tmp_path / "unrated.pdf", {})
    result = run(["progress", "half.pdf", "empty.pdf", "unrated.pdf", "--out", "out"], tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "half.pdf: the start date line says 'next monday', which is not a date I can read "
        "(write it like 2027-01-04); days are numbered instead of dated\n"
        "unrated.pdf: the goal rating for 'Settle into a steady sleep routine' is not filled in\n"
        "empty.pdf: nothing is filled in on the tracker for 'Settle into a steady sleep routine'\n"
    )
    assert result.stdout.startswith("Ease everyday anxiety: filled in on 3 of 4 days\n")
    report = (tmp_path / "out/report.html").read_text()
    assert "(1 with only some measures)" in report
    assert "Forgot the numbers, but a calm day" in report
    assert "2 of 4 days" in report and "1 of 4 days" in report
    result = run(["progress", "empty.pdf"], tmp_path)
    assert result.exit_code == 1
    assert result.stderr == (
        "empty.pdf: nothing is filled in on this file; there is no "
        "progress to report yet\n"
        "1 problem found; nothing was written\n"
    )


def test_progress_is_not_written_into_the_site(downloads: Path, tmp_path: Path) -> None:
    fill(downloads / "ease-anxiety-tracker.pdf", tmp_path / "tracker.pdf", four_weeks())
    result = run(["progress", "tracker.pdf", "--out", str(downloads / "reports")], tmp_path)
    assert result.exit_code == 1
    assert "refusing to write a progress report inside the site's output folder" in result.stderr
    assert not (downloads / "reports").exists()


def test_a_filled_packet_is_read_with_its_dates(downloads: Path, tmp_path: Path) -> None:
    root = downloads.parent.parent
    result = run(
        [
            "packet",
            "--goal",
            "healthy-boundaries",
            "--client",
            "Bo Chen",
            "--start",
            "2027-01-04",
            "--out",
            str(tmp_path / "bo.pdf"),
        ],
        root,
    )
    assert result.exit_code == 0, result.output
    h = "healthy-boundaries_tracker"
    fill(
        tmp_path / "bo.pdf",
        tmp_path / "filled.pdf",
        {
            f"{h}_w01_said-no": "1",
            f"{h}_w01_comfort": "3",
            f"{h}_w02_said-no": "2",
            f"{h}_w04_said-no": "4",
            f"{h}_w04_comfort": "7",
            f"{h}_w04_s2": "/Yes",
            "healthy-boundaries_gas_level": "/1",
        },
    )
    result = run(["progress", "filled.pdf"], tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "Set healthy boundaries: filled in for 3 of 4 weeks\n"
        "Goal attainment: T-score 60.0 over 1 rated goal\n"
    )
    said = {r["date"]: r["value"] for r in rows(tmp_path / "progress") if r["measure"] == "said-no"}
    assert said == {"2027-01-04": "1", "2027-01-11": "2", "2027-01-25": "4"}
    report = (tmp_path / "progress/report.html").read_text()
    assert "+3, better" in report and "Bo Chen" in report


def test_a_weekly_yes_no_measure_reads_100_percent_for_a_ticked_week(tmp_path: Path) -> None:
    root = new_project(tmp_path / "weekly").root
    for folder in ("goals", "sheets", "workbooks"):
        for path in (root / "content" / folder).iterdir():
            if path.stem != "meet-new-people":
                path.unlink()
    build(BuildConfig(project_dir=root))
    m = "meet-new-people_tracker"
    fill(
        root / "output/downloads/meet-new-people-tracker.pdf",
        tmp_path / "weeks.pdf",
        {
            f"{m}_w01_new-people": "2",
            f"{m}_w01_new-place": "/Yes",
            f"{m}_w02_new-people": "1",  # went nowhere new: an empty box on a filled row is a no
            f"{m}_w03_new-people": "3",
            f"{m}_w03_new-place": "/Yes",
        },
    )
    result = run(["progress", "weeks.pdf"], tmp_path)
    assert result.exit_code == 0, result.output
    place = {
        r["week"]: r["value"] for r in rows(tmp_path / "progress") if r["measure"] == "new-place"
    }
    assert place == {"1": "1", "2": "0", "3": "1"}
    chart = (tmp_path / "progress/meet-new-people-new-place.svg").read_text()
    assert "week 1: 100%, week 2: 0%, week 3: 100%" in chart
    bars = [ET.fromstring(chart).findall(".//{http://www.w3.org/2000/svg}rect")][0]
    heights = sorted(float(bar.get("height")) for bar in bars if bar.get("rx") == "2")
    assert heights[0] == 0 and heights[1] == heights[2] > 100  # full height: 100%
    report = (tmp_path / "progress/report.html").read_text()
    assert "100% (week 1)" in report and "100% (week 3)" in report
    assert "Yes (100%) or no (0%), week by week" in report


def test_the_report_wears_the_clinics_colour_and_the_theme_font(tmp_path: Path, browser) -> None:
    root = new_project(tmp_path / "clinic").root
    config = root / "workbook.yaml"
    config.write_text(
        config.read_text().replace('accent_color: "#2f6f73"', 'accent_color: "#8a3b9e"')
    )
    for folder in ("goals", "sheets", "workbooks"):
        for path in (root / "content" / folder).iterdir():
            if path.stem != "ease-anxiety":
                path.unlink()
    build(BuildConfig(project_dir=root))
    fill(
        root / "output/downloads/ease-anxiety-tracker.pdf",
        tmp_path / "t.pdf",
        four_weeks(weeks=(1, 2)),
    )
    assert run(["progress", "t.pdf"], tmp_path).exit_code == 0
    accent = colours.readable_on("#8a3b9e", colours.LIGHT_BACKGROUND)
    html = (tmp_path / "progress/report.html").read_text()
    assert f":root {{ --accent: {accent}; }}" in html and "#2f6f73" not in html
    regular = (REPO / "templates/assets/fonts/AtkinsonHyperlegible-Regular.ttf").read_bytes()
    assert base64.b64encode(regular).decode() in html  # the font itself, not a name
    page = browser.new_page()
    try:
        page.goto((tmp_path / "progress/report.html").as_uri())
        page.evaluate("document.fonts.ready")
        assert page.evaluate(
            "getComputedStyle(document.querySelector('h1')).color"
        ) == "rgb({}, {}, {})".format(*(int(accent[i : i + 2], 16) for i in (1, 3, 5)))
        assert page.evaluate(
            "document.fonts.check('bold 16px \"Atkinson Hyperlegible\"') && "
            "[...document.fonts].some(f => f.family.includes('Atkinson') "
            "&& f.status === 'loaded')"
        )
    finally:
        page.close()
    pdf_file = tmp_path / "progress/report.pdf"
    with pikepdf.open(pdf_file) as pdf:
        fonts = {
            str(font.get("/BaseFont"))
            for page in pdf.pages
            for font in page.Resources.get("/Font", {}).values()
        }
    assert fonts and all("Atkinson-Hyperlegible" in name for name in fonts), fonts
    assert heading_colour(pdf_file, tmp_path) == tuple(
        int(accent[i : i + 2], 16) for i in (1, 3, 5)
    )


def heading_colour(pdf_file: Path, work: Path) -> tuple[int, int, int]:
    """The colour the report's title is drawn in, read off the printed page: the darkest
    pixel inside the box pdftotext gives for its first word."""
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf_file), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    word = ET.fromstring(boxes.replace('xmlns="http://www.w3.org/1999/xhtml"', "")).find(
        ".//word[.='Progress']"
    )
    dpi = 150
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf_file),
            str(work / "page"),
        ],
        check=True,
    )
    scale = dpi / 72
    box = tuple(round(float(word.get(k)) * scale) for k in ("xMin", "yMin", "xMax", "yMax"))
    with Image.open(work / "page.png") as image:
        title = image.convert("RGB").crop(box)
    pixels = [title.getpixel((x, y)) for x in range(title.width) for y in range(title.height)]
    return min(pixels, key=sum)
