"""Stage 4: render PDFs with WeasyPrint, then repair what it leaves out.

:class:`PdfEngine` holds what every document of a build shares (parsed
stylesheets, one font configuration, the fetcher that only reads project
files) so it is set up once per process. Each document is laid out with
``pdf_forms=True`` and the ``pdf/ua-1`` variant (tagged, with language and
title), then :mod:`workbook.pdfpost` fixes the form fields.

What WeasyPrint may read: files inside the project and the default theme.
Any other file, and any http(s) or data URL, stops the build with an error.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from . import colors, pdfpost
from .errors import WorkbookError

PDF_VARIANT = "pdf/ua-1"


class RefusedResource(Exception):
    """A document asked for something outside the project."""


class ProjectFetcher(URLFetcher):
    """Serves ``file:`` URLs inside the allowed folders; refuses everything else."""

    def __init__(self, roots: list[Path]):
        super().__init__(fail_on_errors=True)
        self.roots = [root.resolve() for root in roots]

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise RefusedResource(f"'{url[:80]}' is not a file in the project")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise RefusedResource(f"'{path}' is outside the project")
        if not path.is_file():
            raise RefusedResource(f"'{path}' does not exist")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


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
        part for part in (
            css_string(before) if before else "",
            "counter(page)",
            css_string(middle) if middle else "",
            "counter(pages)",
            css_string(after) if after else "",
        ) if part
    )
    accent = colors.readable_on(setup.accent_color, colors.LIGHT_BACKGROUND)
    soft = colors.theme_css(setup.accent_color).split("--accent-soft: ")[1].split(";")[0]
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


@dataclass
class RenderedPdf:
    data: bytes
    pages: int


class PdfEngine:
    """Renders PDF documents; build one per process and reuse it."""

    def __init__(self, stylesheets: list[Path], setup: PageSetup, roots: list[Path],
                 font_families: tuple[str, ...]):
        self.fetcher = ProjectFetcher(roots)
        self.font_config = FontConfiguration()
        self.font_families = font_families
        self.stylesheets = []
        for path in stylesheets:
            try:
                self.stylesheets.append(CSS(filename=str(path), font_config=self.font_config,
                                            url_fetcher=self.fetcher))
            except FatalURLFetchingError as exc:
                raise WorkbookError(f"{path}: {_refusal(exc)}") from None
        self.stylesheets.append(CSS(string=page_css(setup), font_config=self.font_config,
                                    url_fetcher=self.fetcher))

    def render(self, html: str, *, base_url: str, name: str, labels: dict[str, str],
               info: dict[str, str] | None = None) -> RenderedPdf:
        """Lay out ``html`` and return the repaired PDF; ``name`` is for messages,
        ``info`` holds extra document-information entries (see workbook/formdata.py)."""
        with _quiet_weasyprint():
            try:
                document = HTML(string=html, base_url=base_url, url_fetcher=self.fetcher).render(
                    stylesheets=self.stylesheets,
                    font_config=self.font_config,
                    pdf_forms=True,
                    pdf_variant=PDF_VARIANT,
                )
                raw = document.write_pdf(pdf_variant=PDF_VARIANT)
            except FatalURLFetchingError as exc:
                raise WorkbookError(f"{name}: {_refusal(exc)}") from None
        data = pdfpost.repair(raw, labels=labels, name=name, font_families=self.font_families,
                              info=info)
        return RenderedPdf(data, len(document.pages))


def _refusal(exc: BaseException) -> str:
    cause = exc.__cause__
    reason = str(cause) if isinstance(cause, RefusedResource) else str(exc)
    return (f"refused to load {reason}; PDFs may only use files inside the project "
            "(no web addresses)")


class _quiet_weasyprint:
    """WeasyPrint logs CSS it ignores as warnings; keep the terminal for our messages."""

    def __enter__(self):
        self.logger = logging.getLogger("weasyprint")
        self.level = self.logger.level
        self.logger.setLevel(logging.ERROR)

    def __exit__(self, *exc):
        self.logger.setLevel(self.level)


_FONT_FACE = re.compile(r"@font-face\s*{[^}]*font-family:\s*[\"']?([^;\"'}]+)", re.S)


def declared_fonts(stylesheet: Path) -> tuple[str, ...]:
    """Families the theme declares with @font-face: the only ones a PDF may embed."""
    return tuple(sorted(set(_FONT_FACE.findall(stylesheet.read_text(encoding="utf-8")))))
