"""The rules a file's shape cannot express, and every cross-reference between files.

:mod:`workbook.content.schema` checks that each value has the right type and
form; this module checks what needs more than one value (a scale's anchors lie
inside it, ids are unique, a target fits its measure) or more than one file (an
area, a guidance page, a sheet or a goal named elsewhere exists). Each check adds
its problems to the :class:`~workbook.errors.Report` and goes on, so a file
shows every problem at once.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from workbook.content import schema
from workbook.content.files import GoalFile, WorkbookFile
from workbook.content.markdown import IMAGE_SUFFIXES
from workbook.content.schema import SLUG_RE
from workbook.content.source import Source, inside
from workbook.content.validation import lenient
from workbook.errors import Report
from workbook.formats import data_number
from workbook.project import Project

#: What a content folder may hold, by its suffix.
FOLDERS = {
    "goals": ".yaml",
    "guidance": ".md",
    "sheets": ".yaml",
    "workbooks": ".yaml",
    "questionnaires": ".yaml",
}
MAX_TIMEFRAME_DAYS = 366
#: Every sheet starts with name and date lines named <sheet>_name and <sheet>_date.
RESERVED_BLOCK_IDS = ("name", "date")
MAX_MEASURES = 12


# --------------------------------------------------------------------------- one file


def check_goal(source: Source, data: schema.Goal, report: Report) -> None:
    """What a goal's shape cannot say: its timeframe's length, how many measures it has
    (they are tracker columns), and each measure's own rules."""
    days = data.timeframe.days
    if days < 1 or days > MAX_TIMEFRAME_DAYS:
        report.add(
            source.rel,
            source.line("timeframe"),
            f"timeframe must be between 1 day and 12 months, got '{data.timeframe}'",
        )
    if len(data.measures) > MAX_MEASURES:
        report.add(
            source.rel,
            source.line("measures"),
            f"a goal can have at most {MAX_MEASURES} measures (tracker columns), "
            f"this one has {len(data.measures)}",
        )
    seen: dict[str, int] = {}
    for index, measure in enumerate(data.measures):
        check_measure(source, index, measure, seen, report)
    if data.gas is not None:
        check_gas(source, data.gas, report)


def check_gas(source: Source, gas: schema.Gas, report: Report) -> None:
    """Goal Attainment Scaling needs a description for each of the five levels, and a
    weight above zero (it divides in the T-score)."""
    levels = ", ".join(f"{level:+d}" if level else "0" for level in schema.GAS_LEVELS)
    for level, text in gas.levels.items():
        at = source.line("gas", "levels", level)
        if level not in schema.GAS_LEVELS:
            shown = f"'{level}'" if isinstance(level, str) else str(level)
            report.add(source.rel, at, f"gas level {shown} is not one of {levels}")
        elif not isinstance(text, str) or not text.strip():
            report.add(
                source.rel,
                at,
                f"gas level {level:+d} needs a description in words"
                if level
                else "gas level 0 needs a description in words",
            )
        elif len(text) > 2000:
            report.add(
                source.rel, at, "a gas level description is longer than 2000 characters; shorten it"
            )
    missing = [level for level in schema.GAS_LEVELS if level not in gas.levels]
    if missing:
        shown = ", ".join(f"{level:+d}" if level else "0" for level in missing)
        report.add(
            source.rel,
            source.line("gas", "levels"),
            f"gas levels need a description for each of {levels}; missing: {shown}",
        )
    if not 0 < gas.weight <= 100:
        report.add(
            source.rel,
            source.line("gas", "weight"),
            f"gas weight must be a number above 0 and at most 100, got {data_number(gas.weight, places=6)}",
        )


def check_measure(
    source: Source, index: int, measure: schema.Measure, seen: dict[str, int], report: Report
) -> None:
    at = ("measures", index)
    if measure.id in seen:
        report.add(
            source.rel,
            source.line(*at, "id"),
            f"measure id '{measure.id}' is used twice (also measures item {seen[measure.id] + 1})",
        )
    seen.setdefault(measure.id, index)
    if measure.kind == "scale":
        if measure.min is None or measure.max is None:
            missing = "min" if measure.min is None else "max"
            report.add(source.rel, source.line(*at), f"a scale measure needs '{missing}'")
            return
        if measure.min >= measure.max:
            report.add(
                source.rel,
                source.line(*at, "max"),
                f"max ({measure.max}) must be greater than min ({measure.min})",
            )
            return
        if measure.max - measure.min > 100:
            report.add(
                source.rel,
                source.line(*at, "max"),
                "a scale can have at most 101 points; use a count instead",
            )
        check_anchors(source, at, measure.anchors, measure.min, measure.max, report)
    else:
        for key in ("min", "max"):
            if getattr(measure, key) is not None:
                report.add(
                    source.rel,
                    source.line(*at, key),
                    f"'{key}' only applies to a scale measure, this one is a {measure.kind}",
                )
        if measure.anchors:
            report.add(
                source.rel,
                source.line(*at, "anchors"),
                f"'anchors' only apply to a scale measure, this one is a {measure.kind}",
            )
    if measure.target is not None:
        if measure.kind in ("yes-no", "text"):
            report.add(
                source.rel,
                source.line(*at, "target"),
                f"a {measure.kind} measure cannot have a target; use a count measure "
                "(e.g. days per week) to set one",
            )
        elif (
            measure.kind == "scale"
            and measure.min is not None
            and measure.max is not None
            and not measure.min <= measure.target.value <= measure.max
        ):
            report.add(
                source.rel,
                source.line(*at, "target", "value"),
                f"target value {data_number(measure.target.value, places=6)} is outside the scale "
                f"{measure.min} to {measure.max}",
            )
        elif measure.target.value < 0:
            report.add(
                source.rel, source.line(*at, "target", "value"), "target value must not be negative"
            )


def check_anchors(
    source: Source, at: tuple, anchors: dict[int, str], low: int, high: int, report: Report
) -> None:
    for value in anchors:
        if not low <= value <= high:
            report.add(
                source.rel,
                source.line(*at, "anchors", value),
                f"anchor {value} is outside the scale {low} to {high}",
            )


def check_unique(source: Source, key: str, values: list[str], report: Report) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            report.add(source.rel, source.line(key, index), f"'{value}' is listed twice in {key}")
        seen.add(value)


def check_sheet_blocks(source: Source, blocks: list[tuple[int, Any]], report: Report) -> None:
    """Block ids are unique and not reserved; scales, lines, rows, columns and items
    stay within what fits a page. ``blocks``: (index in the file, block)."""
    ids: dict[str, int] = {}
    for index, block in blocks:
        at = ("blocks", index)
        if block.kind == "text":
            continue
        if block.id in RESERVED_BLOCK_IDS:
            report.add(
                source.rel,
                source.line(*at, "id"),
                f"block id '{block.id}' is reserved for the sheet's own "
                f"{block.id} line; choose another id",
            )
        if block.id is not None:
            if block.id in ids:
                report.add(
                    source.rel,
                    source.line(*at, "id"),
                    f"block id '{block.id}' is used twice (also blocks item {ids[block.id] + 1})",
                )
            ids.setdefault(block.id, index)
        if block.kind == "scale":
            if block.min >= block.max:
                report.add(
                    source.rel,
                    source.line(*at, "max"),
                    f"max ({block.max}) must be greater than min ({block.min})",
                )
            elif block.max - block.min > 20:
                report.add(
                    source.rel, source.line(*at, "max"), "a scale block can have at most 21 points"
                )
            else:
                check_anchors(source, at, block.anchors, block.min, block.max, report)
        for key, low, high in (("lines", 1, 30), ("rows", 1, 60)):
            value = getattr(block, key, None)
            if value is not None and not low <= value <= high:
                report.add(
                    source.rel,
                    source.line(*at, key),
                    f"{key} must be between {low} and {high}, got {value}",
                )
        if block.kind == "table" and len(block.columns) > 8:
            report.add(
                source.rel, source.line(*at, "columns"), "a table can have at most 8 columns"
            )
        if block.kind == "checklist" and len(block.items) > 40:
            report.add(
                source.rel, source.line(*at, "items"), "a checklist can have at most 40 items"
            )


def check_parts_of_goal(source: Source, report: Report) -> None:
    """A goal file whose shape is wrong somewhere: still check the rules of each measure
    that is well-formed on its own, so fixing one problem does not reveal the next."""
    measures = source.data.get("measures") if isinstance(source.data, dict) else None
    seen: dict[str, int] = {}
    for index, item in enumerate(measures if isinstance(measures, list) else []):
        measure = lenient(schema.Measure, item)
        if measure is not None:
            check_measure(source, index, measure, seen, report)


BLOCK_MODELS: dict[str, type[BaseModel]] = {
    "text": schema.TextSpec,
    "scale": schema.ScaleSpec,
    "prompt": schema.PromptSpec,
    "checklist": schema.ChecklistSpec,
    "list": schema.ListSpec,
    "table": schema.TableSpec,
}


def check_parts_of_sheet(source: Source, report: Report) -> None:
    """A sheet file whose shape is wrong somewhere (its kind, say): still check the rules
    of each block that is well-formed on its own."""
    raw = source.data.get("blocks") if isinstance(source.data, dict) else None
    blocks: list[tuple[int, Any]] = []
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        kind = item.get("kind") if isinstance(item, dict) else None
        model = BLOCK_MODELS.get(kind) if isinstance(kind, str) else None
        block = lenient(model, item) if model is not None else None
        if block is not None:
            blocks.append((index, block))
    check_sheet_blocks(source, blocks, report)


def check_questionnaire(source: Source, data: schema.Questionnaire, report: Report) -> None:
    """A questionnaire's own rules: options for every item, unique scores and ids, a
    preset's items and scores, bands that cover every total once, cut-offs in range."""
    from workbook.clinical.instruments import NOT_PRESETS, PRESETS, band_problems

    rel = source.rel
    if not 1 <= data.every.days <= MAX_TIMEFRAME_DAYS:
        report.add(
            rel,
            source.line("every"),
            f"every must be between 1 day and 12 months, got '{data.every}'",
        )
    ids: dict[str, int] = {}
    for index, item in enumerate(data.items):
        at = ("items", index)
        if item.id in RESERVED_BLOCK_IDS:
            report.add(
                rel,
                source.line(*at, "id"),
                f"item id '{item.id}' is reserved for the "
                f"questionnaire's own {item.id} line; choose another id",
            )
        if item.id in ids:
            report.add(
                rel,
                source.line(*at, "id"),
                f"item id '{item.id}' is used twice (also items item {ids[item.id] + 1})",
            )
        ids.setdefault(item.id, index)
        options = item.options or data.options
        if not options:
            report.add(
                rel,
                source.line(*at),
                f"item '{item.id}' has no answer options; give "
                "the shared 'options:' or the item's own",
            )
            continue
        scores = [o.score for o in options]
        if len(set(scores)) != len(scores):
            where = (*at, "options") if item.options else ("options",)
            report.add(
                rel,
                source.line(*where),
                f"two answers of item '{item.id}' have the "
                "same score; each answer needs its own score",
            )
    preset = data.preset
    if preset is not None and preset not in PRESETS:
        reason = NOT_PRESETS.get(preset)
        known = ", ".join(PRESETS)
        report.add(
            rel,
            source.line("preset"),
            f"'{preset}' is not a preset: {reason}; see the README"
            if reason
            else missing_message("preset", preset, set(PRESETS), "", "")
            + f"; the presets are {known} (leave 'preset' out and give the scoring "
            "rules yourself for another questionnaire)",
        )
        return
    if preset is not None:
        facts = PRESETS[preset]
        for key in schema.Questionnaire.PRESET_KEYS:
            if getattr(data, key) is not None:
                report.add(
                    rel,
                    source.line(key),
                    f"'{key}' comes from the preset '{preset}'; "
                    "leave it out (or leave out 'preset' and give every rule yourself)",
                )
        if len(data.items) != facts.items:
            report.add(
                rel,
                source.line("items"),
                f"the preset '{preset}' scores "
                f"{facts.items} items; this file has {len(data.items)}",
            )
        for index, item in enumerate(data.items):
            options = item.options or data.options
            if options and sorted(o.score for o in options) != list(facts.scores):
                where = ("items", index, "options") if item.options else ("options",)
                report.add(
                    rel,
                    source.line(*where),
                    f"the preset '{preset}' scores each "
                    f"answer {', '.join(map(str, facts.scores))}; item '{item.id}' "
                    f"has {', '.join(str(o.score) for o in options)}",
                )
                if not item.options:
                    break  # the shared options: said once
        return
    if any(not (item.options or data.options) for item in data.items):
        return  # the rules below need every item's options
    rules = data.rules(lambda message, **values: message)
    scoring = data.scoring
    if scoring is not None:
        if scoring.method == "mean" and scoring.multiply != 1:
            report.add(
                rel, source.line("scoring", "multiply"), "'multiply' only goes with method: sum"
            )
        if scoring.max_missing >= len(data.items):
            report.add(
                rel,
                source.line("scoring", "max_missing"),
                f"max_missing must be below the number of items ({len(data.items)})",
            )
        if scoring.max_missing and not scoring.prorate:
            report.add(
                rel,
                source.line("scoring", "max_missing"),
                "max_missing needs prorate: true (without prorating, a missing item "
                "leaves the total empty)",
            )
    for index, band in enumerate(data.bands or []):
        if band.min > band.max:
            report.add(
                rel,
                source.line("bands", index),
                f"band '{band.label}' has min {data_number(band.min, places=6)} above max {data_number(band.max, places=6)}",
            )
    if data.bands and not any(b.min > b.max for b in data.bands):
        for message in band_problems(rules):
            report.add(rel, source.line("bands"), message)
    if data.caseness is not None and not rules.low < data.caseness <= rules.high:
        report.add(
            rel,
            source.line("caseness"),
            f"caseness {data_number(data.caseness, places=6)} is outside the "
            f"totals this questionnaire can have ({data_number(rules.low, places=6)} to {data_number(rules.high, places=6)})",
        )
    for index, risk in enumerate(data.risk or []):
        if risk.item not in ids:
            report.add(
                rel,
                source.line("risk", index, "item"),
                f"risk item '{risk.item}' is not one of this file's items ({', '.join(ids)})",
            )
            continue
        answers = dict(rules.items)[risk.item]
        if not min(answers) < risk.at_least <= max(answers):
            report.add(
                rel,
                source.line("risk", index, "at_least"),
                f"at_least {risk.at_least} must be above the lowest score of item "
                f"'{risk.item}' ({min(answers)}) and at most its highest ({max(answers)})",
            )


def check_parts_of_questionnaire(source: Source, report: Report) -> None:
    """A questionnaire whose shape is wrong somewhere (no licence, an item without text):
    still check its rules (ids, bands, cut-offs) on the parts that are right, so every
    problem is reported in one pass."""
    raw = source.data if isinstance(source.data, dict) else {}
    items = []  # each item that is right but for its text (reported already)
    listed = raw.get("items")
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, dict):
            candidate = item if lenient(schema.Item, item) else {**item, "text": "-"}
            if lenient(schema.Item, candidate):
                items.append(candidate)
    data = (
        lenient(
            schema.Questionnaire,
            {**raw, "title": "-", "licence": "-", "citation": "-", "items": items},
        )
        if items
        else None
    )
    if data is not None:
        check_questionnaire(source, data, report)


def check_questionnaire_refs(
    source: Source, key: tuple, files: dict[str, dict[str, Path]], report: Report
) -> None:
    """A list of questionnaire slugs (``key`` in ``source``) names files that exist."""
    data = source.data
    for part in key:
        data = data.get(part) if isinstance(data, dict) else None
    for index, slug in enumerate(data if isinstance(data, list) else []):
        if isinstance(slug, str) and SLUG_RE.match(slug) and slug not in files["questionnaires"]:
            report.add(
                source.rel,
                source.line(*key, index),
                missing_message(
                    "questionnaire", slug, files["questionnaires"], "questionnaires", ".yaml"
                ),
            )
    if isinstance(data, list):
        check_unique(source, key[-1], [s for s in data if isinstance(s, str)], report)


# --------------------------------------------------------------------------- across files


def check_config(project: Project, config: schema.Config, source: Source, report: Report) -> None:
    if config.logo is not None:
        logo = project.root / config.logo
        if (
            not inside(logo, project.root)
            or not logo.is_file()
            or logo.suffix.lower() not in IMAGE_SUFFIXES
        ):
            report.add(
                source.rel,
                source.line("logo"),
                f"logo '{config.logo}' must be an image file inside the project "
                "(a path like content/media/logo.png)",
            )


def missing_message(
    kind: str, slug: str, known: dict[str, Any] | set[str], folder: str, suffix: str
) -> str:
    close = difflib.get_close_matches(slug, sorted(known), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    where = f"content/{folder}/{slug}{suffix}" if folder else ""
    return f"unknown {kind} '{slug}'" + (f" (no {where})" if where else "") + hint


def check_goal_refs(
    source: Source, areas: dict[str, str] | None, files: dict[str, dict[str, Path]], report: Report
) -> None:
    """Check a goal's area and guidance slugs on the raw data, so they are reported
    even when another part of the file has the wrong shape."""
    data = source.data
    area = data.get("area")
    if areas is not None and isinstance(area, str) and SLUG_RE.match(area) and area not in areas:
        close = difflib.get_close_matches(area, list(areas), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "areas are: " + ", ".join(areas)
        report.add(
            source.rel,
            source.line("area"),
            f"unknown area '{area}'; {hint} (areas are set in workbook.yaml)",
        )
    guidance = data.get("guidance")
    for index, slug in enumerate(guidance if isinstance(guidance, list) else []):
        if isinstance(slug, str) and SLUG_RE.match(slug) and slug not in files["guidance"]:
            report.add(
                source.rel,
                source.line("guidance", index),
                missing_message("guidance page", slug, files["guidance"], "guidance", ".md"),
            )
    if isinstance(guidance, list):
        check_unique(source, "guidance", [g for g in guidance if isinstance(g, str)], report)


def check_workbook_refs(source: Source, files: dict[str, dict[str, Path]], report: Report) -> None:
    """Check what a workbook's contents refer to, on the raw data (see check_goal_refs)."""
    contents = source.data.get("contents")
    seen: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(contents if isinstance(contents, list) else []):
        if not isinstance(entry, dict):
            continue
        at = ("contents", index)
        given = [k for k in ("guidance", "sheet", "goal", "questionnaire") if k in entry]
        if len(given) != 1:
            report.add(
                source.rel,
                source.line(*at),
                "each contents item needs exactly one of 'guidance:', 'sheet:', 'goal:' or "
                "'questionnaire:'" + (f", this one has {' and '.join(given)}" if given else ""),
            )
            continue
        kind = given[0]
        slug = entry[kind]
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            continue  # the schema reports it
        if "sheets" in entry and kind != "goal":
            report.add(source.rel, source.line(*at, "sheets"), "'sheets:' only goes with 'goal:'")
        folder = {
            "guidance": "guidance",
            "sheet": "sheets",
            "goal": "goals",
            "questionnaire": "questionnaires",
        }[kind]
        if slug not in files[folder]:
            report.add(
                source.rel,
                source.line(*at, kind),
                missing_message(
                    kind if kind != "guidance" else "guidance page",
                    slug,
                    files[folder],
                    folder,
                    FOLDERS[folder],
                ),
            )
            continue
        sheets = entry.get("sheets")
        if kind == "goal" and isinstance(sheets, list) and not sheets:
            report.add(
                source.rel,
                source.line(*at, "sheets"),
                "sheets is empty; leave it out to include all three sheets",
            )
        chosen = sheets if isinstance(sheets, list) and sheets else list(schema.GOAL_SHEETS)
        parts = (
            [(kind, slug)]
            if kind != "goal"
            else [("goal", f"{slug}/{sheet}") for sheet in chosen if isinstance(sheet, str)]
        )
        for part in parts:
            if part in seen and seen[part] == index:
                report.add(
                    source.rel,
                    source.line(*at, "sheets"),
                    f"'{part[1].split('/')[1]}' is listed twice in sheets",
                )
            elif part in seen:
                what = (
                    f"the {part[1].split('/')[1]} of goal '{slug}'"
                    if kind == "goal"
                    else f"{part[0]} '{part[1]}'"
                )
                report.add(
                    source.rel,
                    source.line(*at, kind),
                    f"{what} is already in this workbook "
                    f"(contents item {seen[part] + 1}); list it once",
                )
            seen.setdefault(part, index)


def check_published(
    config: schema.Config,
    source: Source,
    goals: dict[str, GoalFile],
    workbooks: dict[str, WorkbookFile],
    report: Report,
) -> None:
    """Only questionnaires listed in workbook.yaml go on the site: a workbook (a public PDF)
    may not hold another; a goal may list one for its packets, with a warning."""
    published = set(config.questionnaires)
    hint = "add it to 'questionnaires:' in workbook.yaml to publish it"
    for workbook in workbooks.values():
        for index, entry in enumerate(workbook.data.contents):
            if entry.questionnaire and entry.questionnaire not in published:
                report.add(
                    workbook.source.rel,
                    workbook.source.line("contents", index, "questionnaire"),
                    f"questionnaire '{entry.questionnaire}' is not published, and a "
                    f"workbook is; {hint}",
                )
    for goal in goals.values():
        for index, slug in enumerate(goal.data.questionnaires):
            if slug not in published:
                report.warn(
                    goal.rel,
                    goal.source.line("questionnaires", index),
                    f"questionnaire '{slug}' is not published, so the goal's page does "
                    f"not show it (its packets still include it); {hint}",
                )


def check_workbook_gas(
    workbooks: dict[str, WorkbookFile], goals: dict[str, GoalFile], report: Report
) -> None:
    """A workbook may list a goal's 'gas' sheet only if the goal has 'gas:' levels."""
    for workbook in workbooks.values():
        for index, entry in enumerate(workbook.data.contents):
            goal = goals.get(entry.goal or "")
            if goal is None or goal.data.gas is not None or "gas" not in (entry.sheets or []):
                continue
            report.add(
                workbook.source.rel,
                workbook.source.line(
                    "contents", index, "sheets", (entry.sheets or []).index("gas")
                ),
                f"goal '{goal.slug}' has no goal rating sheet; add 'gas:' levels to "
                f"{goal.rel} or leave 'gas' out of sheets",
            )
