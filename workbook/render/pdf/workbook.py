"""One workbook, made from its parts' PDFs and joined in a worker process.

The parts are its sheets' own PDFs where they serve as they are, and its
guides (and sheets whose links jump inside it) laid out for it; then its
cover and contents, numbered from the parts' page counts; then its page
numbers (:mod:`workbook.render.pdf.stamp`); then the join
(:mod:`workbook.render.pdf.join`). :class:`~workbook.render.pdf.schedule.PdfRenderer`
queues each step as a task when the one before it is done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from workbook.content.i18n import Catalogue
from workbook.model.formdata import info_entries
from workbook.model.plan import Part, PdfJob, Site
from workbook.output.cache import Cache, fingerprint
from workbook.render.pdf.jobs import contents_entries, cover_field, field_labels, job_sheets
from workbook.render.pdf.pool import COUNT, WORKBOOK_STEP, PdfResults, Result, Task
from workbook.render.pdf.setup import PageSetup
from workbook.render.templates import TemplateDigests

#: A rendered PDF as the renderer keeps it: its bytes, pages and page layout.
Stored = tuple[bytes, int, str]


class Renderer(Protocol):
    """What a workbook asks of the renderer that schedules its steps
    (:class:`workbook.render.pdf.schedule.PdfRenderer`), and nothing more."""

    site: Site
    setup: PageSetup  # paper, header and footer of every PDF
    t: Catalogue
    cache: Cache | None
    results: PdfResults
    templates: TemplateDigests
    style: str  # the digest of everything every PDF depends on
    base_url: str

    def submit(
        self,
        make: Callable[[], Task],
        callback: Callable,
        *,
        owner: str,
        urgency: int,
        cost: int = 0,
    ) -> None: ...

    def store(self, path: str, key: str, data: bytes, pages: int, layout: str) -> None: ...

    def stored(self, key: str) -> Stored | None: ...

    def keep(self, key: str, result: Result) -> Stored: ...

    def own_pdf(self, part: Part, job: PdfJob) -> PdfJob | None: ...

    def finished(self, job: PdfJob) -> Stored | None: ...

    def source(self, job: PdfJob, **extra: Any) -> str: ...


class WorkbookBuild:
    """One workbook: its parts as PDFs, the cover and contents numbered from their page
    counts, the page numbers laid out, then everything joined.

    A sheet whose own PDF serves as it is (see :meth:`Renderer.own_pdf`) is not
    rendered again: the join gives its pages the workbook's page numbers. The other
    parts (guides, sheets whose links jump inside the workbook) are rendered for it,
    without page numbers. No part depends on where it falls in the workbook, so editing
    one renders that one again; the page numbers are laid out again only when the
    workbook's page layout changes, and the cover and contents when its page numbers do.
    """

    MAX_ROUNDS = 3  # the contents laid out to another length than counted: again

    def __init__(self, renderer: Renderer, job: PdfJob) -> None:
        self.r = renderer
        self.job = job
        self.key = renderer.results.keys[job.path]
        self.anchors = [part.anchor for part in job.parts]
        self.template = renderer.templates.digest(job.template)
        # what progress needs to read the workbook's trackers back (see formdata.py)
        self.info = info_entries(job_sheets(job), renderer.site.config, paper=renderer.setup.paper)
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

    def _later(
        self, make: Callable[[], Task], then: Callable, cost: int = 0, urgency: int = WORKBOOK_STEP
    ) -> None:
        self.r.submit(make, then, owner=self.job.path, urgency=urgency, cost=cost)

    # -- the parts, the cover and contents

    def _part(self, part: Part) -> None:
        key = fingerprint(self.r.style, self.template, "part", self.job.path, part, self.anchors)
        stored = self.r.stored(key)
        if stored is not None:
            self.parts[part.anchor] = stored
            return
        labels = field_labels([part.sheet]) if part.sheet else {}
        self._later(
            lambda: Task(
                key,
                f"{self.job.path} ({part.anchor})",
                self._source([part], {}),
                self.r.base_url,
                labels,
                numbering="none",
            ),
            lambda result: self._got(part.anchor, key, result),
            cost=len(part.sheet.fields) if part.sheet else 0,
        )

    def _got(self, anchor: str, key: str, result: Result) -> None:
        self.parts[anchor] = self.r.keep(key, result)

    def _front_key(self, *more) -> str:
        """What the cover and contents show: not the parts themselves, so editing a goal
        does not lay out the contents again unless its title or page count changes."""
        return fingerprint(
            self.r.style,
            self.template,
            "front",
            self.job.path,
            self.job.title,
            self.job.workbook,
            contents_entries(self.job),
            self.info,
            *more,
        )

    def _count_front(self) -> None:
        key = self._front_key("count")
        pages = self.r.cache.pages(key) if self.r.cache else None
        if pages is not None:
            self.front_pages = pages
            return
        placeholders = dict.fromkeys(self.anchors, 888)
        self._later(
            lambda: Task(
                key,
                f"{self.job.path} (contents)",
                self._source(None, placeholders),
                self.r.base_url,
                count_only=True,
                numbering="none",
            ),
            lambda result: self._counted(key, result),
            urgency=COUNT,
        )

    def _counted(self, key: str, result: Result) -> None:
        self.front_pages = result.pages
        if self.r.cache:
            self.r.cache.put_pdf(key, b"", result.pages)

    def _source(self, chunk: list[Part] | None, page_numbers: dict[str, int]) -> str:
        """The cover and contents (``chunk`` None), or the parts in ``chunk``."""
        return self.r.source(
            self.job,
            front=chunk is None,
            chunk=chunk or [],
            elsewhere=[a for a in self.anchors if not chunk or a not in {p.anchor for p in chunk}],
            page_numbers=page_numbers,
        )

    def _render_front(self) -> None:
        self.stage = "front"
        self.rounds += 1
        assert self.front_pages is not None  # counted before the front is laid out
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
        self._later(
            lambda: Task(
                key,
                f"{self.job.path} (contents)",
                self._source(None, first_pages),
                self.r.base_url,
                labels,
                info=self.info,
                numbering="none",
            ),
            lambda result: self._front_done(key, self.r.keep(key, result)),
        )

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
        assert self.front is not None  # laid out before the numbers and the join
        return self.front[2] + "".join(self.parts[anchor][2] for anchor in self.anchors)

    def _number(self) -> None:
        self.stage = "numbers"
        layout = self._layout()
        key = fingerprint(self.r.style, "numbers", layout)
        stored = self.r.stored(key)
        if stored is not None:
            self.numbers = stored
            return
        self._later(
            lambda: Task(key, f"{self.job.path} (page numbers)", numbers_for=layout),
            lambda result: self._numbered(key, result),
        )

    def _numbered(self, key: str, result: Result) -> None:
        self.numbers = self.r.keep(key, result)

    def _join(self) -> None:
        from workbook.render.pdf.join import JoinPart  # pikepdf: only where workbooks are made

        self.stage = "joining"
        assert self.front is not None and self.numbers is not None  # made before the join
        front, numbers = self.front, self.numbers
        parts = [JoinPart(front[0])]
        parts += [JoinPart(self.parts[anchor][0], anchor) for anchor in self.anchors]
        layout = self._layout()
        self._later(
            lambda: Task(self.key, self.job.path, join=parts, overlay=numbers[0]),
            lambda result: self._joined(result, len(layout), layout),
            cost=len(layout),
        )

    def _joined(self, result: Result, pages: int, layout: str) -> None:
        assert result.data is not None  # a join gives its PDF
        self.r.store(self.job.path, self.key, result.data, pages, layout)
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
