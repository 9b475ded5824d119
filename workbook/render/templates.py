"""The Jinja environment every page, PDF and report is rendered with.

Templates come from the project's ``templates/`` first, then the default
theme, so a project overrides a theme file by writing one with the same name.
Autoescape and StrictUndefined are always on. A template mistake becomes a
:class:`~workbook.errors.WorkbookError` at its ``templates/<file>:<line>``.
:class:`TemplateDigests` says which templates a page depends on, for the cache.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from pathlib import Path

import jinja2
from markupsafe import Markup

from workbook.clinical.wording import gas_level_names, target_text
from workbook.content.markdown import resolve_links
from workbook.errors import Problem, WorkbookError
from workbook.model.plan import goal_path, guidance_path, pdf_path, sheet_path, workbook_path
from workbook.model.sheets import measure_hint, timeframe_text
from workbook.output.cache import digest_bytes, fingerprint
from workbook.project import Project

_INTERNAL_LINK = re.compile(r'<a href="wb:([^"]*)">(.*?)</a>', re.S)
# {% extends/include/import/from <target> %}: how templates use each other (a scan, not a parse)
_REFERENCE = re.compile(r"\{%-?\s*(extends|include|import|from)\s+(\S+)")
_LITERAL = re.compile(r"""(["'])[^"']+\1""")


def make_env(
    project: Project, translate: Callable[..., str], bytecode: Path | None = None
) -> jinja2.Environment:
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


def markdown_html(html: str, url: Callable[[str], str | None]) -> Markup:
    """Rendered Markdown with internal links resolved; a link ``url`` maps to None is unlinked."""

    def link(match: re.Match) -> str:
        target = url(match[1])
        return match[2] if target is None else f'<a href="{target}">{match[2]}</a>'

    return Markup(resolve_links(_INTERNAL_LINK.sub(link, html), lambda p: url(p) or ""))


class TemplateDigests:
    """A digest of each template together with every template it extends, imports or
    includes, so a page's key changes exactly when one of its templates does."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.memo: dict[str, str] = {}
        self._locales: str | None = None

    def _loader(self) -> jinja2.BaseLoader:
        assert self.env.loader is not None  # make_env always gives the theme's loader
        return self.env.loader

    def digest(self, name: str, _seen: frozenset[str] = frozenset()) -> str:
        if name in self.memo:
            return self.memo[name]
        source, _filename, _ = self._loader().get_source(self.env, name)
        parts = [name, digest_bytes(source.encode("utf-8"))]
        referenced = _REFERENCE.findall(source)
        if any(not _LITERAL.fullmatch(target) for _, target in referenced):
            # a computed template name: depend on every template
            parts += [
                self.digest(n, _seen | {name})
                for n in sorted(self.env.list_templates())
                if n not in _seen | {name} and n.endswith((".html", ".xml"))
            ]
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
        source, _, _ = self._loader().get_source(self.env, name)
        return digest_bytes(source.encode("utf-8"))


def render_template(env: jinja2.Environment, project: Project, name: str, context: dict) -> str:
    """Render one template; template mistakes become WorkbookErrors with file:line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise WorkbookError(
            [
                Problem(
                    template_rel(project, exc.filename or name),
                    exc.lineno,
                    f"template error: {exc.message}",
                )
            ]
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise WorkbookError(
            f"template '{exc.name}' not found in {', '.join(map(str, project.theme_dirs))}"
        ) from None
    except (jinja2.UndefinedError, TypeError, ValueError, KeyError, AttributeError) as exc:
        where = _template_frame(exc)
        if where is None:
            raise
        filename, line = where
        raise WorkbookError(
            [Problem(template_rel(project, filename), line, f"template error: {exc}")]
        ) from None


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template line in the traceback (Jinja rewrites frames to templates)."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename.endswith((".html", ".xml", ".css", ".txt"))
    ]
    if not frames:
        return None
    return frames[-1].filename, frames[-1].lineno or 0


def template_rel(project: Project, filename: str) -> str:
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
