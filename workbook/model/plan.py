"""Stage 2: plan the outputs.

From validated :class:`~workbook.content.Content`, decide every file the
build writes: HTML pages (template + context), PDFs (one per sheet and per
workbook) and the images to copy. Nothing is rendered here.

Each page gets only the data its template needs. That is what makes
incremental builds exact: an output's cache key is a fingerprint of its
context, and a template can see nothing else. Pages about one thing (a goal,
a sheet, a guide) get that thing plus small :class:`Link`s to their
neighbours and :class:`SiteInfo`; only the listing pages (home, indexes) get
the whole :class:`Site`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urljoin

from workbook.content import schema
from workbook.content.files import GoalFile, GuidanceFile, WorkbookFile
from workbook.content.load import Content
from workbook.errors import Report
from workbook.model.blocks import SheetDoc
from workbook.model.sheets import all_sheets, goal_sheet_kinds, part_title


@dataclass(frozen=True)
class Link:
    """Just enough about another page to link to it."""

    path: str
    title: str
    summary: str = ""
    kind: str = ""  # e.g. "worksheet", "guidance"
    kind_label: str = ""
    pdf: str | None = None  # its download, when PDFs are built


@dataclass
class Page:
    """One HTML (or XML) file of the site."""

    path: str  # output path, '/'-separated
    template: str
    title: str
    context: dict = field(default_factory=dict)
    crumbs: list[tuple[str, str]] = field(default_factory=list)  # (path, title) above this page
    in_sitemap: bool = True
    description: str = ""  # for <meta name="description">: what search results show


@dataclass
class Part:
    """A chapter of a workbook PDF: a guidance article or a sheet."""

    kind: str  # guidance | sheet
    anchor: str
    title: str
    guidance: GuidanceFile | None = None
    sheet: SheetDoc | None = None


@dataclass
class PdfJob:
    path: str
    title: str
    template: str  # pdf/sheet.html | pdf/workbook.html
    sheet: SheetDoc | None = None
    workbook: WorkbookFile | None = None
    parts: list[Part] = field(default_factory=list)
    landscape: bool = False

    @property
    def source_rel(self) -> str:
        if self.sheet:
            return self.sheet.source_rel
        assert self.workbook is not None  # a PDF is a sheet's or a workbook's
        return self.workbook.source.rel


@dataclass
class Area:
    id: str
    label: str
    goals: list[GoalFile]


@dataclass
class SiteInfo:
    """What every page may use: the settings, the logo, whether PDFs exist."""

    config: schema.Config
    logo_digest: str  # so a new logo file re-renders the pages that show it
    with_pdfs: bool

    @property
    def logo_path(self) -> str | None:
        """Where the logo is copied in the output, if there is one."""
        logo = self.config.logo
        return f"assets/logo{PurePosixPath(logo).suffix.lower()}" if logo else None

    def absolute(self, path: str) -> str:
        """A full URL for the sitemap when ``site_url`` is set, else the site path."""
        base = self.config.site_url
        return urljoin(base.rstrip("/") + "/", path) if base else path


@dataclass
class Site(SiteInfo):
    """Everything the listing pages may show: the navigation model of the whole site."""

    content: Content = None  # type: ignore[assignment]
    areas: list[Area] = field(default_factory=list)
    guidance: list[GuidanceFile] = field(default_factory=list)
    sheets: list[SheetDoc] = field(default_factory=list)  # every sheet, goal sheets first
    free_sheets: list[SheetDoc] = field(default_factory=list)
    questionnaires: list[SheetDoc] = field(default_factory=list)  # the published ones
    workbooks: list[WorkbookFile] = field(default_factory=list)
    sheet_by_key: dict[str, SheetDoc] = field(default_factory=dict)
    pdf_of: dict[str, str] = field(default_factory=dict)  # sheet key or "workbooks/<slug>" → PDF

    def __fingerprint__(self) -> tuple:
        return ("site", self.info, self.content, self.pdf_of)

    @property
    def info(self) -> SiteInfo:
        return SiteInfo(self.config, self.logo_digest, self.with_pdfs)

    def area_label(self, area_id: str) -> str:
        return next(area.label for area in self.areas if area.id == area_id)

    def goal_sheets(self, goal: GoalFile) -> list[SheetDoc]:
        return [self.sheet_by_key[f"goals/{goal.slug}/{kind}"] for kind in goal_sheet_kinds(goal)]


@dataclass
class Plan:
    site: Site
    pages: list[Page]
    pdfs: list[PdfJob]
    media: list[str]  # content-relative paths of images used by Markdown


# ----------------------------------------------------------------- paths


def goal_path(slug: str) -> str:
    return f"goals/{slug}.html"


def guidance_path(slug: str) -> str:
    return f"guidance/{slug}.html"


def sheet_path(doc: SheetDoc) -> str:
    return f"{doc.key}.html"


def workbook_path(slug: str) -> str:
    return f"workbooks/{slug}.html"


def pdf_path(doc_or_slug: SheetDoc | str) -> str:
    if isinstance(doc_or_slug, str):
        return f"downloads/{doc_or_slug}.pdf"
    if doc_or_slug.goal is not None:
        return f"downloads/{doc_or_slug.goal.slug}-{doc_or_slug.kind}.pdf"
    return f"downloads/{doc_or_slug.prefix}.pdf"


# ----------------------------------------------------------------- planning


def plan_site(content: Content, *, with_pdfs: bool, logo_digest: str = "") -> Plan:
    report = Report()
    sheets = all_sheets(content)
    site = Site(
        config=content.config,
        logo_digest=logo_digest,
        with_pdfs=with_pdfs,
        content=content,
        areas=_areas(content),
        guidance=sorted(content.guidance.values(), key=lambda g: (g.data.order, g.data.title)),
        sheets=sheets,
        free_sheets=[s for s in sheets if s.goal is None and s.questionnaire is None],
        questionnaires=[s for s in sheets if s.questionnaire is not None],
        workbooks=sorted(content.workbooks.values(), key=lambda w: (w.data.order, w.data.title)),
        sheet_by_key={s.key: s for s in sheets},
    )
    pdfs = [
        PdfJob(
            pdf_path(doc),
            f"{doc.title} – {doc.kind_label}",
            "pdf/sheet.html",
            sheet=doc,
            landscape=doc.landscape,
        )
        for doc in sheets
    ]
    pdfs += [_workbook_job(site, wb) for wb in site.workbooks]
    _check_pdf_names(pdfs, report)
    for job in pdfs:
        _check_field_names(job, report)
    report.raise_if_any()
    if with_pdfs:
        site.pdf_of = {_made_from(job): job.path for job in pdfs}
    pages = _pages(site, pdfs)
    media = sorted(
        {image for g in content.guidance.values() for image in g.body.images}
        | {
            image
            for s in content.sheets.values()
            for r in [s.intro, *s.texts.values()]
            if r
            for image in r.images
        }
        | {image for w in content.workbooks.values() if w.intro for image in w.intro.images}
    )
    return Plan(site, pages, pdfs if with_pdfs else [], media)


def _pages(site: Site, pdfs: list[PdfJob]) -> list[Page]:
    t = site.content.t
    info = site.info
    home = ("index.html", t("Home"))
    goals_index = ("goals/index.html", t("Goals"))
    guidance_index = ("guidance/index.html", t("Guidance"))
    sheets_index = ("sheets/index.html", t("Sheets"))
    workbooks_index = ("workbooks/index.html", t("Workbooks"))
    listing = {"site": site}
    # the listing pages' own lead paragraphs (the templates show the same messages)
    pages = [
        Page(
            "index.html",
            "home.html",
            site.config.title,
            listing,
            description=t(
                "Worksheets, trackers and short guides to help you set goals for therapy, follow "
                "your progress and get ready for each session."
            ),
        ),
        Page(
            goals_index[0],
            "goals.html",
            goals_index[1],
            listing,
            crumbs=[home],
            description=t(
                "Each goal comes with a worked example, a worksheet to plan your own version, a "
                "tracker and a sheet to prepare for your sessions."
            ),
        ),
        Page(
            guidance_index[0],
            "guidance-index.html",
            guidance_index[1],
            listing,
            crumbs=[home],
            description=t(
                "Short, practical guides to setting goals and getting the most from therapy."
            ),
        ),
        Page(
            sheets_index[0],
            "sheets.html",
            sheets_index[1],
            listing,
            crumbs=[home],
            description=t(
                "Fill a sheet in here in your browser, or download it as a PDF to "
                "print or fill in on your computer or phone."
            ),
        ),
        Page(
            workbooks_index[0],
            "workbooks.html",
            workbooks_index[1],
            listing,
            crumbs=[home],
            description=t(
                "Workbooks bundle guides and sheets into one PDF to print or fill "
                "in, in a sensible order."
            ),
        ),
    ]
    for area in site.areas:
        for index, goal in enumerate(area.goals):
            docs = site.goal_sheets(goal)
            pages.append(
                Page(
                    goal_path(goal.slug),
                    "goal.html",
                    goal.data.title,
                    {
                        "site": info,
                        "goal": goal,
                        "area_label": area.label,
                        "previous": _goal_link(area.goals[index - 1]) if index > 0 else None,
                        "next": _goal_link(area.goals[index + 1])
                        if index + 1 < len(area.goals)
                        else None,
                        "sheets": [_sheet_link(site, doc) for doc in docs],
                        "guides": [
                            _guidance_link(site.content.guidance[slug])
                            for slug in goal.data.guidance
                        ],
                        "questionnaires": [
                            _sheet_link(site, site.sheet_by_key[f"questionnaires/{slug}"])
                            for slug in goal.data.questionnaires
                            if f"questionnaires/{slug}" in site.sheet_by_key
                        ],
                    },
                    crumbs=[home, goals_index],
                    description=goal.data.summary,
                )
            )
            for doc in docs:
                pages.append(
                    Page(
                        sheet_path(doc),
                        "sheet.html",
                        f"{doc.title} – {doc.kind_label}",
                        {"site": info, "sheet": doc, "pdf": site.pdf_of.get(doc.key)},
                        crumbs=[home, goals_index, (goal_path(goal.slug), goal.data.title)],
                        description=goal.data.summary,
                    )
                )
    goals_in_order = [goal for area in site.areas for goal in area.goals]
    for index, guidance in enumerate(site.guidance):
        pages.append(
            Page(
                guidance_path(guidance.slug),
                "guidance.html",
                guidance.data.title,
                {
                    "site": info,
                    "guidance": guidance,
                    "goals": [
                        _goal_link(g) for g in goals_in_order if guidance.slug in g.data.guidance
                    ],
                    "previous": _guidance_link(site.guidance[index - 1]) if index > 0 else None,
                    "next": (
                        _guidance_link(site.guidance[index + 1])
                        if index + 1 < len(site.guidance)
                        else None
                    ),
                },
                crumbs=[home, guidance_index],
                description=guidance.data.summary,
            )
        )
    for doc in site.free_sheets:
        sheet = doc.sheet
        assert sheet is not None  # a free sheet's doc is made from its file
        pages.append(
            Page(
                sheet_path(doc),
                "sheet.html",
                doc.title,
                {"site": info, "sheet": doc, "pdf": site.pdf_of.get(doc.key)},
                crumbs=[home, sheets_index],
                description=sheet.data.summary or (sheet.intro.text if sheet.intro else doc.title),
            )
        )
    for doc in site.questionnaires:
        assert doc.questionnaire is not None  # a questionnaire's doc is made from its file
        q = doc.questionnaire.data
        pages.append(
            Page(
                sheet_path(doc),
                "sheet.html",
                doc.title,
                {"site": info, "sheet": doc, "pdf": site.pdf_of.get(doc.key)},
                crumbs=[home, sheets_index],
                description=q.summary or q.period or doc.title,
            )
        )
    for job in pdfs:
        if job.workbook:
            wb = job.workbook
            pages.append(
                Page(
                    workbook_path(wb.slug),
                    "workbook.html",
                    wb.data.title,
                    {
                        "site": info,
                        "workbook": wb,
                        "parts": [_part_link(part) for part in job.parts],
                        "pdf": site.pdf_of.get(f"workbooks/{wb.slug}"),
                    },
                    crumbs=[home, workbooks_index],
                    description=wb.data.subtitle or (wb.intro.text if wb.intro else wb.data.title),
                )
            )
    pages.append(
        Page(
            "search.html",
            "search.html",
            t("Search"),
            {"site": info},
            crumbs=[home],
            in_sitemap=False,
            description=t("Search the goals, guides and sheets of this site."),
        )
    )
    pages.append(
        Page(
            "404.html",
            "404.html",
            t("Page not found"),
            {"site": info},
            in_sitemap=False,
            description=t("This page does not exist, or it has moved."),
        )
    )
    sitemap = [page.path for page in pages if page.in_sitemap]
    pages.append(
        Page(
            "sitemap.xml",
            "sitemap.xml",
            "sitemap",
            {"site": info, "sitemap": sitemap},
            in_sitemap=False,
        )
    )
    return pages


def _goal_link(goal: GoalFile) -> Link:
    return Link(goal_path(goal.slug), goal.data.title, goal.data.summary, "goal")


def _guidance_link(guidance: GuidanceFile) -> Link:
    return Link(
        guidance_path(guidance.slug), guidance.data.title, guidance.data.summary, "guidance"
    )


def _made_from(job: PdfJob) -> str:
    """The key of what a PDF is made from: a sheet's, or ``workbooks/<slug>``."""
    if job.sheet:
        return job.sheet.key
    assert job.workbook is not None  # a PDF is a sheet's or a workbook's
    return f"workbooks/{job.workbook.slug}"


def _sheet_link(site: Site, doc: SheetDoc) -> Link:
    return Link(sheet_path(doc), doc.title, "", doc.kind, doc.kind_label, site.pdf_of.get(doc.key))


def _part_link(part: Part) -> Link:
    if part.guidance:
        return Link(guidance_path(part.guidance.slug), part.title, "", "guidance")
    assert part.sheet is not None  # a part is a guide or a sheet
    return Link(sheet_path(part.sheet), part.title, "", part.sheet.kind, part.sheet.kind_label)


def _areas(content: Content) -> list[Area]:
    """The areas in order; the default areas' labels are theme text in the site's language."""
    areas = []
    own = isinstance(content.config_source.data, dict) and "areas" in content.config_source.data
    for area_id, label in content.config.areas.items():
        label = label if own else content.t(label)
        goals = sorted(
            (g for g in content.goals.values() if g.data.area == area_id),
            key=lambda g: (g.data.order, g.data.title),
        )
        areas.append(Area(area_id, label, goals))
    return areas


def _workbook_job(site: Site, workbook: WorkbookFile) -> PdfJob:
    parts: list[Part] = []
    content = site.content
    for entry in workbook.data.contents:
        if entry.guidance:
            guidance = content.guidance[entry.guidance]
            parts.append(
                Part(
                    "guidance", f"guidance-{guidance.slug}", guidance.data.title, guidance=guidance
                )
            )
        elif entry.sheet or entry.questionnaire:
            key = (
                f"sheets/{entry.sheet}" if entry.sheet else f"questionnaires/{entry.questionnaire}"
            )
            doc = site.sheet_by_key[key]
            parts.append(Part("sheet", f"sheet-{doc.prefix}", part_title(doc), sheet=doc))
        elif entry.goal:
            for kind in entry.sheets or goal_sheet_kinds(content.goals[entry.goal]):
                doc = site.sheet_by_key[f"goals/{entry.goal}/{kind}"]
                parts.append(Part("sheet", f"sheet-{doc.prefix}", part_title(doc), sheet=doc))
    return PdfJob(
        pdf_path(workbook.slug),
        workbook.data.title,
        "pdf/workbook.html",
        workbook=workbook,
        parts=parts,
    )


def _check_pdf_names(jobs: list[PdfJob], report: Report) -> None:
    """Two sources must not claim one download (a sheet 'sleep-tracker' and goal 'sleep')."""
    seen: dict[str, str] = {}
    for job in jobs:
        rel = job.source_rel
        if job.path in seen and seen[job.path] != rel:
            report.add(
                rel,
                None,
                f"its download {job.path} has the same name as the one from "
                f"{seen[job.path]}; rename one of the files",
            )
        seen.setdefault(job.path, rel)


def _check_field_names(job: PdfJob, report: Report) -> None:
    """Form-field names must be unique in a PDF, or readers mix the fields up."""
    owner: dict[str, SheetDoc] = {}
    docs = [job.sheet] if job.sheet else [part.sheet for part in job.parts if part.sheet]
    for doc in docs:
        for f in doc.fields:
            other = owner.setdefault(f.name, doc)
            if other is not doc:
                report.add(
                    job.source_rel,
                    None,
                    f"{doc.source_rel} and {other.source_rel} both make a form "
                    f"field named '{f.name}'; change a block id or file name",
                )
