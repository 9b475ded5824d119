"""``build(config)``: the whole pipeline, top to bottom.

    load and validate all content → plan outputs → render HTML → render PDFs → write

Everything is checked before anything is written; a WorkbookError from any
stage leaves the previous output untouched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .content import Content, load_content
from .errors import Report, WorkbookError
from .glyphs import check_glyphs
from .pdf import declared_fonts
from .html import make_env, render_pages, theme_assets
from .output import check_output_dir, write_output
from .plan import Plan, plan_site
from .project import Project, open_project
from .render_pdf import render_pdfs
from .search import search_index
from .theme import check_theme


@dataclass
class BuildConfig:
    project_dir: Path = Path(".")
    out: Path | None = None  # default: <project>/output
    paper: str | None = None  # overrides workbook.yaml's paper: letter | a4
    pdf: bool = True  # False: HTML only (--no-pdf)


@dataclass
class BuildResult:
    out_dir: Path
    html_pages: int
    pdf_files: int
    pdf_pages: int
    controls: int  # form controls on the site's sheet pages
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


def build(config: BuildConfig) -> BuildResult:
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        timings[stage] = time.perf_counter() - started - sum(timings.values())

    project = open_project(config.project_dir)
    out_dir = check_output_dir(config.out or project.root / "output", project)
    content = check_project(project, pdf=config.pdf)
    lap("load")
    plan = plan_site(content, with_pdfs=config.pdf)
    lap("plan")
    env = make_env(project, content.t)
    files = render_pages(plan, env, project)
    files.update(search_index(files))
    lap("html")  # pages and their search index
    pdfs = render_pdfs(plan, env, project, paper=config.paper)
    files.update({path: pdf.data for path, pdf in pdfs.items()})
    lap("pdf")
    write_output(out_dir, files, static_files(plan))
    lap("write")
    return BuildResult(
        out_dir=out_dir,
        html_pages=sum(1 for page in plan.pages if page.path.endswith(".html")),
        pdf_files=len(pdfs),
        pdf_pages=sum(pdf.pages for pdf in pdfs.values()),
        controls=sum(len(doc.fields) for doc in plan.site.sheets),
        seconds=time.perf_counter() - started,
        timings=timings,
    )


def check_project(project: Project, *, pdf: bool = True) -> Content:
    """Stage 1: load and validate the content and the theme; every problem at once."""
    report = Report()
    try:
        content = load_content(project)
    except WorkbookError as error:
        report.problems.extend(error.problems)
        content = None
    check_theme(project, report)
    if content is not None and pdf:
        check_glyphs(content, project.theme_file("pdf/fonts.css"),
                     ", ".join(declared_fonts(project.theme_file("pdf/fonts.css"))), report)
    report.raise_if_any()
    return content


def static_files(plan: Plan) -> dict[str, Path]:
    """Files copied as they are: theme assets, images used by content, the logo."""
    project = plan.site.content.project
    copies = theme_assets(project)
    for media in plan.media:
        copies[f"media/{media}"] = project.content_dir / media
    if plan.site.logo_path:
        copies[plan.site.logo_path] = project.root / plan.site.config.logo
    return copies
