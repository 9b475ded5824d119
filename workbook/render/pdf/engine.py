"""Stage 4: render PDFs with WeasyPrint, then repair what it leaves out.

:class:`PdfEngine` holds what every document of a build shares (parsed
stylesheets, one font configuration, the fetcher that only reads project
files) so it is set up once per process. Each document is laid out with
``pdf_forms=True`` and the ``pdf/ua-1`` variant (tagged, with language and
title), then :mod:`workbook.render.pdf.repair` fixes the form fields.

What WeasyPrint may read: files inside the project and the default theme.
Any other file, and any http(s) or data URL, stops the build with an error.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from workbook.errors import WorkbookError
from workbook.render.pdf import repair as pdfpost
from workbook.render.pdf.setup import EngineSpec, PageSetup, page_css

PDF_VARIANT = "pdf/ua-1"


class RefusedResource(Exception):
    """A document asked for something outside the project."""


class ProjectFetcher(URLFetcher):
    """Serves ``file:`` URLs inside the allowed folders; refuses everything else."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(fail_on_errors=True)
        self.roots = [root.resolve() for root in roots]

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
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
    layout: str = ""  # 'P' or 'L' for each page (portrait, landscape)


# Page numbers (see workbook/render/pdf/stamp.py): "page" lets WeasyPrint draw them; "stamp" lays
# the document out without them and stamps them on afterwards, so that a workbook can
# reuse its pages with its own numbers; "none" leaves a place for a workbook's numbers.
NUMBERINGS = ("page", "stamp", "none")
_NO_NUMBER = "@page { @bottom-right { content: none; } }"
# an overlay shows only the page number: the other margin boxes stay empty
_ONLY_NUMBER = (
    "@page { @top-left { content: none; } @top-right { content: none; } "
    "@bottom-left { content: none; } }\n"
    ".n { height: 1px; break-after: page; } .n:last-child { break-after: auto; } "
    ".cover { page: cover; } .wide { page: wide; }"
)


class PdfEngine:
    """Renders PDF documents; build one per process and reuse it."""

    def __init__(
        self,
        stylesheets: list[Path],
        setup: PageSetup,
        roots: list[Path],
        font_families: tuple[str, ...],
    ) -> None:
        self.fetcher = ProjectFetcher(roots)
        self.font_config = FontConfiguration()
        self.font_families = font_families
        self.stylesheets = []
        for path in stylesheets:
            try:
                self.stylesheets.append(
                    CSS(filename=str(path), font_config=self.font_config, url_fetcher=self.fetcher)
                )
            except FatalURLFetchingError as exc:
                raise WorkbookError(f"{path}: {_refusal(exc)}") from None
        self.base_stylesheets = list(self.stylesheets)
        self.page_stylesheets: dict[PageSetup, CSS] = {}
        self.no_number = CSS(string=_NO_NUMBER, font_config=self.font_config)
        self.only_number = CSS(string=_ONLY_NUMBER, font_config=self.font_config)
        self.overlays: dict[tuple, bytes] = {}  # (page setup, layout, cover) → overlay PDF
        self.use(setup)

    def use(self, setup: PageSetup) -> None:
        """Render the next documents with ``setup`` (paper, header, footer)."""
        if setup not in self.page_stylesheets:
            self.page_stylesheets[setup] = CSS(
                string=page_css(setup), font_config=self.font_config, url_fetcher=self.fetcher
            )
        self.stylesheets = [*self.base_stylesheets, self.page_stylesheets[setup]]
        self.setup = setup

    def _layout(self, html: str, base_url: str, name: str, extra_css: str, numbering: str = "page"):
        stylesheets = self.stylesheets
        if numbering != "page":
            stylesheets = [*stylesheets, self.no_number]
        if extra_css:
            stylesheets = [
                *stylesheets,
                CSS(string=extra_css, font_config=self.font_config, url_fetcher=self.fetcher),
            ]
        try:
            return HTML(string=html, base_url=base_url, url_fetcher=self.fetcher).render(
                stylesheets=stylesheets,
                font_config=self.font_config,
                pdf_forms=True,
                pdf_variant=PDF_VARIANT,
            )
        except FatalURLFetchingError as exc:
            raise WorkbookError(f"{name}: {_refusal(exc)}") from None

    def render(
        self,
        html: str,
        *,
        base_url: str,
        name: str,
        labels: dict[str, str],
        extra_css: str = "",
        info: dict[str, str] | None = None,
        numbering: str = "page",
    ) -> RenderedPdf:
        """Lay out ``html`` and return the repaired PDF; ``name`` is for messages,
        ``info`` holds extra document-information entries (see workbook/model/formdata.py),
        ``numbering`` is one of NUMBERINGS."""
        with _quiet_weasyprint():
            document = self._layout(html, base_url, name, extra_css, numbering)
            try:
                raw = document.write_pdf(pdf_variant=PDF_VARIANT)
            except FatalURLFetchingError as exc:
                raise WorkbookError(f"{name}: {_refusal(exc)}") from None
        layout = "".join("L" if page.width > page.height else "P" for page in document.pages)
        overlay = self.overlay(layout) if numbering == "stamp" else None
        data = pdfpost.repair(
            raw,
            labels=labels,
            name=name,
            font_families=self.font_families,
            info=info,
            stamp=numbering != "page",
            overlay=overlay,
        )
        return RenderedPdf(data, len(document.pages), layout)

    def count(self, html: str, *, base_url: str, name: str, extra_css: str = "") -> int:
        """How many pages ``html`` lays out to (no PDF is written)."""
        with _quiet_weasyprint():
            return len(self._layout(html, base_url, name, extra_css).pages)

    def overlay(self, layout: str, cover: bool = False) -> bytes:
        """The page numbers of a document whose pages are ``layout`` ('P' portrait, 'L'
        landscape), in the theme's footer: one empty page each but for "Page 3 of 5".
        ``cover``: the first page is a cover, which shows no number."""
        key = (self.setup, layout, cover)
        if key not in self.overlays:
            pages = "".join(
                f'<div class="n{" cover" if cover and i == 0 else ""}'
                f'{" wide" if kind == "L" else ""}"></div>'
                for i, kind in enumerate(layout)
            )
            html = (
                '<!DOCTYPE html><html><head><meta charset="utf-8"><title>page numbers</title>'
                f"</head><body>{pages}</body></html>"
            )
            with _quiet_weasyprint():
                document = HTML(string=html, url_fetcher=self.fetcher).render(
                    stylesheets=[*self.stylesheets, self.only_number], font_config=self.font_config
                )
                if len(document.pages) != len(layout):  # a theme that breaks pages otherwise
                    raise WorkbookError(
                        f"page numbers: laid out {len(document.pages)} pages for "
                        f"{len(layout)}; check @page rules in the theme"
                    )
                self.overlays[key] = document.write_pdf()
        return self.overlays[key]


def _refusal(exc: BaseException) -> str:
    cause = exc.__cause__
    reason = str(cause) if isinstance(cause, RefusedResource) else str(exc)
    return (
        f"refused to load {reason}; PDFs may only use files inside the project (no web addresses)"
    )


class _quiet_weasyprint:
    """WeasyPrint logs CSS it ignores as warnings; keep the terminal for our messages."""

    def __enter__(self) -> None:
        self.logger = logging.getLogger("weasyprint")
        self.level = self.logger.level
        self.logger.setLevel(logging.ERROR)

    def __exit__(self, *exc: object) -> None:
        self.logger.setLevel(self.level)


def engine_for(spec: EngineSpec) -> PdfEngine:
    """A new engine for the theme and page setup ``spec`` describes."""
    return PdfEngine(list(spec.stylesheets), spec.setup, list(spec.roots), spec.font_families)
