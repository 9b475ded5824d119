"""Stage 4: turn planned PDF jobs into PDF bytes — in parallel, and only what changed.

Every PDF gets a cache key: a fingerprint of its template context, the
templates it uses, the stylesheets and fonts, the page setup and this
engine's code. A PDF whose key is unchanged is taken from the previous
output or from the cache; the rest are rendered on every core.

Sheets are laid out without page numbers, which are stamped on afterwards
(see :mod:`workbook.pdfmerge`), so that a workbook can use a sheet's own PDF
as it is. A workbook is made from its parts' PDFs (:class:`WorkbookBuild`):
its sheets' own PDFs, and its guides laid out for it; then its cover and
contents, numbered from the parts' page counts; then its page numbers; then
the join, in a worker process. Each of these is cached under its own key,
so editing one goal lays out only that goal's sheets again.
"""

from __future__ import annotations

import heapq
import itertools
import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from typing import Callable

import jinja2

from workbook.output.cache import CODE_DIGEST, Cache, digest_file, fingerprint
from workbook.model.formdata import info_entries
from workbook.render.html import TemplateDigests, markdown_html, render_template
from workbook.render.pdf.fonts import font_files
from workbook.render.pdf.setup import EngineSpec, PageSetup, page_css, theme_engine_spec
from workbook.content.load import Content
from workbook.model.plan import Part, PdfJob, Plan, Site
from workbook.render.pdf.pool import PdfResults, Pool, Task
from workbook.project import Project
from workbook.model.sheets import SheetDoc, part_title, sheet_links

Progress = Callable[[int, int, str], None]  # done, total, current item

# Which queued task runs first (lower first): a workbook's own steps (its parts, cover
# and contents, page numbers, join) finish it, the contents' page count unlocks its
# cover and contents, and the sheets a workbook holds unlock those.
WORKBOOK_STEP, COUNT, SHEET_IN_WORKBOOK, SHEET = range(4)


def page_setup(content: Content, paper: str | None) -> PageSetup:
    config = content.config
    return PageSetup(
        paper=paper or config.paper,
        organization=config.organization,
        support_note=config.support_note,
        page_label=content.t("Page {page} of {pages}"),
        accent_color=config.accent_color,
    )


def engine_spec(project: Project, setup: PageSetup) -> EngineSpec:
    return theme_engine_spec(project, setup)


def link_resolver(job: PdfJob, site: Site, project: Project) -> Callable[[str], str | None]:
    """Where a Markdown link or image goes inside this PDF."""
    anchors = {f"guidance/{part.guidance.slug}.html": part.anchor
               for part in job.parts if part.guidance}
    anchors.update({f"{part.sheet.key}.html": part.anchor for part in job.parts if part.sheet})
    content_dir = project.content_dir

    def resolve(target: str) -> str | None:
        if target.startswith("media/"):
            return (content_dir / target[len("media/"):]).as_uri()
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
    """Field name → accessible label (the PDF tooltip)."""
    labels = {f.name: f.label for doc in docs for f in doc.fields}
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
    return [ContentsEntry(p.kind, p.anchor, p.title, p.sheet.kind_label if p.sheet else "")
            for p in job.parts]


def cover_field(job: PdfJob) -> str:
    return f"{job.workbook.slug}_cover-name"


# --------------------------------------------------------------------------- rendering


class PdfRenderer:
    """Renders a plan's PDFs; see the module docstring."""

    def __init__(self, plan: Plan, env: jinja2.Environment, project: Project, *,
                 paper: str | None, cache: Cache | None,
                 reusable: Callable[[str, str], bool] = lambda path, key: False,
                 previous: Callable[[str], bytes | None] = lambda path: None,
                 progress: Progress | None = None):
        self.plan, self.env, self.project = plan, env, project
        self.site = plan.site
        self.t = self.site.content.t
        self.cache = cache
        self.reusable = reusable
        self.progress = progress or (lambda done, total, item: None)
        self.setup = page_setup(self.site.content, paper)
        self.spec = engine_spec(project, self.setup)
        self.base_url = project.root.as_uri() + "/"
        self.templates = TemplateDigests(env)
        self.style = self._style_digest()
        self.results = PdfResults()
        self.known: dict[str, tuple[int, str]] = {}  # key → pages and layout of a sheet's PDF
        self.previous = previous
        self.sheet_jobs = {job.sheet.key: job for job in plan.pdfs if job.sheet}

    # -- keys

    def _style_digest(self) -> str:
        """Everything every PDF depends on besides its own content."""
        fonts = self.spec.stylesheets[0]
        files = [*self.spec.stylesheets, *font_files(fonts)]
        logo = self.site.config.logo
        if logo:
            files.append(self.project.root / logo)
        return fingerprint(CODE_DIGEST, [(p.name, digest_file(p)) for p in files if p.is_file()],
                           page_css(self.setup), self.templates.locales(), self.site.config)

    def job_key(self, job: PdfJob) -> str:
        return fingerprint(self.style, self.templates.digest(job.template), job.path, job.title,
                           job.sheet, job.workbook, job.parts)

    # -- sources

    def link_resolver(self, job: PdfJob) -> Callable[[str], str | None]:
        return link_resolver(job, self.site, self.project)

    def source(self, job: PdfJob, **extra) -> str:
        resolve = self.link_resolver(job)
        logo = self.site.config.logo
        context = {
            "config": self.site.config,
            "paper": self.setup.paper,
            "title": job.title,
            "description": job.sheet.goal.data.summary if job.sheet and job.sheet.goal else "",
            "md": lambda html: markdown_html(html, resolve),
            "sheet": job.sheet,
            "sheet_title": part_title(job.sheet) if job.sheet else None,
            "workbook": job.workbook,
            "parts": contents_entries(job) if job.workbook else job.parts,
            "logo_url": (self.project.root / logo).as_uri() if logo else None,
            "name_field": cover_field(job) if job.workbook else None,
            **extra,
        }
        return render_template(self.env, self.project, job.template, context)

    # -- the build

    def run(self, pool: Pool) -> PdfResults:
        """Render what changed on ``pool``: the most urgent and largest documents first,
        so the build does not end waiting on one big document."""
        todo = self._take_unchanged()
        started = time.perf_counter()
        total, done = len(todo), 0
        self.queue: list = []  # heap of (urgency, -cost, order, make_task, callback, owner)
        self.order = itertools.count()
        in_workbooks = {part.sheet.key for job in todo if job.workbook for part in job.parts
                        if part.sheet}
        for job in (j for j in todo if j.sheet):
            urgency = SHEET_IN_WORKBOOK if job.sheet.key in in_workbooks else SHEET
            self._submit(lambda job=job: self._sheet_task(job),
                         lambda result, job=job: self._sheet_done(job, result),
                         owner=job.path, urgency=urgency, cost=len(job.sheet.fields))
        workbooks = [WorkbookBuild(self, job) for job in todo if job.workbook]
        finished: list[str] = []
        for workbook in workbooks:
            finished += workbook.advance()
        running: dict[Future, tuple[Callable, str]] = {}
        limit = 1 if pool.jobs == 1 else 2 * pool.jobs
        while True:
            for name in finished:
                done += 1
                self.progress(done, total, name)
            finished = []
            while self.queue and len(running) < limit:
                _, _, _, make, callback, owner = heapq.heappop(self.queue)
                running[pool.submit(make(), self.spec)] = (callback, owner)
            if not running:
                break
            ready, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in ready:
                callback, owner = running.pop(future)
                result = future.result()  # a WorkbookError from a worker is raised here
                self.results.engine_seconds += result.seconds
                times = self.results.engine_times
                times[owner] = times.get(owner, 0.0) + result.seconds
                name = callback(result)
                if name:
                    finished.append(name)
            for workbook in workbooks:
                finished += workbook.advance()
        stuck = [w.job.path for w in workbooks if w.stage != "reported"]
        if stuck:  # a part that never came: a bug, never a user's mistake
            raise RuntimeError(f"workbooks left unfinished: {', '.join(stuck)}")
        self.results.wall_seconds = time.perf_counter() - started
        return self.results

    def _take_unchanged(self) -> list[PdfJob]:
        """Record every job's key; keep unchanged PDFs; return the jobs to render."""
        todo = []
        for job in self.plan.pdfs:
            key = self.job_key(job)
            self.results.keys[job.path] = key
            known = self.cache.layout(key) if self.cache else None
            if known is not None and self.reusable(job.path, key):
                self.results.reused.append(job.path)
                self.results.pages[job.path] = known[0]
                self.known[key] = known
                continue
            stored = self.cache.get_pdf(key) if self.cache else None
            if stored is not None:
                data, pages, layout = stored
                self.results.files[job.path], self.results.pages[job.path] = data, pages
                self.known[key] = (pages, layout)
                continue
            todo.append(job)
        return todo

    def _submit(self, make: Callable[[], Task], callback: Callable, *, owner: str,
                urgency: int, cost: int = 0) -> None:
        """Queue a task; ``make`` builds it (renders its HTML) when its turn comes."""
        heapq.heappush(self.queue, (urgency, -cost, next(self.order), make, callback, owner))

    def _sheet_task(self, job: PdfJob) -> Task:
        return Task(self.results.keys[job.path], job.path, self.source(job), self.base_url,
                    field_labels([job.sheet]), cost=len(job.sheet.fields),
                    info=info_entries([job.sheet], self.site.config), numbering="stamp")

    def _sheet_done(self, job: PdfJob, result) -> str:
        self._store(job.path, result.key, result.data, result.pages, result.layout)
        return job.path

    def _store(self, path: str, key: str, data: bytes, pages: int, layout: str) -> None:
        self.results.files[path] = data
        self.results.pages[path] = pages
        self.results.rendered.append(path)
        self.known[key] = (pages, layout)
        if self.cache:
            self.cache.put_pdf(key, data, pages, layout)

    def stored(self, key: str) -> tuple[bytes, int, str] | None:
        """A PDF rendered before under ``key`` (a workbook part, a page count, numbers)."""
        return self.cache.get_pdf(key) if self.cache else None

    def keep(self, key: str, result) -> tuple[bytes, int, str]:
        if self.cache and result.data is not None:
            self.cache.put_pdf(key, result.data, result.pages, result.layout)
        return result.data, result.pages, result.layout

    # -- sheets inside workbooks

    def own_pdf(self, part: Part, job: PdfJob) -> PdfJob | None:
        """The sheet's own PDF job, when a workbook can use that PDF as it is: the sheet
        is named the same, and its links lead to the same places inside the workbook as
        outside (a link to a guide the workbook holds must jump inside it instead)."""
        own = self.sheet_jobs.get(part.sheet.key) if part.sheet else None
        if own is None or part.title != part_title(part.sheet):
            return None
        inside, outside = self.link_resolver(job), self.link_resolver(own)
        if any(inside(target) != outside(target) for target in sheet_links(part.sheet)):
            return None
        return own

    def finished(self, job: PdfJob) -> tuple[bytes, int, str] | None:
        """A sheet's own PDF, once it is rendered or taken from before."""
        key = self.results.keys[job.path]
        if key not in self.known:
            return None
        pages, layout = self.known[key]
        data = self.results.files.get(job.path)
        if data is None:
            stored = self.cache.get_pdf(key) if self.cache else None
            data = stored[0] if stored else self.previous(job.path)
        if data is None:
            return None
        return data, pages, layout


class WorkbookBuild:
    """One workbook: its parts as PDFs, the cover and contents numbered from their page
    counts, the page numbers laid out, then everything joined.

    A sheet whose own PDF serves as it is (see :meth:`PdfRenderer.own_pdf`) is not
    rendered again: the join gives its pages the workbook's page numbers. The other
    parts (guides, sheets whose links jump inside the workbook) are rendered for it,
    without page numbers. No part depends on where it falls in the workbook, so editing
    one renders that one again; the page numbers are laid out again only when the
    workbook's page layout changes, and the cover and contents when its page numbers do.
    """

    MAX_ROUNDS = 3  # the contents laid out to another length than counted: again

    def __init__(self, renderer: PdfRenderer, job: PdfJob):
        self.r = renderer
        self.job = job
        self.key = renderer.results.keys[job.path]
        self.anchors = [part.anchor for part in job.parts]
        self.template = renderer.templates.digest(job.template)
        # what progress needs to read the workbook's trackers back (see formdata.py)
        self.info = info_entries(job_sheets(job), renderer.site.config)
        self.own: dict[str, PdfJob] = {}  # anchor → the sheet job whose PDF is used
        self.parts: dict[str, tuple[bytes, int, str]] = {}  # anchor → PDF, pages, layout
        self.front_pages: int | None = None
        self.front: tuple[bytes, int, str] | None = None
        self.front_key = ""
        self.numbers: tuple[bytes, int, str] | None = None
        self.stage = "parts"
        self.rounds = 0
        for part in job.parts:
            own = renderer.own_pdf(part, job)
            if own is not None:
                self.own[part.anchor] = own
            else:
                self._part(part)
        self._count_front()

    def _later(self, make: Callable[[], Task], then: Callable, cost: int = 0,
               urgency: int = WORKBOOK_STEP) -> None:
        self.r._submit(make, then, owner=self.job.path, urgency=urgency, cost=cost)

    # -- the parts, the cover and contents

    def _part(self, part: Part) -> None:
        key = fingerprint(self.r.style, self.template, "part", self.job.path, part,
                          self.anchors)
        stored = self.r.stored(key)
        if stored is not None:
            self.parts[part.anchor] = stored
            return
        labels = field_labels([part.sheet]) if part.sheet else {}
        self._later(lambda: Task(key, f"{self.job.path} ({part.anchor})",
                                 self._source([part], {}), self.r.base_url, labels,
                                 numbering="none"),
                    lambda result: self._got(part.anchor, key, result),
                    cost=len(part.sheet.fields) if part.sheet else 0)

    def _got(self, anchor: str, key: str, result) -> None:
        self.parts[anchor] = self.r.keep(key, result)

    def _front_key(self, *more) -> str:
        """What the cover and contents show: not the parts themselves, so editing a goal
        does not lay out the contents again unless its title or page count changes."""
        return fingerprint(self.r.style, self.template, "front", self.job.path, self.job.title,
                           self.job.workbook, contents_entries(self.job), self.info, *more)

    def _count_front(self) -> None:
        key = self._front_key("count")
        pages = self.r.cache.pages(key) if self.r.cache else None
        if pages is not None:
            self.front_pages = pages
            return
        placeholders = {anchor: 888 for anchor in self.anchors}
        self._later(lambda: Task(key, f"{self.job.path} (contents)",
                                 self._source(None, placeholders), self.r.base_url,
                                 count_only=True, numbering="none"),
                    lambda result: self._counted(key, result), urgency=COUNT)

    def _counted(self, key: str, result) -> None:
        self.front_pages = result.pages
        if self.r.cache:
            self.r.cache.put_pdf(key, b"", result.pages)

    def _source(self, chunk: list[Part] | None, page_numbers: dict[str, int]) -> str:
        """The cover and contents (``chunk`` None), or the parts in ``chunk``."""
        return self.r.source(self.job, front=chunk is None, chunk=chunk or [],
                             elsewhere=[a for a in self.anchors
                                        if not chunk or a not in {p.anchor for p in chunk}],
                             page_numbers=page_numbers)

    def _render_front(self) -> None:
        self.stage = "front"
        self.rounds += 1
        first_pages, page = {}, self.front_pages + 1
        for anchor in self.anchors:
            first_pages[anchor] = page
            page += self.parts[anchor][1]
        key = self._front_key(first_pages)
        self.front_key = key
        stored = self.r.stored(key)
        if stored is not None:
            self._front_done(key, stored)
            return
        labels = {cover_field(self.job): self.r.t("This workbook belongs to")}
        self._later(lambda: Task(key, f"{self.job.path} (contents)",
                                 self._source(None, first_pages), self.r.base_url, labels,
                                 info=self.info, numbering="none"),
                    lambda result: self._front_done(key, self.r.keep(key, result)))

    def _front_done(self, key: str, front: tuple[bytes, int, str]) -> None:
        if key != self.front_key:
            return
        if front[1] != self.front_pages and self.rounds < self.MAX_ROUNDS:
            self.front_pages = front[1]  # laid out longer or shorter than counted: again
            self.stage = "parts"
            return
        self.front = front

    # -- page numbers, and the join

    def _layout(self) -> str:
        """The joined workbook's page layout, 'P' or 'L' a page."""
        return self.front[2] + "".join(self.parts[anchor][2] for anchor in self.anchors)

    def _number(self) -> None:
        self.stage = "numbers"
        layout = self._layout()
        key = fingerprint(self.r.style, "numbers", layout)
        stored = self.r.stored(key)
        if stored is not None:
            self.numbers = stored
            return
        self._later(lambda: Task(key, f"{self.job.path} (page numbers)", numbers_for=layout),
                    lambda result: self._numbered(key, result))

    def _numbered(self, key: str, result) -> None:
        self.numbers = self.r.keep(key, result)

    def _join(self) -> None:
        from workbook.render.pdf.join import JoinPart

        self.stage = "joining"
        parts = [JoinPart(self.front[0])]
        parts += [JoinPart(self.parts[anchor][0], anchor) for anchor in self.anchors]
        layout = self._layout()
        self._later(lambda: Task(self.key, self.job.path, join=parts, overlay=self.numbers[0]),
                    lambda result: self._joined(result, len(layout), layout), cost=len(layout))

    def _joined(self, result, pages: int, layout: str) -> None:
        self.r._store(self.job.path, self.key, result.data, pages, layout)
        self.stage = "done"

    def advance(self) -> list[str]:
        """Start what has become possible; return the PDF's path once it is joined."""
        while True:
            before = (self.stage, self.rounds)
            self._step()
            if self.stage == "done":
                self.stage = "reported"
                return [self.job.path]
            if (self.stage, self.rounds) == before:
                return []

    def _step(self) -> None:
        if self.stage == "parts":
            for anchor, own in self.own.items():
                if anchor not in self.parts:
                    found = self.r.finished(own)
                    if found is not None:
                        self.parts[anchor] = found
            if len(self.parts) == len(self.anchors) and self.front_pages is not None:
                self._render_front()
        if self.stage == "front" and self.front is not None:
            self._number()
        if self.stage == "numbers" and self.numbers is not None:
            self._join()


def render_pdfs(plan: Plan, env: jinja2.Environment, project: Project, *,
                paper: str | None = None, pool: Pool | None = None, cache: Cache | None = None,
                reusable: Callable[[str, str], bool] = lambda path, key: False,
                previous: Callable[[str], bytes | None] = lambda path: None,
                progress: Progress | None = None) -> PdfResults:
    """``reusable(path, key)``: the previous output's ``path`` was made from ``key``;
    ``previous(path)``: its bytes."""
    if not plan.pdfs:
        return PdfResults()
    renderer = PdfRenderer(plan, env, project, paper=paper, cache=cache, reusable=reusable,
                           previous=previous, progress=progress)
    if pool is not None:
        return renderer.run(pool)
    with Pool(1) as own:
        return renderer.run(own)
