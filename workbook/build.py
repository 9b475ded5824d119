"""``build(config)``: the whole pipeline, top to bottom.

    load and validate all content → plan outputs → render HTML → render PDFs → write

Everything is checked before anything is written; a WorkbookError from any
stage leaves the previous output untouched. Builds are incremental: the
cache (:mod:`workbook.cache`) knows what every output was made from, so
only outputs whose inputs changed are rendered again, and unchanged files
keep their modification time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .cache import Cache, digest_file, fingerprint, inputs_digest
from .content import Content, load_content
from .errors import Report, WorkbookError
from .glyphs import check_glyphs, declared_fonts
from .html import Rendered, make_env, render_pages, theme_assets
from .output import check_output_dir, project_lock, remove_leftovers, write_output
from .plan import Plan, plan_site
from .pool import PdfResults, Pool, default_jobs
from .project import Project, open_project
from .search import SEARCH_FOLDER, SEARCH_VERSION, search_index
from .theme import check_theme


@dataclass
class BuildConfig:
    project_dir: Path = Path(".")
    out: Path | None = None  # default: <project>/output
    paper: str | None = None  # overrides workbook.yaml's paper: letter | a4
    pdf: bool = True  # False: HTML only (--no-pdf)
    jobs: int | None = None  # PDF worker processes; default: one per core
    clean: bool = False  # ignore (and rebuild) the cache
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
    inputs = inputs_digest(project, {"paper": config.paper, "pdf": config.pdf})
    if cache.up_to_date(inputs, out_dir):
        return _nothing_to_do(cache, out_dir, started)

    # PDF workers start now and import WeasyPrint while this process loads and plans
    pool = Pool(config.jobs or default_jobs())
    if config.pdf:
        pool.start()
    try:
        env = make_env(project, lambda message, **values: message)
        content = check_project(project, pdf=config.pdf, env=env)
        env.globals["_"] = content.t  # the site's language, now that it is known
        lap("load")
        plan = plan_site(content, with_pdfs=config.pdf,
                         logo_digest=_logo_digest(project, content))
        lap("plan")
        pages = render_pages(plan, env, project,
                             lambda path, key: cache.reusable(out_dir, path, key))
        index = _search_index(pages, cache, out_dir)
        lap("html")  # pages and their search index
        pdfs = _render_pdfs(plan, env, project, config, cache, out_dir, pool)
        lap("pdf")
    finally:
        pool.close(wait=False)
    files = {**pages.files, **index.files, **pdfs.files}
    keys = {**pages.keys, **index.keys, **pdfs.keys}
    copies = static_files(plan)
    keys.update({path: digest_file(source) for path, source in copies.items()})
    written = write_output(out_dir, files, copies,
                           reuse=[*pages.reused, *index.reused, *pdfs.reused])
    cache.commit(inputs, out_dir, keys, pdfs=config.pdf)
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
    )


def _search_index(pages: Rendered, cache: Cache, out_dir: Path) -> Rendered:
    """Pagefind's index of every page; made again only when some page's key changed."""
    html = sorted((path, key) for path, key in pages.keys.items() if path.endswith(".html"))
    key = fingerprint(SEARCH_VERSION, html)
    index = Rendered()
    old = [path for path in cache.outputs if path.startswith(SEARCH_FOLDER + "/")]
    if old and all(cache.reusable(out_dir, path, key) for path in old):
        index.reused = old
    else:
        sources = {path: pages.files[path] if path in pages.files else (out_dir / path).read_bytes()
                   for path, _ in html}
        index.files = search_index(sources)
    index.keys = {path: key for path in [*index.files, *index.reused]}
    return index


def _render_pdfs(plan, env, project, config, cache, out_dir, pool) -> PdfResults:
    if not plan.pdfs:
        return PdfResults()
    from .render_pdf import render_pdfs  # no WeasyPrint in this process unless --jobs 1

    return render_pdfs(plan, env, project, paper=config.paper, pool=pool, cache=cache,
                       reusable=lambda path, key: cache.reusable(out_dir, path, key),
                       progress=config.progress)


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


def _logo_digest(project: Project, content: Content) -> str:
    logo = content.config.logo
    return digest_file(project.root / logo) if logo else ""


def check_project(project: Project, *, pdf: bool = True, env=None) -> Content:
    """Stage 1: load and validate the content and the theme; every problem at once."""
    report = Report()
    try:
        content = load_content(project)
    except WorkbookError as error:
        report.problems.extend(error.problems)
        content = None
    check_theme(project, report, env)
    if content is not None and pdf:
        fonts = project.theme_file("pdf/fonts.css")
        check_glyphs(content, fonts, ", ".join(declared_fonts(fonts)), report)
    report.raise_if_any()
    return content


def static_files(plan: Plan) -> dict[str, Path]:
    """Files copied as they are: theme assets, images used by content, the logo."""
    project = plan.site.content.project
    copies = theme_assets(project)
    for media in plan.media:
        copies[f"media/{media}"] = project.content_dir / media
    if plan.site.logo_path:
        copies[plan.site.logo_path] = project.root / plan.site.config.logo
    return copies

