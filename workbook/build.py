"""``build(config)``: the whole pipeline, top to bottom.

    load and validate all content → plan outputs → render HTML → render PDFs → write

Everything is checked before anything is written; a WorkbookError from any
stage leaves the previous output untouched. Builds are incremental: the
cache (:mod:`workbook.output.cache`) knows what every output was made from, so
only outputs whose inputs changed are rendered again, and unchanged files
keep their modification time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from workbook.errors import Problem
from workbook.output.cache import Cache, digest_file, inputs_digest, theme_digest
from workbook.output.write import check_output_dir, project_lock, remove_leftovers, write_output
from workbook.project import Project, open_project
from workbook.render.pdf.pool import Pool, default_jobs, kept_pool
from workbook.render.pdf.setup import WARM_UP, theme_engine_spec


@dataclass
class BuildConfig:
    project_dir: Path = Path(".")
    out: Path | None = None  # default: <project>/output
    paper: str | None = None  # overrides workbook.yaml's paper: letter | a4
    pdf: bool = True  # False: HTML only (--no-pdf)
    jobs: int | None = None  # PDF worker processes; default: one per core
    clean: bool = False  # ignore (and rebuild) the cache
    keep_workers: bool = False  # leave the PDF workers running for the next build (serve)
    progress: Callable[[int, int, str], None] | None = None  # (done, total, current PDF)

    def __post_init__(self) -> None:
        self.project_dir = Path(self.project_dir)
        self.out = Path(self.out) if self.out is not None else None


@dataclass
class BuildResult:
    out_dir: Path
    html_pages: int
    pdf_files: int
    pdf_pages: int
    controls: int  # form controls on the site's sheet pages
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)  # outputs rendered this time
    written: list[str] = field(default_factory=list)  # output files that changed
    up_to_date: bool = False  # nothing had changed: nothing was done
    engine_seconds: float = 0.0  # time WeasyPrint spent, summed over processes
    engine_times: dict[str, float] = field(default_factory=dict)  # per rendered PDF
    warnings: list[Problem] = field(default_factory=list)  # likely mistakes in the content


def build(config: BuildConfig) -> BuildResult:
    project = open_project(config.project_dir)
    out_dir = check_output_dir(config.out or project.root / "output", project)
    with project_lock(project):
        remove_leftovers(out_dir)
        return _build(config, project, out_dir)


def _build(config: BuildConfig, project: Project, out_dir: Path) -> BuildResult:
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        timings[stage] = time.perf_counter() - started - sum(timings.values())

    cache = Cache(project, clean=config.clean)
    theme = theme_digest(project)
    inputs = inputs_digest(project, {"paper": config.paper, "pdf": config.pdf}, theme)
    if cache.up_to_date(inputs, out_dir):
        return _nothing_to_do(cache, out_dir, started)

    # PDF workers start now and import WeasyPrint while this process loads and plans
    jobs = config.jobs or default_jobs()
    pool = kept_pool(jobs) if config.keep_workers else Pool(jobs)
    if config.pdf:
        pool.start().warm(theme_engine_spec(project, WARM_UP))
    from workbook.model.plan import plan_site
    from workbook.render.html import render_pages  # the stages load only when there is work
    from workbook.render.templates import make_env
    from workbook.stages import (
        SearchIndex,
        check_project,
        logo_digest,
        render_all_pdfs,
        static_files,
    )

    search, failed = None, True
    try:
        env = make_env(project, lambda message, **values: message, bytecode=cache.root / "jinja")
        # templates that compiled in the last build and have not changed need no check
        content = check_project(
            project, pdf=config.pdf, env=env, theme_checked=theme == cache.theme
        )
        env.globals["_"] = content.t  # the site's language, now that it is known
        lap("load")
        plan = plan_site(content, with_pdfs=config.pdf, logo_digest=logo_digest(project, content))
        lap("plan")
        pages = render_pages(
            plan, env, project, lambda path, key: cache.reusable(out_dir, path, key), jobs=jobs
        )
        search = SearchIndex(pages, cache, out_dir)  # Pagefind works while the PDFs render
        lap("html")
        pdfs = render_all_pdfs(
            plan, env, project, cache, out_dir, pool, paper=config.paper, progress=config.progress
        )
        index = search.result()
        lap("pdf")  # and the search index
        failed = False
    finally:
        if failed or not config.keep_workers:
            pool.close(wait=False)
        if search is not None:
            search.cancel()
    files = {**pages.files, **index.files, **pdfs.files}
    keys = {**pages.keys, **index.keys, **pdfs.keys}
    copies = static_files(plan)
    keys.update({path: digest_file(source) for path, source in copies.items()})
    written = write_output(
        out_dir, files, copies, reuse=[*pages.reused, *index.reused, *pdfs.reused]
    )
    cache.commit(inputs, theme, out_dir, keys, pdfs=config.pdf)
    lap("write")
    return BuildResult(
        out_dir=out_dir,
        html_pages=sum(1 for page in plan.pages if page.path.endswith(".html")),
        pdf_files=len(pdfs.keys),
        pdf_pages=sum(pdfs.pages.values()),
        controls=sum(len(doc.fields) for doc in plan.site.sheets),
        seconds=time.perf_counter() - started,
        timings=timings,
        rendered=sorted(pages.files) + sorted(pdfs.rendered),
        written=written,
        engine_seconds=pdfs.engine_seconds,
        engine_times=pdfs.engine_times,
        warnings=content.warnings,
    )


def _nothing_to_do(cache: Cache, out_dir: Path, started: float) -> BuildResult:
    paths = list(cache.outputs)
    return BuildResult(
        out_dir=out_dir,
        html_pages=sum(1 for path in paths if path.endswith(".html")),
        pdf_files=sum(1 for path in paths if path.endswith(".pdf")),
        pdf_pages=0,
        controls=0,
        seconds=time.perf_counter() - started,
        up_to_date=True,
    )
