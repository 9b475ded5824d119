"""``workbook import-questionnaire``: a FHIR Questionnaire becomes a questionnaire file that
checks, takes a preset's facts where the file lacks them, and a bad file is refused with
its reason (:mod:`workbook.fhir.importer`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO, run, write

FHIR = REPO / "tests/fixtures/phq9-like-questionnaire.json"


def test_importing_a_fhir_questionnaire_writes_a_file_that_checks(project: Path) -> None:
    result = run(["import-questionnaire", str(FHIR), str(project)], project)
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.startswith("Wrote content/questionnaires/phq-9.yaml: 9 items, preset phq-9.")
        or "phq-9.yaml: 9 items, preset phq-9." in result.stdout
    )
    assert (
        "note: left out 'How hard has this made things?': its answers have no scores"
        in result.stderr
    )
    text = (project / "content/questionnaires/phq-9.yaml").read_text(encoding="utf-8")
    assert "preset: phq-9" in text and "id: q9" in text and "id: q10" not in text
    assert "score: 3" in text and "label: Every day" in text
    check = run(["check", str(project)], project)
    assert check.exit_code == 0, check.output
    again = run(["import-questionnaire", str(FHIR), str(project)], project)
    assert again.exit_code == 1 and "exists already" in again.stderr


def test_an_import_without_licence_or_publisher_takes_the_presets(project: Path) -> None:
    data = json.loads(FHIR.read_text(encoding="utf-8"))
    for key in ("copyright", "publisher", "title"):
        del data[key]
    source = write(project / "bare.json", json.dumps(data))
    result = run(["import-questionnaire", str(source), str(project)], project)
    assert result.exit_code == 0, result.output
    written = yaml.safe_load((project / "content/questionnaires/phq-9.yaml").read_text("utf-8"))
    assert written["title"] == "PHQ-9"
    assert written["licence"].startswith("Pfizer copyright; free to reproduce")
    assert written["citation"].startswith("Kroenke, Spitzer & Williams (2001)")
    assert run(["check", str(project)], project).exit_code == 0


@pytest.mark.parametrize(
    "body,message",
    [
        ("{not json", "is not JSON in UTF-8; export the Questionnaire as FHIR JSON"),
        (
            '{"resourceType": "Patient"}',
            "is not a FHIR Questionnaire (its resourceType must be 'Questionnaire')",
        ),
        (
            '{"resourceType": "Questionnaire", "item": [{"linkId": "a", "type": "string", '
            '"text": "Why?"}]}',
            "has no scored items: no 'choice' item whose answers all carry an ordinalValue or "
            "itemWeight",
        ),
        (
            '{"resourceType": "Questionnaire", "item": [{"linkId": "a", "type": "choice", "text": "x",'
            ' "answerOption": [{"valueCoding": {"display": "a"}, "extension": [{"url": "ordinalValue",'
            ' "valueDecimal": 0.5}]}, {"valueCoding": {"display": "b"}, "extension": [{"url": '
            '"ordinalValue", "valueDecimal": 1}]}]}]}',
            "item 'x' has a score that is not a whole number from -100 to 100",
        ),
    ],
)
def test_a_bad_questionnaire_file_is_refused_with_a_reason(
    project: Path, body: str, message: str
) -> None:
    source = write(project / "in.json", body)
    result = run(["import-questionnaire", str(source), str(project)], project)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{source}: {message}"
    assert not (project / "content/questionnaires/questionnaire.yaml").exists()
