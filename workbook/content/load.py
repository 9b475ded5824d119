"""Stage 1: load and validate all content.

Reads ``workbook.yaml`` and every file under ``content/`` (:mod:`~workbook.content.source`),
validates each one (shape and types in :mod:`~workbook.content.schema`, rules and
cross-references in :mod:`~workbook.content.rules`) and returns a :class:`Content`,
or raises one :class:`~workbook.errors.WorkbookError` listing every problem
found in every file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from workbook.content import rules, schema
from workbook.content.files import (
    GoalFile,
    GuidanceFile,
    QuestionnaireFile,
    SheetFile,
    WorkbookFile,
)
from workbook.content.i18n import Catalogue, load_catalogue
from workbook.content.markdown import Markdown, Place, RenderedMarkdown
from workbook.content.rules import FOLDERS
from workbook.content.schema import SLUG_RE
from workbook.content.source import (
    LIMITS,
    Source,
    SourceError,
    inside,
    load_yaml,
    read_text,
    split_front_matter,
    text_digest,
)
from workbook.content.validation import validate
from workbook.errors import Problem, Report
from workbook.project import Project

#: Suffixes of files that look like content; a stray one is reported, images are not.
TEXT_SUFFIXES = (".yaml", ".yml", ".md", ".markdown", ".txt", ".json")


@dataclass
class Content:
    project: Project
    config: schema.Config
    config_source: Source
    goals: dict[str, GoalFile]
    guidance: dict[str, GuidanceFile]
    sheets: dict[str, SheetFile]
    workbooks: dict[str, WorkbookFile]
    t: Catalogue
    warnings: list[Problem] = field(default_factory=list)  # likely mistakes, not errors
    questionnaires: dict[str, QuestionnaireFile] = field(default_factory=dict)

    def __fingerprint__(self) -> tuple:
        """Everything the content holds (its files' digests), for pages that list it all."""
        return (
            "content",
            self.config_source.digest,
            [
                item
                for kind in (
                    self.goals,
                    self.guidance,
                    self.sheets,
                    self.workbooks,
                    self.questionnaires,
                )
                for item in kind.values()
            ],
        )

    @property
    def published(self) -> list[QuestionnaireFile]:
        """The questionnaires the site shows, in the order workbook.yaml lists them."""
        return [
            self.questionnaires[slug]
            for slug in self.config.questionnaires
            if slug in self.questionnaires
        ]


@dataclass
class SeenText:
    """Every text the loading read, whether or not its file passed the checks, so that
    later checks of the text itself (does the PDF font have each character?) report
    their problems in the same pass as the loading's."""

    sources: list[Source] = field(default_factory=list)  # YAML files and front matter
    bodies: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, Markdown)
    catalogue: Catalogue | None = None


def load_content(project: Project, seen: SeenText | None = None) -> Content:
    """Read and check every content file; raise WorkbookError listing all problems.

    ``seen`` collects the texts read, for checks that go on when this one fails."""
    report = Report()
    seen = seen if seen is not None else SeenText()
    config_source, config = _load_config(project, report, seen)
    files = _discover(project, report)
    markdown = Markdown(
        allow_html=bool(config and config.markdown_html),
        content_dir=project.content_dir,
        pages={folder: set(slugs) for folder, slugs in files.items()},
    )
    areas = dict(config.areas) if config else None
    goals = {
        slug: g
        for slug, path in files["goals"].items()
        if (g := _load_goal(project, slug, path, areas, files, report, seen))
    }
    guidance = {
        slug: g_
        for slug, path in files["guidance"].items()
        if (g_ := _load_guidance(project, slug, path, markdown, report, seen))
    }
    sheets = {
        slug: s
        for slug, path in files["sheets"].items()
        if (s := _load_sheet(project, slug, path, markdown, report, seen))
    }
    workbooks = {
        slug: w
        for slug, path in files["workbooks"].items()
        if (w := _load_workbook(project, slug, path, markdown, files, report, seen))
    }
    questionnaires = {
        slug: q
        for slug, path in files["questionnaires"].items()
        if (q := _load_questionnaire(project, slug, path, report, seen))
    }
    if config and config_source:
        rules.check_config(project, config, config_source, report)
        rules.check_questionnaire_refs(config_source, ("questionnaires",), files, report)
        rules.check_published(config, config_source, goals, workbooks, report)
    rules.check_workbook_gas(workbooks, goals, report)
    if not files["goals"] and not files["sheets"] and config:
        report.add("content", None, "no goals or sheets yet; add content/goals/<slug>.yaml")
    catalogue = seen.catalogue = _load_catalogue(project, config, config_source, report)
    report.raise_if_any()
    # no problem was found, so each of these was read
    assert config is not None and config_source is not None and catalogue is not None
    return Content(
        project,
        config,
        config_source,
        goals,
        guidance,
        sheets,
        workbooks,
        catalogue,
        sorted(report.warnings),
        questionnaires,
    )


# --------------------------------------------------------------------------- files


def _read_yaml(project: Project, path: Path, report: Report, seen: SeenText) -> Source | None:
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
    seen.sources.append(source)
    _report_reading(source, report)
    if source.data is None:
        report.add(rel, 1, "the file is empty; fill it in or delete it")
        return None
    if not isinstance(source.data, dict):
        report.add(rel, 1, "the file must be a mapping of 'key: value' lines")
        return None
    return source


def _report_reading(source: Source, report: Report) -> None:
    """What reading the YAML found without stopping (a duplicate key; a likely mistake)."""
    for line, message in source.problems:
        report.add(source.rel, line, message)
    for line, message in source.warnings:
        report.warn(source.rel, line, message)


def _load_config(
    project: Project, report: Report, seen: SeenText
) -> tuple[Source | None, schema.Config | None]:
    source = _read_yaml(project, project.config_path, report, seen)
    if source is None:
        return None, None
    return source, validate(schema.Config, source, report)


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
            if not inside(path, project.root):  # a link (of the file or a folder) leading out
                report.add(rel, None, "is a link to a file outside the project; copy the file in")
                continue
            if path.suffix != suffix:
                if path.suffix.lower() in TEXT_SUFFIXES:
                    report.add(
                        rel,
                        None,
                        f"files in content/{folder}/ must end in '{suffix}'; "
                        "rename it (other files, such as images, may sit beside them)",
                    )
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


# --------------------------------------------------------------------------- kinds


def _load_goal(
    project: Project,
    slug: str,
    path: Path,
    areas: dict[str, str] | None,
    files: dict[str, dict[str, Path]],
    report: Report,
    seen: SeenText,
) -> GoalFile | None:
    source = _read_yaml(project, path, report, seen)
    if source is None:
        return None
    rules.check_goal_refs(source, areas, files, report)
    rules.check_questionnaire_refs(source, ("questionnaires",), files, report)
    data = validate(schema.Goal, source, report)
    if data is None:
        rules.check_parts_of_goal(source, report)
        return None
    errors_before = len(report.problems)
    rules.check_goal(source, data, report)
    if len(report.problems) > errors_before:
        return None
    return GoalFile(slug, source, data)


def _load_guidance(
    project: Project, slug: str, path: Path, markdown: Markdown, report: Report, seen: SeenText
) -> GuidanceFile | None:
    rel = project.rel(path)
    try:
        text = read_text(path, LIMITS["markdown_bytes"])
        parts = split_front_matter(rel, text)
        parts.meta.digest = text_digest(text)
    except SourceError as exc:
        report.add(rel, exc.line, exc.message)
        return None
    seen.sources.append(parts.meta)
    seen.bodies.append((rel, parts.body_line, parts.body))
    _report_reading(parts.meta, report)
    if not isinstance(parts.meta.data, dict):
        report.add(rel, 2, "front matter must be 'key: value' lines (title, summary, ...)")
        return None
    meta = validate(schema.GuidanceMeta, parts.meta, report)
    place = Place(rel, parts.body_line, PurePosixPath("guidance"))
    body = markdown.render(parts.body, place, report)
    if meta is None:
        return None
    return GuidanceFile(slug, parts.meta, meta, body, parts.body, parts.body_line)


def _render_field(
    markdown: Markdown, source: Source, key: tuple, text: str | None, report: Report
) -> RenderedMarkdown | None:
    if text is None:
        return None
    folder = (
        PurePosixPath(source.rel).parent.relative_to("content")
        if source.rel.startswith("content/")
        else PurePosixPath(".")
    )
    place = Place(source.rel, source.line(*key), folder, exact_lines=False)
    return markdown.render(text, place, report)


def _load_sheet(
    project: Project, slug: str, path: Path, markdown: Markdown, report: Report, seen: SeenText
) -> SheetFile | None:
    source = _read_yaml(project, path, report, seen)
    if source is None:
        return None
    data = validate(schema.Sheet, source, report)
    if data is None:
        rules.check_parts_of_sheet(source, report)
        return None
    errors_before = len(report.problems)
    intro = _render_field(markdown, source, ("intro",), data.intro, report)
    texts: dict[int, RenderedMarkdown] = {}
    for index, block in enumerate(data.blocks):
        if block.kind == "text":
            rendered = _render_field(
                markdown, source, ("blocks", index, "text"), block.text, report
            )
            if rendered is not None:  # (None: a problem, reported)
                texts[index] = rendered
    rules.check_sheet_blocks(source, list(enumerate(data.blocks)), report)
    if len(report.problems) > errors_before:
        return None
    return SheetFile(slug, source, data, intro, texts)


def _load_workbook(
    project: Project,
    slug: str,
    path: Path,
    markdown: Markdown,
    files: dict[str, dict[str, Path]],
    report: Report,
    seen: SeenText,
) -> WorkbookFile | None:
    source = _read_yaml(project, path, report, seen)
    if source is None:
        return None
    rules.check_workbook_refs(source, files, report)
    data = validate(schema.Workbook, source, report)
    if data is None:
        return None
    intro = _render_field(markdown, source, ("intro",), data.intro, report)
    return WorkbookFile(slug, source, data, intro)


def _load_questionnaire(
    project: Project, slug: str, path: Path, report: Report, seen: SeenText
) -> QuestionnaireFile | None:
    source = _read_yaml(project, path, report, seen)
    if source is None:
        return None
    data = validate(schema.Questionnaire, source, report)
    if data is None:
        rules.check_parts_of_questionnaire(source, report)
        return None
    errors_before = len(report.problems)
    rules.check_questionnaire(source, data, report)
    if len(report.problems) > errors_before:
        return None
    return QuestionnaireFile(slug, source, data)


# --------------------------------------------------------------------------- cross-references


def _load_catalogue(
    project: Project, config: schema.Config | None, source: Source | None, report: Report
) -> Catalogue | None:
    if config is None or source is None:
        return None
    try:
        return load_catalogue(config.language, project.theme_dirs)
    except LookupError as exc:
        report.add(source.rel, source.line("language"), str(exc))
        return None
