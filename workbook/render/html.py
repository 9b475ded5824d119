"""Stage 3: render the site's HTML pages with Jinja.

Templates come from the project's ``templates/`` first, then the default
theme, so a project overrides a theme file by writing one with the same name.
Autoescape and StrictUndefined are always on. Every link a template makes
goes through ``url()``, which returns a path relative to the page, so the
site works from any sub-path and from disk.
"""

from __future__ import annotations

import multiprocessing
import posixpath
import re
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import jinja2
from markupsafe import Markup

from workbook.render import colours
from workbook.output.cache import CODE_DIGEST, digest_bytes, fingerprint
from workbook.render.pdf.pool import quiet_worker
from workbook.errors import Problem, WorkbookError
from workbook.content.markdown import resolve_links
from workbook.model.plan import Page, Plan, goal_path, guidance_path, pdf_path, sheet_path, workbook_path
from workbook.project import Project
from workbook.model.sheets import gas_level_names, measure_hint, target_text, timeframe_text
from urllib.parse import urlsplit

_INTERNAL_LINK = re.compile(r'<a href="wb:([^"]*)">(.*?)</a>', re.S)
# {% extends/include/import/from <target> %}: how templates use each other (a scan, not a parse)
_REFERENCE = re.compile(r"\{%-?\s*(extends|include|import|from)\s+(\S+)")
_LITERAL = re.compile(r"""(["'])[^"']+\1""")


def make_env(project: Project, translate: Callable[..., str],
             bytecode: Path | None = None) -> jinja2.Environment:
    """The template environment; ``bytecode`` is a folder to keep compiled templates in
    between builds (Jinja checks each against its source)."""
    cache = None
    if bytecode is not None:
        bytecode.mkdir(parents=True, exist_ok=True)
        cache = jinja2.FileSystemBytecodeCache(str(bytecode))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in project.theme_dirs]),
        bytecode_cache=cache,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["_"] = translate
    if hasattr(translate, "date"):  # {{ day|date("EEE d MMM") }}: "lun 4 ene" on a Spanish site
        env.filters["date"] = translate.date
    env.globals.update(
        measure_hint=measure_hint,
        gas_level_names=gas_level_names,
        target_text=target_text,
        timeframe_text=timeframe_text,
        goal_path=goal_path,
        guidance_path=guidance_path,
        sheet_path=sheet_path,
        workbook_path=workbook_path,
        pdf_path=pdf_path,
    )
    return env


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


def markdown_html(html: str, url: Callable[[str], str | None]) -> Markup:
    """Rendered Markdown with internal links resolved; a link ``url`` maps to None is unlinked."""

    def link(match: re.Match) -> str:
        target = url(match[1])
        return match[2] if target is None else f'<a href="{target}">{match[2]}</a>'

    return Markup(resolve_links(_INTERNAL_LINK.sub(link, html), lambda p: url(p) or ""))


@dataclass
class Rendered:
    """What the HTML stage produced: new bytes, each output's key, and reused files."""

    files: dict[str, bytes] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)


def render_pages(plan: Plan, env: jinja2.Environment, project: Project,
                 reusable: Callable[[str, str], bool] = lambda path, key: False,
                 jobs: int = 1) -> Rendered:
    """Render every planned page whose key changed; ``reusable(path, key)`` says
    whether the previous output already holds ``path`` built from ``key``.
    Many pages are rendered by ``jobs`` processes."""
    site = plan.site
    out = Rendered()
    templates = TemplateDigests(env)
    todo: list[Page] = []
    for page in plan.pages:
        key = fingerprint(CODE_DIGEST, templates.digest(page.template), templates.locales(),
                          page.path, page.title, page.crumbs, page.context)
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


def render_page(page: Page, site, env: jinja2.Environment, project: Project) -> bytes:
    url = page_url(page.path)
    if page.path == "404.html" and site.config.site_url:
        # served at any depth: links must not be relative to where it is shown
        root = urlsplit(site.config.site_url.rstrip("/") + "/").path
        url = lambda target, _root=root: _root + target  # noqa: E731
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


def _render_all(pages: list[Page], site, env, project, jobs: int) -> dict[str, bytes]:
    if jobs < 2 or len(pages) < PARALLEL_PAGES or threading.active_count() > 1 \
            or "fork" not in multiprocessing.get_all_start_methods():
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
    pages, site, env, project = _work
    return [(pages[i].path, render_page(pages[i], site, env, project)) for i in indexes]


class TemplateDigests:
    """A digest of each template together with every template it extends, imports or
    includes, so a page's key changes exactly when one of its templates does."""

    def __init__(self, env: jinja2.Environment):
        self.env = env
        self.memo: dict[str, str] = {}
        self._locales: str | None = None

    def digest(self, name: str, _seen: frozenset[str] = frozenset()) -> str:
        if name in self.memo:
            return self.memo[name]
        source, filename, _ = self.env.loader.get_source(self.env, name)
        parts = [name, digest_bytes(source.encode("utf-8"))]
        referenced = _REFERENCE.findall(source)
        if any(not _LITERAL.fullmatch(target) for _, target in referenced):
            # a computed template name: depend on every template
            parts += [self.digest(n, _seen | {name}) for n in sorted(self.env.list_templates())
                      if n not in _seen | {name} and n.endswith((".html", ".xml"))]
        else:
            names = sorted({target[1:-1] for _, target in referenced})
            parts += [self.digest(n, _seen | {name}) for n in names if n not in _seen | {name}]
        self.memo[name] = fingerprint(*parts)
        return self.memo[name]

    def locales(self) -> str:
        """The theme's translations (every page may use any message)."""
        if self._locales is None:
            names = [n for n in self.env.list_templates() if n.startswith("locales/")]
            self._locales = fingerprint(*[(n, self.digest_text(n)) for n in sorted(names)])
        return self._locales

    def digest_text(self, name: str) -> str:
        source, _, _ = self.env.loader.get_source(self.env, name)
        return digest_bytes(source.encode("utf-8"))


def render_template(env: jinja2.Environment, project: Project, name: str, context: dict) -> str:
    """Render one template; template mistakes become WorkbookErrors with file:line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise WorkbookError([Problem(_template_rel(project, exc.filename or name),
                                     exc.lineno, f"template error: {exc.message}")]) from None
    except jinja2.TemplateNotFound as exc:
        raise WorkbookError(f"template '{exc.name}' not found in {', '.join(map(str, project.theme_dirs))}") from None
    except (jinja2.UndefinedError, TypeError, ValueError, KeyError, AttributeError) as exc:
        where = _template_frame(exc)
        if where is None:
            raise
        filename, line = where
        raise WorkbookError([Problem(_template_rel(project, filename), line,
                                     f"template error: {exc}")]) from None


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template line in the traceback (Jinja rewrites frames to templates)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.endswith((".html", ".xml", ".css", ".txt"))]
    if not frames:
        return None
    return frames[-1].filename, frames[-1].lineno or 0


def _template_rel(project: Project, filename: str) -> str:
    path = Path(filename)
    for folder in project.theme_dirs:
        try:
            rel = path.resolve().relative_to(folder)
        except ValueError:
            continue
        if folder == (project.root / "templates").resolve():
            return f"templates/{rel.as_posix()}"
        return f"(default theme) templates/{rel.as_posix()}"
    return filename


def theme_assets(project: Project) -> dict[str, Path]:
    """Files under assets/ in the theme folders; the project's copy of a file wins."""
    found: dict[str, Path] = {}
    for folder in reversed(project.theme_dirs):
        assets = folder / "assets"
        if not assets.is_dir():
            continue
        for path in sorted(assets.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                found[f"assets/{path.relative_to(assets).as_posix()}"] = path
    return dict(sorted(found.items()))
