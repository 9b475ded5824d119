"""Questionnaires end to end: the site page, the fillable PDF, packets, scoring filled PDFs
(filled by PDFium and pdf.js, as Chrome and Firefox do), the report's risk box, scores.csv,
the FHIR export, and importing a FHIR Questionnaire.

The PHQ-9 here is a test copy: the preset's scoring, with item text written for the tests
(the project never carries a publisher's wording).
"""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pikepdf
import pytest

from tests import engines
from tests.helpers import fill, parse, run, write
from workbook import BuildConfig, build
from workbook.project import new_project

# end to end: builds with PDFs, fills them in PDFium and pdf.js, runs progress
pytestmark = pytest.mark.slow

PHQ9 = """\
title: Patient Health Questionnaire (PHQ-9)
preset: phq-9
licence: Free to reproduce; no permission needed.
citation: Kroenke, Spitzer & Williams, 2001.
period: Over the last 2 weeks, how often has each of these bothered you?
options:
  - {label: Not at all, score: 0}
  - {label: Several days, score: 1}
  - {label: More than half the days, score: 2}
  - {label: Nearly every day, score: 3}
items:
""" + "".join(
    f"  - {{id: q{n}, text: 'Test statement {n}, written for these tests.'}}\n"
    for n in range(1, 10)
)


def with_phq9(root: Path) -> Path:
    write(root / "content/questionnaires/phq-9.yaml", PHQ9)
    config = (root / "workbook.yaml").read_text(encoding="utf-8")
    write(
        root / "workbook.yaml",
        config.replace(
            "questionnaires: [weekly-wellbeing]", "questionnaires: [weekly-wellbeing, phq-9]"
        ),
    )
    goal = root / "content/goals/ease-anxiety.yaml"
    write(
        goal,
        goal.read_text(encoding="utf-8").replace(
            "questionnaires: [weekly-wellbeing]", "questionnaires: [weekly-wellbeing, phq-9]"
        ),
    )
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = new_project(tmp_path_factory.mktemp("q") / "project").root
    for folder, keep in (("goals", "ease-anxiety.yaml"), ("sheets", ""), ("workbooks", "")):
        for path in (root / "content" / folder).iterdir():
            if path.name != keep:
                path.unlink()
    with_phq9(root)
    # on disk but not listed in workbook.yaml: for packets only
    write(
        root / "content/questionnaires/other.yaml",
        PHQ9.replace("title: Patient Health Questionnaire (PHQ-9)", "title: Clinic-only copy"),
    )
    build(BuildConfig(project_dir=root))
    return root


# --------------------------------------------------------------------------- what is built


def test_the_site_page_asks_each_item_in_its_own_fieldset(site: Path) -> None:
    page = site / "output/questionnaires/phq-9.html"
    html = page.read_text(encoding="utf-8")
    assert html.count('<fieldset class="block block-question"') == 9
    assert html.count("<legend>") >= 9
    assert 'name="phq-9_q1" value="3"' in html
    assert html.count(" data-risk>") == 1  # item 9 only
    assert "data-rules=" in html and "assets/questionnaire.js" in html
    assert "This is not a diagnosis." in html
    assert "Kroenke, Spitzer &amp; Williams, 2001." in html
    goal = parse(site / "output/goals/ease-anxiety.html")
    assert "../questionnaires/phq-9.html" in [url for url, _ in goal.links]
    sheets = (site / "output/sheets/index.html").read_text(encoding="utf-8")
    assert (
        "questionnaires/phq-9.html" in sheets and "questionnaires/weekly-wellbeing.html" in sheets
    )


def test_the_pdf_has_a_radio_group_per_item_valued_by_score(site: Path) -> None:
    pdf_path = site / "output/downloads/phq-9.pdf"
    groups = {}
    with pikepdf.open(pdf_path) as pdf:
        for f in pdf.Root.AcroForm.Fields:
            states = set()
            for kid in f.get("/Kids", []):
                states |= {str(k) for k in kid.AP.N} - {"/Off"}
            groups[str(f.T)] = states
    assert groups.pop("phq-9_name") == set() and groups.pop("phq-9_date") == set()
    assert groups == {f"phq-9_q{n}": {"/0", "/1", "/2", "/3"} for n in range(1, 10)}
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Kroenke, Spitzer & Williams, 2001." in text
    assert "Free to reproduce; no permission needed." in text
    assert "Nearly every day" in text


def test_an_unpublished_questionnaire_is_not_on_the_site_but_goes_in_packets(
    site: Path, tmp_path: Path
) -> None:
    assert (site / "content/questionnaires/other.yaml").is_file()
    assert sorted(p.name for p in (site / "output/questionnaires").iterdir()) == [
        "phq-9.html",
        "weekly-wellbeing.html",
    ]
    assert not (site / "output/downloads/other.pdf").exists()
    assert "Clinic-only copy" not in (site / "output/sheets/index.html").read_text("utf-8")
    result = run(
        [
            "packet",
            str(site),
            "--questionnaire",
            "other",
            "--client",
            "Test Client",
            "--start",
            "2027-01-04",
            "--out",
            str(tmp_path / "p.pdf"),
        ],
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    with pikepdf.open(tmp_path / "p.pdf") as pdf:
        names = {str(f.T) for f in pdf.Root.AcroForm.Fields}
    assert "other_2027-01-04_q9" in names


# --------------------------------------------------------------------------- progress


def _filled(site: Path, tmp: Path, engine: str, values: dict) -> Path:
    source = site / "output/downloads/phq-9.pdf"
    target = tmp / f"{engine}-{values['phq-9_date']}.pdf"
    engines.fill(engine, source, target, values, engines.layout(source))
    return target


@pytest.fixture(scope="module")
def scored(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two PHQ-9s: one filled by PDFium (Chrome), all 2s with a risk answer, one by pdf.js
    (Firefox) two weeks later, all 1s; then `workbook progress --fhir`."""
    tmp = tmp_path_factory.mktemp("scored")
    first = _filled(
        site,
        tmp,
        "pdfium",
        {
            "phq-9_date": "2027-01-04",
            "phq-9_name": "Test Client",
            **{f"phq-9_q{n}": "2" for n in range(1, 10)},
        },
    )
    later = _filled(
        site,
        tmp,
        "pdfjs",
        {"phq-9_date": "2027-01-18", **{f"phq-9_q{n}": "1" for n in range(1, 9)}, "phq-9_q9": "0"},
    )
    result = run(
        [
            "progress",
            str(later),
            str(first),
            "--out",
            str(tmp / "report"),
            "--fhir",
            str(tmp / "bundle.json"),
        ],
        tmp,
    )
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[0]
        == "1 risk answer: read the report's first box before anything else"
    )
    assert (
        "Patient Health Questionnaire (PHQ-9): latest total 8 (Mild) · reliably improved"
        in result.stdout
    )
    return tmp


def test_scores_csv_has_the_columns_and_the_scores(scored: Path) -> None:
    rows = list(csv.reader((scored / "report/scores.csv").open(encoding="utf-8")))
    assert rows == [
        [
            "instrument",
            "administered",
            "total",
            "band",
            "caseness",
            "change",
            "reliable_change",
            "recovery",
            "items_answered",
            "risk",
        ],
        [
            "phq-9",
            "2027-01-04",
            "18",
            "Moderately severe",
            "yes",
            "0",
            "none",
            "not recovered",
            "9",
            "q9",
        ],
        [
            "phq-9",
            "2027-01-18",
            "8",
            "Mild",
            "no",
            "-10",
            "improved",
            "reliably recovered",
            "9",
            "",
        ],
    ]


def test_the_report_opens_with_the_risk_answer(scored: Path) -> None:
    html = (scored / "report/report.html").read_text(encoding="utf-8")
    body = html.split("</header>", 1)[1]
    assert body.lstrip().startswith('<section class="risk" role="alert"')
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(scored / "report/report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = " ".join(first.split())
    assert words.index("Risk answers: review before anything else") < words.index("Questionnaires")
    assert "January 4, 2027 · Patient Health Questionnaire (PHQ-9), item 9: answered 2." in words
    assert "review it with the client today" in words
    chart = (scored / "report/phq-9.scores.svg").read_text(encoding="utf-8")
    for band in ("Minimal", "Mild", "Moderate", "Moderately severe", "Severe", "case from 10"):
        assert f">{band}<" in chart


def test_the_fhir_bundle_is_valid_r4(scored: Path) -> None:
    from fhir.resources.R4B.bundle import Bundle

    data = json.loads((scored / "bundle.json").read_text(encoding="utf-8"))
    bundle = Bundle.model_validate(data)
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert kinds == ["QuestionnaireResponse", "Observation"] * 2
    first, total = bundle.entry[0].resource, bundle.entry[1].resource
    assert first.authored.isoformat() == "2027-01-04"
    assert [(i.linkId, i.answer[0].valueInteger) for i in first.item][-1] == ("q9", 2)
    assert total.code.coding[0].code == "44261-6"  # LOINC: PHQ-9 total score
    assert float(total.valueQuantity.value) == 18
    assert total.derivedFrom[0].reference == bundle.entry[0].fullUrl
    text = json.dumps(data)
    assert "Test Client" not in text and '"subject"' not in text  # the name line is never read in
    assert "Test Client" in (scored / "report/report.html").read_text(encoding="utf-8")


def test_a_fhir_export_into_a_missing_folder_writes_nothing(scored: Path, tmp_path: Path) -> None:
    filled = next(scored.glob("pdfium-*.pdf"))
    target = tmp_path / "nowhere/bundle.json"
    result = run(
        ["progress", str(filled), "--out", str(tmp_path / "out"), "--fhir", str(target)], tmp_path
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"{target}: the folder for the FHIR export does not exist; make it "
        "first or choose another\n1 problem found; nothing was written\n"
    )
    assert not (tmp_path / "out").exists()


def test_a_questionnaire_missing_too_many_items_is_not_scored(site: Path, tmp_path: Path) -> None:
    source = site / "output/downloads/phq-9.pdf"
    partial = fill(
        source,
        tmp_path / "partial.pdf",
        {"phq-9_date": "2027-01-04", "phq-9_q1": "/3", "phq-9_q2": "/3"},
    )
    result = run(["progress", str(partial), "--out", str(tmp_path / "out")], tmp_path)
    assert result.exit_code == 0, result.output
    assert (
        f"{partial}: Patient Health Questionnaire (PHQ-9): not scored: 7 of 9 items not "
        "answered; at most 1 may be missing"
    ) in result.stderr
    row = list(csv.reader((tmp_path / "out/scores.csv").open(encoding="utf-8")))[1]
    assert row[2:4] == ["", "not scored: 7 of 9 items not answered; at most 1 may be missing"]


# --------------------------------------------------------------------------- packets


def test_a_packet_has_dated_copies_that_progress_puts_in_order(site: Path, tmp_path: Path) -> None:
    result = run(
        [
            "packet",
            str(site),
            "--goal",
            "ease-anxiety",
            "--client",
            "Test Client",
            "--start",
            "2027-01-04",
            "--every",
            "4 weeks",
            "--out",
            str(tmp_path / "p.pdf"),
        ],
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    with pikepdf.open(tmp_path / "p.pdf") as pdf:
        names = [str(f.T) for f in pdf.Root.AcroForm.Fields]
    dates = sorted({name.split("_")[1] for name in names if name.startswith("phq-9_")})
    assert dates == ["2027-01-04", "2027-02-01", "2027-03-01", "2027-03-29"]  # 12 weeks
    copy = {f"phq-9_2027-02-01_q{n}": "/1" for n in range(1, 10)}
    filled = fill(
        tmp_path / "p.pdf",
        tmp_path / "filled.pdf",
        {**copy, **{f"phq-9_2027-01-04_q{n}": "/3" for n in range(1, 10)}},
    )
    result = run(["progress", str(filled), "--out", str(tmp_path / "out")], tmp_path)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader((tmp_path / "out/scores.csv").open(encoding="utf-8")))
    assert [row[:3] for row in rows[1:]] == [
        ["phq-9", "2027-01-04", "27"],
        ["phq-9", "2027-02-01", "9"],
    ]
    # the copies not filled in yet are one line each questionnaire, not one a copy
    assert (
        f"{filled}: 2 copies of the questionnaire 'Patient Health Questionnaire (PHQ-9)' "
        "are not filled in (yet)" in result.stderr.splitlines()
    )
    assert (
        f"{filled}: 4 copies of the questionnaire 'Weekly well-being check' are not filled "
        "in (yet)" in result.stderr.splitlines()
    )
    assert "Test Client" not in result.output


def test_a_packet_refuses_an_unknown_questionnaire_and_a_bad_every(
    site: Path, tmp_path: Path
) -> None:
    result = run(
        [
            "packet",
            str(site),
            "--questionnaire",
            "phq-8",
            "--every",
            "soon",
            "--client",
            "Test Client",
            "--start",
            "2027-01-04",
        ],
        tmp_path,
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "--every must look like '2 weeks' (from 1 day to 12 months), got 'soon'",
        "--questionnaire: 'phq-8' is not one of this project's questionnaires (content/"
        "questionnaires/); did you mean 'phq-9'?",
        "2 problems found; no packet was written",
    ]


# --------------------------------------------------------------------------- import


# --------------------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def served(site: Path):
    from tests.browser import static_site

    with static_site(site / "output") as served:
        yield served


@pytest.mark.parametrize("width", [390, 1280])
def test_online_the_total_waits_for_every_answer_and_a_risk_answer_speaks_at_once(
    browser, served, web_tools: Path, width: int
) -> None:  # web_tools: axe-core installed
    from tests.browser import AXE_JS

    # bypass_csp only so that axe itself can be injected into the page
    context = browser.new_context(viewport={"width": width, "height": 844}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(served.url + "questionnaires/phq-9.html")
    result = page.locator(".score-result")
    assert result.inner_text() == "Answer every question to see your total (9 left)."
    note = page.locator("fieldset[data-risk] .risk-note")
    assert note.is_hidden()
    page.get_by_role("radio", name="Several days").last.check()  # item 9: the risk answer
    assert note.is_visible()
    assert note.locator("xpath=ancestor::fieldset").locator("legend").inner_text().startswith("9.")
    said = note.inner_text()
    assert "Item 9 (thoughts of being better off dead or of self-harm)" in said
    assert "call your local emergency number or a crisis line now" in said  # the support note
    assert page.get_by_role("alert").count() == 1
    for n in range(1, 8):
        page.locator(f"#phq-9_q{n}-2").check()
    assert result.inner_text() == "Answer every question to see your total (1 left)."
    page.locator("#phq-9_q8-3").check()
    assert result.inner_text() == (
        "Your total: 18 (from 0 to 27). This total is in the range called: Moderately severe. "
        "On this questionnaire a higher total means more difficulty."
    )
    assert "This is not a diagnosis." in page.locator(".block-score").inner_text()
    if width == 390:  # every answer is a target a thumb can hit
        box = page.locator("label[for='phq-9_q1-0']").locator("xpath=..").bounding_box()
        assert box["height"] >= 44 and box["width"] > 300
    page.add_script_tag(path=str(AXE_JS))
    found = page.evaluate("""() => axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
                                        'best-practice']}, resultTypes: ['violations']})""")
    page.locator("#phq-9_q9-0").check()
    assert note.is_hidden()
    page.reload()  # the answers stay in this browser, and so does what they mean
    assert "Your total: 17" in result.inner_text()
    context.close()
    assert errors == []
    assert found["passes"]
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found["violations"]] == []
