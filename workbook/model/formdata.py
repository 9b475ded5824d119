"""What a PDF carries about its own form, so that a filled copy can be read back.

Every PDF the build (or ``workbook packet``) writes holds one JSON text in its
document information dictionary under ``/GoalWorkbooks``. It lists each sheet
in the document with what is needed to read its fields without the project:

```json
{"format": 1,
 "site": {"organization": "...", "language": "en", "paper": "letter", "accent_color": "#2f6f73"},
 "sheets": [
   {"kind": "tracker", "goal": "ease-anxiety", "title": "Ease everyday anxiety",
    "prefix": "ease-anxiety_tracker", "version": "m-3f2a9c1b0d4e",
    "per": "day", "days": 84, "start": "2027-01-04",
    "measures": [{"id": "spells", "label": "...", "kind": "count", "every": "day",
                  "min": null, "max": null, "target": {"direction": "lower", "value": 2.0}}],
    "strategies": ["Slow breathing for five minutes", "..."]},
   {"kind": "gas", "goal": "ease-anxiety", "prefix": "ease-anxiety_gas", "version": "g-...",
    "weight": 2.0, "levels": {"-2": "...", "...": "..."}},
   {"kind": "worksheet", "goal": "ease-anxiety", "prefix": "ease-anxiety_worksheet"},
   {"kind": "questionnaire", "instrument": "phq-9", "preset": "phq-9", "title": "...",
    "prefix": "phq-9_2027-01-18", "version": "q-...", "due": "2027-01-18",
    "rules": {"items": [{"id": "q1", "scores": [0, 1, 2, 3]}, "..."], "method": "sum",
              "multiply": 1, "max_missing": 1, "prorate": true,
              "bands": [{"min": 0, "max": 4, "label": "Minimal"}, "..."], "caseness": 10,
              "rc_points": 6, "rc_sd": null, "rc_reliability": null, "higher_is": "worse",
              "risk": [{"item": "q9", "at_least": 1, "message": "..."}]}}]}
```

A questionnaire carries every rule that scores it (:mod:`workbook.clinical.instruments`),
with band names and risk messages in the site's language, and ``due``, the day a packet's
copy is meant for (else null); its ``version`` hashes the items, their scores and the
scoring method. ``version`` of a tracker is a hash of what decides how values are read (measure ids, kinds,
every, min and max; for a rating sheet, its level descriptions). Labels,
targets and strategy texts may change without changing it. ``start`` is the
tracker's first day when it is known (client packets), else null. Client and
therapist names are never stored here. The JSON is written with sorted keys, so
the same content gives the same bytes.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from workbook.content import schema
from workbook.model.blocks import ScoreBlock, SheetDoc
from workbook.model.sheets import tracker_days

DESCRIPTION_FORMAT = 1
INFO_KEY = "/GoalWorkbooks"


def measure_data(measure: schema.Measure) -> dict[str, Any]:
    target = measure.target
    return {
        "id": measure.id,
        "label": measure.label,
        "kind": measure.kind,
        "every": measure.every,
        "min": measure.min,
        "max": measure.max,
        "target": {"direction": target.direction, "value": target.value} if target else None,
    }


def _digest(prefix: str, value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{prefix}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}"


def measures_version(measures: Iterable[dict[str, Any]]) -> str:
    """A short hash of how a tracker's values are read: changes when a measure is added,
    removed, or changes its id, kind, frequency or scale."""
    return _digest(
        "m", [{key: m[key] for key in ("id", "kind", "every", "min", "max")} for m in measures]
    )


def levels_version(levels: dict[str, str]) -> str:
    return _digest("g", levels)


def questionnaire_data(doc: SheetDoc) -> dict[str, Any]:
    """What ``workbook progress`` needs to score a filled copy without the project: the
    instrument, the item ids and their scores, every scoring rule, and the day a packet's
    copy is meant for (``due``)."""
    # the rules as the sheet shows them: band labels in the site's language
    rules = next(block.rules for block in doc.blocks if isinstance(block, ScoreBlock))
    questionnaire = doc.questionnaire
    assert questionnaire is not None  # only a questionnaire's doc is described so
    preset = questionnaire.data.preset
    # the instrument's own title: a packet's copy shows its date in doc.title
    return {
        "kind": doc.kind,
        "prefix": doc.prefix,
        "title": questionnaire.data.title,
        "instrument": questionnaire.slug,
        "preset": preset,
        "version": _digest(
            "q",
            {key: rules[key] for key in ("items", "method", "multiply", "max_missing", "prorate")},
        ),
        "due": doc.due.isoformat() if doc.due else None,
        "rules": rules,
    }


def sheet_data(doc: SheetDoc, start: datetime.date | None = None) -> dict[str, Any]:
    if doc.questionnaire is not None:
        return questionnaire_data(doc)
    entry: dict[str, Any] = {"kind": doc.kind, "prefix": doc.prefix, "title": doc.title}
    if doc.goal is None:
        entry["sheet"] = doc.prefix
        return entry
    goal = doc.goal.data
    entry["goal"] = doc.goal.slug
    if doc.kind == "tracker":
        measures = [measure_data(m) for m in goal.measures]
        entry.update(
            version=measures_version(measures),
            per="day" if any(m.every == "day" for m in goal.measures) else "week",
            days=tracker_days(goal.timeframe),
            start=start.isoformat() if start else None,
            measures=measures,
            strategies=list(goal.strategies),
        )
    elif doc.kind == schema.GAS_SHEET and goal.gas is not None:
        levels = {str(level): goal.gas.levels[level].strip() for level in schema.GAS_LEVELS}
        entry.update(version=levels_version(levels), weight=goal.gas.weight, levels=levels)
    return entry


def document_data(
    docs: Iterable[SheetDoc],
    config: schema.Config,
    *,
    paper: str,
    starts: dict[str, datetime.date] | None = None,
) -> dict[str, Any]:
    """The data for one PDF holding ``docs``, printed on ``paper`` (the page setup's:
    ``--paper`` when given, else workbook.yaml's); ``starts`` maps a goal slug to its
    start date."""
    starts = starts or {}
    return {
        "format": DESCRIPTION_FORMAT,
        "site": {
            "organization": config.organization,
            "language": config.language,
            "paper": paper,
            "accent_color": config.accent_color,
        },
        "sheets": [
            sheet_data(doc, starts.get(doc.goal.slug) if doc.goal else None) for doc in docs
        ],
    }


def info_entries(
    docs: Iterable[SheetDoc],
    config: schema.Config,
    *,
    paper: str,
    starts: dict[str, datetime.date] | None = None,
) -> dict[str, str]:
    """Document-information entries to add to a PDF: ``{INFO_KEY: json}``."""
    data = document_data(docs, config, paper=paper, starts=starts)
    return {INFO_KEY: json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)}
