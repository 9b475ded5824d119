"""Stage 1: load and validate all content.

Reads ``workbook.yaml`` and every file under ``content/``, validates each one
(shape and types in :mod:`workbook.schema`, rules and cross-references here)
and returns a :class:`Content` — or raises one :class:`WorkbookError` listing
every problem found in every file.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from workbook.content import schema
from workbook.errors import Report, WorkbookError
from workbook.content.i18n import Catalogue, load_catalogue
from workbook.content.markdown import Markdown, Place, Rendered
from workbook.project import Project
from workbook.content.schema import SLUG_RE
from workbook.content.source import (LIMITS, Source, SourceError, load_yaml, read_text, split_front_matter,
                     text_digest)

#: What a content folder may hold; anything else in it is an error.
FOLDERS = {"goals": ".yaml", "guidance": ".md", "sheets": ".yaml", "workbooks": ".yaml"}
#: Suffixes of files that look like content; a stray one is reported, images are not.
TEXT_SUFFIXES = (".yaml", ".yml", ".md", ".markdown", ".txt", ".json")
MAX_TIMEFRAME_DAYS = 366
#: Every sheet starts with name and date lines named <sheet>_name and <sheet>_date.
RESERVED_BLOCK_IDS = ("name", "date")
MAX_MEASURES = 12


@dataclass
class Goal:
    slug: str
    source: Source
    data: schema.Goal
    @property
    def rel(self) -> str:
        return self.source.rel

    def __fingerprint__(self) -> tuple:
        return ("goal", self.slug, self.source.digest)


@dataclass
class Guidance:
    slug: str
    source: Source  # the front matter
    data: schema.GuidanceMeta
    body: Rendered
    markdown: str = ""  # the body as written
    body_line: int = 1  # file line where the body starts

    def __fingerprint__(self) -> tuple:
        return ("guidance", self.slug, self.source.digest, self.body.media)


@dataclass
class Sheet:
    slug: str
    source: Source
    data: schema.Sheet
    intro: Rendered | None
    texts: dict[int, Rendered]  # block index → rendered Markdown of text blocks

    def __fingerprint__(self) -> tuple:
        media = [r.media for r in [self.intro, *self.texts.values()] if r]
        return ("sheet", self.slug, self.source.digest, media)


@dataclass
class Workbook:
    slug: str
    source: Source
    data: schema.Workbook
    intro: Rendered | None

    def __fingerprint__(self) -> tuple:
        return ("workbook", self.slug, self.source.digest, self.intro.media if self.intro else {})


@dataclass
class Content:
    project: Project
    config: schema.Config
    config_source: Source
    goals: dict[str, Goal]
    guidance: dict[str, Guidance]
    sheets: dict[str, Sheet]
    workbooks: dict[str, Workbook]
    t: Catalogue

    def __fingerprint__(self) -> tuple:
        """Everything the content holds (its files' digests), for pages that list it all."""
        return ("content", self.config_source.digest, [
            item for kind in (self.goals, self.guidance, self.sheets, self.workbooks)
            for item in kind.values()])

    @property
    def areas(self) -> dict[str, str]:
        return dict(self.config.areas)

    def files(self) -> list[Path]:
        """Every file the content was read from (for change tracking)."""
        return sorted(
            [self.project.config_path]
            + [self.project.root / item.source.rel for kind in
               (self.goals, self.guidance, self.sheets, self.workbooks) for item in kind.values()]
        )


def load_content(project: Project) -> Content:
    """Read and check every content file; raise WorkbookError listing all problems."""
    report = Report()
    config_source, config = _load_config(project, report)
    files = _discover(project, report)
    markdown = Markdown(
        allow_html=bool(config and config.markdown_html),
        content_dir=project.content_dir,
        pages={folder: set(slugs) for folder, slugs in files.items()},
    )
    areas = dict(config.areas) if config else None
    goals = {slug: g for slug, path in files["goals"].items()
             if (g := _load_goal(project, slug, path, areas, files, report))}
    guidance = {slug: g for slug, path in files["guidance"].items()
                if (g := _load_guidance(project, slug, path, markdown, report))}
    sheets = {slug: s for slug, path in files["sheets"].items()
              if (s := _load_sheet(project, slug, path, markdown, report))}
    workbooks = {slug: w for slug, path in files["workbooks"].items()
                 if (w := _load_workbook(project, slug, path, markdown, files, report))}
    if config:
        _check_config(project, config, config_source, report)
    _check_workbook_gas(workbooks, goals, report)
    if not files["goals"] and not files["sheets"] and config:
        report.add("content", None, "no goals or sheets yet; add content/goals/<slug>.yaml")
    catalogue = _load_catalogue(project, config, config_source, report)
    report.raise_if_any()
    return Content(project, config, config_source, goals, guidance, sheets, workbooks, catalogue)


# --------------------------------------------------------------------------- files


def _read_yaml(project: Project, path: Path, report: Report) -> Source | None:
    rel = project.rel(path)
    try:
        text = read_text(path, LIMITS["yaml_bytes"])
        source = load_yaml(rel, text)
        source.digest = text_digest(text)
    except SourceError as exc:
        report.add(rel, exc.line, exc.message)
        return None
    except OSError as exc:
        report.add(rel, None, f"cannot read the file: {exc.strerror}")
        return None
    if source.data is None:
        report.add(rel, 1, "the file is empty; fill it in or delete it")
        return None
    if not isinstance(source.data, dict):
        report.add(rel, 1, "the file must be a mapping of 'key: value' lines")
        return None
    return source


def _load_config(project: Project, report: Report) -> tuple[Source | None, schema.Config | None]:
    source = _read_yaml(project, project.config_path, report)
    if source is None:
        return None, None
    return source, schema.validate(schema.Config, source, report)


def _discover(project: Project, report: Report) -> dict[str, dict[str, Path]]:
    """Find the content files; complain about names, strays and links leaving the project."""
    found: dict[str, dict[str, Path]] = {folder: {} for folder in FOLDERS}
    content = project.content_dir
    if not content.is_dir():
        report.add("content", None, "there is no content/ folder; run 'workbook new' for a sample")
        return found
    for folder, suffix in FOLDERS.items():
        directory = content / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            rel = project.rel(path)
            if path.name.startswith(".") or path.is_dir():
                continue
            if not _inside(path, project.root):  # a link (of the file or a folder) leading out
                report.add(rel, None, "is a link to a file outside the project; copy the file in")
                continue
            if path.suffix != suffix:
                if path.suffix.lower() in TEXT_SUFFIXES:
                    report.add(rel, None, f"files in content/{folder}/ must end in '{suffix}'; "
                               "rename it (other files, such as images, may sit beside them)")
                continue
            slug = path.stem
            if not SLUG_RE.match(slug):
                report.add(
                    rel,
                    None,
                    f"file name '{path.name}' is not a valid slug: use lower-case letters, "
                    f"digits and single hyphens, like 'sleep-well{suffix}'",
                )
                continue
            found[folder][slug] = path
    return found


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- kinds


def _load_goal(project, slug, path, areas, files, report) -> Goal | None:
    source = _read_yaml(project, path, report)
    if source is None:
        return None
    _check_goal_refs(source, areas, files, report)
    data = schema.validate(schema.Goal, source, report)
    if data is None:
        return None
    errors_before = len(report.problems)
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
        _check_measure(source, index, measure, seen, report)
    if data.gas is not None:
        _check_gas(source, data.gas, report)
    if len(report.problems) > errors_before:
        return None
    return Goal(slug, source, data)


def _check_gas(source: Source, gas: schema.Gas, report: Report) -> None:
    """Goal Attainment Scaling needs a description for each of the five levels, and a
    weight above zero (it divides in the T-score)."""
    levels = ", ".join(f"{level:+d}" if level else "0" for level in schema.GAS_LEVELS)
    for level, text in gas.levels.items():
        at = source.line("gas", "levels", level)
        if level not in schema.GAS_LEVELS:
            shown = f"'{level}'" if isinstance(level, str) else str(level)
            report.add(source.rel, at, f"gas level {shown} is not one of {levels}")
        elif not isinstance(text, str) or not text.strip():
            report.add(source.rel, at, f"gas level {level:+d} needs a description in words"
                       if level else "gas level 0 needs a description in words")
        elif len(text) > 2000:
            report.add(source.rel, at, "a gas level description is longer than 2000 "
                                       "characters; shorten it")
    missing = [level for level in schema.GAS_LEVELS if level not in gas.levels]
    if missing:
        shown = ", ".join(f"{level:+d}" if level else "0" for level in missing)
        report.add(source.rel, source.line("gas", "levels"),
                   f"gas levels need a description for each of {levels}; "
                   f"missing: {shown}")
    if not 0 < gas.weight <= 100:
        report.add(source.rel, source.line("gas", "weight"),
                   f"gas weight must be a number above 0 and at most 100, got {gas.weight:g}")


def _check_measure(source, index, measure, seen, report) -> None:
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
            report.add(source.rel, source.line(*at, "max"),
                       "a scale can have at most 101 points; use a count instead")
        _check_anchors(source, at, measure.anchors, measure.min, measure.max, report)
    else:
        for key in ("min", "max"):
            if getattr(measure, key) is not None:
                report.add(source.rel, source.line(*at, key),
                           f"'{key}' only applies to a scale measure, this one is a {measure.kind}")
        if measure.anchors:
            report.add(source.rel, source.line(*at, "anchors"),
                       f"'anchors' only apply to a scale measure, this one is a {measure.kind}")
    if measure.target is not None:
        if measure.kind in ("yes-no", "text"):
            report.add(
                source.rel,
                source.line(*at, "target"),
                f"a {measure.kind} measure cannot have a target; use a count measure "
                "(e.g. days per week) to set one",
            )
        elif measure.kind == "scale" and not measure.min <= measure.target.value <= measure.max:
            report.add(
                source.rel,
                source.line(*at, "target", "value"),
                f"target value {measure.target.value:g} is outside the scale "
                f"{measure.min} to {measure.max}",
            )
        elif measure.target.value < 0:
            report.add(source.rel, source.line(*at, "target", "value"),
                       "target value must not be negative")


def _check_anchors(source, at, anchors, low, high, report) -> None:
    for value in anchors:
        if not low <= value <= high:
            report.add(
                source.rel,
                source.line(*at, "anchors", value),
                f"anchor {value} is outside the scale {low} to {high}",
            )


def _check_unique(source: Source, key: str, values: list[str], report: Report) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            report.add(source.rel, source.line(key, index), f"'{value}' is listed twice in {key}")
        seen.add(value)


def _load_guidance(project, slug, path, markdown: Markdown, report) -> Guidance | None:
    rel = project.rel(path)
    try:
        text = read_text(path, LIMITS["markdown_bytes"])
        parts = split_front_matter(rel, text)
        parts.meta.digest = text_digest(text)
    except SourceError as exc:
        report.add(rel, exc.line, exc.message)
        return None
    if not isinstance(parts.meta.data, dict):
        report.add(rel, 2, "front matter must be 'key: value' lines (title, summary, ...)")
        return None
    meta = schema.validate(schema.GuidanceMeta, parts.meta, report)
    place = Place(rel, parts.body_line, PurePosixPath("guidance"))
    body = markdown.render(parts.body, place, report)
    if meta is None:
        return None
    return Guidance(slug, parts.meta, meta, body, parts.body, parts.body_line)


def _render_field(markdown, source: Source, key: tuple, text: str | None, report) -> Rendered | None:
    if text is None:
        return None
    folder = PurePosixPath(source.rel).parent.relative_to("content") \
        if source.rel.startswith("content/") else PurePosixPath(".")
    place = Place(source.rel, source.line(*key), folder, exact_lines=False)
    return markdown.render(text, place, report)


def _load_sheet(project, slug, path, markdown, report) -> Sheet | None:
    source = _read_yaml(project, path, report)
    if source is None:
        return None
    data = schema.validate(schema.Sheet, source, report)
    if data is None:
        return None
    errors_before = len(report.problems)
    intro = _render_field(markdown, source, ("intro",), data.intro, report)
    texts: dict[int, Rendered] = {}
    ids: dict[str, int] = {}
    for index, block in enumerate(data.blocks):
        at = ("blocks", index)
        if block.kind == "text":
            texts[index] = _render_field(markdown, source, at + ("text",), block.text, report)
            continue
        if block.id in RESERVED_BLOCK_IDS:
            report.add(source.rel, source.line(*at, "id"),
                       f"block id '{block.id}' is reserved for the sheet's own "
                       f"{block.id} line; choose another id")
        if block.id is not None:
            if block.id in ids:
                report.add(source.rel, source.line(*at, "id"),
                           f"block id '{block.id}' is used twice (also blocks item {ids[block.id] + 1})")
            ids.setdefault(block.id, index)
        if block.kind == "scale":
            if block.min >= block.max:
                report.add(source.rel, source.line(*at, "max"),
                           f"max ({block.max}) must be greater than min ({block.min})")
            elif block.max - block.min > 20:
                report.add(source.rel, source.line(*at, "max"),
                           "a scale block can have at most 21 points")
            else:
                _check_anchors(source, at, block.anchors, block.min, block.max, report)
        for key, low, high in (("lines", 1, 30), ("rows", 1, 60)):
            value = getattr(block, key, None)
            if value is not None and not low <= value <= high:
                report.add(source.rel, source.line(*at, key),
                           f"{key} must be between {low} and {high}, got {value}")
        if block.kind == "table" and len(block.columns) > 8:
            report.add(source.rel, source.line(*at, "columns"),
                       "a table can have at most 8 columns")
        if block.kind == "checklist" and len(block.items) > 40:
            report.add(source.rel, source.line(*at, "items"),
                       "a checklist can have at most 40 items")
    if len(report.problems) > errors_before:
        return None
    return Sheet(slug, source, data, intro, texts)


def _load_workbook(project, slug, path, markdown, files, report) -> Workbook | None:
    source = _read_yaml(project, path, report)
    if source is None:
        return None
    _check_workbook_refs(source, files, report)
    data = schema.validate(schema.Workbook, source, report)
    if data is None:
        return None
    intro = _render_field(markdown, source, ("intro",), data.intro, report)
    return Workbook(slug, source, data, intro)


# --------------------------------------------------------------------------- cross-references


def _check_config(project: Project, config: schema.Config, source: Source, report: Report) -> None:
    if config.logo is not None:
        logo = project.root / config.logo
        if (
            not _inside(logo, project.root)
            or not logo.is_file()
            or logo.suffix.lower() not in (".png", ".jpg", ".jpeg", ".svg", ".webp", ".gif")
        ):
            report.add(
                source.rel,
                source.line("logo"),
                f"logo '{config.logo}' must be an image file inside the project "
                "(a path like content/media/logo.png)",
            )


def _load_catalogue(project, config, source, report) -> Catalogue | None:
    if config is None:
        return None
    try:
        return load_catalogue(config.language, project.theme_dirs)
    except LookupError as exc:
        report.add(source.rel, source.line("language"), str(exc))
        return None


def _missing(kind: str, slug: str, known: dict[str, Any] | set[str], folder: str, suffix: str) -> str:
    close = difflib.get_close_matches(slug, sorted(known), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    where = f"content/{folder}/{slug}{suffix}" if folder else ""
    return f"unknown {kind} '{slug}'" + (f" (no {where})" if where else "") + hint


def _check_goal_refs(source: Source, areas: dict[str, str] | None, files, report: Report) -> None:
    """Check a goal's area and guidance slugs on the raw data, so they are reported
    even when another part of the file has the wrong shape."""
    data = source.data
    area = data.get("area")
    if areas is not None and isinstance(area, str) and SLUG_RE.match(area) and area not in areas:
        close = difflib.get_close_matches(area, list(areas), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "areas are: " + ", ".join(areas)
        report.add(source.rel, source.line("area"),
                   f"unknown area '{area}'; {hint} (areas are set in workbook.yaml)")
    guidance = data.get("guidance")
    for index, slug in enumerate(guidance if isinstance(guidance, list) else []):
        if isinstance(slug, str) and SLUG_RE.match(slug) and slug not in files["guidance"]:
            report.add(source.rel, source.line("guidance", index),
                       _missing("guidance page", slug, files["guidance"], "guidance", ".md"))
    if isinstance(guidance, list):
        _check_unique(source, "guidance", [g for g in guidance if isinstance(g, str)], report)


def _check_workbook_refs(source: Source, files, report: Report) -> None:
    """Check what a workbook's contents refer to, on the raw data (see _check_goal_refs)."""
    contents = source.data.get("contents")
    seen: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(contents if isinstance(contents, list) else []):
        if not isinstance(entry, dict):
            continue
        at = ("contents", index)
        given = [k for k in ("guidance", "sheet", "goal") if k in entry]
        if len(given) != 1:
            report.add(
                source.rel,
                source.line(*at),
                "each contents item needs exactly one of 'guidance:', 'sheet:' or 'goal:'"
                + (f", this one has {' and '.join(given)}" if given else ""),
            )
            continue
        kind = given[0]
        slug = entry[kind]
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            continue  # the schema reports it
        if "sheets" in entry and kind != "goal":
            report.add(source.rel, source.line(*at, "sheets"), "'sheets:' only goes with 'goal:'")
        folder = {"guidance": "guidance", "sheet": "sheets", "goal": "goals"}[kind]
        if slug not in files[folder]:
            report.add(source.rel, source.line(*at, kind),
                       _missing(kind if kind != "guidance" else "guidance page", slug,
                                files[folder], folder, FOLDERS[folder]))
            continue
        sheets = entry.get("sheets")
        if kind == "goal" and isinstance(sheets, list) and not sheets:
            report.add(source.rel, source.line(*at, "sheets"),
                       "sheets is empty; leave it out to include all three sheets")
        chosen = sheets if isinstance(sheets, list) and sheets else list(schema.GOAL_SHEETS)
        parts = [(kind, slug)] if kind != "goal" else [
            ("goal", f"{slug}/{sheet}") for sheet in chosen if isinstance(sheet, str)]
        for part in parts:
            if part in seen and seen[part] == index:
                report.add(source.rel, source.line(*at, "sheets"),
                           f"'{part[1].split('/')[1]}' is listed twice in sheets")
            elif part in seen:
                what = (f"the {part[1].split('/')[1]} of goal '{slug}'" if kind == "goal"
                        else f"{part[0]} '{part[1]}'")
                report.add(source.rel, source.line(*at, kind),
                           f"{what} is already in this workbook "
                           f"(contents item {seen[part] + 1}); list it once")
            seen.setdefault(part, index)


def _check_workbook_gas(workbooks: dict[str, Workbook], goals: dict[str, Goal],
                        report: Report) -> None:
    """A workbook may list a goal's 'gas' sheet only if the goal has 'gas:' levels."""
    for workbook in workbooks.values():
        for index, entry in enumerate(workbook.data.contents):
            goal = goals.get(entry.goal or "")
            if goal is None or goal.data.gas is not None or "gas" not in (entry.sheets or []):
                continue
            report.add(workbook.source.rel,
                       workbook.source.line("contents", index, "sheets",
                                            entry.sheets.index("gas")),
                       f"goal '{goal.slug}' has no goal rating sheet; add 'gas:' levels to "
                       f"{goal.rel} or leave 'gas' out of sheets")


def check(project: Project) -> Content:
    """Validate a project without building it (``workbook check``)."""
    return load_content(project)


__all__ = ["Content", "Goal", "Guidance", "Sheet", "Workbook", "load_content", "WorkbookError"]
