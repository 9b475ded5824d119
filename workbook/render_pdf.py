"""Stage 4: turn planned PDF jobs into PDF bytes.

Each job's HTML comes from the theme's ``pdf/`` templates (the same block
macros as the site), then :class:`~workbook.pdf.PdfEngine` lays it out.
"""

from __future__ import annotations

from typing import Callable

import jinja2

from .formdata import info_entries
from .html import markdown_html, render_template
from .pdf import PageSetup, PdfEngine, RenderedPdf, declared_fonts
from .plan import PdfJob, Plan, Site
from .project import Project, default_theme
from .sheets import SheetDoc


def page_setup(site: Site, paper: str | None) -> PageSetup:
    config = site.config
    return PageSetup(
        paper=paper or config.paper,
        organization=config.organization,
        support_note=config.support_note,
        page_label=site.content.t("Page {page} of {pages}"),
        accent_color=config.accent_color,
    )


def make_engine(project: Project, setup: PageSetup) -> PdfEngine:
    fonts = project.theme_file("pdf/fonts.css")
    return PdfEngine([fonts, project.theme_file("pdf/pdf.css")], setup,
                     roots=[project.root, default_theme()], font_families=declared_fonts(fonts))


def render_pdfs(plan: Plan, env: jinja2.Environment, project: Project,
                paper: str | None = None) -> dict[str, RenderedPdf]:
    if not plan.pdfs:
        return {}
    engine = make_engine(project, page_setup(plan.site, paper))
    base_url = project.root.as_uri() + "/"
    results: dict[str, RenderedPdf] = {}
    for job in plan.pdfs:
        html = pdf_source(job, plan.site, env, project)
        results[job.path] = engine.render(html, base_url=base_url, name=job.path,
                                          labels=field_labels(job, plan.site.content.t),
                                          info=info_entries(job_sheets(job), plan.site.config))
    return results


def job_sheets(job: PdfJob) -> list[SheetDoc]:
    return [job.sheet] if job.sheet else [part.sheet for part in job.parts if part.sheet]


def field_labels(job: PdfJob, t: Callable[..., str]) -> dict[str, str]:
    """Field name → accessible label, for every field in the job's PDF."""
    labels = {f.name: f.label for doc in job_sheets(job) for f in doc.fields}
    if job.workbook:
        labels[cover_field(job)] = t("This workbook belongs to")
    return labels


def cover_field(job: PdfJob) -> str:
    return f"{job.workbook.slug}_cover-name"


def pdf_link_resolver(job: PdfJob, site: Site, project: Project) -> Callable[[str], str | None]:
    """Where a Markdown link or image goes inside this PDF."""
    anchors = {f"guidance/{part.guidance.slug}.html": part.anchor
               for part in job.parts if part.guidance}
    anchors.update({f"{part.sheet.key}.html": part.anchor for part in job.parts if part.sheet})
    site_url = site.config.site_url

    def resolve(target: str) -> str | None:
        if target.startswith("media/"):
            return (project.content_dir / target[len("media/"):]).as_uri()
        path = target.split("#")[0]
        if path in anchors:
            return "#" + anchors[path]
        if site_url:
            return site.absolute(target)
        return None  # a page this PDF does not hold and no site address: keep the text only

    return resolve


def pdf_source(job: PdfJob, site: Site, env: jinja2.Environment, project: Project) -> str:
    resolve = pdf_link_resolver(job, site, project)
    logo = site.config.logo
    context = {
        "site": site,
        "config": site.config,
        "paper": site.config.paper,
        "title": job.title,
        "description": job.sheet.goal.data.summary if job.sheet and job.sheet.goal else "",
        "md": lambda html: markdown_html(html, resolve),
        "sheet": job.sheet,
        "workbook": job.workbook,
        "parts": job.parts,
        "logo_url": (project.root / logo).as_uri() if logo else None,
        "name_field": cover_field(job) if job.workbook else None,
    }
    return render_template(env, project, job.template, context)

