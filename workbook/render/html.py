"""Stage 3: render the site's HTML pages.

Every link a template makes goes through ``url()``, which returns a path
relative to the page, so the site works from any sub-path and from disk.
Only pages whose key changed are rendered (see :mod:`workbook.output.cache`);
a big site is rendered by forked processes. The Jinja environment itself is
:mod:`workbook.render.templates`.
"""

from __future__ import annotations

import multiprocessing
import posixpath
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import jinja2

from workbook.model.plan import Page, Plan, Site
from workbook.output.cache import CODE_DIGEST, fingerprint
from workbook.project import Project
from workbook.render import colours
from workbook.render.pdf.pool import quiet_worker
from workbook.render.templates import TemplateDigests, markdown_html, render_template


def relative_url(from_path: str, target: str) -> str:
    """``target`` (a site path, maybe with #fragment) as seen from page ``from_path``."""
    if target.startswith("#") or "://" in target:
        return target
    path, hash_, fragment = target.partition("#")
    base = posixpath.dirname(from_path) or "."
    rel = posixpath.relpath(path, base) if path else posixpath.basename(from_path)
    return rel + (hash_ + fragment if hash_ else "")


def page_url(page_path: str) -> Callable[[str], str]:
    return lambda target: relative_url(page_path, target)


@dataclass
class StageOutput:
    """What the HTML stage produced: new bytes, each output's key, and reused files."""

    files: dict[str, bytes] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)


def render_pages(
    plan: Plan,
    env: jinja2.Environment,
    project: Project,
    reusable: Callable[[str, str], bool] = lambda path, key: False,
    jobs: int = 1,
) -> StageOutput:
    """Render every planned page whose key changed; ``reusable(path, key)`` says
    whether the previous output already holds ``path`` built from ``key``.
    Many pages are rendered by ``jobs`` processes."""
    site = plan.site
    out = StageOutput()
    templates = TemplateDigests(env)
    todo: list[Page] = []
    for page in plan.pages:
        key = fingerprint(
            CODE_DIGEST,
            templates.digest(page.template),
            templates.locales(),
            page.path,
            page.title,
            page.crumbs,
            page.description,
            page.context,
        )
        out.keys[page.path] = key
        if reusable(page.path, key):
            out.reused.append(page.path)
        else:
            todo.append(page)
    out.files.update(_render_all(todo, site, env, project, jobs))
    theme = colours.theme_css(site.config.accent_color).encode("utf-8")
    out.keys["assets/theme.css"] = fingerprint(theme.decode())
    if reusable("assets/theme.css", out.keys["assets/theme.css"]):
        out.reused.append("assets/theme.css")
    else:
        out.files["assets/theme.css"] = theme
    return out


def render_page(page: Page, site: Site, env: jinja2.Environment, project: Project) -> bytes:
    url: Callable[[str], str] = page_url(page.path)
    if page.path == "404.html" and site.config.site_url:
        # served at any depth: links must not be relative to where it is shown
        root = urlsplit(site.config.site_url.rstrip("/") + "/").path

        def url(target: str, _root: str = root) -> str:
            return _root + target

    context = {
        "config": site.config,
        "page": page,
        "url": url,
        "md": lambda html, _url=url: markdown_html(html, _url),
        **page.context,
    }
    return render_template(env, project, page.template, context).encode("utf-8")


PARALLEL_PAGES = 300  # fewer pages render faster here than the processes take to start
_work: tuple | None = None  # what forked renderers read (set just before they fork)


def _render_all(
    pages: list[Page], site: Site, env: jinja2.Environment, project: Project, jobs: int
) -> dict[str, bytes]:
    if (
        jobs < 2
        or len(pages) < PARALLEL_PAGES
        or threading.active_count() > 1
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return {page.path: render_page(page, site, env, project) for page in pages}
    global _work
    _work = (pages, site, env, project)
    try:
        slices = [list(range(i, len(pages), jobs)) for i in range(jobs)]
        with multiprocessing.get_context("fork").Pool(jobs, initializer=quiet_worker) as workers:
            done = workers.map(_render_slice, slices)
    finally:
        _work = None
    return dict(item for part in done for item in part)


def _render_slice(indexes: list[int]) -> list[tuple[str, bytes]]:
    assert _work is not None  # set by the parent before it forked this process
    pages, site, env, project = _work
    return [(pages[i].path, render_page(pages[i], site, env, project)) for i in indexes]
