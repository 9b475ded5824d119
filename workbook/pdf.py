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

from . import pdfpost
from .paging import PageSetup, page_css
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
        self.base_stylesheets = list(self.stylesheets)
        self.page_stylesheets: dict[PageSetup, CSS] = {}
        self.use(setup)

    def use(self, setup: PageSetup) -> None:
        """Render the next documents with ``setup`` (paper, header, footer)."""
        if setup not in self.page_stylesheets:
            self.page_stylesheets[setup] = CSS(string=page_css(setup), font_config=self.font_config,
                                               url_fetcher=self.fetcher)
        self.stylesheets = self.base_stylesheets + [self.page_stylesheets[setup]]

    def _layout(self, html: str, base_url: str, name: str, extra_css: str):
        stylesheets = self.stylesheets
        if extra_css:
            stylesheets = stylesheets + [CSS(string=extra_css, font_config=self.font_config,
                                             url_fetcher=self.fetcher)]
        try:
            return HTML(string=html, base_url=base_url, url_fetcher=self.fetcher).render(
                stylesheets=stylesheets,
                font_config=self.font_config,
                pdf_forms=True,
                pdf_variant=PDF_VARIANT,
            )
        except FatalURLFetchingError as exc:
            raise WorkbookError(f"{name}: {_refusal(exc)}") from None

    def render(self, html: str, *, base_url: str, name: str, labels: dict[str, str],
               extra_css: str = "", prune_dests: bool = True,
               info: dict[str, str] | None = None) -> RenderedPdf:
        """Lay out ``html`` and return the repaired PDF; ``name`` is for messages,
        ``info`` holds extra document-information entries (see workbook/formdata.py)."""
        with _quiet_weasyprint():
            document = self._layout(html, base_url, name, extra_css)
            try:
                raw = document.write_pdf(pdf_variant=PDF_VARIANT)
            except FatalURLFetchingError as exc:
                raise WorkbookError(f"{name}: {_refusal(exc)}") from None
        data = pdfpost.repair(raw, labels=labels, name=name, font_families=self.font_families,
                              prune_dests=prune_dests, info=info)
        return RenderedPdf(data, len(document.pages))

    def count(self, html: str, *, base_url: str, name: str, extra_css: str = "") -> int:
        """How many pages ``html`` lays out to (no PDF is written)."""
        with _quiet_weasyprint():
            return len(self._layout(html, base_url, name, extra_css).pages)


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
