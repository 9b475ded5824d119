"""Run PDF render tasks on every core.

Each worker process imports WeasyPrint when it starts and builds one
:class:`~workbook.render.pdf.engine.PdfEngine` on its first task (fonts and stylesheets
parsed once), then renders tasks until the build ends. With one job, tasks
run in this process, one after another.

Workers are forked from this process when it has no other threads (cheapest:
nothing is imported twice); otherwise — e.g. under the preview server — from
a fork server that has WeasyPrint preloaded.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # WeasyPrint is imported by workers and by the PDF stage, not here
    from workbook.render.pdf.engine import PdfEngine, RenderedPdf
    from workbook.render.pdf.setup import EngineSpec


# Which queued task runs first (lower first): a workbook's own steps (its parts, cover
# and contents, page numbers, join) finish it, the contents' page count unlocks its
# cover and contents, and the sheets a workbook holds unlock those.
WORKBOOK_STEP, COUNT, SHEET_IN_WORKBOOK, SHEET = range(4)


@dataclass
class Task:
    """One piece of PDF work: render a sheet or a workbook part, count a document's
    pages, lay out page numbers, or join a workbook's parts."""

    key: str  # cache key of the result
    name: str  # shown in progress and messages
    html: str = ""
    base_url: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    extra_css: str = ""
    count_only: bool = False  # lay out and count pages, write no PDF
    numbering: str = "page"  # page | stamp | none (see workbook/render/pdf/engine.py)
    cost: int = 0  # bigger first, for a shorter build
    info: dict[str, str] | None = None  # document information entries (formdata.py)
    numbers_for: str | None = None  # page numbers for a workbook of this layout ('PPL…')
    join: list | None = None  # join these JoinParts (workbook/render/pdf/join.py) …
    overlay: bytes | None = None  # … numbered from this overlay


@dataclass
class Result:
    key: str
    data: bytes | None
    pages: int
    seconds: float  # time inside WeasyPrint, the repair step or the join
    layout: str = ""  # 'P' or 'L' for each page


@dataclass
class PdfResults:
    files: dict[str, bytes] = field(default_factory=dict)  # newly rendered or taken from cache
    keys: dict[str, str] = field(default_factory=dict)  # every PDF's key
    reused: list[str] = field(default_factory=list)  # unchanged in the previous output
    pages: dict[str, int] = field(default_factory=dict)  # every PDF's page count
    rendered: list[str] = field(default_factory=list)  # PDFs WeasyPrint worked on this time
    engine_seconds: float = 0.0  # time spent inside WeasyPrint (all processes)
    engine_times: dict[str, float] = field(
        default_factory=dict
    )  # per PDF (workbook: all its steps)
    wall_seconds: float = 0.0


_engines: dict[tuple, PdfEngine] = {}  # this process's engines, one per theme


def quiet_worker() -> None:
    """For any worker process: Ctrl-C is the main process's to handle (it stops the
    workers), and SIGTERM, which the main process stops them with, ends one quietly.
    A worker also ends when the process that started it ends, however that ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _end_with_parent()


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _end_with_parent() -> None:
    """Have Linux send this worker SIGTERM when its parent ends.

    A script that calls ``build()`` and is killed (SIGTERM, SIGKILL, a crash) runs no
    Python code on the way out, so nothing of ours can stop the workers: they would go
    on rendering for nobody. The parent is the build's process, or the fork server,
    which ends when the build's process does. Elsewhere than Linux this does nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no prctl here
        return
    if os.getppid() == 1:  # the parent ended before the line above: end now
        os._exit(0)


def _warm_up() -> None:
    """Import WeasyPrint while the main process is still reading the content."""
    quiet_worker()
    import workbook.render.pdf.engine  # noqa: F401


def _nothing() -> None:
    return None


def _engine_ready(spec: EngineSpec) -> None:
    _engine(spec)


def _engine(spec: EngineSpec) -> PdfEngine:
    """This process's engine for the theme of ``spec``, set to its page setup."""
    key = (spec.stylesheets, spec.roots, spec.font_families)
    engine = _engines.get(key)
    if engine is None:
        from workbook.render.pdf.engine import engine_for

        engine = _engines[key] = engine_for(spec)
    engine.use(spec.setup)
    return engine


def run(task: Task, spec: EngineSpec) -> Result:
    started = time.perf_counter()
    if task.join is not None:
        from workbook.render.pdf.join import join

        data = join(task.join, task.overlay)
        return Result(task.key, data, 0, time.perf_counter() - started)
    engine = _engine(spec)
    if task.numbers_for is not None:
        data = engine.overlay(task.numbers_for, cover=True)
        return Result(
            task.key, data, len(task.numbers_for), time.perf_counter() - started, task.numbers_for
        )
    if task.count_only:
        pages = engine.count(
            task.html, base_url=task.base_url, name=task.name, extra_css=task.extra_css
        )
        return Result(task.key, None, pages, time.perf_counter() - started)
    pdf: RenderedPdf = engine.render(
        task.html,
        base_url=task.base_url,
        name=task.name,
        labels=task.labels,
        extra_css=task.extra_css,
        info=task.info,
        numbering=task.numbering,
    )
    return Result(task.key, pdf.data, pdf.pages, time.perf_counter() - started, pdf.layout)


class Pool:
    """Run tasks in ``jobs`` processes (1: in this process, one after another).

    Start it early: the workers import WeasyPrint while the build loads and
    plans, so rendering can begin as soon as the first document is ready.
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._executor: Executor | None = None

    def start(self) -> Pool:
        if self.jobs > 1 and self._executor is None:
            context: multiprocessing.context.BaseContext
            if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
                context = multiprocessing.get_context("fork")
            else:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["workbook.render.pdf.engine"])
            self._executor = ProcessPoolExecutor(
                self.jobs, mp_context=context, initializer=_warm_up
            )
            for _ in range(self.jobs):  # start every worker now
                self._executor.submit(_nothing)
        return self

    def warm(self, spec: EngineSpec) -> None:
        """Have the workers build their engine (fonts, stylesheets) before any task comes;
        the page setup may still change (a warm-up can start before the settings are read)."""
        if self._executor is not None:
            for _ in range(self.jobs):
                self._executor.submit(_engine_ready, spec)

    def submit(self, task: Task, spec: EngineSpec) -> Future:
        if self.jobs == 1:
            future: Future = Future()
            try:
                future.set_result(run(task, spec))
            except Exception as exc:  # handed to whoever waits on the future
                future.set_exception(exc)
            return future
        executor = self.start()._executor
        assert executor is not None  # start() made it: more than one job
        return executor.submit(run, task, spec)

    def close(self, *, wait: bool = True) -> None:
        """Stop the workers; ``wait=False`` stops them at once (a failed or interrupted
        build must not wait for documents nobody will use)."""
        executor, self._executor = self._executor, None
        if executor is None:
            _engines.clear()  # free WeasyPrint's fonts now, not during interpreter shutdown
            return
        processes = list(getattr(executor, "_processes", {}).values())
        executor.shutdown(wait=wait, cancel_futures=not wait)
        if not wait:
            for process in processes:
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join(timeout=5)

    @property
    def usable(self) -> bool:
        """Not stopped, and no worker died (a broken pool cannot take more tasks)."""
        return self._executor is None or not getattr(self._executor, "_broken", False)

    def __enter__(self) -> Pool:
        return self.start()

    def __exit__(self, kind: object, value: BaseException | None, traceback: object) -> None:
        self.close(wait=value is None)


_kept: Pool | None = None


def kept_pool(jobs: int) -> Pool:
    """A pool that outlives one build, for a process that builds again and again
    (``workbook serve``): its workers keep WeasyPrint loaded and their engines built."""
    global _kept
    if _kept is None or _kept.jobs != max(1, jobs) or not _kept.usable:
        if _kept is not None:
            _kept.close(wait=False)
        _kept = Pool(jobs)
    return _kept


def close_kept_pool() -> None:
    global _kept
    if _kept is not None:
        _kept.close(wait=False)
        _kept = None


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)
