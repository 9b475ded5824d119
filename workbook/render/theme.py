"""Checks on the theme: templates and stylesheets may not load anything from the web.

A plain link (``<a href="https://...">``) is fine; a stylesheet, script,
image, font or frame from another host is refused at its line, because the
site promises that no request leaves it and PDFs may only read project files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.errors import Report
from workbook.project import Project

if TYPE_CHECKING:
    import jinja2

_REMOTE = "(?:https?:|//|data:|file:)"
_PATTERNS = (
    re.compile(
        r"<(?:link|script|img|iframe|frame|source|video|audio|embed|object|track|image|use)\b"
        r"[^>]*?\b(?:src|href|data|srcset|poster|xlink:href)\s*=\s*[\"']?\s*("
        + _REMOTE
        + r"[^\"'\s>]*)",
        re.I,
    ),
    re.compile(r"url\(\s*[\"']?\s*(" + _REMOTE + r"[^\"')\s]*)", re.I),
    re.compile(r"@import\s+[\"']\s*(" + _REMOTE + r"[^\"']*)", re.I),
)
SUFFIXES = (".html", ".htm", ".css", ".xml", ".svg", ".js")


def check_theme(project: Project, report: Report, env: jinja2.Environment | None = None) -> None:
    """Report every template that does not compile and every remote resource asked for.

    Templates are compiled into ``env`` when given (the build's own environment
    then has them ready)."""
    _check_templates(project, report, env)
    for folder in project.theme_dirs:
        own = folder == (project.root / "templates").resolve()
        prefix = "templates" if own else "(default theme) templates"
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.suffix.lower() not in SUFFIXES:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            rel = f"{prefix}/{path.relative_to(folder).as_posix()}"
            for number, line in enumerate(text.split("\n"), start=1):
                for pattern in _PATTERNS:
                    for match in pattern.finditer(line):
                        report.add(
                            rel,
                            number,
                            f"loads '{match[1][:60]}' from outside the project; the site and "
                            "PDFs may only use files inside the project",
                        )


def _check_templates(
    project: Project, report: Report, env: jinja2.Environment | None = None
) -> None:
    """Compile every template, so 'workbook check' finds a broken one too."""
    import jinja2

    from workbook.render.templates import make_env, template_rel

    env = env or make_env(project, lambda message, **values: message)
    for name in env.list_templates(filter_func=lambda n: n.endswith((".html", ".xml"))):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            report.add(
                template_rel(project, exc.filename or name),
                exc.lineno,
                f"template error: {exc.message}",
            )


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
