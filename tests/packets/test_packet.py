"""Client packets: one PDF per client, names and dates filled in, never inside the site."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from tests.helpers import fill, run, write

pytestmark = pytest.mark.slow
CLIENT, THERAPIST = "Ana Pérez", "Dr Sam Lee"


def pdftotext(path: Path, first: int | None = None, last: int | None = None) -> str:
    pages = (["-f", str(first)] if first else []) + (["-l", str(last)] if last else [])
    return subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def values(path: Path) -> dict[str, str]:
    return {name: field.get("/V") for name, field in PdfReader(path).get_fields().items()}


@pytest.fixture(scope="module")
def two_goal_packet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    from workbook.project import new_project

    root = new_project(tmp_path_factory.mktemp("packet") / "clinic").root
    result = run(
        [
            "packet",
            "--goal",
            "ease-anxiety",
            "--goal",
            "healthy-boundaries",
            "--sheet",
            "weekly-check-in",
            "--client",
            CLIENT,
            "--therapist",
            THERAPIST,
            "--start",
            "2027-01-04",
        ],
        root,
    )
    return root, result


def test_packet_cover_names_the_client(two_goal_packet) -> None:
    root, result = two_goal_packet
    assert result.exit_code == 0, result.output
    packet = root / "packets/packet-2027-01-04.pdf"
    assert (
        result.stdout == f"Wrote 1 packet ({len(PdfReader(packet).pages)} pages) to "
        "packets/packet-2027-01-04.pdf.\n"
    )
    cover = pdftotext(packet, 1, 1)
    for text in (
        "Riverside Counselling (sample)",
        "Your goal packet",
        "MADE FOR",
        CLIENT,
        "THERAPIST",
        THERAPIST,
        "STARTING",
        "January 4, 2027",
        "Ease everyday anxiety: Tracker",
        "Set healthy boundaries: Goal rating",
        "Weekly check-in",
    ):
        assert text in cover, text


def test_packet_fields_are_prefilled_with_real_dates(two_goal_packet) -> None:
    root, _ = two_goal_packet
    filled = values(root / "packets/packet-2027-01-04.pdf")
    names = [n for n in filled if n.endswith("_name")]
    assert sorted(names) == sorted(
        f"{p}_name"
        for p in (
            "ease-anxiety_worksheet",
            "ease-anxiety_tracker",
            "ease-anxiety_session-prep",
            "ease-anxiety_gas",
            "healthy-boundaries_worksheet",
            "healthy-boundaries_tracker",
            "healthy-boundaries_session-prep",
            "healthy-boundaries_gas",
            "weekly-check-in",
            # ease-anxiety lists the weekly check-in questionnaire: a copy a week, days 0 to 84
            *(
                f"weekly-wellbeing_2027-{day}"
                for day in (
                    "01-04",
                    "01-11",
                    "01-18",
                    "01-25",
                    "02-01",
                    "02-08",
                    "02-15",
                    "02-22",
                    "03-01",
                    "03-08",
                    "03-15",
                    "03-22",
                    "03-29",
                )
            ),
        )
    )
    assert {filled[n] for n in names} == {CLIENT}
    assert filled["weekly-wellbeing_2027-03-29_date"] == "March 29, 2027"
    tracker = "ease-anxiety_tracker"
    assert filled[f"{tracker}_date"] == "January 4, 2027"  # the start-date line
    assert filled[f"{tracker}_w01_d1_date"] == "Jan 4"
    assert filled[f"{tracker}_w01_d7_date"] == "Jan 10"
    assert filled[f"{tracker}_w02_d3_date"] == "Jan 13"
    assert filled[f"{tracker}_w05_d4_date"] == "Feb 4"
    assert filled[f"{tracker}_w12_d7_date"] == "Mar 28"  # day 84
    weekly = "healthy-boundaries_tracker"
    assert [filled[f"{weekly}_w{w:02d}_date"] for w in (1, 2, 5, 8)] == [
        "Jan 4",
        "Jan 11",
        "Feb 1",
        "Feb 22",
    ]
    assert not filled.get("ease-anxiety_tracker_w01_d1_spells")  # the client's part is empty
    assert not filled.get("ease-anxiety_worksheet_date")
    text = pdftotext(root / "packets/packet-2027-01-04.pdf")
    assert "Week 2 · Jan 11 – 17, 2027" in text
    assert "Weeks 1–8 · Jan 4 – Feb 28, 2027" in text


def test_packet_fields_are_unique_editable_and_carry_no_name_in_metadata(two_goal_packet) -> None:
    root, _ = two_goal_packet
    packet = root / "packets/packet-2027-01-04.pdf"
    with pikepdf.open(packet) as pdf:
        names = [str(f.T) for f in pdf.Root.AcroForm.Fields]
        assert len(names) == len(set(names)) > 800
        name_field = next(
            f for f in pdf.Root.AcroForm.Fields if str(f.T) == "ease-anxiety_tracker_name"
        )
        assert not int(name_field.get("/Ff", 0)) & 1  # not read-only
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        with pdf.open_metadata() as xmp:
            metadata = str(xmp)
    data = json.loads(info["/GoalWorkbooks"])
    starts = {s["goal"]: s["start"] for s in data["sheets"] if s["kind"] == "tracker"}
    assert starts == {"ease-anxiety": "2027-01-04", "healthy-boundaries": "2027-01-04"}
    for text in (json.dumps(info, ensure_ascii=False), metadata):
        assert "Ana" not in text and "Sam Lee" not in text
    mode = stat.S_IMODE(packet.stat().st_mode)
    assert mode == 0o600
    assert stat.S_IMODE((root / "packets").stat().st_mode) == 0o700
    assert (root / "packets/.gitignore").read_text().endswith("*\n")
    assert "/packets/" in (root / ".gitignore").read_text()


def test_prefilled_values_are_drawn_without_help_from_the_viewer(
    two_goal_packet, tmp_path: Path
) -> None:
    """A viewer that only paints what the file holds (printing, flattening) shows them too."""
    root, _ = two_goal_packet
    plain, flat = tmp_path / "plain.pdf", tmp_path / "flat.pdf"
    with pikepdf.open(root / "packets/packet-2027-01-04.pdf") as pdf:
        del pdf.Root.AcroForm["/NeedAppearances"]  # viewers may not draw anything themselves
        pdf.save(plain)
    subprocess.run(["qpdf", "--flatten-annotations=all", str(plain), str(flat)], check=True)
    with pikepdf.open(flat) as pdf:
        assert not pdf.Root.get("/AcroForm", {}).get("/Fields")
    text = pdftotext(flat)
    assert text.count(CLIENT) == 9 + 13 + 1  # every name line (13 questionnaire copies), the cover
    first_day = next(line for line in text.splitlines() if line.strip().startswith("Mon "))
    assert first_day.split()[:3] == ["Mon", "Jan", "4"]
    assert "January 4, 2027" in text


def test_a_second_packet_with_the_same_start_gets_a_new_name(project: Path) -> None:
    args = ["packet", "--goal", "healthy-boundaries", "--client", CLIENT, "--start", "2027-01-04"]
    assert run(args, project).exit_code == 0
    result = run(args, project)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("to packets/packet-2027-01-04-2.pdf.\n")
    assert len(list((project / "packets").glob("*.pdf"))) == 2


CASELOAD = """\
client,therapist,start,goals,sheets
Ana Pérez,Dr Sam Lee,2027-01-04,healthy-boundaries,
Bo Chen,,2027-02-01,healthy-boundaries,weekly-check-in
"Lee, Jo",Dr Sam Lee,2027-03-01,healthy-boundaries sleep-routine,
"""


def test_caseload_makes_one_packet_per_row(project: Path) -> None:
    write(project / "caseload.csv", CASELOAD)
    result = run(["packet", "--from", "caseload.csv"], project)
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (project / "packets").glob("*.pdf"))
    assert files == ["caseload-row2.pdf", "caseload-row3.pdf", "caseload-row4.pdf"]
    assert result.stdout.startswith("Wrote 3 packets (")
    assert result.stdout.endswith(
        "to packets/: caseload-row2.pdf, caseload-row3.pdf, caseload-row4.pdf.\n"
    )
    for name in ("Ana", "Bo Chen", "Lee, Jo", "Sam"):
        assert name not in result.output
    assert values(project / "packets/caseload-row3.pdf")["weekly-check-in_name"] == "Bo Chen"
    row4 = values(project / "packets/caseload-row4.pdf")
    assert row4["sleep-routine_tracker_name"] == "Lee, Jo"
    assert row4["sleep-routine_tracker_w01_d1_date"] == "Mar 1"
    assert row4["sleep-routine_tracker_date"] == "March 1, 2027"


@pytest.mark.parametrize(
    "out", ["output/packet.pdf", "output", "site/clients/packet.pdf", "templates/assets/packet.pdf"]
)
def test_writing_a_packet_into_the_site_is_refused(project: Path, out: str) -> None:
    assert run(["build", "--no-pdf", "--out", "site"], project).exit_code == 0
    result = run(
        [
            "packet",
            "--goal",
            "healthy-boundaries",
            "--client",
            CLIENT,
            "--start",
            "2027-01-04",
            "--out",
            out,
        ],
        project,
    )
    assert result.exit_code == 1
    assert "refusing to write a packet inside" in result.stderr
    assert "it holds personal data" in result.stderr
    assert CLIENT not in result.output
    assert not list(project.rglob("*packet*.pdf"))


def test_caseload_into_the_output_folder_is_refused(project: Path) -> None:
    write(project / "caseload.csv", CASELOAD)
    result = run(["packet", "--from", "caseload.csv", "--out", "output"], project)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "output: refusing to write packets inside the site's output folder (output/)"
    )


def test_bad_command_line_input_gets_one_message_each(project: Path) -> None:
    result = run(
        [
            "packet",
            "--goal",
            "ease-anxeity",
            "--sheet",
            "ease-anxiety",
            "--client",
            "  ",
            "--start",
            "4/1/2027",
        ],
        project,
    )
    assert result.exit_code == 2  # mistakes on the command line
    assert result.stdout == ""
    assert result.stderr == (
        "--client is empty\n"
        "--goal: unknown goal 'ease-anxeity' (no content/goals/ease-anxeity.yaml); "
        "did you mean 'ease-anxiety'?\n"
        "--sheet: unknown sheet 'ease-anxiety' (no content/sheets/ease-anxiety.yaml); "
        "'ease-anxiety' is a goal, use --goal\n"
        "--start must be a real date written like 2027-01-04, got '4/1/2027'\n"
        "4 problems found; no packet was written\n"
    )
    result = run(
        ["packet", "--goal", "healthy-boundaries", "--client", CLIENT, "--start", "2027-02-30"],
        project,
    )
    assert result.stderr == (
        "--start must be a real date written like 2027-01-04, got '2027-02-30'\n"
    )
    result = run(["packet", "--client", "Жанна", "--start", "2027-01-04"], project)
    assert result.stderr == (
        "--client has characters the PDF font lacks: 'Ж' (U+0416), 'а' (U+0430), 'н' (U+043D); "
        "write the name without them\n"
        "no goals, sheets or questionnaires: list at least one with --goal, --sheet or --questionnaire\n"
        "2 problems found; no packet was written\n"
    )
    result = run(["packet", "--goal", "healthy-boundaries", "--start", "2027-01-04"], project)
    assert result.exit_code == 2
    assert result.stderr == "--client is missing: give the client's name\n"
    result = run(["packet", "--from", "caseload.csv", "--client", CLIENT], project)
    assert result.exit_code == 2
    assert result.stderr == (
        "--from reads the client, therapist, start, goals and sheets from "
        "the file; leave out --client\n"
    )
    result = run(
        [
            "packet",
            "--goal",
            "healthy-boundaries",
            "--client",
            CLIENT,
            "--start",
            "2027-01-04",
            "--out",
            "packet.txt",
        ],
        project,
    )
    assert result.stderr == "--out must name a .pdf file, got 'packet.txt'\n"
    assert not (project / "packets").exists()


def test_caseload_problems_point_at_their_lines(project: Path) -> None:
    write(
        project / "caseload.csv",
        """\
client,therapist,start,goal,sheets
Ana Pérez,,2027-01-04,ease-anxiety,
""",
    )
    result = run(["packet", "--from", "caseload.csv"], project)
    assert result.stderr == (
        "caseload.csv:1: unknown column 'goal'; did you mean 'goals'?\n"
        "1 problem found; no packet was written\n"
    )
    write(
        project / "caseload.csv",
        """\
client;therapist;start;goals;sheets
Ana Pérez;;2027-01-04;ease-anxiety sleep-routine;
;Dr Sam Lee;2027-01-04;ease-anxiety;

Bo Chen;;04/01/2027;ease-anxeity;weekly-check-in
Cy Diaz;;2027-01-04;;
Di Eng;;2027-01-04;ease-anxiety ease-anxiety;;extra
""",
    )
    result = run(["packet", "--from", "caseload.csv"], project)
    assert result.exit_code == 1
    assert result.stderr == (
        "caseload.csv:3: client is empty\n"
        # a cell is never repeated (a shifted column would print a name)
        "caseload.csv:5: goals: an entry is not one of this project's goals; did you mean "
        "'ease-anxiety'?\n"
        "caseload.csv:5: the start column must hold a real date written like 2027-01-04\n"
        "caseload.csv:6: no goals, sheets or questionnaires: fill in the goals, sheets or questionnaires column\n"
        "caseload.csv:7: has 6 cells but the first line names 5 columns; put several goals in "
        "one cell, separated by spaces\n"
        "5 problems found; no packet was written\n"
    )
    for name in ("Ana", "Bo Chen", "Cy Diaz", "Di Eng", "Sam"):
        assert name not in result.output
    assert not (project / "packets").exists()
    result = run(["packet", "--from", "nowhere.csv"], project)
    assert result.stderr == "nowhere.csv: no such file\n1 problem found; no packet was written\n"


def test_a_regional_language_writes_dates_its_way(project: Path) -> None:
    """language: en-GB needs no catalogue of its own (English text) but writes dates the
    British way: on the cover, the start-date line and the tracker's rows."""
    config = project / "workbook.yaml"
    config.write_text(
        config.read_text()
        .replace("language: en\n", "language: en-GB\n")
        .replace("paper: letter\n", "paper: a4\n")
    )
    result = run(
        [
            "packet",
            "--goal",
            "healthy-boundaries",
            "--client",
            CLIENT,
            "--start",
            "2027-03-01",
            "--out",
            "gb.pdf",
        ],
        project,
    )
    assert result.exit_code == 0, result.output
    assert "1 March 2027" in pdftotext(project / "gb.pdf", 1, 1)
    filled = values(project / "gb.pdf")
    assert filled["healthy-boundaries_tracker_date"] == "1 March 2027"
    assert filled["healthy-boundaries_tracker_w01_date"] == "1 Mar"


def test_hostile_caseloads_and_places(project: Path, tmp_path: Path) -> None:
    """A shifted column prints no name; a second caseload of the same name never replaces
    the first one's packets; /etc, / and a folder of other files are refused."""
    write(
        project / "shifted.csv",
        "client,therapist,start,goals\n2027-01-04,Ana Pérez,Ana Pérez,healthy-boundaries\n",
    )
    result = run(["packet", "--from", "shifted.csv"], project)
    assert result.exit_code == 1
    assert "Ana" not in result.output and "Pérez" not in result.output
    assert "the start column must hold a real date" in result.stderr
    for folder in ("a", "b"):
        write(project / folder / "caseload.csv", CASELOAD)
    assert run(["packet", "--from", "a/caseload.csv", "--out", "packets"], project).exit_code == 0
    first = {p.name: p.read_bytes() for p in (project / "packets").glob("*.pdf")}
    result = run(["packet", "--from", "b/caseload.csv", "--out", "packets"], project)
    assert result.exit_code == 0, result.output
    now = {p.name: p.read_bytes() for p in (project / "packets").glob("*.pdf")}
    assert all(now[name] == data for name, data in first.items())  # none replaced
    assert len(now) == 2 * len(first) and "caseload-row2-2.pdf" in now
    for out, says in (("/etc", "into a system folder (/etc)"), ("/", "into the root folder")):
        result = run(["packet", "--from", "a/caseload.csv", "--out", out], project)
        assert result.exit_code == 1 and says in result.stderr, result.stderr
    write(tmp_path / "mine/notes.txt", "not a packet")
    result = run(["packet", "--from", "a/caseload.csv", "--out", str(tmp_path / "mine")], project)
    assert (
        result.exit_code == 1 and "is not empty and was not made by Goal Workbooks" in result.stderr
    )
    result = run(
        [
            "packet",
            "--goal",
            "healthy-boundaries",
            "--client",
            CLIENT,
            "--start",
            "2027-01-04",
            "--out",
            str(tmp_path / "mine/notes.pdf"),
        ],
        project,
    )
    assert result.exit_code == 0  # a new file named by hand is fine
    result = run(
        [
            "packet",
            "--goal",
            "healthy-boundaries",
            "--client",
            CLIENT,
            "--start",
            "2027-01-04",
            "--out",
            str(tmp_path / "mine/notes.pdf"),
        ],
        project,
    )
    assert result.exit_code == 1 and "exists already; refusing to replace it" in result.stderr
    filled = fill(
        tmp_path / "mine/notes.pdf",
        tmp_path / "filled.pdf",
        {"healthy-boundaries_tracker_w01_said-no": "2"},
    )
    for out, says in (
        ("templates/assets/x", "inside the templates folder (templates/)"),
        ("content/x", "inside the content folder (content/)"),
    ):
        result = run(["progress", str(filled), "--out", out], project)
        assert result.exit_code == 1 and says in result.stderr, result.stderr
    assert not (project / "templates/assets/x").exists()
