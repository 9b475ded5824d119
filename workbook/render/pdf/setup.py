"""Page setup shared by every PDF of a build, and how to rebuild the engine elsewhere.

Kept apart from :mod:`workbook.render.pdf.engine` so the main process can plan and
schedule PDF work without importing WeasyPrint; worker processes import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from workbook.project import Project, default_theme
from workbook.render import colours


@dataclass(frozen=True)
class PageSetup:
    """What every page of every PDF shows, from workbook.yaml (and --paper)."""

    paper: str  # letter | a4
    organization: str
    support_note: str
    page_label: str  # "Page {page} of {pages}" in the site's language
    accent_color: str


def css_string(text: str) -> str:
    """``text`` as a CSS string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def page_css(setup: PageSetup) -> str:
    before, _, rest = setup.page_label.partition("{page}")
    middle, _, after = rest.partition("{pages}")
    counter = " ".join(
        part
        for part in (
            css_string(before) if before else "",
            "counter(page)",
            css_string(middle) if middle else "",
            "counter(pages)",
            css_string(after) if after else "",
        )
        if part
    )
    accent = colours.readable_on(setup.accent_color, colours.LIGHT_BACKGROUND)
    soft = colours.theme_css(setup.accent_color).split("--accent-soft: ")[1].split(";")[0]
    return f"""
:root {{ --accent: {accent}; --accent-soft: {soft}; }}
@page {{
  size: {setup.paper};
  @top-left {{ content: {css_string(setup.organization)}; }}
  @top-right {{ content: string(doctitle); }}
  @bottom-left {{ content: {css_string(setup.support_note)}; }}
  @bottom-right {{ content: {counter}; }}
}}
@page wide {{ size: {setup.paper} landscape; }}
"""


@dataclass(frozen=True)
class EngineSpec:
    """Everything needed to build a PdfEngine in another process (picklable); the engine
    is made from it by :func:`workbook.render.pdf.engine.engine_for`."""

    stylesheets: tuple[Path, ...]
    setup: PageSetup
    roots: tuple[Path, ...]
    font_families: tuple[str, ...]


_FONT_FACE = re.compile(r"@font-face\s*{[^}]*font-family:\s*[\"']?([^;\"'}]+)", re.S)


def declared_fonts(stylesheet: Path) -> tuple[str, ...]:
    """Families the theme declares with @font-face: the only ones a PDF may embed."""
    return tuple(sorted(set(_FONT_FACE.findall(stylesheet.read_text(encoding="utf-8")))))


def theme_engine_spec(project: Project, setup: PageSetup) -> EngineSpec:
    """The engine for a project's theme (its PDF stylesheets and fonts)."""
    fonts = project.theme_file("pdf/fonts.css")
    return EngineSpec(
        (fonts, project.theme_file("pdf/pdf.css")),
        setup,
        (project.root, default_theme()),
        declared_fonts(fonts),
    )


#: A page setup to warm an engine with before the project's settings are known.
WARM_UP = PageSetup(
    paper="letter",
    organization="",
    support_note="",
    page_label="Page {page} of {pages}",
    accent_color="#000000",
)
