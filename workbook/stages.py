"""The stages of a build, each a function ``build()`` calls in order.

Kept apart from :mod:`workbook.build` so that a build with nothing to do
never imports them (pydantic, Jinja, Markdown, fontTools): it only hashes
the inputs, and stays well under half a second.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from workbook.content.load import Content, SeenText, load_content
from workbook.errors import Report, WorkbookError
from workbook.model.plan import Plan
from workbook.output.cache import Cache, digest_file, fingerprint
from workbook.project import Project
from workbook.render.html import StageOutput
from workbook.render.pdf.fonts import check_glyphs
from workbook.render.pdf.pool import PdfResults, Pool
from workbook.render.pdf.setup import declared_fonts
from workbook.render.search import SEARCH_FOLDER, SEARCH_VERSION, SearchJob
from workbook.render.theme import check_theme, theme_assets

if TYPE_CHECKING:
    from workbook.render.pdf.schedule import Progress


def check_project(
    project: Project,
    *,
    pdf: bool = True,
    env: jinja2.Environment | None = None,
    theme_checked: bool = False,
) -> Content:
    """Stage 1: load and validate the content and the theme; every problem at once.

    ``theme_checked``: the theme is unchanged since a build that checked it."""
    report = Report()
    seen = SeenText()
    try:
        content = load_content(project, seen)
    except WorkbookError as error:
        report.problems.extend(error.problems)
        report.warnings.extend(error.warnings)
        content = None
    if not theme_checked:
        check_theme(project, report, env)
    if pdf:
        fonts = project.theme_file("pdf/fonts.css")
        check_glyphs(seen, fonts, ", ".join(declared_fonts(fonts)), report)
    report.raise_if_any()
    assert content is not None  # loading raised no problem, so it returned the content
    return content


def logo_digest(project: Project, content: Content) -> str:
    logo = content.config.logo
    return digest_file(project.root / logo) if logo else ""


class SearchIndex:
    """The search index of a build: kept from the last build, or being made by Pagefind."""

    def __init__(self, pages: StageOutput, cache: Cache, out_dir: Path) -> None:
        html = sorted((path, key) for path, key in pages.keys.items() if path.endswith(".html"))
        self.key = fingerprint(SEARCH_VERSION, html)
        self.job = None
        old = [path for path in cache.outputs if path.startswith(SEARCH_FOLDER + "/")]
        self.reused = old if old and all(cache.reusable(out_dir, p, self.key) for p in old) else []
        if not self.reused:  # made again only when some page's key changed
            self.job = SearchJob(
                {
                    path: pages.files[path]
                    if path in pages.files
                    else (out_dir / path).read_bytes()
                    for path, _ in html
                }
            )

    def result(self) -> StageOutput:
        index = StageOutput(reused=self.reused)
        if self.job is not None:
            index.files = self.job.result()
        index.keys = dict.fromkeys([*index.files, *index.reused], self.key)
        return index

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()


def render_all_pdfs(
    plan: Plan,
    env: jinja2.Environment,
    project: Project,
    cache: Cache,
    out_dir: Path,
    pool: Pool,
    *,
    paper: str | None,
    progress: Progress | None,
) -> PdfResults:
    """Stage 4: the PDFs that changed, on ``pool``; the others are taken from the cache."""
    if not plan.pdfs:
        return PdfResults()
    # no WeasyPrint in this process unless --jobs 1
    from workbook.render.pdf.schedule import render_pdfs

    def previous(path: str) -> bytes | None:
        try:
            return (out_dir / path).read_bytes()
        except OSError:
            return None

    return render_pdfs(
        plan,
        env,
        project,
        paper=paper,
        pool=pool,
        cache=cache,
        reusable=lambda path, key: cache.reusable(out_dir, path, key),
        previous=previous,
        progress=progress,
    )


def static_files(plan: Plan) -> dict[str, Path]:
    """Files copied as they are: theme assets, images used by content, the logo."""
    project = plan.site.content.project
    copies = theme_assets(project)
    for media in plan.media:
        copies[f"media/{media}"] = project.content_dir / media
    logo = plan.site.config.logo
    if plan.site.logo_path and logo:
        copies[plan.site.logo_path] = project.root / logo
    return copies
