"""Stage 3: render the site's HTML pages with Jinja.

Templates come from the project's ``templates/`` first, then the default
theme, so a project overrides a theme file by writing one with the same name.
Autoescape and StrictUndefined are always on. Every link a template makes
goes through ``url()``, which returns a path relative to the page, so the
site works from any sub-path and from disk.
"""

from __future__ import annotations

import posixpath
import re
import traceback
from pathlib import Path
from typing import Callable

import jinja2
from markupsafe import Markup

from . import colors
from .errors import Problem, WorkbookError
from .markdown import resolve_links
from .plan import Page, Plan, goal_path, guidance_path, pdf_path, sheet_path, workbook_path
from .project import Project
from .sheets import measure_hint, target_text, timeframe_text
from urllib.parse import urlsplit

_INTERNAL_LINK = re.compile(r'<a href="wb:([^"]*)">(.*?)</a>', re.S)


def make_env(project: Project, translate: Callable[..., str]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in project.theme_dirs]),
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


def render_pages(plan: Plan, env: jinja2.Environment, project: Project) -> dict[str, bytes]:
    """Render every planned page; returns output path → bytes."""
    site = plan.site
    files: dict[str, bytes] = {}
    sitemap = [p.path for p in plan.pages if p.in_sitemap]
    for page in plan.pages:
        url = page_url(page.path)
        if page.path == "404.html" and site.config.site_url:
            # served at any depth: links must not be relative to where it is shown
            root = urlsplit(site.config.site_url.rstrip("/") + "/").path
            url = lambda target, _root=root: _root + target  # noqa: E731
        context = {
            "site": site,
            "config": site.config,
            "page": page,
            "url": url,
            "md": lambda html, _url=url: markdown_html(html, _url),
            "sitemap": sitemap,
            **page.context,
        }
        files[page.path] = render_template(env, project, page.template, context).encode("utf-8")
    files["assets/theme.css"] = colors.theme_css(site.config.accent_color).encode("utf-8")
    return files


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
