"""Stage 4: turn planned PDF jobs into PDF bytes — in parallel, and only what changed.

Every PDF gets a cache key: a fingerprint of its template context, the
templates it uses, the stylesheets and fonts, the page setup and this
engine's code. A PDF whose key is unchanged is taken from the previous
output or from the cache; the rest are rendered on every core.

Sheets are laid out without page numbers, which are stamped on afterwards
(see :mod:`workbook.render.pdf.stamp`), so that a workbook can use a sheet's own PDF
as it is. A workbook is made from its parts' PDFs
(:class:`~workbook.render.pdf.workbook.WorkbookBuild`):
its sheets' own PDFs, and its guides laid out for it; then its cover and
contents, numbered from the parts' page counts; then its page numbers; then
the join, in a worker process. Each of these is cached under its own key,
so editing one goal lays out only that goal's sheets again.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from functools import partial

import jinja2

from workbook.model.formdata import info_entries
from workbook.model.plan import Part, PdfJob, Plan
from workbook.model.sheets import part_title, sheet_links
from workbook.output.cache import CODE_DIGEST, Cache, digest_file, fingerprint
from workbook.project import Project
from workbook.render.pdf.fonts import font_files
from workbook.render.pdf.jobs import (
    field_labels,
    link_resolver,
    page_setup,
    pdf_context,
)
from workbook.render.pdf.pool import SHEET, SHEET_IN_WORKBOOK, PdfResults, Pool, Result, Task
from workbook.render.pdf.setup import page_css, theme_engine_spec
from workbook.render.pdf.workbook import WorkbookBuild
from workbook.render.templates import TemplateDigests, render_template

Progress = Callable[[int, int, str], None]  # done, total, current item

# --------------------------------------------------------------------------- rendering


class PdfRenderer:
    """Renders a plan's PDFs; see the module docstring."""

    def __init__(
        self,
        plan: Plan,
        env: jinja2.Environment,
        project: Project,
        *,
        paper: str | None,
        cache: Cache | None,
        reusable: Callable[[str, str], bool] = lambda path, key: False,
        previous: Callable[[str], bytes | None] = lambda path: None,
        progress: Progress | None = None,
    ) -> None:
        self.plan, self.env, self.project = plan, env, project
        self.site = plan.site
        self.t = self.site.content.t
        self.cache = cache
        self.reusable = reusable
        self.progress = progress or (lambda done, total, item: None)
        self.setup = page_setup(self.site.content, paper)
        self.spec = theme_engine_spec(project, self.setup)
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
        return fingerprint(
            CODE_DIGEST,
            [(p.name, digest_file(p)) for p in files if p.is_file()],
            page_css(self.setup),
            self.templates.locales(),
            self.site.config,
        )

    def job_key(self, job: PdfJob) -> str:
        return fingerprint(
            self.style,
            self.templates.digest(job.template),
            job.path,
            job.title,
            job.sheet,
            job.workbook,
            job.parts,
        )

    # -- sources

    def link_resolver(self, job: PdfJob) -> Callable[[str], str | None]:
        return link_resolver(job, self.site, self.project)

    def source(self, job: PdfJob, **extra) -> str:
        context = pdf_context(job, self.site, self.project, self.setup.paper, **extra)
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
        in_workbooks = {
            part.sheet.key for job in todo if job.workbook for part in job.parts if part.sheet
        }
        for job in todo:
            if job.sheet is None:
                continue
            urgency = SHEET_IN_WORKBOOK if job.sheet.key in in_workbooks else SHEET
            self.submit(
                partial(self._sheet_task, job),
                partial(self._sheet_done, job),
                owner=job.path,
                urgency=urgency,
                cost=len(job.sheet.fields),
            )
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

    def submit(
        self,
        make: Callable[[], Task],
        callback: Callable,
        *,
        owner: str,
        urgency: int,
        cost: int = 0,
    ) -> None:
        """Queue a task; ``make`` builds it (renders its HTML) when its turn comes."""
        heapq.heappush(self.queue, (urgency, -cost, next(self.order), make, callback, owner))

    def _sheet_task(self, job: PdfJob) -> Task:
        sheet = job.sheet
        assert sheet is not None  # only a sheet's own PDF is queued so
        return Task(
            self.results.keys[job.path],
            job.path,
            self.source(job),
            self.base_url,
            field_labels([sheet]),
            cost=len(sheet.fields),
            info=info_entries([sheet], self.site.config, paper=self.setup.paper),
            numbering="stamp",
        )

    def _sheet_done(self, job: PdfJob, result: Result) -> str:
        assert result.data is not None  # a sheet's PDF, rendered
        self.store(job.path, result.key, result.data, result.pages, result.layout)
        return job.path

    def store(self, path: str, key: str, data: bytes, pages: int, layout: str) -> None:
        self.results.files[path] = data
        self.results.pages[path] = pages
        self.results.rendered.append(path)
        self.known[key] = (pages, layout)
        if self.cache:
            self.cache.put_pdf(key, data, pages, layout)

    def stored(self, key: str) -> tuple[bytes, int, str] | None:
        """A PDF rendered before under ``key`` (a workbook part, a page count, numbers)."""
        return self.cache.get_pdf(key) if self.cache else None

    def keep(self, key: str, result: Result) -> tuple[bytes, int, str]:
        assert result.data is not None  # kept are rendered PDFs, never a page count
        if self.cache and result.data is not None:
            self.cache.put_pdf(key, result.data, result.pages, result.layout)
        return result.data, result.pages, result.layout

    # -- sheets inside workbooks

    def own_pdf(self, part: Part, job: PdfJob) -> PdfJob | None:
        """The sheet's own PDF job, when a workbook can use that PDF as it is: the sheet
        is named the same, and its links lead to the same places inside the workbook as
        outside (a link to a guide the workbook holds must jump inside it instead)."""
        if part.sheet is None:
            return None
        own = self.sheet_jobs.get(part.sheet.key)
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


def render_pdfs(
    plan: Plan,
    env: jinja2.Environment,
    project: Project,
    *,
    paper: str | None = None,
    pool: Pool | None = None,
    cache: Cache | None = None,
    reusable: Callable[[str, str], bool] = lambda path, key: False,
    previous: Callable[[str], bytes | None] = lambda path: None,
    progress: Progress | None = None,
) -> PdfResults:
    """``reusable(path, key)``: the previous output's ``path`` was made from ``key``;
    ``previous(path)``: its bytes."""
    if not plan.pdfs:
        return PdfResults()
    renderer = PdfRenderer(
        plan,
        env,
        project,
        paper=paper,
        cache=cache,
        reusable=reusable,
        previous=previous,
        progress=progress,
    )
    if pool is not None:
        return renderer.run(pool)
    with Pool(1) as own:
        return renderer.run(own)
