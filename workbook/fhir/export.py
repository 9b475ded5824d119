"""``workbook progress --fhir FILE.json``: the questionnaires' results as a FHIR R4 Bundle.

A ``collection`` Bundle with, for each administration, a ``QuestionnaireResponse``
(each answered item's score as ``valueInteger``, ``authored`` the day it was
filled in) and, when it has a total, an ``Observation`` of that total
(category ``survey``, LOINC-coded for the presets that have a code, the band as
its interpretation, ``derivedFrom`` its response). So an EHR can take the results
in. It names nobody: no ``subject`` (the client's name is never read into it);
the EHR attaches the patient when it imports the file. Ids are UUIDs derived
from what each resource holds, so the same files give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import uuid

from workbook.clinical.instruments import PRESETS
from workbook.formats import data_number
from workbook.report.scores import InstrumentSeries

LOINC = "http://loinc.org"
NAMESPACE = uuid.UUID("6f7c9a52-2d1e-4d8b-9a57-0c1b5f3e8a21")  # this program's own


def _uuid(*parts: object) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, hashlib.sha256(text.encode()).hexdigest())}"


def _canonical(instrument: InstrumentSeries) -> str:
    preset = PRESETS.get(instrument.preset or "")
    if preset and preset.loinc:
        return f"{LOINC}/q/{preset.loinc[0]}"
    return f"urn:goal-workbooks:questionnaire:{instrument.instrument}"


def fhir_bundle(instruments: list[InstrumentSeries]) -> bytes:
    entries = []
    for instrument in instruments:
        preset = PRESETS.get(instrument.preset or "")
        for number, row in enumerate(instrument.rows, start=1):
            a, score = row.administration, row.score
            answered = [
                {"linkId": item, "answer": [{"valueInteger": value}]}
                for item, value in a.answers.items()
                if value is not None
            ]
            response = {
                "resourceType": "QuestionnaireResponse",
                "questionnaire": _canonical(instrument),
                "status": "completed" if score.answered == score.items else "in-progress",
                "item": answered,
            }
            if a.date:
                response["authored"] = a.date.isoformat()
            response_url = _uuid(instrument.instrument, number, response)
            entries.append({"fullUrl": response_url, "resource": response})
            if score.total is None:
                continue
            coding = [{"system": LOINC, "code": preset.loinc[1]}] if preset and preset.loinc else []
            observation = {
                "resourceType": "Observation",
                "status": "final",
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                "code": "survey",
                            }
                        ]
                    }
                ],
                "code": {
                    **({"coding": coding} if coding else {}),
                    "text": f"{instrument.title}: total score",
                },
                "valueQuantity": {
                    "value": score.total,
                    "unit": "{score}",
                    "system": "http://unitsofmeasure.org",
                    "code": "{score}",
                },
                "derivedFrom": [{"reference": response_url}],
            }
            if a.date:
                observation["effectiveDateTime"] = a.date.isoformat()
            notes = []
            if score.band:
                observation["interpretation"] = [{"text": score.band}]
            if score.prorated:
                notes.append(f"prorated from {score.answered} of {score.items} items")
            if row.risk_items:
                notes.append("risk answers: " + ", ".join(row.risk_items))
            if row.outcome.reliable and number > 1:
                notes.append(
                    f"change {data_number(row.outcome.change, signed=True)} against "
                    f"the first; reliable change: {row.outcome.reliable}"
                )
            if notes:
                observation["note"] = [{"text": "; ".join(notes)}]
            entries.append({"fullUrl": _uuid("observation", response_url), "resource": observation})
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    return (json.dumps(bundle, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()
