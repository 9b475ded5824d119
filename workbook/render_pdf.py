"""Stage 4: turn planned PDF jobs into PDF bytes — in parallel, and only what changed.

Every PDF gets a cache key: a fingerprint of its template context, the
templates it uses, the stylesheets and fonts, the page setup and this
engine's code. A PDF whose key is unchanged is taken from the previous
output or from the cache; the rest are rendered on every core.

Workbooks are rendered in chunks (see :mod:`workbook.pdfmerge` for why):
first each part's page count is needed — a sheet's comes from its own PDF,
a guide and the contents pages are laid out once to count them — then the
front matter and every part are rendered, numbered in place ("Page 17 of
124"), and joined. Chunks are cached too, so editing one goal re-renders
only that goal's chunks of a workbook.
"""

from __future__ import annotations

import heapq
import itertools
import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from typing import Callable

import jinja2

from .cache import CODE_DIGEST, Cache, digest_file, fingerprint
from .formdata import info_entries
from .html import TemplateDigests, markdown_html, render_template
from .glyphs import font_files
from .paging import EngineSpec, PageSetup, page_css, theme_engine_spec
from .content import Content
from .plan import Part, PdfJob, Plan, Site
from .pool import PdfResults, Pool, Task
from .project import Project
from .sheets import SheetDoc

Progress = Callable[[int, int, str], None]  # done, total, current item

# Which queued task runs first (lower first): workbook chunks finish a workbook,
# page counts unlock chunks, sheets in a workbook unlock its counts.
CHUNK, COUNT, SHEET_IN_WORKBOOK, SHEET = range(4)


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


def cover_field(job: PdfJob) -> str:
    return f"{job.workbook.slug}_cover-name"


# --------------------------------------------------------------------------- rendering


class PdfRenderer:
    """Renders a plan's PDFs; see the module docstring."""

    def __init__(self, plan: Plan, env: jinja2.Environment, project: Project, *,
                 paper: str | None, cache: Cache | None,
                 reusable: Callable[[str, str], bool] = lambda path, key: False,
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
        self.known_pages: dict[str, int] = {}  # key → pages, learnt during this build

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
            "workbook": job.workbook,
            "parts": job.parts,
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
        self.results.wall_seconds = time.perf_counter() - started
        return self.results

    def _take_unchanged(self) -> list[PdfJob]:
        """Record every job's key; keep unchanged PDFs; return the jobs to render."""
        todo = []
        for job in self.plan.pdfs:
            key = self.job_key(job)
            self.results.keys[job.path] = key
            pages = self.cache.pages(key) if self.cache else None
            if pages is not None and self.reusable(job.path, key):
                self.results.reused.append(job.path)
                self.results.pages[job.path] = pages
                self.known_pages[key] = pages
                continue
            stored = self.cache.get_pdf(key) if self.cache else None
            if stored is not None:
                self.results.files[job.path], self.results.pages[job.path] = stored
                self.known_pages[key] = stored[1]
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
                    info=info_entries([job.sheet], self.site.config))

    def _sheet_done(self, job: PdfJob, result) -> str:
        self._store(job.path, result.key, result.data, result.pages)
        return job.path

    def _store(self, path: str, key: str, data: bytes, pages: int) -> None:
        self.results.files[path] = data
        self.results.pages[path] = pages
        self.results.rendered.append(path)
        self.known_pages[key] = pages
        if self.cache:
            self.cache.put_pdf(key, data, pages)

    def pages_of(self, key: str) -> int | None:
        if key in self.known_pages:
            return self.known_pages[key]
        pages = self.cache.pages(key) if self.cache else None
        if pages is not None:
            self.known_pages[key] = pages
        return pages


class WorkbookBuild:
    """One workbook: count pages, render the chunks numbered in place, join them."""

    MAX_ROUNDS = 3  # numbering again if a part lays out to other pages than counted

    def __init__(self, renderer: PdfRenderer, job: PdfJob):
        self.r = renderer
        self.job = job
        self.key = renderer.results.keys[job.path]
        self.anchors = [part.anchor for part in job.parts]
        self.template = renderer.templates.digest(job.template)
        self.count_keys = {part.anchor: self._count_key(part) for part in job.parts}
        self.count_keys["front"] = fingerprint(self.key, "front-count")
        self.counts: dict[str, int] = {}  # "front" or a part's anchor → pages
        self.chunks: dict[str, bytes] = {}  # the same keys → rendered chunk
        self.chunk_keys: dict[str, str] = {}
        self.stage = "counting"
        self.rounds = 0
        # what progress needs to read the workbook's trackers back (see formdata.py)
        self.info = info_entries(job_sheets(job), renderer.site.config)
        self._start_counting()

    def _count_key(self, part: Part) -> str:
        if part.sheet:  # laid out like the sheet's own PDF: same pages
            for job in self.r.plan.pdfs:
                if job.sheet is part.sheet:
                    return self.r.results.keys[job.path]
        return fingerprint(self.r.style, self.template, "count", part.anchor, part.title,
                           part.guidance)

    def _start_counting(self) -> None:
        for name, key in self.count_keys.items():
            pages = self.r.pages_of(key)
            if pages is not None:
                self.counts[name] = pages
            elif name == "front" or not self._part(name).sheet:
                self.r._submit(lambda name=name, key=key: self._count_task(name, key),
                               lambda result, name=name: self._counted(name, result),
                               owner=self.job.path, urgency=COUNT)

    def _part(self, anchor: str) -> Part:
        return next(p for p in self.job.parts if p.anchor == anchor)

    def _count_task(self, name: str, key: str) -> Task:
        if name == "front":
            html = self._source("front", {a: 888 for a in self.anchors})
        else:
            html = self._source(name, {})
        return Task(key, f"{self.job.path} ({name})", html, self.r.base_url, count_only=True)

    def _counted(self, name: str, result) -> None:
        self.counts[name] = result.pages
        self.r.known_pages[result.key] = result.pages

    def _source(self, name: str, page_numbers: dict[str, int]) -> str:
        chunk = [] if name == "front" else [self._part(name)]
        return self.r.source(self.job, front=name == "front", chunk=chunk,
                             elsewhere=[a for a in self.anchors if a != name],
                             page_numbers=page_numbers)

    # -- moving on

    def advance(self) -> list[str]:
        """Start what has become possible; return the PDF's path once it is joined."""
        if self.stage == "counting":
            for name, key in self.count_keys.items():  # a sheet's count comes with its PDF
                if name not in self.counts and key in self.r.known_pages:
                    self.counts[name] = self.r.known_pages[key]
            if len(self.counts) == len(self.count_keys):
                self._render_chunks()
        if self.stage == "rendering" and len(self.chunks) == len(self.chunk_keys):
            self._join()
            return [self.job.path]
        return []

    def _render_chunks(self) -> None:
        self.stage = "rendering"
        self.rounds += 1
        first_pages, page = {}, self.counts["front"] + 1
        for anchor in self.anchors:
            first_pages[anchor] = page
            page += self.counts[anchor]
        self.total = page - 1
        label = self.r.t("Page {page} of {pages}")
        titles = [(p.kind, p.anchor, p.title, p.sheet.kind_label if p.sheet else "")
                  for p in self.job.parts]
        for name in ["front", *self.anchors]:
            numbering = _numbering_css(label, None if name == "front" else first_pages[name],
                                       self.total)
            what = ((self.job.workbook, titles, first_pages, self.info) if name == "front"
                    else self._part(name))
            key = fingerprint(self.r.style, self.template, "chunk", self.job.path, what,
                              self.anchors, numbering)
            if self.chunk_keys.get(name) == key and name in self.chunks:
                continue
            self.chunk_keys[name] = key
            self.chunks.pop(name, None)
            stored = self.r.cache.get_pdf(key) if self.r.cache else None
            if stored is not None:
                self.chunks[name] = stored[0]
                continue
            part = None if name == "front" else self._part(name)
            cost = len(part.sheet.fields) if part and part.sheet else 0
            self.r._submit(
                lambda name=name, key=key, numbering=numbering, first_pages=first_pages:
                    self._chunk_task(name, key, numbering, first_pages),
                lambda result, name=name: self._chunk_done(name, result),
                owner=self.job.path, urgency=CHUNK, cost=cost)

    def _chunk_task(self, name: str, key: str, numbering: str, first_pages: dict) -> Task:
        part = None if name == "front" else self._part(name)
        labels = (field_labels([part.sheet]) if part and part.sheet else
                  {cover_field(self.job): self.r.t("This workbook belongs to")} if not part
                  else {})
        return Task(key, f"{self.job.path} ({name})", self._source(name, first_pages),
                    self.r.base_url, labels, extra_css=numbering, prune_dests=False,
                    info=self.info if name == "front" else None)

    def _chunk_done(self, name: str, result) -> None:
        if self.chunk_keys.get(name) != result.key:
            return  # superseded by a renumbering
        if self.r.cache:
            self.r.cache.put_pdf(result.key, result.data, result.pages)
        if result.pages != self.counts[name] and self.rounds < self.MAX_ROUNDS:
            # laid out to a different length than counted: number everything again
            self.counts[name] = result.pages
            self.stage = "counting"
            return
        self.chunks[name] = result.data

    def _join(self) -> None:
        from .pdfmerge import Chunk, merge

        chunks = [Chunk(self.chunks["front"], set())]
        chunks += [Chunk(self.chunks[a], {a}) for a in self.anchors]
        self.r._store(self.job.path, self.key, merge(chunks), self.total)
        self.stage = "done"


def _numbering_css(label: str, first_page: int | None, total: int) -> str:
    """Page numbers of a chunk as if it sat in the whole workbook."""
    from .paging import css_string

    before, _, rest = label.partition("{page}")
    middle, _, after = rest.partition("{pages}")
    content = " ".join(p for p in (css_string(before) if before else "", "counter(page)",
                                   css_string(f"{middle}{total}{after}")) if p)
    reset = f"@page :first {{ counter-reset: page {first_page}; }}\n" if first_page else ""
    return f"{reset}@page {{ @bottom-right {{ content: {content}; }} }}\n"


def render_pdfs(plan: Plan, env: jinja2.Environment, project: Project, *,
                paper: str | None = None, pool: Pool | None = None, cache: Cache | None = None,
                reusable: Callable[[str, str], bool] = lambda path, key: False,
                progress: Progress | None = None) -> PdfResults:
    if not plan.pdfs:
        return PdfResults()
    renderer = PdfRenderer(plan, env, project, paper=paper, cache=cache, reusable=reusable,
                           progress=progress)
    if pool is not None:
        return renderer.run(pool)
    with Pool(1) as own:
        return renderer.run(own)
