"""What a PDF document is made from: its page setup, engine, links, labels and the
context its template sees. The build's PDFs (:mod:`workbook.render.pdf.schedule`)
and client packets (:mod:`workbook.packets.make`) both use these, so a sheet
is laid out from the same context wherever it is printed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workbook.content.load import Content
from workbook.model.blocks import SheetDoc
from workbook.model.fields import cover_name_field, option_key
from workbook.model.plan import PdfJob, Site
from workbook.model.sheets import part_title
from workbook.project import Project
from workbook.render.pdf.setup import PageSetup
from workbook.render.templates import markdown_html


def page_setup(content: Content, paper: str | None) -> PageSetup:
    """What every page shows; the one place the paper is chosen: ``paper`` (``--paper``)
    when given, else workbook.yaml's. Everything else that names the paper (the
    template's ``paper``, a PDF's description) takes it from here."""
    config = content.config
    return PageSetup(
        paper=paper or config.paper,
        organization=config.organization,
        support_note=config.support_note,
        page_label=content.t("Page {page} of {pages}"),
        accent_color=config.accent_color,
    )


def link_resolver(job: PdfJob, site: Site, project: Project) -> Callable[[str], str | None]:
    """Where a Markdown link or image goes inside this PDF."""
    anchors = {
        f"guidance/{part.guidance.slug}.html": part.anchor for part in job.parts if part.guidance
    }
    anchors.update({f"{part.sheet.key}.html": part.anchor for part in job.parts if part.sheet})
    content_dir = project.content_dir

    def resolve(target: str) -> str | None:
        if target.startswith("media/"):
            return (content_dir / target[len("media/") :]).as_uri()
        path = target.split("#")[0]
        if path in anchors:
            return "#" + anchors[path]
        if site.config.site_url:
            return site.absolute(target)
        return None  # a page this PDF does not hold and no site address: text only

    return resolve


def job_sheets(job: PdfJob) -> list[SheetDoc]:
    return [job.sheet] if job.sheet else [part.sheet for part in job.parts if part.sheet]


def field_labels(docs: list[SheetDoc], extra: dict[str, str] | None = None) -> dict[str, str]:
    """Field name → accessible label (the PDF tooltip); each radio option's own name under
    its ``option_key``."""
    labels = {f.name: f.label for doc in docs for f in doc.fields}
    labels.update(
        (option_key(f.name, str(o.value)), o.spoken)
        for doc in docs
        for f in doc.fields
        for o in f.options or ()
        if o.spoken
    )
    labels.update(extra or {})
    return labels


@dataclass(frozen=True)
class ContentsEntry:
    """A workbook part as its contents list shows it."""

    kind: str  # guidance | sheet
    anchor: str
    title: str
    kind_label: str  # "Tracker", "" for a guide


def contents_entries(job: PdfJob) -> list[ContentsEntry]:
    return [
        ContentsEntry(p.kind, p.anchor, p.title, p.sheet.kind_label if p.sheet else "")
        for p in job.parts
    ]


def cover_field(job: PdfJob) -> str:
    assert job.workbook is not None  # only a workbook has a cover
    return cover_name_field(job.workbook.slug)


def pdf_context(
    job: PdfJob, site: Site, project: Project, paper: str, **extra: Any
) -> dict[str, Any]:
    """What the template of ``job`` sees (``extra`` adds to it: a workbook's part, a
    packet's client)."""
    resolve = link_resolver(job, site, project)
    logo = site.config.logo
    return {
        "config": site.config,
        "paper": paper,
        "title": job.title,
        "description": job.sheet.goal.data.summary if job.sheet and job.sheet.goal else "",
        "md": lambda html: markdown_html(html, resolve),
        "sheet": job.sheet,
        "sheet_title": part_title(job.sheet) if job.sheet else None,
        "workbook": job.workbook,
        "parts": contents_entries(job) if job.workbook else job.parts,
        "logo_url": (project.root / logo).as_uri() if logo else None,
        "name_field": cover_field(job) if job.workbook else None,
        **extra,
    }
