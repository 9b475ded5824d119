"""Run PDF render tasks on every core.

Each worker process builds one :class:`~workbook.pdf.PdfEngine` when it
starts (fonts and stylesheets parsed once) and renders tasks until the build
ends. With one job, tasks run in this process, one after another.

Workers are forked from this process when it has no other threads (cheapest:
nothing is imported twice); otherwise — e.g. under the preview server — from
a fork server that has WeasyPrint preloaded.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field

from .pdf import EngineSpec, PdfEngine, RenderedPdf


@dataclass
class Task:
    """One WeasyPrint run: a sheet, a workbook chunk, or a page count."""

    key: str  # cache key of the result
    name: str  # shown in progress and messages
    html: str
    base_url: str
    labels: dict[str, str] = field(default_factory=dict)
    extra_css: str = ""
    count_only: bool = False  # lay out and count pages, write no PDF
    prune_dests: bool = True  # drop named destinations no link uses (not for chunks)
    cost: int = 0  # bigger first, for a shorter build


@dataclass
class Result:
    key: str
    data: bytes | None
    pages: int
    seconds: float  # time inside WeasyPrint and the repair step


_engine: PdfEngine | None = None


def _start_worker(spec: EngineSpec) -> None:
    global _engine
    _engine = spec.create()


def run(task: Task, engine: PdfEngine | None = None) -> Result:
    engine = engine or _engine
    started = time.perf_counter()
    if task.count_only:
        pages = engine.count(task.html, base_url=task.base_url, name=task.name,
                             extra_css=task.extra_css)
        return Result(task.key, None, pages, time.perf_counter() - started)
    pdf: RenderedPdf = engine.render(task.html, base_url=task.base_url, name=task.name,
                                     labels=task.labels, extra_css=task.extra_css,
                                     prune_dests=task.prune_dests)
    return Result(task.key, pdf.data, pdf.pages, time.perf_counter() - started)


class Pool:
    """Submit tasks; ``jobs`` processes (1: this process)."""

    def __init__(self, spec: EngineSpec, jobs: int):
        self.spec = spec
        self.jobs = max(1, jobs)
        self._engine: PdfEngine | None = None
        self._executor: Executor | None = None

    def submit(self, task: Task) -> Future:
        if self.jobs == 1:
            future: Future = Future()
            try:
                future.set_result(run(task, self._inline_engine()))
            except BaseException as exc:  # handed to whoever waits on the future
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                future.set_exception(exc)
            return future
        return self._pool().submit(run, task)

    def _inline_engine(self) -> PdfEngine:
        if self._engine is None:
            self._engine = self.spec.create()
        return self._engine

    def _pool(self) -> Executor:
        if self._executor is None:
            if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
                context = multiprocessing.get_context("fork")
            else:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["workbook.pdf"])
            self._executor = ProcessPoolExecutor(self.jobs, mp_context=context,
                                                 initializer=_start_worker, initargs=(self.spec,))
        return self._executor

    def close(self, cancel: bool = False) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=cancel)
            self._executor = None

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.close(cancel=value is not None)


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)
